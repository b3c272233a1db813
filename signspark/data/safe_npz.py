"""Reading pickles and ``.npz`` archives from untrusted files without running their code.

The official SignSparK LMDB files store a pickled ``__meta__`` dict and, in
some releases, the text fields of each clip as numpy *object* arrays (which
``.npy`` stores as a pickle). A pickle can run arbitrary code when loaded, and
these files are downloaded from strangers, so nothing here calls
:func:`pickle.loads` directly:

* :func:`safe_unpickle` uses an unpickler that resolves only the few globals
  those files need (a handful of builtins, and numpy's array, dtype and scalar
  reconstruction functions) and refuses everything else with :class:`DataError`.
* :func:`load_npz` reads an archive through :func:`signspark.npz.read_npz` (declared
  sizes checked before anything is decompressed) and falls back to
  :func:`safe_unpickle` only for members that are object arrays, which must then
  hold strings.

Example::

    meta = safe_unpickle(raw_bytes, where="train.lmdb: __meta__")
    arrays = load_npz(record_bytes, where="train.lmdb: clip 'abc'")
"""

from __future__ import annotations

import io
import pickle
from typing import Iterable

import numpy as np

from ..npz import NpzError, read_npz

__all__ = ["DataError", "safe_unpickle", "load_npz", "dump_npz", "MAX_MEMBER_BYTES"]

# Largest decompressed size of one archive member we agree to read. A clip of
# 100k frames x 126 float64 channels is ~100 MB; anything larger is hostile or broken.
MAX_MEMBER_BYTES = 256 * 1024 * 1024


class DataError(ValueError):
    """A dataset file or record is malformed or unsafe; the message names the file and the clip."""


_MULTIARRAY = np._core.multiarray
# (module, name) -> object. numpy 1.x pickles name ``numpy.core``, numpy 2.x ``numpy._core``.
_ALLOWED_GLOBALS = {
    ("builtins", "dict"): dict,
    ("builtins", "list"): list,
    ("builtins", "tuple"): tuple,
    ("builtins", "str"): str,
    ("builtins", "int"): int,
    ("builtins", "float"): float,
    ("builtins", "bool"): bool,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("numpy.core.multiarray", "_reconstruct"): _MULTIARRAY._reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _MULTIARRAY._reconstruct,
    ("numpy.core.multiarray", "scalar"): _MULTIARRAY.scalar,
    ("numpy._core.multiarray", "scalar"): _MULTIARRAY.scalar,
}


class _RestrictedUnpickler(pickle.Unpickler):
    def __init__(self, fh, where: str):
        super().__init__(fh)
        self._where = where

    def find_class(self, module: str, name: str):
        try:
            return _ALLOWED_GLOBALS[(module, name)]
        except KeyError:
            raise DataError(
                f"{self._where}: refusing to unpickle '{module}.{name}'; only plain containers, strings, "
                f"numbers and numpy arrays of strings are allowed in dataset files (the file may be "
                f"malicious; do not load it with pickle)") from None

    def persistent_load(self, pid):
        raise DataError(f"{self._where}: refusing a pickle with persistent ids")


def safe_unpickle(data: bytes, where: str = "pickle") -> object:
    """Unpickle ``data`` allowing only builtin containers/scalars and numpy arrays/scalars.

    Raises :class:`DataError` (naming ``where``) for a forbidden global or an
    unreadable pickle.
    """
    try:
        return _RestrictedUnpickler(io.BytesIO(data), where).load()
    except DataError:
        raise
    except Exception as e:  # UnpicklingError, EOFError, TypeError from bad reduce args ...
        raise DataError(f"{where}: cannot unpickle ({type(e).__name__}: {e})") from None


def _object_array_to_str(arr: object, where: str) -> np.ndarray:
    """Turn an unpickled object array of strings into a unicode array; refuse anything else."""
    if not isinstance(arr, np.ndarray):
        raise DataError(f"{where}: expected a numpy array, got {type(arr).__name__}")
    if arr.dtype.kind in "US":
        return arr
    if arr.dtype != object:
        raise DataError(f"{where}: unexpected pickled array of dtype {arr.dtype}")
    flat = []
    for v in arr.reshape(-1).tolist():
        if v is None:
            v = ""
        elif isinstance(v, bytes):
            try:
                v = v.decode("utf-8")
            except UnicodeDecodeError:
                raise DataError(f"{where}: text is not valid UTF-8") from None
        elif not isinstance(v, str):
            raise DataError(f"{where}: object arrays may only hold strings, found {type(v).__name__}")
        flat.append(str(v))
    return np.array(flat, dtype=str).reshape(arr.shape) if flat else np.zeros(arr.shape, dtype="<U1")


def load_npz(data: bytes, where: str = "npz", fields: Iterable[str] | None = None) -> dict[str, np.ndarray]:
    """Read the arrays of an ``np.savez`` archive held in ``data``.

    Goes through :func:`signspark.npz.read_npz` (sizes and members checked before anything is
    decompressed); object arrays go through :func:`safe_unpickle` and must hold strings
    (returned as unicode arrays).

    Args:
        data: the archive bytes.
        where: names the file and record in error messages.
        fields: read only these members (missing ones are simply absent from the result; others
            are never decompressed).

    Raises:
        DataError: unreadable archive, oversized member, forbidden pickle content.
    """
    def read_object(fh, name: str, shape: tuple[int, ...]) -> np.ndarray:
        item = f"{where}: field {name!r}"
        arr = _object_array_to_str(safe_unpickle(fh.read(), item), item)
        if tuple(arr.shape) != tuple(shape):
            raise DataError(f"{item}: pickled array has shape {arr.shape}, header says {shape}")
        return arr

    try:
        return read_npz(data, where, fields, unknown="skip", object_reader=read_object,
                        max_member_bytes=MAX_MEMBER_BYTES, max_total_bytes=4 * MAX_MEMBER_BYTES)
    except DataError:
        raise
    except NpzError as e:
        raise DataError(str(e)) from None


def dump_npz(arrays: dict[str, np.ndarray]) -> bytes:
    """``np.savez`` of ``arrays`` into bytes, refusing object arrays (nothing we write needs a pickle)."""
    for k, v in arrays.items():
        if np.asarray(v).dtype.hasobject:
            raise DataError(f"field {k!r}: refusing to write an object array (use a unicode array)")
    buf = io.BytesIO()
    np.savez(buf, allow_pickle=False, **arrays)
    return buf.getvalue()
