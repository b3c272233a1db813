"""The DSGS lexicon that the ``signwriting`` package ships: entries with HamNoSys, read at test time."""

from __future__ import annotations

import functools
import json
from importlib import resources


@functools.cache
def lexicon_entries() -> tuple[dict, ...]:
    """Entries of ``signwriting/hamnosys/parallel.json`` that carry HamNoSys (a list of strings each)."""
    text = resources.files("signwriting.hamnosys").joinpath("parallel.json").read_text(encoding="utf-8")
    return tuple(e for e in json.loads(text) if e.get("hamnosys"))


def names(words: str) -> str:
    """``"flathand extfingeru"`` -> ``"hamflathand hamextfingeru"`` (tests write short names)."""
    return " ".join("ham" + w for w in words.split())
