#!/usr/bin/env bash
# Fresh machine -> the browser demo on the built-in model (works offline).
# Extra arguments go to `signspark demo` (see `signspark demo --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -c constraints.txt -r requirements.txt
.venv/bin/pip install -q --disable-pip-version-check -c constraints.txt --no-deps -e .
exec .venv/bin/signspark demo "$@"
