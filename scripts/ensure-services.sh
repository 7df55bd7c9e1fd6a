#!/usr/bin/env bash
# Starts the local PostgreSQL and RabbitMQ the tests use, where they are installed and not running yet.
# A no-op where they already run; it never installs anything.
set -euo pipefail

wait_for() { # description, attempts, command...
  local what=$1 attempts=$2; shift 2
  for _ in $(seq "$attempts"); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  echo "$what did not come up" >&2
  return 1
}

if command -v pg_isready >/dev/null; then
  if ! pg_isready -h 127.0.0.1 -q; then
    echo "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
    wait_for PostgreSQL 60 pg_isready -h 127.0.0.1 -q
  fi
  echo "PostgreSQL: $(pg_isready -h 127.0.0.1)"
else
  echo "pg_isready not found: assuming PostgreSQL is reachable as configured (REFRESHER_TEST_POSTGRES_URL or Docker)"
fi

if command -v rabbitmq-diagnostics >/dev/null; then
  if ! rabbitmq-diagnostics -q ping >/dev/null 2>&1; then
    echo "starting RabbitMQ with config/rabbitmq/advanced.config"
    # the settings token-refresher relies on (see the file); a broker that is already running keeps its own
    RABBITMQ_ADVANCED_CONFIG_FILE="$(cd "$(dirname "$0")/.." && pwd)/config/rabbitmq/advanced.config" rabbitmq-server -detached
    wait_for RabbitMQ 120 rabbitmq-diagnostics -q ping
    rabbitmqctl await_startup >/dev/null
  fi
  # Quorum queues dead-letter at-least-once through a per-queue worker that re-sends unconfirmed dead letters only
  # after this timeout (180 s by default). After a broker restart that stalls the delay ladder for up to 3 minutes;
  # 5 s bounds the stall. Production sets it in advanced.config (see docs/architecture.md); this applies it at run time.
  for key in dead_letter_worker_publisher_confirm_timeout dead_letter_worker_publisher_confirm_timeout_ms; do
    rabbitmqctl -q eval "application:set_env(rabbit, $key, 5000)." >/dev/null
  done
  # RabbitMQ 3.10's file-handle cache reserves about three handles per quorum queue and stops at the open-files limit
  # less a reserve (927 with the default 1,024). A test JVM holds a namespace of 33 queues per Spring context until it
  # exits, so ten contexts reach it, and the broker then accepts TCP connections but answers no AMQP handshake (seen in
  # common's tests: HandoffDrainTest's "AmqpConnect TimeoutException"). The reservations are bookkeeping (the broker
  # really holds a few dozen files), so the test broker gets a cache limit of 3,000; production raises `ulimit -n`.
  rabbitmqctl -q eval "file_handle_cache:set_limit(3000)." >/dev/null
  echo "RabbitMQ: up (dead-letter worker confirm timeout 5 s, file-handle cache limit 3,000)"
else
  echo "rabbitmq-diagnostics not found: assuming RabbitMQ is reachable as configured (REFRESHER_TEST_RABBITMQ_HOST or Docker)"
fi
