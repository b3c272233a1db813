"""Official SignSparK LMDB files: reading (:class:`LmdbClipStore`), writing (:class:`LmdbWriter`) and finding them.

Layout of one file (an LMDB environment, normally a directory ``<name>.lmdb``):

* key ``b'__meta__'``: a pickled plain dict ``{"clip_ids": [str, ...], "num_clips": N}``;
* one key per clip (its id in UTF-8) whose value is the bytes of an ``np.savez``
  archive with the fields of :class:`~signspark.data.features.ClipRecord`.

Datasets are laid out as ``<base>/<split>/**/*.lmdb`` with ``split`` in
``train``, ``dev``, ``test``. Reading never unpickles arbitrary data (see
:mod:`signspark.data.safe_npz`); every problem raises :class:`DataError`
naming the file and the clip.

Example::

    with LmdbWriter("out/train/demo_train.lmdb") as w:
        w.add("clip0", pose_sequence)
    store = LmdbClipStore("out/train/demo_train.lmdb")
    record = store.read("clip0")          # ClipRecord
"""

from __future__ import annotations

import os
import pickle
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import lmdb
import numpy as np

from ..atomic import replace_path
from ..pose.sequence import PoseSequence
from .features import FEATURE_WIDTHS, TEXT_FIELDS, ClipRecord, record_from_sequence
from .safe_npz import DataError, dump_npz, load_npz, safe_unpickle

__all__ = ["LmdbClipStore", "LmdbWriter", "write_lmdb", "find_lmdb_files", "META_KEY", "SPLITS"]

META_KEY = b"__meta__"
SPLITS = ("train", "dev", "test")
_REQUIRED_FIELDS = ("language", "translation", "segment") + tuple(FEATURE_WIDTHS)
_INITIAL_MAP_SIZE = 64 * 1024 * 1024


# ---------------------------------------------------------------------------------------------- reading
def _text_field(arrays: dict[str, np.ndarray], name: str, where: str) -> str:
    if name not in arrays:
        if name == "gloss":  # unused by the official loader; tolerate its absence
            return ""
        raise DataError(f"{where}: missing field {name!r}")
    a = arrays[name]
    if a.size != 1:
        raise DataError(f"{where}: {name} must hold one string (shape (1,)), got shape {a.shape}")
    v = a.reshape(-1)[0]
    if isinstance(v, bytes):
        try:
            return v.decode("utf-8")
        except UnicodeDecodeError:
            raise DataError(f"{where}: {name} is not valid UTF-8") from None
    if a.dtype.kind != "U":
        raise DataError(f"{where}: {name} must be a string, got dtype {a.dtype}")
    return str(v)


def decode_record(raw: bytes, clip_id: str, where: str) -> ClipRecord:
    """Record bytes -> validated :class:`ClipRecord`; ``where`` names the file and clip in errors."""
    arrays = load_npz(raw, where, fields=TEXT_FIELDS + ("segment",) + tuple(FEATURE_WIDTHS))
    missing = [f for f in _REQUIRED_FIELDS if f not in arrays]
    if missing:
        raise DataError(f"{where}: missing field(s) {missing}; an official record has "
                        f"{list(TEXT_FIELDS) + ['segment'] + list(FEATURE_WIDTHS)}")
    record = ClipRecord.__new__(ClipRecord)
    record.clip_id = clip_id
    for name in TEXT_FIELDS:
        setattr(record, name, _text_field(arrays, name, where))
    record.segment = arrays["segment"]
    for name in FEATURE_WIDTHS:
        setattr(record, name, arrays[name])
    record.validate(where)
    return record


def _open_env(path: Path, *, readonly: bool, map_size: int | None = None) -> lmdb.Environment:
    kwargs = dict(subdir=path.is_dir(), readonly=readonly, lock=False, readahead=False, max_dbs=0)
    if map_size is not None:
        kwargs["map_size"] = map_size
    return lmdb.open(str(path), **kwargs)


