#!/usr/bin/env bash
# Offline evaluation over a generated world held in memory, optimised (-O), hashing embedder:
# recall@20 / NDCG@20 of ours beside the popularity and follow-graph baselines, for quick
# iterations on the ranking without a store or a release build of muse.
# Usage: bench/shopping-eval.sh [PRODUCTS=3000] [CREATORS=120] [COMMUNITIES=20] [USERS=600] [SEED=7] [EVAL_USERS=300]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${TMPDIR:-/tmp}/muse-shopping-eval"
mkdir -p "$out"
mapfile -t sources < <(grep -L -e '^import Storage' -e 'ShoppingStore' Sources/Shopping/*.swift)
swiftc -O -parse-as-library -swift-version 6 -enable-bare-slash-regex -module-name ShoppingEval -o "$out/shopping-eval" "${sources[@]}" bench/shopping-eval/main.swift
"$out/shopping-eval" "$@"
