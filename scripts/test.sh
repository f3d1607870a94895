#!/usr/bin/env bash
# Sets up what the tests need (Debian packages, the models) and runs the whole test suite in
# release mode: the golden-output and perplexity tests run the real models; then the official
# `openai` Python client checks a running `muse serve` (scripts/openai-conformance.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
swift build -c release --product muse
swift test -c release "$@"
./scripts/openai-conformance.sh
