#!/usr/bin/env bash
# Sets up Muse Spark and runs its main job on the default model. Extra arguments go to `muse chat`.
set -euo pipefail
cd "$(dirname "$0")/.."
MUSE_SKIP_GEMMA="${MUSE_SKIP_GEMMA:-1}" ./scripts/setup.sh  # the main job needs only the default model
swift build -c release --product muse >&2
exec .build/release/muse chat "$@"
