#!/usr/bin/env bash
# Runs the official `openai` Python client (pinned, in its own virtual environment under the
# cache) against a `muse serve` started here on a free loopback port, with its own store and
# partner keys (one unlimited, one at 2 requests a minute, one for another model only, one
# revoked), then stops the server. Needs the release build (scripts/test.sh builds it first).
set -euo pipefail
cd "$(dirname "$0")/.."
OPENAI_VERSION="3.57.0"
VENV="${MUSE_CACHE:-$HOME/.cache/muse}/openai-venv"
if ! "$VENV/bin/python" -c "import openai, sys; sys.exit(openai.__version__ != '$OPENAI_VERSION')" 2>/dev/null; then
    echo "conformance: installing openai==$OPENAI_VERSION into $VENV" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet "openai==$OPENAI_VERSION"
fi
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
LOG="$(mktemp)"
DATA="$(mktemp -d)"
new_key() { .build/release/muse keys create --data-dir "$DATA" "$@" | tail -n 1; }
MUSE_API_KEY="$(new_key --partner conformance)"
MUSE_LIMITED_KEY="$(new_key --partner limited --rpm 2)"
MUSE_OTHER_MODEL_KEY="$(new_key --partner other-model --models some-other-model)"
MUSE_REVOKED_KEY="$(new_key --partner revoked)"
.build/release/muse keys revoke --data-dir "$DATA" "${MUSE_REVOKED_KEY:0:12}" >/dev/null
export MUSE_API_KEY MUSE_LIMITED_KEY MUSE_OTHER_MODEL_KEY MUSE_REVOKED_KEY
# A small Shopping world for the Shopping-mode test (its cards are an extra field to the client).
.build/release/muse shopping seed --data-dir "$DATA" --products 400 --creators 12 --communities 4 --users 30 --seed 9 >/dev/null
.build/release/muse serve --host 127.0.0.1 --port "$PORT" --ctx 2048 --data-dir "$DATA" >"$LOG" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$LOG" "$DATA"' EXIT
for _ in $(seq 1 100); do
    python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/health', timeout=1)" 2>/dev/null && break
    kill -0 "$SERVER" 2>/dev/null || { cat "$LOG" >&2; echo "conformance: the server did not start" >&2; exit 1; }
    sleep 0.1
done
export MUSE_BASE_URL="http://127.0.0.1:$PORT/v1" MUSE_DATA_DIR="$DATA" MUSE_BIN="$PWD/.build/release/muse"
"$VENV/bin/python" -m unittest -v Tests/conformance/test_openai_client.py Tests/conformance/test_partner_access.py
