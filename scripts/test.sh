#!/usr/bin/env bash
# Installs what is missing (including Chromium), then runs the whole test suite: ruff (lint and
# format check) first, then pytest. Arguments go to pytest; with arguments ruff is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
bash scripts/setup.sh --test
source scripts/env.sh
if [ "$#" -eq 0 ]; then
    ruff check .
    ruff format --check .
fi
exec python -m pytest "$@"
