#!/usr/bin/env bash
# Installs what is missing (including Chromium), then runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
bash scripts/setup.sh --test
source scripts/env.sh
exec python -m pytest "$@"
