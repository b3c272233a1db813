"""Animated signs kept on disk: a sign animated once on a machine is read back, never animated again.

Animating a HamNoSys sign (:func:`.animator.animate`: handshapes, inverse kinematics for every key
pose, contact with the body's surface) takes 0.2-2 s the first time in a process; reading its
:class:`~signspark.signs.lexicon.SignForm` back from this cache takes 1-2 ms.

* **Key**: everything the result depends on - the notation (the HamNoSys string as written, or the
  parsed description of a sign given without one), the signer (every field of
  :class:`~signspark.signs.signers.Signer`), the body model (the built-in body's version, or a licensed
  SMPL-X file's path, size and time) and a fingerprint of the animation code (the source of the modules
  it runs, and the numpy and scipy versions; :mod:`signspark.signs.cache_keys`). Change any of them and the sign is animated afresh. The
  gloss is not part of it: a form read back takes the label it is asked for.
* **Files**: one ``<sha256 of the key>.npz`` per sign in ``<cache>/signs/`` (:func:`sign_cache_dir`;
  ``<cache>`` is ``$SIGNSPARK_CACHE_DIR``, else ``$XDG_CACHE_HOME/signspark``, else
  ``~/.cache/signspark``), about 2.4 kB each. Written atomically (a temporary file renamed into place), so
  two processes writing at once leave one whole file; read with the safe reader of
  :mod:`signspark.npz`, and used only if the key stored inside is the one asked for and every array
  has the expected shape and finite values. A damaged, truncated or foreign file is ignored (the sign
  is animated and the file written again); a cache that cannot be written (read-only disk, no space)
  is skipped. The cache never makes signing fail.
* **Bound**: at most ``$SIGNSPARK_SIGN_CACHE_MB`` megabytes (default :data:`DEFAULT_MAX_MB`): a writer
  counts the folder when its own running total passes the bound (and every 32 writes, since other
  processes write too) and then deletes the least recently used files down to 80% of it.
  ``SIGNSPARK_SIGN_CACHE_MB=0`` turns the cache off.

Example::

    notation = "hamflathand hamextfingeru hampalml hamshoulders"
    form = animate_cached(parse(notation), DEFAULT_SIGNER, "X", notation=notation)  # animated, stored
    form = animate_cached(parse(notation), DEFAULT_SIGNER, "X", notation=notation)  # read back
    default_form_cache().stats()    # CacheStats(folder=..., files=1, bytes=2131, max_bytes=100000000)
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import threading
import time
import warnings
from pathlib import Path

import numpy as np

from ..cache_keys import body_fingerprint, cache_dir, code_fingerprint
from ..lexicon import NUM_KEY_JOINTS, SignForm
from ..signers import DEFAULT_SIGNER, Signer
from .animator import MAX_KEYS, animate
from .description import SignDescription

__all__ = ["FormCache", "CacheStats", "animate_cached", "default_form_cache", "sign_cache_dir", "code_fingerprint",
           "DEFAULT_MAX_MB", "ENV_MAX_MB", "FORMAT"]

FORMAT = 1                      # layout of the files; part of every key
DEFAULT_MAX_MB = 100.0          # about 40,000 signs (the whole DSGS lexicon for 30 signers)
ENV_MAX_MB = "SIGNSPARK_SIGN_CACHE_MB"
_FIELDS = ("key", "u", "poses", "duration", "hold_keys", "notes")
_MAX_FILE_KEYS = MAX_KEYS + 2   # the animator's key poses plus the held start and end
_MAX_FILE_BYTES = 1 << 20
_RECOUNT = 32                   # writes between two counts of the folder (other processes write too)
_STALE_TEMPORARY_S = 600.0      # a write takes milliseconds: older temporary files are a killed writer's
_SUFFIX = ".npz"


def sign_cache_dir() -> Path:
    """The folder of the cached signs: ``<cache>/signs`` (see the module docstring for ``<cache>``)."""
    return cache_dir() / "signs"


def _sign_text(sign: str | SignDescription) -> str:
    if isinstance(sign, str):
        return "hamnosys " + sign
    if isinstance(sign, SignDescription):
        return "description " + repr(sign)  # frozen dataclasses of tuples and strings: a stable text
    raise TypeError(f"a cached sign is a HamNoSys string or a SignDescription, got {type(sign).__name__}")


@dataclasses.dataclass(frozen=True)
class CacheStats:
    """What is in a cache folder: ``files`` signs taking ``bytes`` on disk, bounded by ``max_bytes``."""

    folder: Path
    files: int
    bytes: int
    max_bytes: int


class FormCache:
    """Animated signs in one folder, at most ``max_bytes`` of them (see the module docstring).

    Args:
        folder: where the ``.npz`` files go (created on the first write).
        max_bytes: the size bound; the least recently used files are deleted beyond it (> 0).
    """

    def __init__(self, folder: str | os.PathLike, max_bytes: int = int(DEFAULT_MAX_MB * 1e6)):
        if not max_bytes > 0:
            raise ValueError(f"max_bytes must be positive, got {max_bytes}")
        self.folder = Path(folder)
        self.max_bytes = int(max_bytes)
        self._lock = threading.Lock()
        self._estimate: int | None = None  # bytes in the folder as last counted, plus what this process added
        self._writes = 0
        self._warned = False

    # ------------------------------------------------------------------------------------------ keys
    def key(self, sign: str | SignDescription, signer: Signer = DEFAULT_SIGNER) -> str:
        """The key of ``sign`` (its HamNoSys string, or its description) for ``signer``: a JSON text."""
        return json.dumps({"format": FORMAT, "code": code_fingerprint(), "body": body_fingerprint(),
                           "sign": _sign_text(sign), "signer": dataclasses.asdict(signer)},
                          sort_keys=True, ensure_ascii=True)

    def path(self, key: str) -> Path:
        """The file of ``key``."""
        return self.folder / (hashlib.sha256(key.encode()).hexdigest() + _SUFFIX)

    # ------------------------------------------------------------------------------------------ read
    def get(self, key: str, label: str = "") -> SignForm | None:
        """The cached form of ``key`` labelled ``label``, or None (absent, damaged, foreign or unreadable)."""
        path = self.path(key)
        try:
            form = self._read(path, key, label)
        except Exception:  # noqa: BLE001 - whatever is wrong with the file, the sign is animated instead
            return None
        try:
            os.utime(path)  # recently used: evicted last
        except OSError:
            pass
        return form

    @staticmethod
    def _read(path: Path, key: str, label: str) -> SignForm:
        from signspark.npz import read_npz

        def check(headers):
            k = headers["poses"][0][0] if "poses" in headers else -1
            want = {"u": (k,), "poses": (k, NUM_KEY_JOINTS, 3), "duration": (), "hold_keys": ()}
            if set(headers) != set(_FIELDS) or not 1 <= k <= _MAX_FILE_KEYS:
                raise ValueError("not a cached sign")
            for name, shape in want.items():
                if headers[name][0] != shape:
                    raise ValueError(f"{name} has shape {headers[name][0]}, expected {shape}")

        arrays = read_npz(path, where=str(path), fields=_FIELDS, unknown="refuse", check=check,
                          max_member_bytes=_MAX_FILE_BYTES, max_total_bytes=_MAX_FILE_BYTES, max_members=len(_FIELDS))
        stored = arrays["key"]
        if stored.dtype.kind != "U" or stored.shape != () or str(stored) != key:
            raise ValueError("the file holds another sign")
        u = np.asarray(arrays["u"], np.float64)
        poses = np.asarray(arrays["poses"])
        duration = arrays["duration"]
        notes = arrays["notes"]
        if poses.dtype != np.float64 or not (np.isfinite(poses).all() and np.isfinite(u).all()):
            raise ValueError("poses are not finite float64")
        if np.any(np.diff(u) < 0) or duration.dtype.kind != "f" or arrays["hold_keys"].dtype != np.bool_:
            raise ValueError("bad timing")
        if notes.ndim != 1 or (notes.size and notes.dtype.kind != "U"):
            raise ValueError("bad notes")
        keys = []
        for ui, pose in zip(u, poses):
            pose = pose.copy()
            pose.setflags(write=False)
            keys.append((float(ui), pose))
        return SignForm(label, tuple(keys), float(duration), tuple(str(n) for n in notes),
                        hold_keys=bool(arrays["hold_keys"]))

    # ------------------------------------------------------------------------------------------ write
    def put(self, key: str, form: SignForm) -> bool:
        """Store ``form`` under ``key`` (atomically); False when the cache cannot be written (a warning, once)."""
        from signspark.atomic import atomic_file

        if len(form.keys) > _MAX_FILE_KEYS:
            return False
        arrays = {
            "key": np.array(key),
            "u": np.array([u for u, _ in form.keys], np.float64),
            "poses": np.stack([np.asarray(p, np.float64) for _, p in form.keys]),
            "duration": np.array(float(form.duration)),
            "hold_keys": np.array(bool(form.hold_keys)),
            "notes": np.array(list(form.notes), dtype=str) if form.notes else np.zeros(0, "<U1"),
        }
        path = self.path(key)
        try:
            with atomic_file(path) as fh:
                np.savez_compressed(fh, **arrays)
            size = path.stat().st_size
        except OSError as exc:
            if not self._warned:
                self._warned = True
                warnings.warn(f"signs are not cached on disk: cannot write {self.folder} ({exc}); set "
                              f"SIGNSPARK_CACHE_DIR to a writable folder or {ENV_MAX_MB}=0", RuntimeWarning,
                              stacklevel=2)
            return False
        with self._lock:
            self._estimate = None if self._estimate is None else self._estimate + size
            self._writes += 1
            count = self._estimate is None or self._estimate > self.max_bytes or self._writes % _RECOUNT == 0
        if count:
            self._shrink()
        return True

    def _scan(self) -> list[tuple[float, int, Path]]:
        """``(last use, bytes, path)`` of every cached sign; removes temporary files that killed writers left."""
        out = []
        now = time.time()
        try:
            entries = list(os.scandir(self.folder))
        except OSError:
            return out
        for e in entries:
            try:
                st = e.stat(follow_symlinks=False)
            except OSError:
                continue  # deleted meanwhile by another process
            if e.name.startswith(".") and e.name.endswith(".tmp"):
                if now - st.st_mtime > _STALE_TEMPORARY_S:
                    Path(e.path).unlink(missing_ok=True)
            elif e.name.endswith(_SUFFIX) and e.is_file(follow_symlinks=False):
                out.append((st.st_mtime, st.st_size, Path(e.path)))
        return out

    def _shrink(self) -> None:
        """Count the folder; beyond the bound, delete the least recently used files down to 80% of it."""
        files = self._scan()
        total = sum(size for _, size, _ in files)
        if total > self.max_bytes:
            for _, size, path in sorted(files, key=lambda f: f[0]):
                if total <= 0.8 * self.max_bytes:
                    break
                try:
                    path.unlink()
                except FileNotFoundError:
                    pass  # another process evicted it first
                except OSError:
                    continue
                total -= size
        with self._lock:
            self._estimate = total

    # ------------------------------------------------------------------------------------------ upkeep
    def stats(self) -> CacheStats:
        """How many signs the folder holds and their size on disk."""
        files = self._scan()
        return CacheStats(self.folder, len(files), sum(size for _, size, _ in files), self.max_bytes)

    def clear(self) -> int:
        """Delete every cached sign (and leftover temporary files); returns how many signs were deleted."""
        n = 0
        for _, _, path in self._scan():
            try:
                path.unlink()
                n += 1
            except OSError:
                pass
        with self._lock:
            self._estimate = None
        return n


_CACHES: dict[tuple[str, int], FormCache] = {}
_CACHES_LOCK = threading.Lock()


def _max_bytes_from_env() -> int:
    text = os.environ.get(ENV_MAX_MB, "").strip()
    if not text:
        return int(DEFAULT_MAX_MB * 1e6)
    try:
        mb = float(text)
        if not (np.isfinite(mb) and mb >= 0):
            raise ValueError
    except ValueError:
        warnings.warn(f"{ENV_MAX_MB}={text!r} is not a number of megabytes; {DEFAULT_MAX_MB:g} used",
                      RuntimeWarning, stacklevel=3)
        return int(DEFAULT_MAX_MB * 1e6)
    return int(mb * 1e6)


def default_form_cache() -> FormCache | None:
    """The cache in :func:`sign_cache_dir` bounded by ``$SIGNSPARK_SIGN_CACHE_MB``, or None when that is 0."""
    max_bytes = _max_bytes_from_env()
    if max_bytes <= 0:
        return None
    folder = str(sign_cache_dir())
    with _CACHES_LOCK:
        cache = _CACHES.get((folder, max_bytes))
        if cache is None:
            cache = _CACHES[(folder, max_bytes)] = FormCache(folder, max_bytes)
        return cache


def animate_cached(description: SignDescription, signer: Signer = DEFAULT_SIGNER, label: str = "",
                   notation: str | None = None, cache: FormCache | None | bool = True) -> SignForm:
    """:func:`.animator.animate`, through the disk cache: read back when this sign was animated before for
    this signer and body by this code, else animated and stored.

    Args:
        description: the parsed sign.
        signer, label: as for :func:`.animator.animate`.
        notation: the HamNoSys string ``description`` was parsed from (the key; default: the description).
        cache: a :class:`FormCache`; True (default): :func:`default_form_cache`; False or None: no cache.

    Raises:
        AnimationError: as :func:`.animator.animate` (nothing is stored then).
    """
    store = default_form_cache() if cache is True else (cache or None)
    if store is None:
        return animate(description, signer, label)
    try:
        key = store.key(notation if notation is not None else description, signer)
    except Exception:  # noqa: BLE001 - e.g. a bad $SIGNSPARK_SMPLX_DIR: animate() reports it properly
        return animate(description, signer, label)
    form = store.get(key, label)
    if form is None:
        form = animate(description, signer, label)
        store.put(key, form)
    return form
