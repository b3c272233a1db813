"""Opening a user's input file for reading: a regular file only, never a FIFO, device or socket.

``open()`` on a named pipe waits until another process opens it for writing, so a ``clip.npz``
that is a FIFO would hang a reader for ever, and ``/dev/zero`` or ``/dev/urandom`` read without
end. :func:`open_regular` opens without blocking and checks the kind of what it opened (no race
between a check and the open), then hands back an ordinary binary file object.

Example::

    with open_regular("clip.npz", "clip.npz", NpzError, ".npz file") as fh:
        data = fh.read()
"""

from __future__ import annotations

import os
import stat
from typing import BinaryIO

__all__ = ["open_regular"]


def open_regular(path: str | os.PathLike, where: str, error: type[Exception], what: str = "file") -> BinaryIO:
    """``path`` opened for binary reading, or ``error(message)`` naming ``where`` and the problem.

    ``what`` names the expected kind in the messages (``"is a folder, not a .npz file"``).

    Raises:
        error: no such file, a folder, not a regular file (a FIFO, device or socket), or unreadable.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise error(f"{where}: no such file") from None
    except IsADirectoryError:
        raise error(f"{where}: is a folder, not a {what}") from None
    except OSError as e:
        raise error(f"{where}: cannot open ({e.strerror or e})") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise error(f"{where}: is a folder, not a {what}")
        if not stat.S_ISREG(mode):
            raise error(f"{where}: not a regular file (a named pipe, device or socket); give a {what}")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
