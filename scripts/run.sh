#!/usr/bin/env bash
# Sets up Muse Spark and runs its main job: `muse serve`, the OpenAI-compatible API on the
# default model (http://127.0.0.1:8080/v1). Extra arguments go to `muse serve` (see --help).
set -euo pipefail
cd "$(dirname "$0")/.."
MUSE_SKIP_GEMMA="${MUSE_SKIP_GEMMA:-1}" ./scripts/setup.sh  # the main job needs only the default model
swift build -c release --product muse >&2
exec .build/release/muse serve "$@"
