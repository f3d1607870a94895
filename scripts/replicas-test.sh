#!/usr/bin/env bash
# Two `muse serve` replicas on one PostgreSQL behind nginx, all on loopback
# (Tests/integration/test_replicas.py). Expects the release binary and scripts/setup.sh done;
# starts its own PostgreSQL unless MUSE_TEST_DATABASE_URL is set.
set -euo pipefail
cd "$(dirname "$0")/.."
export MUSE_BIN="${MUSE_BIN:-$PWD/.build/release/muse}"
if [ -z "${MUSE_TEST_DATABASE_URL:-}" ]; then
    MUSE_TEST_DATABASE_URL="$(scripts/postgres.sh start "${TMPDIR:-/tmp}/muse-postgres" 55432)"
    export MUSE_TEST_DATABASE_URL
fi
python3 Tests/integration/test_replicas.py
