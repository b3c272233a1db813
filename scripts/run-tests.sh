#!/usr/bin/env bash
# Fresh machine -> whole test suite. Installs Debian's Chromium for the browser test
# (never a downloaded browser), the Python dependencies with torch pinned to the CPU
# build, then runs pytest. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        echo "chromium is not installed; the browser test will be skipped (sudo apt-get install chromium)" >&2
    fi
fi

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -c constraints.txt -r requirements-test.txt
.venv/bin/pip install -q --disable-pip-version-check -c constraints.txt --no-deps -e .
export HF_HUB_OFFLINE=1
exec .venv/bin/python -m pytest "$@"
