#!/usr/bin/env bash
# Runs the official `openai` Python client (pinned, in its own virtual environment under the
# cache) against a `muse serve` started here on a free loopback port, then stops the server.
# Needs the release build (scripts/test.sh builds it first).
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
.build/release/muse serve --host 127.0.0.1 --port "$PORT" --ctx 2048 >"$LOG" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -f "$LOG"' EXIT
for _ in $(seq 1 100); do
    python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/health', timeout=1)" 2>/dev/null && break
    kill -0 "$SERVER" 2>/dev/null || { cat "$LOG" >&2; echo "conformance: the server did not start" >&2; exit 1; }
    sleep 0.1
done
MUSE_BASE_URL="http://127.0.0.1:$PORT/v1" "$VENV/bin/python" -m unittest -v Tests/conformance/test_openai_client.py
