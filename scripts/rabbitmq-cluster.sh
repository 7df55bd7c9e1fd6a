#!/usr/bin/env bash
# A three-node RabbitMQ cluster on this machine, beside (never instead of) the machine's own broker on 5672: nodes
# rc1@localhost, rc2@localhost and rc3@localhost on AMQP ports 5701..5703 (Erlang distribution 25701..25703), each with
# its own data, log and config under $RABBITMQ_CLUSTER_DIR, sharing the rabbitmq user's Erlang cookie. Quorum queues
# declared on it get three replicas. For trying token-refresher's failover by hand and for ClusterFailoverIT; needs
# root (rabbitmq-server switches to the rabbitmq user).
#
#   scripts/rabbitmq-cluster.sh start          start the three nodes and join 2 and 3 to 1 (idempotent)
#   scripts/rabbitmq-cluster.sh status         cluster members and running nodes, as node 1 sees them
#   scripts/rabbitmq-cluster.sh addresses      the RABBITMQ_ADDRESSES value for the apps
#   scripts/rabbitmq-cluster.sh kill-node N    SIGKILL node N's Erlang VM (a crash: no clean shutdown)
#   scripts/rabbitmq-cluster.sh start-node N   start node N again; it rejoins the cluster by itself
#   scripts/rabbitmq-cluster.sh stop           stop every node and delete their directories
#
# Environment: RABBITMQ_CLUSTER_DIR (default /tmp/token-refresher-rabbitmq-cluster), RABBITMQ_CLUSTER_PORT_BASE
# (default 5700: node N listens on BASE+N, its distribution port on 20000+BASE+N).
set -euo pipefail

DIR=${RABBITMQ_CLUSTER_DIR:-/tmp/token-refresher-rabbitmq-cluster}
PORT_BASE=${RABBITMQ_CLUSTER_PORT_BASE:-5700}
NODES=(1 2 3)
REPO=$(cd "$(dirname "$0")/.." && pwd)

node() { echo "rc$1@localhost"; }
ctl() { local n=$1; shift; rabbitmqctl -q -n "$(node "$n")" "$@"; }

node_env() { # N: the environment rabbitmq-server needs for node N
  local n=$1 d="$DIR/n$1"
  echo "RABBITMQ_NODENAME=$(node "$n") RABBITMQ_NODE_PORT=$((PORT_BASE + n)) RABBITMQ_DIST_PORT=$((20000 + PORT_BASE + n))" \
    "RABBITMQ_MNESIA_BASE=$d/mnesia RABBITMQ_LOG_BASE=$d/log RABBITMQ_PID_FILE=$d/pid" \
    "RABBITMQ_ENABLED_PLUGINS_FILE=$d/enabled_plugins RABBITMQ_CONFIG_FILE=$d/rabbitmq" \
    "RABBITMQ_ADVANCED_CONFIG_FILE=$d/advanced.config"
}

running() { rabbitmq-diagnostics -q -n "$(node "$1")" ping >/dev/null 2>&1; }

prepare() { # N: the node's directories and files, once
  local d="$DIR/n$1"
  if [ ! -d "$d" ]; then
    mkdir -p "$d/mnesia" "$d/log"
    # no plugins: the management plugin would want the machine broker's port 15672
    echo '[].' >"$d/enabled_plugins"
    printf 'listeners.tcp.default = %s\nloopback_users.guest = true\n' "$((PORT_BASE + $1))" >"$d/rabbitmq.conf"
    cp "$REPO/config/rabbitmq/advanced.config" "$d/advanced.config"
  fi
  chown -R rabbitmq:rabbitmq "$DIR"
}

start_node() { # N: start it (a no-op when it runs) and wait until it has booted
  local n=$1
  if running "$n"; then return 0; fi
  prepare "$n"
  env $(node_env "$n") rabbitmq-server -detached >/dev/null 2>&1
  for _ in $(seq 120); do
    if running "$n"; then break; fi
    sleep 1
  done
  ctl "$n" await_startup --timeout 120
}

kill_node() { # N: SIGKILL its Erlang VM and wait until it is gone
  local n=$1 pid
  pid=$(cat "$DIR/n$n/pid" 2>/dev/null || true)
  if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
    pid=$(ctl "$n" eval 'os:getpid().' 2>/dev/null | tr -d '"' || true)
  fi
  if [ -z "$pid" ]; then
    echo "node $(node "$n") is not running" >&2
    return 1
  fi
  kill -KILL "$pid"
  for _ in $(seq 30); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "killed $(node "$n") (pid $pid)"
      return 0
    fi
    sleep 0.2
  done
  echo "pid $pid of $(node "$n") survived SIGKILL" >&2
  return 1
}

joined() { # N: whether node 1 lists node N among the cluster's disc nodes
  ctl 1 eval 'rabbit_mnesia:cluster_nodes(all).' 2>/dev/null | grep -q "$(node "$1")"
}

start() {
  for n in "${NODES[@]}"; do start_node "$n"; done
  for n in 2 3; do
    if ! joined "$n"; then
      # the joining node logs harmless start-up noise (feature flags, tracking tables) to stderr: kept in its log dir
      {
        ctl "$n" stop_app
        ctl "$n" reset
        ctl "$n" join_cluster "$(node 1)"
        ctl "$n" start_app
        ctl "$n" await_startup --timeout 120
      } 2>>"$DIR/n$n/log/join.log"
    fi
  done
  for key in dead_letter_worker_publisher_confirm_timeout dead_letter_worker_publisher_confirm_timeout_ms; do
    for n in "${NODES[@]}"; do ctl "$n" eval "application:set_env(rabbit, $key, 5000)." >/dev/null; done
  done
  status
}

stop() {
  for n in "${NODES[@]}"; do
    if running "$n"; then
      ctl "$n" stop >/dev/null 2>&1 || kill_node "$n" >/dev/null 2>&1 || true
    else
      # a VM that does not answer but still runs (e.g. frozen): end it by its pid
      local pid
      pid=$(cat "$DIR/n$n/pid" 2>/dev/null || true)
      if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" || true; fi
    fi
  done
  rm -rf "$DIR"
  echo "stopped; removed $DIR"
}

status() {
  ctl 1 cluster_status --formatter json 2>/dev/null |
    sed -e 's/.*"disk_nodes":\(\[[^]]*\]\).*"running_nodes":\(\[[^]]*\]\).*/members \1 running \2/' ||
    echo "node $(node 1) is not running"
  echo "addresses $(addresses)"
}

addresses() {
  local list=()
  for n in "${NODES[@]}"; do list+=("127.0.0.1:$((PORT_BASE + n))"); done
  (IFS=,; echo "${list[*]}")
}

node_number() {
  case "${1:-}" in
    1 | 2 | 3) echo "$1" ;;
    *) echo "node number 1, 2 or 3 expected, got '${1:-}'" >&2; exit 2 ;;
  esac
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  addresses) addresses ;;
  kill-node) kill_node "$(node_number "${2:-}")" ;;
  start-node) start_node "$(node_number "${2:-}")" && echo "started $(node "$2")" ;;
  *) sed -n '2,16p' "$0" >&2; exit 2 ;;
esac
