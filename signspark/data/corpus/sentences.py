"""Sentences of lexical signs, for languages whose lexicon has signs of its own (DSGS).

They teach the generator what the paper is about: motion between signs made at different places
of the body. A clip is one to five signs of the language's lexicon, sometimes with a fingerspelled
word among them, signed by a simulated signer at a random speed; ``translation`` is the sentence of
the signs' spoken-language words, ``gloss`` the sign names, one BIO segment per sign.

Animating a sign solves its postures on the body (0.25-1.5 s per sign and signer on a 2-core CPU),
so a corpus uses :data:`VOCABULARY` signs of the lexicon and :data:`ANIMATED_SIGNERS` signers per split
for them (forms are cached per sign and signer). Signs are split between train, dev and test by a
stable hash of their name, like the fingerspelled words: held-out sentences hold unseen signs.
"""

from __future__ import annotations

import functools
import re
import zlib
from typing import Iterator, Sequence

import numpy as np

from signspark.pose.sequence import PoseSequence
from signspark.signs.lexicon import PAUSE, lexicon_for
from signspark.signs.signers import Signer
from signspark.signs.takes import take
from signspark.signs.text_to_letters import letters

from .wordlists import words

__all__ = ["has_signs", "sign_pools", "sentence_clips", "VOCABULARY", "ANIMATED_SIGNERS"]

VOCABULARY = 240          # signs of the lexicon a corpus uses
ANIMATED_SIGNERS = 2      # signers per split who sign the lexical signs
SPELLED_WORD_SHARE = 0.25  # clips with one fingerspelled word among the signs
_SPLITS = ("train", "dev", "test")


@functools.cache
def has_signs(language: str) -> bool:
    """Whether the language's lexicon has signs of its own (it can list them), not only an alphabet."""
    return callable(getattr(lexicon_for(language), "names", None))


def sign_pools(language: str, fractions: Sequence[float], vocabulary: int = VOCABULARY) -> dict[str, list[str]]:
    """``vocabulary`` signs of the language's lexicon (a stable choice), split by a stable hash of each name."""
    names = sorted(lexicon_for(language).names(), key=lambda g: (zlib.crc32(g.encode("utf-8")), g))[:vocabulary]
    edges = np.cumsum(fractions)
    pools: dict[str, list[str]] = {s: [] for s in _SPLITS}
    for g in names:
        u = (zlib.crc32(("split:" + g).encode("utf-8")) % 10_000) / 10_000.0
        pools[_SPLITS[int(np.searchsorted(edges, u, side="right"))] if u < edges[-1] else "train"].append(g)
    for s in _SPLITS:
        pools[s] = sorted(pools[s]) or sorted(names)
    return pools


_SUFFIX = re.compile(r"(_(\d+|[A-Z]{1,3}))+$|\(.*?\)")


def _word_of(lexicon, gloss: str) -> str:
    """A spoken-language word for a sign: its first written gloss in the lexicon (else the name), without
    variant suffixes and notes (``KARTOFFEL(D)`` -> ``Kartoffel``, ``GERADE_A`` -> ``Gerade``)."""
    entry = lexicon.describe(gloss)
    german = getattr(entry, "german", ())
    word = _SUFFIX.sub("", german[0] if german else gloss).replace("_", " ").strip() or gloss
    return " ".join(w.capitalize() for w in word.split())


def sentence_clips(language: str, split: str, n: int, seed: int, language_index: int, signers: list[Signer],
                   fractions: Sequence[float], speed_range: tuple[float, float]) -> Iterator[tuple[str, PoseSequence]]:
    """``n`` clips of sentences of signs for one split: ``(clip_id, PoseSequence)``, deterministic for ``seed``."""
    lexicon = lexicon_for(language)
    pool = sign_pools(language, fractions)[split]
    spelled = words(language)
    si = _SPLITS.index(split)
    animated = signers[:ANIMATED_SIGNERS]
    for i in range(n):
        crng = np.random.default_rng([seed, 31, language_index, si, i])
        k = int(crng.choice([1, 2, 3, 4, 5], p=[0.15, 0.25, 0.3, 0.2, 0.1]))
        glosses = [pool[int(j)] for j in crng.integers(0, len(pool), k)]
        parts: list[tuple[list[str], str]] = [([g], _word_of(lexicon, g)) for g in glosses]
        if crng.uniform() < SPELLED_WORD_SHARE:
            word = spelled[int(crng.integers(0, len(spelled)))]
            tokens = [f"FA:{t}" for t in letters(word, language, warn=False) if t.strip()]
            parts.insert(int(crng.integers(0, len(parts) + 1)), (tokens, word.capitalize()))
        tokens: list[str] = []
        for j, (toks, _) in enumerate(parts):
            tokens += ([PAUSE] if j else []) + toks
        text = " ".join(w for _, w in parts)
        signer = animated[int(crng.integers(0, len(animated)))]
        speed = float(crng.uniform(*speed_range))
        seq = take(tokens, lexicon, text=text, seed=int(crng.integers(0, 2**31 - 1)), speed=speed, signer=signer)
        yield f"signs_{language}_{split}_{i:06d}", seq
