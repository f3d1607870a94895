#!/usr/bin/env bash
# Writes the generated suites from their fixed seeds and fixtures, byte for byte (the tests check the
# committed files against the generators in Sources/Evaluation):
#   arithmetic-v1  ArithmeticSuite, seed 20261127
#   nutrition-v1   NutritionSuite, seed 52023, grades from the Nutrition module
#   shelf-v1       ShelfSuite: Tests/ShelfTests/Fixtures (scripts/render-image-fixtures.sh renders the photos,
#                  seed in scripts/render_shelf_set.py), answers from shelf-truth.json and the Nutrition module
#   shopping-v1    ShoppingSuite, seed 42026, on the world WorldGenerator makes with seed 9
# Usage: evals/tools/make-generated-suites.sh [MUSE_BINARY]   (default: a debug build of muse)
set -euo pipefail
cd "$(dirname "$0")/../.."
MUSE="${1:-}"
if [ -z "$MUSE" ]; then
    swift build --product muse
    MUSE=.build/debug/muse
fi
"$MUSE" eval generate --suites evals/suites
