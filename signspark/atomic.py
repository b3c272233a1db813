"""Replacing files and folders so that a reader sees the old one or the new one, never half of either."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import IO, Iterator

__all__ = ["atomic_file", "atomic_path", "atomic_dir", "replace_path", "OutputError", "remove_stale_temporaries",
           "check_writable"]


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """A temporary sibling of ``path`` to write by name, renamed over ``path`` when the block ends.

    The folder is created. If the block raises, the temporary file is deleted and ``path`` is
    left as it was.
    """
    path = Path(path)
    tmp = _temporary_sibling(path, ".tmp")
    try:
        yield tmp
        try:
            os.replace(tmp, path)
        except OSError as e:
            raise OutputError(f"cannot write {path}: {e.strerror or e}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class OutputError(OSError):
    """An output file cannot be written; the message names the file the user asked for (not a temporary one)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "cannot write the output"


def _temporary_sibling(path: Path, suffix: str) -> Path:
    """Create an empty, hidden temporary file beside ``path`` (its folder is created).

    Its name, ``.<name>.<pid>-<random><suffix>``, records the writing process, so that
    :func:`remove_stale_temporaries` can delete what a killed writer left behind.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(path, suffix)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}-", suffix=suffix, dir=path.parent)
    except OSError as e:
        what = "create the folder" if not path.parent.is_dir() else "create a file in"
        raise OutputError(f"cannot write {path}: cannot {what} {path.parent} ({e.strerror or e})") from None
    os.close(fd)
    return Path(tmp)


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


def check_writable(path: str | os.PathLike) -> Path:
    """Refuse, before any work, an output file ``path`` that could not be written.

    For commands that write more than one file, or write after long work: a folder in the file's
    place, a file where a folder of its path should be, or a folder that takes no new files (a
    read-only or virtual file system) is found here, not after a render has finished, so that a
    failed command leaves none of its outputs behind. Nothing is created: a temporary file is made
    in the nearest existing folder of ``path`` and removed at once.

    Raises:
        OutputError: naming ``path`` and the problem.
    """
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"cannot write {path}: it is a folder")
    folder = path.parent
    while not folder.exists() and not folder.is_symlink() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise OutputError(f"cannot write {path}: {folder} is not a folder")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:40]}.{os.getpid()}-", suffix=".tmp", dir=folder)
    except OSError as e:
        raise OutputError(f"cannot write {path}: cannot create a file in {folder} ({e.strerror or e})") from None
    os.close(fd)
    os.unlink(tmp)
    return path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists (another user's process) or cannot tell: keep its file
    return True


def remove_stale_temporaries(path: str | os.PathLike, suffix: str = ".tmp") -> list[Path]:
    """Delete temporary siblings of ``path`` (see :func:`atomic_path`) whose writing process is gone.

    A writer killed outright (``SIGKILL``, power loss) cannot clean up; the next write of the same
    target does. Files of live processes are left alone; so are other users' files. Returns the
    removed paths.
    """
    path = Path(path)
    prefix = f".{path.name}."
    removed = []
    try:
        entries = list(path.parent.iterdir())
    except OSError:
        return removed
    for entry in entries:
        name = entry.name
        if not (name.startswith(prefix) and name.endswith(suffix)):
            continue
        pid_text = name[len(prefix):].split("-", 1)[0]
        if not pid_text.isdigit() or int(pid_text) == os.getpid() or _alive(int(pid_text)):
            continue
        try:
            entry.unlink()
            removed.append(entry)
        except OSError:
            pass
    return removed
