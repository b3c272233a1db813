"""The gloss index: gloss names -> lexicon entries, with one deterministic choice per word.

:class:`GlossIndex` holds the named entries of the DSGS lexicon (:mod:`.entries`) and answers:

* ``index["KLEIN_D"]`` / :meth:`GlossIndex.describe`: the entry called exactly that.
* :meth:`GlossIndex.best`: the preferred entry for a base name (``"KLEIN"``): among the entries
  called ``KLEIN`` or a variant of it (``KLEIN_A``, ``KLEIN_D`` ...), those with HamNoSys first,
  then the plain name, then the lowest variant (1, 2, ..., A, B, ..., ``INT`` last), then file
  order. The answer is a gloss name of the index, so ``index[best(...)]`` is that entry.
* :meth:`GlossIndex.word`: a German word -> a :class:`Match` (exact name, lemma, umlaut-folded
  id), or None; :mod:`.glossing` adds compounds, numbers and fingerspelling on top.
* :attr:`GlossIndex.hamnosys`: gloss name -> HamNoSys string, for every name :meth:`tokens` can
  give that has HamNoSys: what a HamNoSys lexicon needs to animate the signs.

``GlossIndex(hamnosys_only=True)`` keeps only the entries with HamNoSys, so every sign it finds can be
animated; the default keeps every named entry (some have only SignWriting).
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Iterable, Mapping

from signspark.signs.alphabets import Alphabet, Letter

from .entries import SignEntry, fold, load_entries, split_variant, variant_rank
from .lemmas import key, lemma_keys

__all__ = ["GlossIndex", "Match", "LexiconStats", "FINGERSPELLED"]

FINGERSPELLED = "FA:"   # prefix of a fingerspelled letter in token lists (the DSGS transcription convention)


@dataclasses.dataclass(frozen=True)
class Match:
    """A word found in the index: the gloss name chosen, its entry, and how it was found
    (``"exact"``, ``"lemma"``, ``"folded"``: matched without umlauts on a name from a gloss id)."""

    gloss: str
    entry: SignEntry
    how: str


@dataclasses.dataclass(frozen=True)
class LexiconStats:
    """Counts over the lexicon: entries in the source, named entries, entries with HamNoSys,
    distinct gloss names and distinct base names (variants merged)."""

    entries: int
    named: int
    with_hamnosys: int
    glosses: int
    bases: int
    glosses_with_hamnosys: int


def _rank(entry: SignEntry, name: str, base: str) -> tuple:
    return (not entry.has_hamnosys, name != base, variant_rank(split_variant(name)[1]), entry.folded,
            entry.position)


class GlossIndex:
    """Gloss names of the DSGS lexicon and the entries they stand for.

    Args:
        entries: the lexicon entries (default: :func:`~.entries.load_entries`, the whole lexicon).
        hamnosys_only: keep only entries that carry HamNoSys.
    """

    language = "DSGS"
    kind = "glosses"

    def __init__(self, entries: Iterable[SignEntry] | None = None, hamnosys_only: bool = False):
        self.hamnosys_only = bool(hamnosys_only)
        source = tuple(load_entries() if entries is None else entries)
        self._all = source
        kept = [e for e in source if e.names and (e.has_hamnosys or not hamnosys_only)]
        by_name: dict[str, tuple[tuple, SignEntry]] = {}
        by_base: dict[str, tuple[tuple, str, SignEntry]] = {}
        by_folded: dict[str, tuple[tuple, str, SignEntry]] = {}
        for e in kept:
            for name in e.names:
                base = split_variant(name)[0]
                rank = _rank(e, name, base)
                if name not in by_name or rank < by_name[name][0]:
                    by_name[name] = (rank, e)
                if base and (base not in by_base or rank < by_base[base][0]):
                    by_base[base] = (rank, name, e)
                if e.folded:
                    f = fold(base)
                    if f and (f not in by_folded or rank < by_folded[f][0]):
                        by_folded[f] = (rank, name, e)
        self._by_name = {n: e for n, (_, e) in by_name.items()}
        self._by_base = {b: n for b, (_, n, _) in by_base.items()}
        self._by_folded = {f: n for f, (_, n, _) in by_folded.items()}

    # ------------------------------------------------------------------------------------------- lookups
    def __contains__(self, name: object) -> bool:
        """Whether ``name`` is a gloss of the index or a fingerspelled letter token (``"FA:A"``)."""
        if not isinstance(name, str):
            return False
        if name.startswith(FINGERSPELLED):
            return name[len(FINGERSPELLED):] in self.alphabet
        return name in self._by_name

    def __getitem__(self, name: str) -> SignEntry:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"the DSGS lexicon has no gloss {name!r}") from None

    def __len__(self) -> int:
        return len(self._by_name)

    def describe(self, name: str) -> SignEntry | Letter:
        """The entry of gloss ``name`` (HamNoSys strings, SignWriting, German glosses), or for a fingerspelled
        token (``"FA:A"``) the letter of the DSGS manual alphabet; KeyError if absent."""
        if name.startswith(FINGERSPELLED):
            return self.alphabet[name[len(FINGERSPELLED):]]
        return self[name]

    @functools.cached_property
    def alphabet(self) -> Alphabet:
        """The DSGS manual alphabet (from the sign-language registry)."""
        from signspark.signs.languages import get_language

        return get_language(self.language).get_alphabet()

    @property
    def glosses(self) -> list[str]:
        """Every gloss name, sorted."""
        return sorted(self._by_name)

    def best(self, base: str) -> str | None:
        """The preferred gloss name for ``base`` (a name or a base name, upper case), or None."""
        return self._by_base.get(base) or (base if base in self._by_name else None)

    def word(self, word: str, lemmas: bool = True, noun: bool = False) -> Match | None:
        """A German word -> its sign: the word itself (``Kinder`` -> ``KINDER``), else its lemmas
        (``Kindern`` -> ``KIND``; ``noun``: noun readings only), else the same without umlauts on names
        from gloss ids; None if absent."""
        k = key(word)
        hit = self.best(k)
        if hit:
            return Match(hit, self._by_name[hit], "exact")
        candidates = lemma_keys(word, noun) if lemmas else ()
        for lk in candidates:
            hit = self.best(lk)
            if hit:
                return Match(hit, self._by_name[hit], "lemma")
        for fk in (k, *candidates):
            if fk != fold(fk):
                hit = self._by_folded.get(fold(fk))
                if hit:
                    return Match(hit, self._by_name[hit], "folded")
        return None

    # ------------------------------------------------------------------------------------------ exports
    @functools.cached_property
    def hamnosys(self) -> Mapping[str, str]:
        """Gloss name -> HamNoSys string (the entry's first), for every gloss with HamNoSys."""
        return {n: e.hamnosys[0] for n, e in sorted(self._by_name.items()) if e.has_hamnosys}

    def stats(self) -> LexiconStats:
        """Counts over the source lexicon and this index."""
        named = [e for e in self._all if e.names]
        return LexiconStats(
            entries=len(self._all), named=len(named), with_hamnosys=sum(e.has_hamnosys for e in self._all),
            glosses=len(self._by_name), bases=len(self._by_base),
            glosses_with_hamnosys=sum(e.has_hamnosys for e in self._by_name.values()))

    # ------------------------------------------------------------------------ the Lexicon-like text side
    def tokens(self, text: str) -> list[str]:
        """Text -> gloss names, fingerspelled letters (``"FA:A"``) and pauses; see :func:`.glossing.tokens`."""
        from .glossing import tokens

        return tokens(text, self)

    def gloss(self, text: str):
        """Text -> :class:`~.glossing.GlossToken` list; see :func:`.glossing.gloss_text`."""
        from .glossing import gloss_text

        return gloss_text(text, self)
