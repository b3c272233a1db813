"""The DSGS lexicon that signs: German text -> DSGS glosses and fingerspelling -> animated key poses.

:class:`DSGSLexicon` joins the gloss index (:class:`~.index.GlossIndex`: lemmas, variants,
compounds, numbers, dropped function words) with the HamNoSys animator
(:class:`~signspark.signs.hamnosys.lexicon.HamNoSysLexicon`) for the signs and the DSGS manual
alphabet (:class:`~signspark.signs.fingerspelling.AlphabetLexicon`) for the ``FA:`` letters of words
without a sign. It signs any text itself (``complete``), so :func:`signspark.signs.lexicon.lexicon_for`
returns it as it is. Only entries whose HamNoSys parses are kept: every gloss it names animates.

Example::

    >>> lex = dsgs_lexicon("DSGS")
    >>> lex.tokens("Die Kinder lernen")
    ['KINDER', ' ', 'LERNEN']
"""

from __future__ import annotations

import functools
from typing import Any

from ..lexicon import Lexicon, SignForm
from ..signers import Signer
from .glossing import is_fingerspelled, letter_of

__all__ = ["DSGSLexicon", "dsgs_lexicon"]


class DSGSLexicon(Lexicon):
    """Swiss German Sign Language: glosses of the ``signwriting`` package's lexicon, fingerspelling otherwise."""

    kind = "dsgs"
    complete = True

    def __init__(self):
        from ..fingerspelling import AlphabetLexicon
        from ..hamnosys import HamNoSysError, parse
        from ..hamnosys.lexicon import HamNoSysLexicon
        from .entries import load_entries
        from .index import GlossIndex

        self.language = "DSGS"
        usable, parsed = [], {}
        for entry in load_entries():
            if not entry.names or not entry.has_hamnosys:
                continue
            notation = entry.hamnosys[0]
            try:
                parsed[notation] = parse(notation)
            except HamNoSysError:
                continue  # a few entries of the source have broken notation: their words are fingerspelled
            usable.append(entry)
        self.index = GlossIndex(usable, hamnosys_only=True)
        notations = self.index.hamnosys
        self.signs = HamNoSysLexicon(notations, self.language,
                                     parsed={g: parsed[n] for g, n in notations.items() if n in parsed})
        self.alphabet = AlphabetLexicon(self.language)

    def tokens(self, text: str) -> list[str]:
        return self.index.tokens(text)

    def describe(self, name: str) -> Any:
        if is_fingerspelled(name):
            return self.alphabet.describe(letter_of(name))
        return self.index.describe(name)

    def form(self, name: str, signer: Signer, variant: int = 0) -> SignForm:
        if is_fingerspelled(name):
            return self.alphabet.form(letter_of(name), signer, variant)
        return self.signs.form(name, signer, variant)

    def __contains__(self, name: str) -> bool:
        if is_fingerspelled(name):
            return letter_of(name) in self.alphabet
        return name in self.signs

    def names(self) -> list[str]:
        """Every gloss this lexicon can sign (corpus building)."""
        return list(self.index.hamnosys)


@functools.cache
def dsgs_lexicon(language: str = "DSGS") -> DSGSLexicon:
    """The factory the DSGS registry record names in ``lexicons`` (built once, then shared)."""
    if str(language).upper() != "DSGS":
        raise ValueError(f"the DSGS lexicon serves DSGS only, not {language!r}")
    return DSGSLexicon()
