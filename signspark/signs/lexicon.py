"""The lexicon interface: a word or gloss -> a sign description -> key poses along its path.

A :class:`Lexicon` turns text into the names of the signs it holds (:meth:`Lexicon.tokens`:
glosses, or letters for a manual alphabet, with :data:`PAUSE` between phrases), gives the
description of a sign (:meth:`Lexicon.describe`: an alphabet :class:`~signspark.signs.alphabets.Letter`,
a HamNoSys sign, ...) and turns a sign into a :class:`SignForm` for a given signer
(:meth:`Lexicon.form`). :func:`signspark.signs.motion.build_motion` lays signs out in time
and interpolates between their key poses; the onset, middle and offset of every sign then
condition the generator.

The manual alphabet of every language is a lexicon (:class:`~signspark.signs.fingerspelling.AlphabetLexicon`);
notation lexicons implement the same four methods.

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
from typing import Any

import numpy as np

from .signers import Signer
from .text_to_letters import PAUSE, STOP, is_pause

__all__ = ["SignForm", "Lexicon", "PAUSE", "STOP", "is_pause", "NUM_KEY_JOINTS", "lexicon_for"]

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


def lexicon_for(language: str) -> Lexicon:
    """The lexicon used to sign text in ``language``: its manual alphabet today."""
    from .fingerspelling import AlphabetLexicon
    from .languages import get_language

    return AlphabetLexicon(get_language(language).code)
