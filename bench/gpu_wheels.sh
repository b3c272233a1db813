#!/usr/bin/env bash
# Fetch the wheels bench/gpu.py needs beyond a CUDA PyTorch image, for a GPU machine without network access.
#
#   bench/gpu_wheels.sh [DIR] [PYTHON_VERSION]     # default: .whl and 3.12
#
# The target image is expected to hold torch (with CUDA), numpy, scipy, pillow, safetensors, transformers,
# huggingface-hub, accelerate, tqdm, packaging, jaxtyping, rich and ninja; this adds gsplat (its CUDA
# kernels are compiled on first use, which needs nvcc there), smplx, pympi-ling, defusedxml, moderngl and
# imageio-ffmpeg. imageio-ffmpeg 0.6.0 is taken instead of the project's pin because its wheel is 30 MB
# rather than 68 MB; only its ffmpeg binary is used. DSGS requests would also need hamnosys, signwriting
# and simplemma (about 26 MB more).
set -euo pipefail
DIR=${1:-.whl}
PY=${2:-3.12}
mkdir -p "$DIR"
PLATFORMS=(--platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64
           --platform manylinux1_x86_64)
python3 -m pip download --no-deps --only-binary=:all: --python-version "$PY" --implementation cp "${PLATFORMS[@]}" \
    -d "$DIR" gsplat==1.5.3 smplx==0.1.28 pympi-ling==1.71 defusedxml==0.7.1 moderngl==5.13.0 glcontext==3.1.0 \
    imageio-ffmpeg==0.6.0
du -sh "$DIR"
