#!/usr/bin/env bash
# A throwaway PostgreSQL cluster with pg_stat_statements, to see where a benchmark's statements
# spend their time (calls, execution, planning) without touching the machine's own cluster:
#
#   bash bench/pg-profile.sh start          # initdb under /tmp/cadre-pgprof, port 5433
#   CADRE_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5433/cadre_bench npm run bench -- --only throughput
#   bash bench/pg-profile.sh top            # the statements, by total time
#   bash bench/pg-profile.sh reset | stop
set -euo pipefail
DIR=${CADRE_PGPROF_DIR:-/tmp/cadre-pgprof}
PORT=${CADRE_PGPROF_PORT:-5433}
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -c "$*"; else bash -c "$*"; fi; }
psql_() { psql -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }
case "${1:-}" in
  start)
    mkdir -p "$DIR" && [ "$(id -u)" = 0 ] && chown postgres "$DIR"
    [ -f "$DIR/data/PG_VERSION" ] || as_postgres "$BIN/initdb -D $DIR/data -A trust -U postgres" >/dev/null
    as_postgres "$BIN/pg_ctl -D $DIR/data -l $DIR/log -w start -o '-p $PORT -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all -c pg_stat_statements.track_planning=on -c autovacuum=off -c unix_socket_directories=$DIR'" >/dev/null
    psql_ -qc "DO \$\$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'root') THEN CREATE ROLE root SUPERUSER LOGIN; END IF; END\$\$" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"
    echo "pg_stat_statements cluster on 127.0.0.1:$PORT ($DIR)";;
  top)
    psql_ -c "SELECT calls, round(total_exec_time::numeric) AS exec_ms, round(total_plan_time::numeric) AS plan_ms, left(regexp_replace(query, '\s+', ' ', 'g'), 110) AS statement
                FROM pg_stat_statements ORDER BY total_exec_time + total_plan_time DESC LIMIT ${2:-30}"
    psql_ -c "SELECT sum(calls) AS statements, round(sum(total_exec_time)::numeric) AS exec_ms, round(sum(total_plan_time)::numeric) AS plan_ms FROM pg_stat_statements";;
  reset) psql_ -qc "SELECT pg_stat_statements_reset()" >/dev/null && echo reset;;
  stop) as_postgres "$BIN/pg_ctl -D $DIR/data -w stop" >/dev/null && echo stopped;;
  *) echo "usage: bash bench/pg-profile.sh start|top [N]|reset|stop" >&2; exit 2;;
esac
