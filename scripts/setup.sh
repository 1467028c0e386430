#!/usr/bin/env bash
# Installs whatever is missing for QiHang OMS; safe to run any number of times.
#   scripts/setup.sh          python venv + pinned requirements + bun (frontend build)
#   scripts/setup.sh --test   ... plus Debian's Chromium for the browser tests
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null 2>&1 || PY=python3

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

apt_install() {  # apt_install <binary-to-check, or - to install unconditionally> <package>...
    local bin="$1"; shift
    if [ "$bin" != "-" ] && command -v "$bin" >/dev/null 2>&1; then return 0; fi
    say "installing Debian packages: $*"
    local SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

# 1. Python virtual environment with pinned requirements (re-installed only when they change).
if [ ! -x .venv/bin/python ]; then
    if ! "$PY" -m venv .venv 2>/dev/null; then
        apt_install - python3-venv
        "$PY" -m venv .venv
    fi
fi
REQ_HASH="$(sha256sum requirements.txt | cut -d' ' -f1)"
if [ "$(cat .venv/.requirements.sha256 2>/dev/null)" != "$REQ_HASH" ]; then
    say "installing Python requirements"
    .venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
    .venv/bin/python -m pip install -q -r requirements.txt 2>&1 | grep -v '^WARNING: Location' || true
    .venv/bin/python -m pip check
    echo "$REQ_HASH" > .venv/.requirements.sha256
fi

# 2. bun from the npm registry (Reflex compiles the frontend with it; it cannot download bun itself).
if [ ! -x .tools/node_modules/bun/bin/bun.exe ]; then
    command -v npm >/dev/null 2>&1 || apt_install npm nodejs npm
    say "installing bun from the npm registry"
    (cd .tools && npm install --no-audit --no-fund --loglevel=error >/dev/null)
fi

# 3. Chromium for the browser tests.
if [ "${1:-}" = "--test" ]; then
    apt_install chromium chromium
    # CJK fonts so screenshots show Chinese, not boxes.
    if ! fc-list 2>/dev/null | grep -qi "CJK"; then
        apt_install - fonts-noto-cjk
    fi
    # Debian's nginx for the production layout test (tests/ops/test_production_layout.py); only
    # the binary is used, with a config of the test's own (the system service is not needed).
    apt_install nginx nginx-light
fi
say "ready"
