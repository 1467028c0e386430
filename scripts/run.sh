#!/usr/bin/env bash
# Installs what is missing, then runs the whole system: app + worker + sandbox (+ embedded Redis).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
bash scripts/setup.sh
source scripts/env.sh
exec python -m scripts.launch "$@"
