"""Build the synthetic corpus (fingerspelling, and sentences of lexical signs) as official-schema LMDB files.

Layout (what :class:`signspark.data.SignDataset` and the official loader read)::

    <out>/train/fingerspell_ASL_train.lmdb
    <out>/dev/fingerspell_ASL_dev.lmdb
    <out>/test/fingerspell_ASL_test.lmdb
    <out>/train/signs_DSGS_train.lmdb       (a language with a lexicon of signs)
    ... one file per language and split

Each clip is one word or a short phrase (2-3 words) from the built-in word
list of the language (:mod:`.wordlists`), fingerspelled by a simulated signer.
Words and signers are split between train, dev and test (no word or signer of
dev/test appears in train), so the held-out splits measure generalisation.
Clip ids are ``fingerspell_<LANG>_<split>_<index>``; ``translation`` is the
text, ``language`` the code, ``gloss`` the space-separated letters and
``segment`` the per-frame BIO tags (one segment per letter). The output is
deterministic for a seed.
"""

from __future__ import annotations

import dataclasses
import zlib
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from signspark.pose.sequence import PoseSequence
from signspark.signs.languages import get_language

from signspark.signs.fingerspelling import spell_tokens
from signspark.signs.signers import Signer, signer_pool
from signspark.signs.text_to_letters import letters

from .sentences import has_signs, sentence_clips
from .wordlists import words

__all__ = ["SPLITS", "CorpusConfig", "split_counts", "word_pools", "clip_texts", "iter_clips", "build_corpus",
           "lmdb_path"]

SPLITS = ("train", "dev", "test")
_SIGNER_SEEDS = {"train": (0, 24), "dev": (1000, 4), "test": (2000, 4)}


@dataclasses.dataclass(frozen=True)
class CorpusConfig:
    """What to build: ``clips`` per language, split fractions, the seed and the languages."""

    clips: int = 2000
    seed: int = 0
    languages: tuple[str, ...] = ("ASL", "BSL", "DGS", "CSL")
    splits: tuple[float, float, float] = (0.8, 0.1, 0.1)
    speed_range: tuple[float, float] = (0.85, 1.2)

    def __post_init__(self) -> None:
        if self.clips < 1:
            raise ValueError(f"clips must be at least 1, got {self.clips}")
        if len(self.splits) != 3 or any(f < 0 for f in self.splits) or not np.isclose(sum(self.splits), 1.0, atol=1e-6):
            raise ValueError(f"splits must be three non-negative fractions summing to 1 (train dev test), got {self.splits}")
        object.__setattr__(self, "languages", tuple(get_language(c).code for c in self.languages))
        if not self.languages:
            raise ValueError("at least one language is needed")


def split_counts(clips: int, fractions: Sequence[float]) -> dict[str, int]:
    """Clips per split (train gets the rounding remainder)."""
    dev = int(round(clips * fractions[1]))
    test = int(round(clips * fractions[2]))
    return {"train": max(clips - dev - test, 0), "dev": dev, "test": test}


def word_pools(language: str, fractions: Sequence[float]) -> dict[str, list[str]]:
    """Split the language's word list between train, dev and test by a stable hash of each word."""
    all_words = words(language)
    pools: dict[str, list[str]] = {s: [] for s in SPLITS}
    edges = np.cumsum(fractions)
    for w in all_words:
        u = (zlib.crc32(w.encode("utf-8")) % 10_000) / 10_000.0
        split = SPLITS[int(np.searchsorted(edges, u, side="right"))] if u < edges[-1] else "train"
        pools[split].append(w)
    for s in SPLITS:
        if not pools[s]:
            pools[s] = list(all_words)
    return pools


def clip_texts(pool: list[str], n: int, rng: np.random.Generator) -> list[str]:
    """``n`` texts: single words (70%) and phrases of two or three words."""
    out = []
    for _ in range(n):
        k = int(rng.choice([1, 2, 3], p=[0.7, 0.22, 0.08]))
        out.append(" ".join(pool[int(i)] for i in rng.integers(0, len(pool), k)))
    return out


def lmdb_path(out: str | Path, language: str, split: str) -> Path:
    kind = "signs" if has_signs(language) else "fingerspell"
    return Path(out) / split / f"{kind}_{language}_{split}.lmdb"


def iter_clips(language: str, split: str, n: int, cfg: CorpusConfig) -> Iterator[tuple[str, PoseSequence]]:
    """Yield ``(clip_id, PoseSequence)`` for one language and split (deterministic for ``cfg.seed``).

    Languages whose lexicon has signs of its own (DSGS) get sentences of signs
    (:mod:`.sentences`); the others fingerspelled words and phrases.
    """
    code = get_language(language).code
    li, si = cfg.languages.index(code) if code in cfg.languages else 0, SPLITS.index(split)
    first, count = _SIGNER_SEEDS[split]
    signers: list[Signer] = signer_pool(first, count)
    if has_signs(code):
        yield from sentence_clips(code, split, n, cfg.seed, li, signers, cfg.splits, cfg.speed_range)
        return
    rng = np.random.default_rng([cfg.seed, 17, li, si])
    texts = clip_texts(word_pools(code, cfg.splits)[split], n, rng)
    for i, text in enumerate(texts):
        crng = np.random.default_rng([cfg.seed, 29, li, si, i])
        signer = signers[int(crng.integers(0, len(signers)))]
        speed = float(crng.uniform(*cfg.speed_range))
        tokens = letters(text, code, warn=False)
        seq = spell_tokens(tokens, code, text=text, seed=int(crng.integers(0, 2**31 - 1)), speed=speed, signer=signer)
        yield f"fingerspell_{code}_{split}_{i:06d}", seq


def build_corpus(out: str | Path, cfg: CorpusConfig = CorpusConfig(), progress: bool = True) -> dict[str, Path]:
    """Write every language x split LMDB under ``out``; returns ``{"ASL/train": path, ...}``.

    Each file is written atomically by :func:`signspark.data.write_lmdb`.
    """
    from signspark.data import write_lmdb

    import torch

    counts = split_counts(cfg.clips, cfg.splits)
    written: dict[str, Path] = {}
    bar = None
    # The per-clip feature conversion works on small tensors, where torch's thread pool costs far
    # more than it gains (measured ~20x slower with 2 threads on a busy 2-core machine).
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=cfg.clips * len(cfg.languages), unit="clip", desc="corpus")
    try:
        for code in cfg.languages:
            for split in SPLITS:
                if counts[split] == 0:
                    continue
                path = lmdb_path(out, code, split)
                path.parent.mkdir(parents=True, exist_ok=True)

                def items(code=code, split=split):
                    for item in iter_clips(code, split, counts[split], cfg):
                        if bar is not None:
                            bar.update(1)
                            bar.set_postfix_str(f"{code} {split}", refresh=False)
                        yield item

                written[f"{code}/{split}"] = write_lmdb(path, items())
    finally:
        torch.set_num_threads(threads)
        if bar is not None:
            bar.close()
    return written
