#!/usr/bin/env bash
# The benchmark (bench/): starts the sandbox provider (100 ms per token request), the scheduler and workers from their
# jars against the local PostgreSQL and RabbitMQ, runs a catch-up of every connection due at once per worker count and
# the cron-sweep baselines on the same connections, and writes docs/benchmarks.md with a chart beside it. A run with a
# steady state ends with the capacity figures: CPU per refresh of the workers, the broker and the database server, WAL,
# broker memory and table bytes per connection, and sizes for 100k/1M/10M connections (docs/scaling.md).
#
#   scripts/bench.sh                      # default sizes: 100,000 connections; 1, 2 and 4 workers
#   scripts/bench.sh --quick              # 2,000 connections, 2 workers; report in bench/target/ (CI runs this)
#   scripts/bench.sh --connections=20000 --workers=2 --concurrency=300 --latency-ms=100 --sweep-seconds=60 --warmup=5000
#   (--concurrency is the total in flight: split among a run's workers, and the pooled sweep's threads)
#
# SKIP_BUILD=1 uses the jars as they are. REFRESHER_BENCH_POSTGRES_URL / _USER / _PASSWORD and
# REFRESHER_BENCH_RABBITMQ_HOST / _PORT / _USER / _PASSWORD point it elsewhere (default: the local services). Each run
# uses its own schema and queue prefix and removes them at the end (an interrupted run stops the apps it started but
# leaves bench_<run> and bench-<run>.*; <run> is in its first line); app logs are in bench/target/bench-logs/.
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
if [ -z "${SKIP_BUILD:-}" ]; then
  echo "building the jars (SKIP_BUILD=1 skips this)"
  ./mvnw -q -DskipTests package
fi
exec "$JAVA_HOME/bin/java" -Xmx1g -jar bench/target/bench-0.1.0-SNAPSHOT-exec.jar "$@"
