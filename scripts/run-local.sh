#!/usr/bin/env bash
# Runs token-refresher on this machine without Docker: the sandbox provider, the scheduler and two workers, against
# the local PostgreSQL and RabbitMQ, with demo connections that refresh every 40 seconds. Ctrl-C stops everything.
#
# Settings (environment): WORKERS (2), DEMO_CONNECTIONS (200; 0 = none), DEMO_TOKEN_LIFETIME (60s),
# SANDBOX_PORT (9090), SCHEDULER_PORT (8080), WORKER_BASE_PORT (8081), SKIP_BUILD (unset), RUN_LOCAL_STATE (.local:
# keys and logs), LOGGING_STRUCTURED_FORMAT_CONSOLE (unset = text logs; ecs or logstash = JSON), and every variable the apps
# read (DATABASE_URL, DATABASE_USER, DATABASE_PASSWORD, RABBITMQ_HOST, RABBITMQ_PORT, RABBITMQ_USER,
# RABBITMQ_PASSWORD, REFRESHER_*); see the README's configuration reference.
set -euo pipefail
cd "$(dirname "$0")/.."

export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
JAVA="$JAVA_HOME/bin/java"
VERSION=0.1.0-SNAPSHOT
STATE=${RUN_LOCAL_STATE:-.local}
LOGS=$STATE/logs
WORKERS=${WORKERS:-2}
DEMO_CONNECTIONS=${DEMO_CONNECTIONS:-200}
DEMO_TOKEN_LIFETIME=${DEMO_TOKEN_LIFETIME:-60s}
SANDBOX_PORT=${SANDBOX_PORT:-9090}
SCHEDULER_PORT=${SCHEDULER_PORT:-8080}
WORKER_BASE_PORT=${WORKER_BASE_PORT:-8081}
JVM_OPTS=${JVM_OPTS:--Xmx256m -XX:+UseSerialGC}