# LMDB refuses to open the same environment twice in one process, so stores of the same file share one
# read-only environment: file identity -> [pid, env, number of stores using it]. The identity is the data
# file's (device, inode), so a file replaced by a writer is a new entry. An entry inherited through fork
# belongs to the parent; the child closes its copy and opens its own.
_ENVS: dict[tuple, list] = {}
_ENVS_LOCK = threading.Lock()


def _env_key(path: Path) -> tuple:
    data = path / "data.mdb" if path.is_dir() else path
    try:
        st = os.stat(data)
    except OSError as e:
        raise DataError(f"{path}: cannot open as LMDB ({e.strerror}: {data})") from None
    return (st.st_dev, st.st_ino) if st.st_ino else (str(data.resolve()),)


def _acquire_env(path: Path) -> tuple[tuple, lmdb.Environment]:
    key = _env_key(path)
    with _ENVS_LOCK:
        entry = _ENVS.get(key)
        if entry is not None and entry[0] != os.getpid():
            try:
                entry[1].close()
            except Exception:
                pass
            entry = None
        if entry is None:
            try:
                env = _open_env(path, readonly=True)
            except lmdb.Error as e:
                raise DataError(f"{path}: cannot open as LMDB ({type(e).__name__}: {e})") from None
            entry = _ENVS[key] = [os.getpid(), env, 0]
        entry[2] += 1
        return key, entry[1]


def _release_env(key: tuple) -> None:
    with _ENVS_LOCK:
        entry = _ENVS.get(key)
        if entry is None or entry[0] != os.getpid():
            return
        entry[2] -= 1
        if entry[2] <= 0:
            entry[1].close()
            del _ENVS[key]


class LmdbClipStore:
    """Read-only access to one official LMDB file.

    Opened with ``lock=False`` and readahead off. The environment is reopened
    lazily in each process, so a store can be handed to DataLoader workers.

    Args:
        path: the ``.lmdb`` directory (or a single-file environment).

    Raises:
        DataError: the file cannot be opened, or ``__meta__`` is missing or malformed.
    """

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        if not self.path.exists():
            raise DataError(f"{self.path}: no such LMDB file")
        self._env: lmdb.Environment | None = None
        self._env_key: tuple | None = None
        self._pid: int | None = None
        raw = self._get(META_KEY)
        if raw is None:
            raise DataError(f"{self.path}: missing {META_KEY!r}; not an official SignSparK LMDB file")
        self.clip_ids: list[str] = self._parse_meta(safe_unpickle(raw, f"{self.path}: __meta__"))
        self._id_set = frozenset(self.clip_ids)

    def _parse_meta(self, meta: object) -> list[str]:
        where = f"{self.path}: __meta__"
        if not isinstance(meta, dict) or "clip_ids" not in meta:
            raise DataError(f"{where}: expected a dict with 'clip_ids' and 'num_clips', got {type(meta).__name__}")
        ids = meta["clip_ids"]
        if isinstance(ids, np.ndarray):
            ids = ids.tolist()
        if not isinstance(ids, (list, tuple)) or not all(isinstance(c, str) for c in ids):
            raise DataError(f"{where}: clip_ids must be a list of strings")
        ids = [str(c) for c in ids]
        n = meta.get("num_clips", len(ids))
        if not isinstance(n, (int, np.integer)) or int(n) != len(ids):
            raise DataError(f"{where}: num_clips is {n!r} but {len(ids)} clip ids are listed")
        if len(set(ids)) != len(ids):
            raise DataError(f"{where}: clip_ids contains duplicates")
        return ids

    # -------------------------------------------------------------- environment
    @property
    def env(self) -> lmdb.Environment:
        if self._env is None or self._pid != os.getpid():
            self._env_key, self._env = _acquire_env(self.path)
            self._pid = os.getpid()
        return self._env

    def _get(self, key: bytes) -> bytes | None:
        try:
            with self.env.begin(write=False, buffers=False) as txn:
                return txn.get(key)
        except lmdb.Error as e:
            raise DataError(f"{self.path}: LMDB read of {key[:80]!r} failed ({type(e).__name__}: {e})") from None

    def close(self) -> None:
        """Release this store's handle on the environment (closed when no store in this process uses it)."""
        if self._env is not None and self._pid == os.getpid():
            _release_env(self._env_key)
        self._env = None

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def __enter__(self) -> "LmdbClipStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_env"] = None
        state["_pid"] = None
        return state

    # -------------------------------------------------------------- access
    def __len__(self) -> int:
        return len(self.clip_ids)

    def __contains__(self, clip_id: object) -> bool:
        return clip_id in self._id_set

    def __iter__(self) -> Iterator[ClipRecord]:
        for clip_id in self.clip_ids:
            yield self.read(clip_id)

    def __repr__(self) -> str:
        return f"LmdbClipStore({str(self.path)!r}, {len(self)} clips)"

    def read(self, clip_id: str) -> ClipRecord:
        """The validated record of ``clip_id``; :class:`DataError` if absent or malformed."""
        where = f"{self.path}: clip {clip_id!r}"
        if clip_id not in self._id_set:
            raise DataError(f"{where}: not listed in __meta__ ({len(self)} clips)")
        raw = self._get(clip_id.encode("utf-8"))
        if raw is None:
            raise DataError(f"{where}: listed in __meta__ but its record is absent (incomplete file?)")
        return decode_record(raw, clip_id, where)

    def read_pose_sequence(self, clip_id: str, fps: float = 25.0) -> PoseSequence:
        """The clip as SMPL-X parameters (see :meth:`ClipRecord.to_pose_sequence`)."""
        return self.read(clip_id).to_pose_sequence(fps=fps)

    def verify(self) -> int:
        """Read and validate every record; returns the clip count, raises :class:`DataError` on the first bad one."""
        for _ in self:
            pass
        return len(self)


