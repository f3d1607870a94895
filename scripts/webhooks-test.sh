#!/usr/bin/env bash
# `muse serve` with the WhatsApp webhook, killed with -9 right after a 200 and restarted, against a
# fake Graph API on loopback (Tests/integration/test_webhooks_kill.py). Expects the release binary
# (MUSE_BIN to use another) and scripts/setup.sh done.
set -euo pipefail
cd "$(dirname "$0")/.."
export MUSE_BIN="${MUSE_BIN:-$PWD/.build/release/muse}"
python3 Tests/integration/test_webhooks_kill.py
