"""The lexicon interface: a word or gloss -> a sign description -> key poses along its path.

A :class:`Lexicon` turns text into the names of the signs it holds (:meth:`Lexicon.tokens`:
glosses, or letters for a manual alphabet, with :data:`PAUSE` between phrases), gives the
description of a sign (:meth:`Lexicon.describe`: an alphabet :class:`~signspark.signs.alphabets.Letter`,
a HamNoSys sign, ...) and turns a sign into a :class:`SignForm` for a given signer
(:meth:`Lexicon.form`). :func:`signspark.signs.motion.build_motion` lays signs out in time
and interpolates between their key poses; the onset, middle and offset of every sign then
condition the generator.

The manual alphabet of every language is a lexicon (:class:`~signspark.signs.fingerspelling.AlphabetLexicon`);
notation lexicons implement the same four methods (HamNoSys:
:class:`~signspark.signs.hamnosys.lexicon.HamNoSysLexicon`). A :class:`LexiconChain` signs the words one
lexicon knows and fingerspells the others, in one take.

Example::

    >>> lex = lexicon_for("ASL")
    >>> lex.tokens("hi you")
    ['H', 'I', ' ', 'Y', 'O', 'U']
    >>> form = lex.form("H", DEFAULT_SIGNER)
    >>> form.keys[0][1].shape
    (51, 3)
"""

from __future__ import annotations

import abc
import dataclasses
import re
from typing import Any

import numpy as np

from .signers import Signer
from .text_to_letters import PAUSE, STOP, is_pause

__all__ = ["SignForm", "Lexicon", "LexiconChain", "PAUSE", "STOP", "is_pause", "NUM_KEY_JOINTS", "lexicon_for",
           "split_words"]

NUM_KEY_JOINTS = 51  # 21 SMPL-X body joints + 15 left hand + 15 right hand


@dataclasses.dataclass(frozen=True)
class SignForm:
    """One sign ready to be animated.

    Attributes:
        label: what the sign is called in glosses and captions (``"H"``, ``"KIND"``).
        keys: key poses along the sign, ``((u, pose), ...)`` with ``u`` in [0, 1] the position
            within the sign's hold and ``pose`` a read-only (51, 3) axis-angle array: SMPL-X
            ``body_pose`` (21 joints), then the left and the right MANO hand (15 joints each).
        duration: length of the sign relative to a plain fingerspelled letter (a movement takes longer).
        notes: what could only be approximated or was left out when the form was made (human-readable,
            each ``"feature: detail"``); empty for a form that says exactly what its description says.
        hold_keys: every key pose becomes a keyframe of the take (on a whole frame, unblended), not only
            the sign's onset, middle and offset: for signs whose path has turning points (fingerspelling
            keeps False).
    """

    label: str
    keys: tuple[tuple[float, np.ndarray], ...]
    duration: float = 1.0
    notes: tuple[str, ...] = ()
    hold_keys: bool = False

    def __post_init__(self):
        if not self.keys:
            raise ValueError(f"sign {self.label!r} has no key poses")
        for u, pose in self.keys:
            if not 0.0 <= float(u) <= 1.0 or np.shape(pose) != (NUM_KEY_JOINTS, 3):
                raise ValueError(f"sign {self.label!r}: key poses are (u in [0, 1], ({NUM_KEY_JOINTS}, 3) array)")
        if not (np.isfinite(self.duration) and self.duration > 0):
            raise ValueError(f"sign {self.label!r}: duration must be positive, got {self.duration}")


class Lexicon(abc.ABC):
    """Signs of one sign language, looked up by name.

    Attributes:
        language: the sign-language code (``"ASL"``).
        kind: a short word for what the entries are (``"fingerspelling"``, ``"hamnosys"``).
    """

    language: str = ""
    kind: str = ""
    complete: bool = False  # tokens() signs any text itself (fingerspelling what it has no sign for)

    @abc.abstractmethod
    def tokens(self, text: str) -> list[str]:
        """Text -> the names of this lexicon's signs, with :data:`PAUSE` between words and
        :data:`STOP` at punctuation.

        Raises a ValueError naming what could not be signed."""

    @abc.abstractmethod
    def describe(self, name: str) -> Any:
        """The description of sign ``name`` (KeyError when the lexicon has no such sign)."""

    @abc.abstractmethod
    def form(self, name: str, signer: Signer, variant: int = 0) -> SignForm:
        """Key poses of sign ``name`` for ``signer``; ``variant`` 1 is a repeated sign (it slides a little)."""

    @abc.abstractmethod
    def __contains__(self, name: str) -> bool:
        """Whether the lexicon has a sign called ``name``."""

    def lookup(self, words: list[str], start: int) -> tuple[str, int] | None:
        """The sign for the words ``words[start:]`` begin with, as ``(name, number of words)``, or None.

        Lexicons of whole signs answer it (a :class:`LexiconChain` asks them word by word); a manual
        alphabet does not (None: it spells any word through :meth:`tokens`)."""
        return None


