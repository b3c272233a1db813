#!/usr/bin/env bash
# Fresh machine -> whole test suite. Installs Debian's Chromium for the browser test
# (never a downloaded browser) and Debian's Node.js for the test tools in tests/js (the
# Khronos glTF validator and three.js, pinned in tests/js/package-lock.json, installed
# from the npm registry into tests/js/node_modules), the Python dependencies with torch
# pinned to the CPU build, then runs pytest. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        echo "chromium is not installed; the browser test will be skipped (sudo apt-get install chromium)" >&2
    fi
fi

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
    else
        echo "node/npm are not installed; the glTF validator tests will be skipped (sudo apt-get install nodejs npm)" >&2
    fi
fi
# npm ci again only when the lock file changed since the last install (the stamp is a copy of it)
if command -v npm >/dev/null 2>&1 && ! cmp -s tests/js/package-lock.json tests/js/node_modules/.signspark-installed; then
    (cd tests/js && npm ci --no-audit --no-fund --loglevel=error >/dev/null && cp package-lock.json node_modules/.signspark-installed)
fi

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -c constraints.txt -r requirements-test.txt
.venv/bin/pip install -q --disable-pip-version-check -c constraints.txt --no-deps -e .
export HF_HUB_OFFLINE=1
exec .venv/bin/python -m pytest "$@"