# ---------------------------------------------------------------------------------------------- writing
class LmdbWriter:
    """Write an official-schema LMDB file atomically.

    The environment is built in a temporary sibling directory and renamed to
    ``path`` on :meth:`close` (an existing file is replaced only then, and only
    if ``overwrite``); on error or :meth:`abort` nothing is left behind.

    Args:
        path: destination, a directory whose name ends in ``.lmdb``.
        map_size: initial LMDB map size in bytes (default 64 MiB); it grows
            automatically when full.
        overwrite: replace an existing ``path`` on close (otherwise :class:`FileExistsError` at once).
        batch_size: records per write transaction.

    Example::

        with LmdbWriter("data/train/mine_train.lmdb") as w:
            for clip_id, seq in clips:
                w.add(clip_id, seq)
    """

    def __init__(self, path: str | os.PathLike, map_size: int | None = None, overwrite: bool = True,
                 batch_size: int = 256):
        self.path = Path(path)
        if self.path.suffix != ".lmdb":
            raise ValueError(f"{self.path}: an LMDB dataset path must end in .lmdb")
        if self.path.exists() and not overwrite:
            raise FileExistsError(f"{self.path} exists; pass overwrite=True to replace it")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = Path(tempfile.mkdtemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent))
        self._map_size = int(map_size) if map_size else _INITIAL_MAP_SIZE
        self._env: lmdb.Environment | None = _open_env(self._tmp, readonly=False, map_size=self._map_size)
        self._ids: list[str] = []
        self._id_set: set[str] = set()
        self._pending: list[tuple[bytes, bytes]] = []
        self._batch_size = max(1, int(batch_size))
        self._closed = False

    def __enter__(self) -> "LmdbWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, clip_id: str, item: ClipRecord | PoseSequence, labels: np.ndarray | None = None) -> None:
        """Add one clip.

        Args:
            clip_id: unique non-empty key (not ``"__meta__"``).
            item: a :class:`ClipRecord`, or a :class:`PoseSequence` converted by
                :func:`record_from_sequence` (``labels`` then overrides its segments' tags).
        """
        if self._closed:
            raise RuntimeError(f"{self.path}: writer is closed")
        if not isinstance(clip_id, str) or not clip_id or clip_id.encode("utf-8") == META_KEY:
            raise ValueError(f"clip id must be a non-empty string other than '__meta__', got {clip_id!r}")
        if len(clip_id.encode("utf-8")) > 511:
            raise ValueError(f"clip id {clip_id[:40]!r}... is longer than LMDB's 511-byte key limit")
        if clip_id in self._id_set:
            raise ValueError(f"{self.path}: clip id {clip_id!r} added twice")
        if isinstance(item, PoseSequence):
            record = record_from_sequence(item, labels=labels, clip_id=clip_id)
        elif isinstance(item, ClipRecord):
            if labels is not None:
                raise ValueError("labels apply only to a PoseSequence; set ClipRecord.segment instead")
            record = item
            record.validate(f"clip {clip_id!r}")
        else:
            raise TypeError(f"expected a ClipRecord or PoseSequence, got {type(item).__name__}")
        self._pending.append((clip_id.encode("utf-8"), dump_npz(record.to_arrays())))
        self._ids.append(clip_id)
        self._id_set.add(clip_id)
        if len(self._pending) >= self._batch_size:
            self._flush()

    def _put_all(self, items: Sequence[tuple[bytes, bytes]]) -> None:
        while True:
            try:
                with self._env.begin(write=True) as txn:
                    for k, v in items:
                        txn.put(k, v)
                return
            except lmdb.MapFullError:
                self._map_size *= 2
                self._env.set_mapsize(self._map_size)

    def _flush(self) -> None:
        if self._pending:
            self._put_all(self._pending)
            self._pending = []

    def close(self) -> Path:
        """Write ``__meta__``, close and move the file into place; returns ``path``."""
        if self._closed:
            return self.path
        try:
            self._flush()
            meta = {"clip_ids": list(self._ids), "num_clips": len(self._ids)}
            self._put_all([(META_KEY, pickle.dumps(meta, protocol=4))])
            self._env.sync(True)
            self._env.close()
            self._env = None
            replace_path(self._tmp, self.path)
        except BaseException:
            self.abort()
            raise
        self._closed = True
        return self.path

    def abort(self) -> None:
        """Discard everything written so far."""
        if self._env is not None:
            self._env.close()
            self._env = None
        shutil.rmtree(self._tmp, ignore_errors=True)
        self._closed = True


