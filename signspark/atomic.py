"""Replacing files and folders so that a reader sees the old one or the new one, never half of either."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

__all__ = ["replace_path"]


def replace_path(src: str | os.PathLike, dst: str | os.PathLike) -> None:
    """Move ``src`` (a finished file or folder, on the same file system) to ``dst``, replacing ``dst``.

    An existing ``dst`` (file or folder) is first renamed aside, then ``src`` renamed into place,
    then the old one deleted; if the second rename fails the old ``dst`` is put back. The window
    in which ``dst`` is missing is two renames long.
    """
    src, dst = Path(src), Path(dst)
    if not dst.exists():
        os.replace(src, dst)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{dst.name}.", suffix=".old", dir=dst.parent))
    old.rmdir()
    os.replace(dst, old)
    try:
        os.replace(src, dst)
    except BaseException:
        os.replace(old, dst)
        raise
    if old.is_dir():
        shutil.rmtree(old, ignore_errors=True)
    else:
        old.unlink(missing_ok=True)
