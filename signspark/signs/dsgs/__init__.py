"""DSGS (Swiss German Sign Language): German text -> glosses of the DSGS lexicon, or fingerspelling.

The lexicon is the one the ``signwriting`` package ships (``signwriting/hamnosys/parallel.json``:
3,772 signs with SignWriting, 1,364 of them with HamNoSys and German glosses), read at run time.

* :mod:`.entries` - the lexicon's entries and gloss names (:class:`SignEntry`, :func:`load_entries`).
* :mod:`.lemmas` - German words -> lookup keys and lemmas (``simplemma``).
* :mod:`.index` - :class:`GlossIndex`: gloss names -> entries, the preferred variant, word lookup,
  and :attr:`GlossIndex.hamnosys` (gloss -> HamNoSys) for an animating lexicon.
* :mod:`.compounds`, :mod:`.numbers` - compounds cut into signs; numbers in digits -> number signs.
* :mod:`.glossing` - text -> :class:`GlossToken` list (signs, fingerspelled words, pauses) and the flat
  token list (glosses, ``FA:`` letters, pauses).

* :mod:`.lexicon` - :class:`~.lexicon.DSGSLexicon`: the index with the HamNoSys animator for its glosses and
  the DSGS manual alphabet for ``FA:`` letters (``letter_of``); what ``lexicon_for("DSGS")`` returns.

Example::

    >>> index = gloss_index()
    >>> index.tokens("Die Kinder lernen")
    ['KINDER', ' ', 'LERNEN']
    >>> index.describe("KIND").hamnosys[0][:3] == index.hamnosys["KIND"][:3]
    True
"""

from __future__ import annotations

import functools

from .entries import LexiconDataError, SignEntry, load_entries
from .glossing import DROPPED, FINGERSPELLED, GlossToken, gloss_text, gloss_word, is_fingerspelled, letter_of, tokens
from .index import GlossIndex, LexiconStats, Match

__all__ = ["gloss_index", "GlossIndex", "GlossToken", "SignEntry", "Match", "LexiconStats", "LexiconDataError",
           "load_entries", "gloss_text", "gloss_word", "tokens", "DROPPED", "FINGERSPELLED", "is_fingerspelled",
           "letter_of"]


@functools.cache
def _cached(hamnosys_only: bool) -> GlossIndex:
    return GlossIndex(hamnosys_only=hamnosys_only)


def gloss_index(language: str = "DSGS", hamnosys_only: bool = False) -> GlossIndex:
    """The DSGS gloss index (built once per setting, then shared).

    The registry's DSGS lexicon (:func:`signspark.signs.dsgs.lexicon.dsgs_lexicon`) is built on it.

    Args:
        language: the sign-language code; only ``DSGS`` has this lexicon.
        hamnosys_only: keep only the signs that have HamNoSys (every sign found can then be animated).
    """
    if str(language).upper() != "DSGS":
        raise ValueError(f"the DSGS gloss index serves DSGS only, not {language!r}")
    return _cached(bool(hamnosys_only))
