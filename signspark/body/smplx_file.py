"""Reading SMPL-X model files without running code from them.

``smplx`` reads ``.pkl`` model files with :func:`pickle.load` and ``.npz`` files with
``allow_pickle=True``, so a crafted ``SMPLX_NEUTRAL.pkl`` (or an ``.npz`` with a pickled
member) runs its payload as soon as it is loaded. :func:`read_smplx_arrays` reads the file
itself and returns plain numeric arrays only:

* ``.npz``: through :func:`signspark.npz.read_npz`: only the members an SMPL-X body needs are
  read (others, such as the pickled ``joint2num`` / ``part2num`` dicts of the official files,
  are never decompressed), sizes and shapes are checked from the headers first, pickled
  members are refused.
* ``.pkl`` (the legacy format): a restricted unpickler that resolves only numpy's array
  reconstruction and plain containers, plus stand-ins for ``scipy.sparse`` matrices
  (``csc``/``csr``/``coo``, turned into dense arrays by our code, never by scipy's) and for
  chumpy's terminal ``Ch`` object (its ``x`` array is kept; any other chumpy object is
  refused). Every other global, and every call the pickle asks for, is refused.

:func:`smplx_model_from_arrays` then writes the arrays as a plain uncompressed ``.npz``
into private memory (a memfd on Linux, a private temporary folder elsewhere) and hands that
to ``smplx.SMPLX``: loading it cannot unpickle anything, because it holds no pickles.
"""

from __future__ import annotations

import io
import math
import os
import pickle
import tempfile
from pathlib import Path
from typing import Mapping

import numpy as np

__all__ = ["SMPLX_KEYS", "SmplxFileError", "read_smplx_arrays", "smplx_model_from_arrays"]

# Members an SMPL-X body is built from (what smplx.SMPLX reads, and our region labels).
SMPLX_KEYS = (
    "v_template", "f", "J_regressor", "weights", "kintree_table", "shapedirs", "posedirs",
    "hands_componentsl", "hands_componentsr", "hands_meanl", "hands_meanr",
    "lmk_faces_idx", "lmk_bary_coords", "dynamic_lmk_faces_idx", "dynamic_lmk_bary_coords",
    "vertex_regions",
)
_REQUIRED = ("v_template", "f", "J_regressor", "weights", "kintree_table", "shapedirs", "posedirs",
             "hands_componentsl", "hands_componentsr", "hands_meanl", "hands_meanr",
             "lmk_faces_idx", "lmk_bary_coords")
MAX_VERTICES = 100_000          # SMPL-X has 10 475; the built-in body about 17 000
MAX_FACES = 2 * MAX_VERTICES + 1000
MAX_BASIS = 1000                # shape + expression components (SMPL-X 2020: 300 + 100); pose basis 486
MAX_MEMBER_BYTES = 1024 * 1024 * 1024
MAX_TOTAL_BYTES = 2 * 1024 * 1024 * 1024
MAX_PKL_BYTES = 2 * 1024 * 1024 * 1024


class SmplxFileError(ValueError):
    """An SMPL-X model file is unreadable, oversized, or holds something other than numeric arrays."""