_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_STOPS = set(".,;:!?…。，、；：！？")


def split_words(text: str) -> list[str]:
    """Text -> words, with :data:`PAUSE` between them and :data:`STOP` where punctuation was.

    Pauses never lead, trail or repeat (a stop wins over a pause)."""
    out: list[str] = []
    pos = 0
    for m in _WORD.finditer(text):
        gap = text[pos:m.start()]
        if out:
            sep = STOP if any(c in _STOPS for c in gap) else PAUSE
            if is_pause(out[-1]):
                out[-1] = STOP if STOP in (sep, out[-1]) else PAUSE
            else:
                out.append(sep)
        out.append(m.group())
        pos = m.end()
    return out


class LexiconChain(Lexicon):
    """Several lexicons of one language, tried in order; the last one signs what the others do not know.

    Typically ``LexiconChain([HamNoSysLexicon(...), AlphabetLexicon("DGS")])``: words with a sign are
    signed, the others fingerspelled, in one take. Each earlier lexicon is asked for the longest phrase
    it has at each word (:meth:`Lexicon.lookup`); the last one turns every other word into its signs
    (:meth:`Lexicon.tokens`: letters). A sign name found in several lexicons is the first one's.

    Args:
        lexicons: at least one lexicon; all of the same language.
    """

    kind = "chain"

    def __init__(self, lexicons):
        self.lexicons = list(lexicons)
        if not self.lexicons:
            raise ValueError("a lexicon chain needs at least one lexicon")
        self.language = self.lexicons[0].language
        other = {lex.language for lex in self.lexicons} - {self.language}
        if other:
            raise ValueError(f"a lexicon chain is one language: {self.language} and {sorted(other)}")

    def tokens(self, text: str) -> list[str]:
        words = split_words(text)
        out: list[str] = []
        i = 0
        fallback = self.lexicons[-1]
        while i < len(words):
            w = words[i]
            if is_pause(w):
                if out and not is_pause(out[-1]):
                    out.append(w)
                elif out:
                    out[-1] = STOP if STOP in (w, out[-1]) else PAUSE
                i += 1
                continue
            found = None
            for lex in self.lexicons[:-1]:
                found = lex.lookup(words, i)
                if found is not None:
                    break
            if found is None:
                found = fallback.lookup(words, i)
            if found is not None:
                out.append(found[0])
                i += max(1, 2 * found[1] - 1)   # the phrase's words and the pauses between them
                continue
            out += [t for t in fallback.tokens(w) if not is_pause(t)]
            i += 1
        while out and is_pause(out[-1]):
            out.pop()
        if not any(not is_pause(t) for t in out):
            raise ValueError(f"nothing to sign in {text!r}")
        return out

    def _owner(self, name: str) -> Lexicon:
        for lex in self.lexicons:
            if name in lex:
                return lex
        raise KeyError(f"no lexicon of this chain has a sign {name!r}")

    def describe(self, name: str) -> Any:
        return self._owner(name).describe(name)

    def form(self, name: str, signer: Signer, variant: int = 0) -> SignForm:
        return self._owner(name).form(name, signer, variant)

    def __contains__(self, name: str) -> bool:
        return any(name in lex for lex in self.lexicons)


def lexicon_for(language: str) -> Lexicon:
    """The lexicon used to sign text in ``language``: the lexicons its record names (``lexicons``, each a
    ``"module:factory"`` of the language code) before its manual alphabet, as a :class:`LexiconChain`; the
    manual alphabet alone when it names none; the first one alone when it is ``complete`` (it spells
    what it has no sign for itself, e.g. :class:`signspark.signs.dsgs.lexicon.DSGSLexicon`)."""
    from .fingerspelling import AlphabetLexicon
    from .languages import get_language, resolve

    record = get_language(language)
    alphabet = AlphabetLexicon(record.code)
    if not record.lexicons:
        return alphabet
    lexicons = [resolve(factory)(record.code) for factory in record.lexicons]
    if lexicons[0].complete:
        return lexicons[0]
    return LexiconChain(lexicons + [alphabet])
