"""``signspark info``: versions, the body model in use, devices, built-in models."""

from __future__ import annotations

import argparse
import importlib.metadata as md
import platform


PACKAGES = ["torch", "numpy", "smplx", "transformers", "huggingface-hub", "accelerate", "multilingual-clip",
            "safetensors", "lmdb", "imageio-ffmpeg", "moderngl", "gsplat", "gradio", "pympi-ling"]


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("info", help="print versions, the body model in use and the available devices",
                       description="Print the versions of SignSparK and its main dependencies, which SMPL-X body "
                                   "model is in use (licensed files from --smplx / $SIGNSPARK_SMPLX_DIR, or the "
                                   "built-in avatar body), the compute devices and the rendering backends available.")
    p.add_argument("--smplx", metavar="PATH", help="SMPL-X model file or folder to describe instead of the default")
    return p


def _version(name: str) -> str:
    try:
        return md.version(name)
    except md.PackageNotFoundError:
        return "not installed"


def run(args: argparse.Namespace) -> int:
    from signspark import __version__

    print(f"signspark {__version__} (Python {platform.python_version()}, {platform.system()} {platform.machine()})")
    print("\npackages:")
    for name in PACKAGES:
        print(f"  {name:18s} {_version(name)}")

    import torch

    print("\ndevices:")
    print(f"  cpu                {torch.get_num_threads()} threads")
    if torch.cuda.is_available():
        for i in range(torch.cuda.device_count()):
            props = torch.cuda.get_device_properties(i)
            print(f"  cuda:{i}             {props.name}, {props.total_memory / 2**30:.1f} GiB")
    else:
        print("  cuda               not available")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        print("  mps                available")

    from signspark.body import body_model_info

    info = body_model_info(args.smplx)
    print("\nbody model:")
    for key, value in info.items():
        print(f"  {key:18s} {value}")

    try:
        from signspark.render import available_backends
        print("\nrender backends:    " + ", ".join(available_backends()))
    except ImportError:
        pass
    try:
        from signspark.assets import builtin_model_status
        print("\nbuilt-in models:")
        for key, value in builtin_model_status().items():
            print(f"  {key:18s} {value}")
    except ImportError:
        pass
    return 0
