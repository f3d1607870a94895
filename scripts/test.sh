#!/usr/bin/env bash
# Sets up what the tests need (Debian packages, the models) and runs the whole test suite in
# release mode: the golden-output and perplexity tests run the real models; then the official
# `openai` Python client checks a running `muse serve` (scripts/openai-conformance.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
# One build for the tests and the binary they run (a separate `--product muse` build would
# compile every dependency a second time with other flags).
swift build -c release --build-tests
swift test -c release --skip-build "$@"
./scripts/openai-conformance.sh
