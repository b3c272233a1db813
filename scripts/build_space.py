#!/usr/bin/env python3
"""Assemble the Hugging Face Space folder.

    python scripts/build_space.py OUT_DIR [--force]

OUT_DIR receives the Space front matter and entry point from ``spaces/``, the
``signspark`` package, the ``demo`` app and the built-in models from
``assets/``. Push it with ``huggingface-cli upload <user>/<space> OUT_DIR
--repo-type space`` (or ``git push`` to the Space repository).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from signspark.atomic import atomic_dir
SPACE_FILES = ["README.md", "app.py", "requirements.txt", "packages.txt"]
TREES = ["signspark", "demo", "assets"]
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.tmp", ".pytest_cache")


def build_space(out: Path, force: bool = False) -> Path:
    """Write the Space into ``out`` (atomically: a sibling temp folder, then rename)."""
    out = Path(out).resolve()
    if out.exists() and any(out.iterdir()):
        if not force:
            raise FileExistsError(f"{out} exists and is not empty; pass --force to replace it")
    with atomic_dir(out) as tmp:
        for name in SPACE_FILES:
            shutil.copy2(ROOT / "spaces" / name, tmp / name)
        for tree in TREES:
            if (ROOT / tree).exists():
                shutil.copytree(ROOT / tree, tmp / tree, ignore=IGNORE)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="folder to write the Space into")
    parser.add_argument("--force", action="store_true", help="replace OUT if it exists")
    args = parser.parse_args(argv)
    try:
        path = build_space(args.out, force=args.force)
    except FileExistsError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    print(f"Space assembled in {path} ({size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