# ---------------------------------------------------------------------------------------------- checks
def _check_shapes(headers: Mapping[str, tuple]) -> None:
    """Refuse from shapes alone: vertex and face counts, basis sizes (before any data is read)."""
    shapes = {k: tuple(v[0]) for k, v in headers.items()}
    v = shapes.get("v_template")
    if v is None or len(v) != 2 or v[1] != 3 or not 1 <= v[0] <= MAX_VERTICES:
        raise ValueError(f"v_template must have shape (V, 3) with V <= {MAX_VERTICES}, got {v}")
    V = v[0]
    limits = {
        "f": ((MAX_FACES, 3),), "J_regressor": ((1000, V),), "weights": ((V, 1000),),
        "kintree_table": ((2, 1000),), "shapedirs": ((V, 3, MAX_BASIS), (V * 3, MAX_BASIS)),
        "posedirs": ((V, 3, MAX_BASIS), (V * 3, MAX_BASIS), (MAX_BASIS, V * 3)),
        "hands_componentsl": ((100, 100),), "hands_componentsr": ((100, 100),),
        "hands_meanl": ((100,),), "hands_meanr": ((100,),), "lmk_faces_idx": ((1000,),),
        "lmk_bary_coords": ((1000, 3),), "dynamic_lmk_faces_idx": ((1000, 1000),),
        "dynamic_lmk_bary_coords": ((1000, 1000, 3),), "vertex_regions": ((V,),),
    }
    for key, shape in shapes.items():
        allowed = limits.get(key)
        if allowed is None:
            continue
        if not any(len(shape) == len(a) and all(n <= m for n, m in zip(shape, a)) for a in allowed):
            raise ValueError(f"{key} has shape {shape}; for {V} vertices it must fit within "
                             + " or ".join(str(a) for a in allowed))


def _check_arrays(arrays: dict[str, np.ndarray], where: str) -> dict[str, np.ndarray]:
    missing = [k for k in _REQUIRED if k not in arrays]
    if missing:
        raise SmplxFileError(f"{where}: not an SMPL-X model: missing {', '.join(missing)}")
    for key, a in arrays.items():
        if not isinstance(a, np.ndarray) or a.dtype.kind not in "fiub":
            raise SmplxFileError(f"{where}: {key} must be a numeric array, got "
                                 f"{type(a).__name__}{'' if not isinstance(a, np.ndarray) else ' ' + str(a.dtype)}")
    try:
        _check_shapes({k: (a.shape, a.dtype) for k, a in arrays.items()})
    except ValueError as e:
        raise SmplxFileError(f"{where}: {e}") from None
    return arrays


# ---------------------------------------------------------------------------------------------- .pkl
class _Stub:
    """Stand-in for an object of an allowed foreign class: records its state, runs no code."""

    kind = ""

    def __init__(self, *args):
        self.args = args
        self.state = None

    def __setstate__(self, state):
        self.state = state


class _Sparse(_Stub):
    kind = "sparse"


class _Chumpy(_Stub):
    kind = "chumpy"


def _sparse_class(fmt: str) -> type:
    return type(f"_Sparse_{fmt}", (_Sparse,), {"format": fmt})


_SPARSE = {fmt: _sparse_class(fmt) for fmt in ("csc", "csr", "coo")}
_NDARRAY = object()  # what `numpy.ndarray` resolves to: usable only as _reconstruct's first argument


def _limited_reconstruct(subtype, shape, dtype):
    if subtype is not _NDARRAY:
        raise pickle.UnpicklingError("only plain numpy arrays may be reconstructed")
    if not isinstance(shape, tuple) or not all(isinstance(n, int) and n >= 0 for n in shape):
        raise pickle.UnpicklingError(f"invalid array shape {shape!r}")
    if math.prod(shape) > MAX_MEMBER_BYTES:
        raise pickle.UnpicklingError(f"array shape {shape} is too large")
    return np._core.multiarray._reconstruct(np.ndarray, shape, dtype)


def _limited_dtype(*args):
    dt = np.dtype(*args[:1], **({"align": bool(args[1])} if len(args) > 1 else {}))
    if dt.hasobject:
        raise pickle.UnpicklingError("object dtypes are not allowed")
    return dt


def _object_reconstructor(cls, base, state):
    """``copyreg._reconstructor`` for the stand-in classes only (protocol 0/1 pickles)."""
    if not (isinstance(cls, type) and issubclass(cls, _Stub)) or base is not object or state is not None:
        raise pickle.UnpicklingError("object reconstruction is allowed only for sparse matrices and chumpy arrays")
    return cls()


