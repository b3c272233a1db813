"""German text -> DSGS glosses: signs of the lexicon where it has them, fingerspelling elsewhere.

Each word of the text, in order:

1. a function word DSGS usually leaves out (:data:`DROPPED`: the articles and the finite forms of
   the copula *sein*) is dropped;
2. a number in digits becomes its number sign when the lexicon has one (:mod:`.numbers`), else its
   digits are fingerspelled;
3. a word the index knows, as written or through its lemma (:meth:`.index.GlossIndex.word`), becomes
   that sign; among variants the index's preferred one is taken, so the result is deterministic;
4. a compound whose parts are signs is signed part by part, the rest of it fingerspelled
   (:mod:`.compounds`);
5. anything else is fingerspelled in the DSGS manual alphabet (``swiss_german`` spelling: Ä Ö Ü, CH
   and SCH are letters, ß is S S).

Between words comes :data:`PAUSE`; the punctuation ``. , ; : ! ? …`` gives :data:`STOP` (never
leading, trailing or doubled, as in fingerspelling); ``- _ / – —`` separate words; quotes and brackets
are ignored.

In the flat token list (:func:`tokens`), a sign is its gloss name and a fingerspelled letter is
``"FA:<letter>"`` (:data:`FINGERSPELLED`, the prefix DSGS transcriptions use for the manual alphabet),
so a gloss can never be mistaken for a letter.

Example::

    >>> [t.text for t in gloss_text("Die Kinder lernen.")]        # the whole lexicon by default
    ['KINDER', ' ', 'LERNEN']
    >>> tokens("Anna lernt", gloss_index(hamnosys_only=True))
    ['FA:A', 'FA:N', 'FA:N', 'FA:A', ' ', 'LERNEN']
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
import warnings

from signspark.signs.text_to_letters import (MAX_CHARS, PAUSE, STOP, SpellingError, UnsupportedCharacterWarning,
                                             letters, normalise)

from .compounds import split_compound
from .entries import SignEntry
from .index import FINGERSPELLED, GlossIndex
from .numbers import number_sign

__all__ = ["GlossToken", "gloss_text", "gloss_word", "tokens", "words", "DROPPED", "FINGERSPELLED",
           "is_fingerspelled", "letter_of", "PAUSE", "STOP"]

LANGUAGE = "DSGS"

#: Words DSGS usually does not sign: definite and indefinite articles, and the finite forms of the
#: copula "sein" (DSGS has no copula; "sein" itself is left alone, it is also a possessive).
DROPPED = frozenset("""
der die das den dem des ein eine einen einem einer eines
bin bist ist sind seid war warst waren wart
""".split())

_TOKEN = re.compile(r"(?P<word>[^\W\d_]+)|(?P<number>\d+)|(?P<stop>[.,;:!?…]+)|(?P<gap>[\s\-_/–—]+)|(?P<other>.)")
_SILENT = set("\"'()[]{}«»„“”‘’‹›")


def is_fingerspelled(token: str) -> bool:
    """Whether a flat token is a fingerspelled letter (``"FA:A"``)."""
    return token.startswith(FINGERSPELLED)


def letter_of(token: str) -> str:
    """``"FA:SCH"`` -> ``"SCH"`` (the letter of the DSGS manual alphabet)."""
    if not is_fingerspelled(token):
        raise ValueError(f"{token!r} is not a fingerspelled letter (those start with {FINGERSPELLED!r})")
    return token[len(FINGERSPELLED):]


@dataclasses.dataclass(frozen=True)
class GlossToken:
    """One item of a glossed text.

    Attributes:
        kind: ``"sign"`` (a gloss of the lexicon), ``"spell"`` (fingerspelled letters) or ``"pause"``.
        text: the gloss name (``"KINDER"``), the letters joined (``"ANNA"``) or the pause
            (:data:`PAUSE`, :data:`STOP`).
        word: the word of the text it comes from.
        entry: the lexicon entry of a sign (HamNoSys, SignWriting, German glosses).
        letters: the letters of a fingerspelled piece (``("A", "N", "N", "A")``).
        how: how it was found: ``exact``, ``lemma``, ``folded``, ``number``, ``compound`` (a sign that is
            part of a compound), ``spelled``.
    """

    kind: str
    text: str
    word: str = ""
    entry: SignEntry | None = None
    letters: tuple[str, ...] = ()
    how: str = ""

    @property
    def names(self) -> list[str]:
        """This item in the flat token list: the gloss, ``FA:`` letters, or the pause."""
        if self.kind == "spell":
            return [FINGERSPELLED + ch for ch in self.letters]
        return [self.text]


def _spell(word: str, how: str = "spelled") -> list[GlossToken]:
    try:
        lts = [t for t in letters(word, LANGUAGE, warn=False) if t not in (PAUSE, STOP)]
    except SpellingError:
        return []
    return [GlossToken("spell", "".join(lts), word, letters=tuple(lts), how=how)] if lts else []


def gloss_word(word: str, index: GlossIndex) -> list[GlossToken]:
    """One word (letters or digits only) -> its signs and fingerspelled pieces; ``[]`` when dropped."""
    if word.lower() in DROPPED:
        return []
    if word.isdigit():
        m = number_sign(word, index)
        return [GlossToken("sign", m.gloss, word, m.entry, how=m.how)] if m else _spell(word)
    m = index.word(word)
    if m is not None:
        return [GlossToken("sign", m.gloss, word, m.entry, how=m.how)]
    parts = split_compound(word, index)
    if parts:
        out: list[GlossToken] = []
        for p in parts:
            if p.match is not None:
                out.append(GlossToken("sign", p.match.gloss, word, p.match.entry, how="compound"))
            else:
                out.extend(_spell(p.text, how="compound"))
        return out
    return _spell(word)


def words(text: str) -> list[tuple[str, str]]:
    """Text -> ``(kind, piece)`` with kind ``word``, ``number``, ``stop`` or ``gap`` (other characters
    are left out: quotes and brackets silently, anything else with an UnsupportedCharacterWarning)."""
    out: list[tuple[str, str]] = []
    skipped: list[str] = []
    for m in _TOKEN.finditer(normalise(text)):
        kind = m.lastgroup
        if kind == "other":
            if m.group() not in _SILENT and not unicodedata.category(m.group()).startswith("M"):
                skipped.append(m.group())
            continue
        out.append((kind, m.group()))
    if skipped:
        warnings.warn(f"{LANGUAGE} glossing skipped characters it cannot sign: {''.join(dict.fromkeys(skipped))!r}",
                      UnsupportedCharacterWarning, stacklevel=3)
    return out


def gloss_text(text: str, index: GlossIndex | None = None) -> list[GlossToken]:
    """German text -> signs, fingerspelled words and pauses (see the module docstring); ``index``
    defaults to the whole lexicon (:func:`signspark.signs.dsgs.gloss_index`).

    Raises:
        SpellingError: the text is not a string, is empty, longer than :data:`MAX_CHARS` characters,
            or has nothing to sign (only dropped words or punctuation).
    """
    if index is None:
        from . import gloss_index

        index = gloss_index()
    if not isinstance(text, str):
        raise SpellingError(f"text must be a string, got {type(text).__name__}")
    clean = normalise(text)
    if not clean:
        raise SpellingError("nothing to sign: the text is empty")
    if len(clean) > MAX_CHARS:
        raise SpellingError(f"text is {len(clean)} characters long; {LANGUAGE} glossing is limited to "
                            f"{MAX_CHARS} characters (split it into shorter pieces)")
    out: list[GlossToken] = []
    pending: str | None = None
    for kind, piece in words(clean):
        if kind in ("stop", "gap"):
            if out:
                pending = STOP if kind == "stop" or pending == STOP else PAUSE
            continue
        items = gloss_word(piece, index)
        if not items:
            continue
        if pending and out:
            out.append(GlossToken("pause", pending))
        pending = None
        out.extend(items)
    if not out:
        raise SpellingError(f"nothing to sign in {text!r}: only words {LANGUAGE} leaves out, or punctuation")
    return out


def tokens(text: str, index: GlossIndex | None = None) -> list[str]:
    """German text -> the flat token list: gloss names, ``FA:`` letters, :data:`PAUSE` and :data:`STOP`."""
    return [name for t in gloss_text(text, index) for name in t.names]
