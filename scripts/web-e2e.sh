#!/usr/bin/env bash
# The web assistant end to end in a real headless Chromium (Debian's chromium and
# chromium-driver, installed by scripts/setup.sh): starts the loopback OpenID provider
# (Tests/e2e/oidc_provider.py), `muse serve` with a temporary store (a small seeded Shopping
# world in it) signing in through it, and
# chromedriver, then runs Tests/e2e/web_e2e.py. Screenshots go to docs/screenshots/ (or $SHOTS).
# Needs the release build (scripts/test.sh builds it first; MUSE_BIN overrides). Thinking reasons
# for at most 16 tokens here (--reasoning-budget 16): the test checks the panel, not the reasoning.
set -euo pipefail
cd "$(dirname "$0")/.."
MUSE_BIN="${MUSE_BIN:-.build/release/muse}"
SHOTS="${SHOTS:-$PWD/docs/screenshots}"
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
IDP_PORT="$(free_port)"; MUSE_PORT="$(free_port)"; DRIVER_PORT="$(free_port)"
WORK="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT
wait_for() {  # URL PID NAME LOG
    for _ in $(seq 1 300); do
        python3 -c "import urllib.request; urllib.request.urlopen('$1', timeout=1)" 2>/dev/null && return 0
        kill -0 "$2" 2>/dev/null || { cat "$4" >&2; echo "web-e2e: $3 did not start" >&2; exit 1; }
        sleep 0.1
    done
    cat "$4" >&2; echo "web-e2e: $3 did not answer" >&2; exit 1
}
python3 Tests/e2e/oidc_provider.py "$IDP_PORT" muse-e2e e2e-secret >"$WORK/idp.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$IDP_PORT/.well-known/openid-configuration" "${pids[-1]}" "the OpenID provider" "$WORK/idp.log"
# The small Shopping world the evaluation uses, for the Shopping-mode check (no model call).
"$MUSE_BIN" shopping seed --data-dir "$WORK/data" --products 400 --creators 12 --communities 4 --users 30 --seed 9 \
    >"$WORK/seed.log" 2>&1 || { cat "$WORK/seed.log" >&2; echo "web-e2e: seeding the shopping world failed" >&2; exit 1; }
"$MUSE_BIN" serve --host 127.0.0.1 --port "$MUSE_PORT" --data-dir "$WORK/data" --public-url "http://127.0.0.1:$MUSE_PORT" \
    --oidc-issuer "http://127.0.0.1:$IDP_PORT" --oidc-client-id muse-e2e --oidc-client-secret e2e-secret \
    --oidc-name "Test OpenID" --reasoning-budget 16 --slots 2 >"$WORK/muse.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$MUSE_PORT/health" "${pids[-1]}" "muse serve" "$WORK/muse.log"
chromedriver --port="$DRIVER_PORT" >"$WORK/driver.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$DRIVER_PORT/status" "${pids[-1]}" "chromedriver" "$WORK/driver.log"
MUSE_URL="http://127.0.0.1:$MUSE_PORT" WEBDRIVER_URL="http://127.0.0.1:$DRIVER_PORT" SHOTS="$SHOTS" \
    python3 Tests/e2e/web_e2e.py || { echo "--- muse serve log:" >&2; tail -n 40 "$WORK/muse.log" >&2; exit 1; }