def _latin1_bytes(text, encoding="latin1"):
    """``_codecs.encode`` as protocol-2 pickles use it for bytes (``encode(str, "latin1")``), nothing else."""
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise pickle.UnpicklingError("only latin-1 byte strings may be encoded")
    return text.encode("latin1")


def _globals() -> dict[tuple[str, str], object]:
    table: dict[tuple[str, str], object] = {}
    for mod in ("numpy.core.multiarray", "numpy._core.multiarray"):
        table[(mod, "_reconstruct")] = _limited_reconstruct
        table[(mod, "scalar")] = np._core.multiarray.scalar
    table[("_codecs", "encode")] = _latin1_bytes
    table[("numpy", "ndarray")] = _NDARRAY
    table[("numpy", "dtype")] = _limited_dtype
    table[("copy_reg", "_reconstructor")] = _object_reconstructor
    table[("copyreg", "_reconstructor")] = _object_reconstructor
    for fmt, cls in _SPARSE.items():
        for mod in (f"scipy.sparse.{fmt}", f"scipy.sparse._{fmt}"):
            table[(mod, f"{fmt}_matrix")] = cls
            table[(mod, f"{fmt}_array")] = cls
    table[("chumpy.ch", "Ch")] = _Chumpy
    return table


_ALLOWED = _globals()


class _ModelUnpickler(pickle.Unpickler):
    def __init__(self, fh, where: str):
        super().__init__(fh, encoding="latin1")
        self._where = where

    def find_class(self, module: str, name: str):
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise SmplxFileError(
                f"{self._where}: refusing to unpickle '{module}.{name}': an SMPL-X model file holds only numeric "
                f"arrays (the file may be malicious; it was not run)") from None

    def persistent_load(self, pid):
        raise SmplxFileError(f"{self._where}: refusing a pickle with persistent ids")


def _densify(stub: _Sparse, key: str, where: str) -> np.ndarray:
    st = stub.state if isinstance(stub.state, dict) else {}
    shape = st.get("_shape", st.get("shape"))
    if not (isinstance(shape, tuple) and len(shape) == 2 and all(isinstance(n, int) and n >= 0 for n in shape)):
        raise SmplxFileError(f"{where}: {key}: sparse matrix without a valid shape")
    if math.prod(shape) * 8 > MAX_MEMBER_BYTES:
        raise SmplxFileError(f"{where}: {key}: sparse matrix of shape {shape} is too large")
    data = st.get("data")
    if not isinstance(data, np.ndarray) or data.ndim != 1 or data.dtype.kind not in "fiub":
        raise SmplxFileError(f"{where}: {key}: sparse matrix without numeric data")
    out = np.zeros(shape, np.float64)
    try:
        if stub.format == "coo":
            rows, cols = np.asarray(st["row"], np.int64), np.asarray(st["col"], np.int64)
        else:
            indices, indptr = np.asarray(st["indices"], np.int64), np.asarray(st["indptr"], np.int64)
            major = shape[1] if stub.format == "csc" else shape[0]
            if indptr.shape != (major + 1,) or indptr[0] != 0 or (np.diff(indptr) < 0).any() \
                    or indptr[-1] != len(indices):
                raise ValueError("inconsistent indptr")
            lines = np.repeat(np.arange(major), np.diff(indptr))
            rows, cols = (indices, lines) if stub.format == "csc" else (lines, indices)
        if not (rows.shape == cols.shape == data.shape):
            raise ValueError("index and data lengths differ")
        if len(rows) and (rows.min() < 0 or cols.min() < 0 or rows.max() >= shape[0] or cols.max() >= shape[1]):
            raise ValueError("indices outside the matrix")
        np.add.at(out, (rows, cols), data.astype(np.float64))
    except (KeyError, ValueError, TypeError) as e:
        raise SmplxFileError(f"{where}: {key}: malformed sparse matrix ({e})") from None
    return out


