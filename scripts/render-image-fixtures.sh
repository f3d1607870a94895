#!/usr/bin/env bash
# Renders the image fixtures (committed; the tests read them and need no Python): the small images
# of Tests/ImagingTests/Fixtures and the generated shelf set of Tests/ShelfTests/Fixtures. Pillow
# is pinned by version and wheel SHA-256 and lives in a venv under the cache; the fonts are Debian's DejaVu (fonts-dejavu-core). Run it again after changing
# scripts/render_image_fixtures.py or scripts/render_shelf_set.py.
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE="${MUSE_CACHE:-$HOME/.cache/muse}"
VENV="$CACHE/venvs/fixtures-pillow-11.3.0"
PILLOW_WHEEL="pillow-11.3.0-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl"
PILLOW_SHA256="106064daa23a745510dabce1d84f29137a37224831d88eb4ce94bb187b1d7e5f"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import PIL' 2>/dev/null; then
    tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
    python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip download --quiet --no-deps --only-binary=:all: --dest "$tmp" pillow==11.3.0
    echo "$PILLOW_SHA256  $tmp/$PILLOW_WHEEL" | sha256sum --check --status \
        || { echo "pillow wheel SHA-256 mismatch" >&2; exit 1; }
    "$VENV/bin/python" -m pip install --quiet --no-deps "$tmp/$PILLOW_WHEEL"
fi
"$VENV/bin/python" scripts/render_image_fixtures.py
"$VENV/bin/python" scripts/render_shelf_set.py
