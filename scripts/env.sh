# Environment shared by run.sh and test.sh (sourced, not executed).
export REFLEX_BUN_PATH="$ROOT/.tools/node_modules/bun/bin/bun.exe"
export REFLEX_TELEMETRY_ENABLED=false
export REFLEX_CHECK_LATEST_VERSION=false
export PYTHONUNBUFFERED=1
export PATH="$ROOT/.venv/bin:$PATH"