def _plain(value, key: str, where: str):
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject:
            raise SmplxFileError(f"{where}: {key} is an object array; only numeric arrays are accepted")
        return value
    if isinstance(value, _Sparse):
        return _densify(value, key, where)
    if isinstance(value, _Chumpy):
        x = value.state.get("x") if isinstance(value.state, dict) else None
        if not isinstance(x, np.ndarray) or x.dtype.hasobject:
            raise SmplxFileError(f"{where}: {key} is a chumpy object without a plain array value; "
                                 "use the .npz version of the SMPL-X model instead")
        return x
    if isinstance(value, _Stub):
        raise SmplxFileError(f"{where}: {key}: unsupported object")
    return value  # strings, numbers: dropped unless the key is needed (then refused by _check_arrays)


def _read_pkl(path: Path, where: str) -> dict[str, np.ndarray]:
    size = path.stat().st_size
    if size > MAX_PKL_BYTES:
        raise SmplxFileError(f"{where}: {size} bytes is more than the limit of {MAX_PKL_BYTES} for a model file")
    with open(path, "rb") as fh:
        try:
            obj = _ModelUnpickler(io.BufferedReader(fh), where).load()
        except SmplxFileError:
            raise
        except Exception as e:  # UnpicklingError, EOFError, TypeError from refused calls, MemoryError ...
            raise SmplxFileError(f"{where}: not a readable SMPL-X .pkl file ({type(e).__name__}: {e})") from None
    if not isinstance(obj, dict):
        raise SmplxFileError(f"{where}: an SMPL-X .pkl file holds a dict of arrays, got {type(obj).__name__}")
    return {k: _plain(v, k, where) for k, v in obj.items() if isinstance(k, str) and k in SMPLX_KEYS}


# ---------------------------------------------------------------------------------------------- public
def read_smplx_arrays(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """The numeric arrays of an SMPL-X model file (``.npz`` or legacy ``.pkl``), read without running code.

    Raises:
        SmplxFileError: unreadable, oversized or malicious files, or files that are not SMPL-X.
    """
    from ..npz import NpzError, read_npz

    path = Path(path)
    where = str(path)
    suffix = path.suffix.lower()
    if suffix == ".pkl":
        arrays = _read_pkl(path, where)
    elif suffix == ".npz":
        try:
            arrays = read_npz(path, where, SMPLX_KEYS, unknown="skip", check=_check_shapes,
                              max_member_bytes=MAX_MEMBER_BYTES, max_total_bytes=MAX_TOTAL_BYTES)
        except NpzError as e:
            raise SmplxFileError(str(e)) from None
    else:
        raise SmplxFileError(f"{where}: an SMPL-X model file is .npz or .pkl")
    return _check_arrays(arrays, where)


def smplx_model_from_arrays(arrays: Mapping[str, np.ndarray], gender: str = "neutral", **kwargs):
    """``smplx.SMPLX`` built from already-checked arrays (see the module docstring for how).

    ``kwargs`` go to ``smplx.SMPLX`` (``use_pca``, ``num_betas`` ...).
    """
    import smplx

    plain = {k: np.asarray(v) for k, v in arrays.items() if k != "vertex_regions"}
    name = f"SMPLX_{gender.upper()}.npz"
    memfd = getattr(os, "memfd_create", None)
    if memfd is not None and Path("/proc/self/fd").is_dir():
        fd = memfd("signspark-smplx", getattr(os, "MFD_CLOEXEC", 0))
        try:
            with os.fdopen(os.dup(fd), "wb") as fh:
                np.savez(fh, **plain)
            return smplx.SMPLX(model_path=f"/proc/self/fd/{fd}", ext="npz", gender=gender, **kwargs)
        finally:
            os.close(fd)
    with tempfile.TemporaryDirectory(prefix="signspark-smplx-") as tmp:
        file = Path(tmp) / name
        np.savez(file, **plain)
        return smplx.SMPLX(model_path=str(file), ext="npz", gender=gender, **kwargs)
