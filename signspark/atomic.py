"""Replacing files and folders so that a reader sees the old one or the new one, never half of either."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import IO, Iterator

__all__ = ["atomic_file", "atomic_path", "atomic_dir", "replace_path"]


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """A temporary sibling of ``path`` to write by name, renamed over ``path`` when the block ends.

    The folder is created. If the block raises, the temporary file is deleted and ``path`` is
    left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike, mode: str = "wb") -> Iterator[IO]:
    """:func:`atomic_path`, opened: yields the temporary file (``mode`` "wb" or "w"). Example::

        with atomic_file("out.json", "w") as fh:
            fh.write(text)
    """
    if mode not in ("wb", "w"):
        raise ValueError(f"mode must be 'wb' or 'w', got {mode!r}")
    with atomic_path(path) as tmp, open(tmp, mode) as fh:
        yield fh


@contextlib.contextmanager
def atomic_dir(path: str | os.PathLike) -> Iterator[Path]:
    """A temporary sibling folder of ``path`` to fill; it replaces ``path`` as a whole when the block ends.

    If the block raises, the temporary folder is deleted and ``path`` is left as it was. Example::

        with atomic_dir("models/fast") as tmp:
            (tmp / "config.json").write_text(text)
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise NotADirectoryError(f"{str(path)!r} exists and is not a folder")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    try:
        yield tmp
        tmp.chmod(0o755)  # mkdtemp makes it private; a model or Space folder is for everyone to read
        replace_path(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


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
