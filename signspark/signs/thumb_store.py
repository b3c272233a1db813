"""Thumb angles solved for a handshape, kept on disk: a handshape's thumb is fitted once per machine.

A handshape whose thumb touches a point of the hand (:class:`~signspark.signs.handshapes.ThumbTouch`:
the A, S, O, F ... of manual alphabets and many HamNoSys handshapes) needs a small least-squares fit
of four thumb angles, 0.2-0.5 s of CPU each time a process first meets it. The answers are kept in
``<cache>/thumbs/thumbs-<key>.json`` (``<cache>``: :func:`signspark.signs.cache_keys.cache_dir`), one
small file of ``{handshape: [opp, add, mcp, ip]}`` whose name holds the fingerprint of the code and the
body (:mod:`signspark.signs.cache_keys`). A new answer is added by rewriting the file atomically; two
processes adding at once may drop one answer, which is then solved again. A damaged file counts as empty.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
from pathlib import Path

__all__ = ["stored_thumb", "store_thumb", "thumb_file", "MAX_SHAPES"]

MAX_SHAPES = 4096  # answers kept (handshapes of every alphabet and the HamNoSys handshape inventory: a few hundred)
_LOCK = threading.Lock()
_LOADED: dict[Path, dict[str, list[float]]] = {}


def thumb_file() -> Path | None:
    """The file for the current code and body, or None when it cannot be named (a bad SMPL-X path)."""
    from .cache_keys import body_fingerprint, cache_dir, code_fingerprint

    try:
        key = hashlib.sha256(f"{code_fingerprint()}\n{body_fingerprint()}".encode()).hexdigest()[:32]
    except Exception:  # noqa: BLE001 - the body model's own loading reports it
        return None
    return cache_dir() / "thumbs" / f"thumbs-{key}.json"


def _read(path: Path) -> dict[str, list[float]]:
    try:
        from signspark.safe_json import load_json

        data = load_json(path, max_bytes=4 << 20)
    except Exception:  # noqa: BLE001 - absent or damaged: nothing stored
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, list) and len(v) == 4
            and all(isinstance(x, (int, float)) and math.isfinite(x) for x in v)}


def _known(path: Path) -> dict[str, list[float]]:
    with _LOCK:
        if path not in _LOADED:
            _LOADED[path] = _read(path)
        return _LOADED[path]


def stored_thumb(shape_key: str) -> tuple[float, float, float, float] | None:
    """The thumb angles stored for ``shape_key`` (a handshape's text), or None."""
    path = thumb_file()
    if path is None:
        return None
    value = _known(path).get(shape_key)
    return tuple(float(x) for x in value) if value is not None else None  # type: ignore[return-value]


def store_thumb(shape_key: str, angles) -> None:
    """Add an answer (nothing happens when the cache cannot be written or holds :data:`MAX_SHAPES`)."""
    from signspark.atomic import atomic_file

    path = thumb_file()
    if path is None:
        return
    with _LOCK:
        known = _LOADED.setdefault(path, {})
        known.update(_read(path))  # what other processes added meanwhile
        if len(known) >= MAX_SHAPES:
            return
        known[shape_key] = [float(x) for x in angles]
        try:
            with atomic_file(path, "w") as fh:
                json.dump(known, fh, sort_keys=True)
        except OSError:
            pass  # a read-only cache: solved again by the next process
