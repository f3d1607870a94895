#!/usr/bin/env bash
# Sets up what the tests need (Debian packages, the default model) and runs the whole test suite
# in release mode: the golden-output and perplexity tests run the real model.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
swift build -c release --product muse
swift test -c release "$@"
