#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server from Debian's packages on loopback, for the tests and for
# trying replicas by hand: `scripts/postgres.sh start DIR PORT` prints its URL;
# `scripts/postgres.sh stop DIR` stops it. Runs as the `postgres` user when started as root
# (the server refuses to run as root).
set -euo pipefail
cmd="${1:-}"; dir="${2:-/tmp/muse-postgres}"; port="${3:-55432}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[ -n "$bin" ] || { echo "postgres.sh: PostgreSQL is not installed (scripts/setup.sh installs it)" >&2; exit 1; }
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$cmd" in
start)
    if [ ! -f "$dir/PG_VERSION" ]; then
        mkdir -p "$dir"
        [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
        as_owner "$bin/initdb" -D "$dir" -U muse --auth=trust -E UTF8 >/dev/null
    fi
    # max_connections: the parallel suite opens a small pool per test store, hundreds at once.
    if ! as_owner "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
        as_owner "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w \
            -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=500" start >/dev/null
    fi
    # One database per test run keeps runs independent; `muse` is created if missing.
    as_owner "$bin/psql" -h 127.0.0.1 -p "$port" -U muse -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname='muse'" | grep -q 1 \
        || as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U muse muse
    echo "postgres://muse@127.0.0.1:$port/muse"
    ;;
stop)
    as_owner "$bin/pg_ctl" -D "$dir" -m fast stop >/dev/null 2>&1 || true
    ;;
*)
    echo "usage: scripts/postgres.sh start|stop [DIR] [PORT]" >&2; exit 2 ;;
esac
