#!/usr/bin/env bash
# Shopping recommender latency, optimised (-O), over a generated world held in memory with the
# index warm: p50/p95/max of one user's recommendations (retrieval, ranking, MMR re-rank).
# Compiles the Shopping sources that need no store together with bench/shopping-latency/main.swift.
# Usage: bench/shopping-latency.sh [PRODUCTS=10000] [USERS=200]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${TMPDIR:-/tmp}/muse-shopping-latency"
mkdir -p "$out"
mapfile -t sources < <(grep -L -e '^import Storage' -e 'ShoppingStore' Sources/Shopping/*.swift)
swiftc -O -g -parse-as-library -swift-version 6 -enable-bare-slash-regex -module-name ShoppingLatency -o "$out/shopping-latency" "${sources[@]}" bench/shopping-latency/main.swift
"$out/shopping-latency" "$@"
