"""simplemma's low-memory dictionary with its block index kept on disk: German lemmas ready in ~0.2 s.

``simplemma`` (pinned 2.0.0) ships each language's dictionary as an lzma-compressed, front-coded
stream of sorted ``word -> lemma`` records (German: 1.1 M). Its low-memory backend
(:class:`~simplemma.strategies.dictionaries.stream_dictionary_factory.StreamMap`) decodes the whole
stream once per process to index every 32nd record (a restart point), about 1-1.5 s of pure Python;
lookups then decode a few records from the nearest restart point. The index depends only on the stream,
so :func:`indexed_stream_map` keeps it in ``<cache>/lemmas/`` and reads it back in a few milliseconds:
the same dictionary, the same lemmas, without the pass.

The file is keyed by the sha256 of the decompressed stream and carries a checksum of its own contents;
every restart point in it is checked against the stream's first record there before use. A missing,
damaged or foreign file means the index is built as simplemma builds it, and written again (atomically).
Anything unexpected (another simplemma layout) falls back to simplemma's own :class:`StreamMap`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
from simplemma.strategies.dictionaries.dictionary_factory import CachingDictionaryFactory

__all__ = ["indexed_stream_map", "IndexedDictionaryFactory", "lemma_cache_dir"]

_FORMAT = 1
_FIELDS = ("format", "digest", "checksum", "offsets", "firsts", "first_lens", "keys", "key_lens", "values",
           "value_lens")


def lemma_cache_dir() -> Path:
    """``<cache>/lemmas`` (``<cache>``: see :func:`signspark.signs.cache_keys.cache_dir`)."""
    from ..cache_keys import cache_dir

    return cache_dir() / "lemmas"


def _pack(items: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    return np.frombuffer(b"".join(items), np.uint8), np.array([len(x) for x in items], np.int64)


def _unpack(blob: np.ndarray, lens: np.ndarray) -> list[bytes]:
    data = blob.tobytes()
    ends = np.cumsum(lens).tolist()
    starts = [0] + ends[:-1]
    return [data[a:b] for a, b in zip(starts, ends)]


def _checksum(arrays: dict) -> str:
    h = hashlib.sha256()
    for name in _FIELDS[3:]:
        h.update(name.encode() + b"\0" + np.ascontiguousarray(arrays[name]).tobytes())
    return h.hexdigest()


def _write(path: Path, digest: str, firsts: list, blocks: list) -> None:
    from signspark.atomic import atomic_file

    arrays: dict = {"offsets": np.array([b[0] for b in blocks], np.int64)}
    arrays["firsts"], arrays["first_lens"] = _pack(firsts)
    arrays["keys"], arrays["key_lens"] = _pack([b[1] for b in blocks])
    arrays["values"], arrays["value_lens"] = _pack([b[2] for b in blocks])
    arrays.update(format=np.array(_FORMAT), digest=np.array(digest), checksum=np.array(_checksum(arrays)))
    with atomic_file(path) as fh:
        np.savez(fh, **arrays)
    for old in path.parent.glob(path.name.split("-")[0] + "-*.npz"):  # the index of an older stream
        if old != path:
            old.unlink(missing_ok=True)


def _read(path: Path, digest: str, data: bytes, count: int, block_size: int):
    """(firsts, blocks) from ``path``, checked against the stream ``data``; raises on any mismatch."""
    from simplemma.strategies.dictionaries import frontcode

    from signspark.npz import read_npz

    a = read_npz(path, where=str(path), fields=_FIELDS, unknown="refuse", max_total_bytes=64 << 20)
    if set(a) != set(_FIELDS) or int(a["format"]) != _FORMAT or str(a["digest"]) != digest:
        raise ValueError("an index of another stream")
    if str(a["checksum"]) != _checksum(a):
        raise ValueError("a damaged index")
    n = -(-count // block_size)
    if not (a["offsets"].shape == a["first_lens"].shape == a["key_lens"].shape == a["value_lens"].shape == (n,)):
        raise ValueError("an index of another size")
    firsts = _unpack(a["firsts"], a["first_lens"])
    blocks = list(zip(a["offsets"].tolist(), _unpack(a["keys"], a["key_lens"]), _unpack(a["values"], a["value_lens"])))
    for first, (offset, key, value) in zip(firsts, blocks):  # each restart point decodes to its first key
        if not 0 <= offset < len(data) or next(frontcode._iter_records(data, offset, key, value))[1] != first:
            raise ValueError("an index that does not fit the stream")
    return firsts, blocks


def indexed_stream_map(lang: str, folder: Path | None = None):
    """simplemma's :class:`StreamMap` of ``lang``'s dictionary, its index read from ``folder`` (default
    :func:`lemma_cache_dir`) when there, else built by simplemma and stored."""
    from simplemma.strategies.dictionaries import frontcode
    from simplemma.strategies.dictionaries.dictionary_factory import _read_decompressed
    from simplemma.strategies.dictionaries.stream_dictionary_factory import _BLOCK_SIZE, StreamMap

    data = _read_decompressed(lang)
    digest = hashlib.sha256(data).hexdigest()
    path = (folder or lemma_cache_dir()) / f"{lang}-{digest[:32]}.npz"
    rev, count, pos = frontcode._read_header(data)
    try:
        firsts, blocks = _read(path, digest, data, count, _BLOCK_SIZE)
    except Exception:  # noqa: BLE001 - absent, damaged or foreign: build it as simplemma does
        built = StreamMap(lang)
        try:
            _write(path, digest, built._firsts, built._blocks)
        except OSError:
            pass  # a read-only cache: the next process builds it again
        return built
    m = StreamMap.__new__(StreamMap)
    m._data, m._rev, m._count, m._pos, m._firsts, m._blocks = data, rev, count, pos, firsts, blocks
    return m


class IndexedDictionaryFactory(CachingDictionaryFactory):
    """A simplemma dictionary factory whose dictionaries are :func:`indexed_stream_map` (simplemma's own
    :class:`StreamMap` if that fails in any way)."""

    __slots__ = ()

    def _get_dictionary_uncached(self, lang: str):
        try:
            return indexed_stream_map(lang)
        except ValueError:
            raise  # an unsupported language: simplemma's own error
        except Exception:  # noqa: BLE001 - e.g. another simplemma layout
            from simplemma.strategies.dictionaries.stream_dictionary_factory import StreamMap

            return StreamMap(lang)