# --- the same variables docker-compose.yml sets -------------------------------------------------------------------
export DATABASE_URL=${DATABASE_URL:-jdbc:postgresql://127.0.0.1:5432/tokenrefresher}
export DATABASE_USER=${DATABASE_USER:-postgres}
export DATABASE_PASSWORD=${DATABASE_PASSWORD:-}
export RABBITMQ_HOST=${RABBITMQ_HOST:-127.0.0.1}
export RABBITMQ_PORT=${RABBITMQ_PORT:-5672}
export REFRESHER_PROVIDERS_QUICKBOOKS_TOKENURI=${REFRESHER_PROVIDERS_QUICKBOOKS_TOKENURI:-http://127.0.0.1:$SANDBOX_PORT/oauth2/v1/tokens/bearer}
# the preset's revocation endpoint is Intuit's: a demo disconnect with revoke=true must reach the sandbox instead
export REFRESHER_PROVIDERS_QUICKBOOKS_REVOCATIONURI=${REFRESHER_PROVIDERS_QUICKBOOKS_REVOCATIONURI:-http://127.0.0.1:$SANDBOX_PORT/v2/oauth2/tokens/revoke}
export REFRESHER_PROVIDERS_QUICKBOOKS_CLIENTID=${REFRESHER_PROVIDERS_QUICKBOOKS_CLIENTID:-sandbox-client}
export REFRESHER_PROVIDERS_QUICKBOOKS_CLIENTSECRET=${REFRESHER_PROVIDERS_QUICKBOOKS_CLIENTSECRET:-sandbox-secret}
export REFRESHER_PROVIDERS_QUICKBOOKS_REFRESHLEADTIME=${REFRESHER_PROVIDERS_QUICKBOOKS_REFRESHLEADTIME:-20s}

mkdir -p "$LOGS"
# The encryption key must survive restarts, or stored tokens become unreadable: keep it in .local/ (git-ignored).
if [ -z "${REFRESHER_CRYPTO_KEYS_LOCAL:-}" ]; then
  [ -s "$STATE/encryption-key" ] || (umask 077 && head -c 32 /dev/urandom | base64 > "$STATE/encryption-key")
  export REFRESHER_CRYPTO_KEYS_LOCAL="$(cat "$STATE/encryption-key")"
fi
export REFRESHER_CRYPTO_PRIMARYKEYID=${REFRESHER_CRYPTO_PRIMARYKEYID:-local}
# API keys: one admin key (operators, refresherctl, the demo seeder) and one token-reader key (host apps), kept in
# .local/ like the encryption key. Set REFRESHER_SECURITY_APIKEYS_0_KEY / _1_KEY to use your own.
new_key() { [ -s "$STATE/$1" ] || (umask 077 && head -c 24 /dev/urandom | base64 | tr '+/' '-_' > "$STATE/$1"); cat "$STATE/$1"; }
export REFRESHER_SECURITY_APIKEYS_0_NAME=${REFRESHER_SECURITY_APIKEYS_0_NAME:-local-admin}
export REFRESHER_SECURITY_APIKEYS_0_KEY=${REFRESHER_SECURITY_APIKEYS_0_KEY:-$(new_key admin-api-key)}
export REFRESHER_SECURITY_APIKEYS_0_ROLES=${REFRESHER_SECURITY_APIKEYS_0_ROLES:-admin}
export REFRESHER_SECURITY_APIKEYS_1_NAME=${REFRESHER_SECURITY_APIKEYS_1_NAME:-local-host-app}
export REFRESHER_SECURITY_APIKEYS_1_KEY=${REFRESHER_SECURITY_APIKEYS_1_KEY:-$(new_key token-reader-api-key)}
export REFRESHER_SECURITY_APIKEYS_1_ROLES=${REFRESHER_SECURITY_APIKEYS_1_ROLES:-token-reader}

fail() { echo "run-local: $*" >&2; exit 1; }

[ -x "$JAVA" ] || fail "no Java at $JAVA: set JAVA_HOME to a JDK 21 or newer"
(exec 3<>"/dev/tcp/${RABBITMQ_HOST}/${RABBITMQ_PORT}") 2>/dev/null \
  || fail "RabbitMQ is not reachable at $RABBITMQ_HOST:$RABBITMQ_PORT (start it, e.g. scripts/ensure-services.sh)"
if [[ "$DATABASE_URL" == jdbc:postgresql://127.0.0.1:5432/* ]] && command -v psql >/dev/null; then
  db=${DATABASE_URL##*/}; db=${db%%\?*}
  pg_isready -h 127.0.0.1 -q || fail "PostgreSQL is not reachable at 127.0.0.1:5432 (scripts/ensure-services.sh)"
  if ! psql -h 127.0.0.1 -U "$DATABASE_USER" -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
    echo "creating database $db"
    psql -h 127.0.0.1 -U "$DATABASE_USER" -d postgres -qc "CREATE DATABASE \"$db\""
  fi
fi

if [ -z "${SKIP_BUILD:-}" ]; then
  echo "building the jars (SKIP_BUILD=1 skips this)"
  ./mvnw -q -DskipTests package
fi

PIDS=()
stop_all() {
  trap - INT TERM EXIT
  STOPPING=1
  echo
  echo "stopping ${#PIDS[@]} processes"
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "stopped"
}
trap stop_all INT TERM EXIT

start() { # name, jar, arguments...
  local name=$1 jar=$2; shift 2
  # shellcheck disable=SC2086
  "$JAVA" $JVM_OPTS -jar "$jar" "$@" > "$LOGS/$name.log" 2>&1 &
  PIDS+=($!)
  echo "started $name (pid $!), log: $LOGS/$name.log"
}

await_healthy() { # name, port
  for _ in $(seq 120); do
    if curl -fs "http://127.0.0.1:$2/actuator/health" 2>/dev/null | grep -q '"UP"'; then
      echo "$1 is healthy on port $2"
      return 0
    fi
    sleep 1
  done
  fail "$1 did not become healthy; see $LOGS/$1.log"
}

# The demo seeder registers through the API with the admin key; passed in the environment, not on the command line.
SPRING_APPLICATION_JSON="{\"sandbox\":{\"demo\":{\"headers\":{\"x-api-key\":\"$REFRESHER_SECURITY_APIKEYS_0_KEY\"}}}}" \
start sandbox "sandbox/target/sandbox-$VERSION-exec.jar" --server.port="$SANDBOX_PORT" \
  --sandbox.access-token-lifetime="$DEMO_TOKEN_LIFETIME" \
  --sandbox.demo.connections="$DEMO_CONNECTIONS" \
  --sandbox.demo.register-url="http://127.0.0.1:$SCHEDULER_PORT/api/connections"
start scheduler "scheduler/target/scheduler-$VERSION-exec.jar" --server.port="$SCHEDULER_PORT"
await_healthy scheduler "$SCHEDULER_PORT"
for i in $(seq "$WORKERS"); do
  start "worker-$i" "worker/target/worker-$VERSION-exec.jar" --server.port=$((WORKER_BASE_PORT + i - 1)) \
    --refresher.worker.id="worker-$i"
done
await_healthy sandbox "$SANDBOX_PORT"
for i in $(seq "$WORKERS"); do await_healthy "worker-$i" $((WORKER_BASE_PORT + i - 1)); done

cat <<INFO

token-refresher is running. Where to look (API keys: header X-API-Key, admin key in $STATE/admin-api-key,
token-reader key in $STATE/token-reader-api-key):
  API document and UI     http://127.0.0.1:$SCHEDULER_PORT/swagger-ui.html
  list connections        GET  http://127.0.0.1:$SCHEDULER_PORT/api/connections   (admin)
  register a connection   POST http://127.0.0.1:$SCHEDULER_PORT/api/connections   (admin; README: "Register a connection")
  read an access token    GET  http://127.0.0.1:$SCHEDULER_PORT/api/connections/{id}/access-token   (token-reader)
  operator CLI            REFRESHER_API_KEY=\$(cat $STATE/admin-api-key) scripts/refresherctl connections list
  demo seeding progress   GET  http://127.0.0.1:$SANDBOX_PORT/sandbox/demo
  provider's counters     GET  http://127.0.0.1:$SANDBOX_PORT/sandbox/stats
  refresh counters        GET  http://127.0.0.1:$WORKER_BASE_PORT/actuator/metrics/refresher.refreshes
  logs                    $LOGS/
Press Ctrl-C to stop everything.
INFO

# Exit (and stop the rest) as soon as any process dies; otherwise wait for Ctrl-C.
wait -n "${PIDS[@]}" || true
[ -n "${STOPPING:-}" ] || echo "a process exited; see $LOGS/"
