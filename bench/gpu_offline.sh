#!/usr/bin/env bash
# Run bench/gpu.py on a CUDA machine without network access, from the repository root.
#
#   bench/gpu_offline.sh OUT_DIR [WHEEL_DIR] [bench/gpu.py options...]   # WHEEL_DIR default: .whl
#
# Installs the wheels of bench/gpu_wheels.sh into a private folder (nothing in the image changes), builds
# gsplat's kernels for this GPU only, and writes the report, the pytest log and the pictures to OUT_DIR.
set -uo pipefail
OUT_DIR=${1:?usage: bench/gpu_offline.sh OUT_DIR [WHEEL_DIR] [bench/gpu.py options]}
shift
WHEELS=.whl
if [[ $# -gt 0 && $1 != -* ]]; then WHEELS=$1; shift; fi
mkdir -p "$OUT_DIR"
SITE=$(mktemp -d)
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target "$SITE" "$WHEELS"/*.whl || exit 1
export PYTHONPATH="$PWD:$SITE${PYTHONPATH:+:$PYTHONPATH}"
CAP=$(python3 -c "import torch; print('%d.%d' % torch.cuda.get_device_capability())" 2>/dev/null || echo "")
export TORCH_CUDA_ARCH_LIST=${TORCH_CUDA_ARCH_LIST:-$CAP}
export MAX_JOBS=${MAX_JOBS:-$(nproc)} PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>&1 | tee "$OUT_DIR/nvidia-smi.txt"
python3 bench/gpu.py --out "$OUT_DIR" "$@" 2>&1 | tee "$OUT_DIR/log.txt"
