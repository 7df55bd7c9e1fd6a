#!/usr/bin/env bash
# A PostgreSQL primary and a streaming standby of it on this machine, both clusters of their own (never the machine's
# `main` on 5432): `trprimary` on port 5441 and `trstandby` on 5442, trust authentication on 127.0.0.1 only, a
# database `tokenrefresher`. For trying token-refresher's failover by hand and for ClusterFailoverIT; needs root and
# Debian's postgresql-common (pg_createcluster).
#
#   scripts/postgres-failover.sh start         create and start the primary, then the standby (pg_basebackup -R)
#   scripts/postgres-failover.sh status        each cluster's role (primary / standby / down)
#   scripts/postgres-failover.sh url           the multi-host JDBC URL for DATABASE_URL (targetServerType=primary)
#   scripts/postgres-failover.sh stop-primary  stop the primary at once (-m immediate: like a crash)
#   scripts/postgres-failover.sh promote       promote the standby to primary (SELECT pg_promote())
#   scripts/postgres-failover.sh stop          stop and drop both clusters
#
# Environment: POSTGRES_FAILOVER_PRIMARY_PORT (5441), POSTGRES_FAILOVER_STANDBY_PORT (5442),
# POSTGRES_FAILOVER_DATABASE (tokenrefresher).
set -euo pipefail

PRIMARY=trprimary
STANDBY=trstandby
PRIMARY_PORT=${POSTGRES_FAILOVER_PRIMARY_PORT:-5441}
STANDBY_PORT=${POSTGRES_FAILOVER_STANDBY_PORT:-5442}
DATABASE=${POSTGRES_FAILOVER_DATABASE:-tokenrefresher}
VERSION=${POSTGRES_FAILOVER_VERSION:-$(ls /etc/postgresql | sort -n | tail -1)}

exists() { [ -d "/etc/postgresql/$VERSION/$1" ]; }
ctl() { pg_ctlcluster --skip-systemctl-redirect "$VERSION" "$@"; }
# -w everywhere: a prompt for a password with no terminal would loop forever
psql_at() { local port=$1; shift; su postgres -c "psql -w -X -q -At -h 127.0.0.1 -p $port $*"; }
ready() { pg_isready -q -h 127.0.0.1 -p "$1"; }

wait_ready() { # port
  for _ in $(seq 60); do
    if ready "$1"; then return 0; fi
    sleep 0.5
  done
  echo "PostgreSQL on port $1 did not come up" >&2
  return 1
}

create() { # name port: a cluster that trusts local and 127.0.0.1 connections, replication included
  local name=$1 port=$2 conf="/etc/postgresql/$VERSION/$1"
  pg_createcluster "$VERSION" "$name" -p "$port" >/dev/null
  cat >"$conf/pg_hba.conf" <<EOF
local   all          all                 trust
host    all          all   127.0.0.1/32  trust
local   replication  all                 trust
host    replication  all   127.0.0.1/32  trust
EOF
  cat >>"$conf/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
wal_level = replica
max_wal_senders = 5
hot_standby = on
# the machine's own cluster and test JVMs share max_connections-sized budgets: this pair is for a few apps
max_connections = 60
EOF
}

start() {
  if ! exists "$PRIMARY"; then
    create "$PRIMARY" "$PRIMARY_PORT"
  fi
  ready "$PRIMARY_PORT" || ctl "$PRIMARY" start
  wait_ready "$PRIMARY_PORT"
  if [ "$(psql_at "$PRIMARY_PORT" -d postgres -c "\"SELECT 1 FROM pg_database WHERE datname = '$DATABASE'\"")" != 1 ]; then
    psql_at "$PRIMARY_PORT" -d postgres -c "\"CREATE DATABASE $DATABASE\""
  fi
  if ! exists "$STANDBY"; then
    create "$STANDBY" "$STANDBY_PORT"
    local data="/var/lib/postgresql/$VERSION/$STANDBY"
    rm -rf "${data:?}"/*
    su postgres -c "pg_basebackup -w -h 127.0.0.1 -p $PRIMARY_PORT -U postgres -D $data -R -X stream -c fast"
  fi
  ready "$STANDBY_PORT" || ctl "$STANDBY" start
  wait_ready "$STANDBY_PORT"
  status
}

role() { # port: primary, standby or down
  if ! ready "$1"; then
    echo down
  elif [ "$(psql_at "$1" -d postgres -c "\"SELECT pg_is_in_recovery()\"")" = t ]; then
    echo standby
  else
    echo primary
  fi
}

status() {
  echo "$PRIMARY 127.0.0.1:$PRIMARY_PORT $(role "$PRIMARY_PORT")"
  echo "$STANDBY 127.0.0.1:$STANDBY_PORT $(role "$STANDBY_PORT")"
  echo "url $(url)"
}

url() {
  echo "jdbc:postgresql://127.0.0.1:$PRIMARY_PORT,127.0.0.1:$STANDBY_PORT/$DATABASE?targetServerType=primary"
}

stop_primary() {
  ctl "$PRIMARY" stop -m immediate
  echo "stopped $PRIMARY (immediate)"
}

promote() {
  psql_at "$STANDBY_PORT" -d postgres -c "\"SELECT pg_promote(true, 60)\"" >/dev/null
  for _ in $(seq 60); do
    if [ "$(role "$STANDBY_PORT")" = primary ]; then
      echo "promoted $STANDBY to primary"
      return 0
    fi
    sleep 0.5
  done
  echo "$STANDBY was not promoted" >&2
  return 1
}

stop() {
  for name in "$STANDBY" "$PRIMARY"; do
    if exists "$name"; then
      ctl "$name" stop -m immediate >/dev/null 2>&1 || true
      pg_dropcluster "$VERSION" "$name"
    fi
  done
  echo "stopped and dropped $PRIMARY and $STANDBY"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  url) url ;;
  stop-primary) stop_primary ;;
  promote) promote ;;
  *) sed -n '2,14p' "$0" >&2; exit 2 ;;
esac