def write_lmdb(path: str | os.PathLike, items: Iterable[tuple[str, PoseSequence | ClipRecord]],
               map_size: int | None = None, progress: bool = False, batch_size: int = 256) -> Path:
    """Write ``(clip_id, PoseSequence or ClipRecord)`` pairs to an official-schema LMDB file atomically.

    ``items`` may be a generator: at most ``batch_size`` encoded records are held in memory at once.
    """
    if progress:
        from tqdm.auto import tqdm

        items = tqdm(items, desc=f"writing {Path(path).name}", unit="clip")
    with LmdbWriter(path, map_size=map_size, batch_size=batch_size) as w:
        for clip_id, item in items:
            w.add(clip_id, item)
    return Path(path)


# ---------------------------------------------------------------------------------------------- finding
def find_lmdb_files(base_path: str | os.PathLike, split: str, names: Sequence[str] | str | None = None) -> list[Path]:
    """LMDB files of a split: ``<base>/<split>/**/*.lmdb``, sorted.

    A file is kept if its path below ``<base>/<split>`` contains any of
    ``names`` as a substring (``None`` keeps all), as the official loader's
    ``train_data`` / ``dev_data`` / ``test_data`` lists do.

    Raises:
        DataError: the split folder is missing, or nothing matches.
    """
    root = Path(base_path) / split
    if not root.is_dir():
        raise DataError(f"{root}: no such folder; datasets are laid out as <base>/<split>/*.lmdb "
                        f"with split in {', '.join(SPLITS)}")
    if isinstance(names, str):
        names = [names]
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        here = Path(dirpath)
        for d in list(dirnames):
            if d.endswith(".lmdb"):
                found.append(here / d)
                dirnames.remove(d)  # an environment's directory holds data.mdb, nothing to search
        found.extend(here / f for f in filenames if f.endswith(".lmdb"))
    found.sort()
    if names is not None:
        names = list(names)
        found = [p for p in found if any(n in p.relative_to(root).as_posix() for n in names)]
    if not found:
        wanted = "" if names is None else f" whose path contains one of {names}"
        raise DataError(f"{root}: found no .lmdb file{wanted}")
    return found
