"""Fingerspelling: the manual alphabet as a lexicon, and text -> a fingerspelled PoseSequence.

:class:`AlphabetLexicon` is a language's manual alphabet behind the
:class:`~signspark.signs.lexicon.Lexicon` interface (letters are its signs).
:func:`spell` is what the pipeline calls when a word has no sign of its own:
each letter becomes one sign segment, and the keyframes are the onset, middle
and offset frame of every letter (the paper's policy).

Example::

    >>> seq = spell("hello", "ASL")
    >>> seq.gloss
    'H E L L O'
    >>> len(seq.segments)
    5
"""

from __future__ import annotations

import dataclasses

import numpy as np

from signspark.pose.sequence import PoseSequence

from .alphabets import Alphabet, Letter
from .languages import get_language
from .lexicon import Lexicon, SignForm
from .motion import FPS, MAX_CLIP_FRAMES
from .placement import letter_keyposes
from .signers import Signer
from .takes import take
from .text_to_letters import MAX_CHARS, SpellingError, is_pause, letters

__all__ = ["AlphabetLexicon", "spell", "spell_tokens", "letter_keyframes", "LetterKeyframes", "MAX_CHARS",
           "MAX_CLIP_FRAMES", "SpellingError"]


class AlphabetLexicon(Lexicon):
    """A language's manual alphabet as a lexicon: text -> letters -> key poses.

    Args:
        language: a registered sign-language code; its record names the alphabet and the
            spelling rules (see :mod:`signspark.signs.text_to_letters`).
    """

    kind = "fingerspelling"

    def __init__(self, language: str):
        record = get_language(language)
        self.language = record.code
        self.alphabet: Alphabet = record.get_alphabet()

    def tokens(self, text: str) -> list[str]:
        return letters(text, self.language)

    def describe(self, name: str) -> Letter:
        return self.alphabet[name]

    def form(self, name: str, signer: Signer, variant: int = 0) -> SignForm:
        letter = self.alphabet[name]
        return SignForm(name, letter_keyposes(letter, signer, variant),
                        letter.move.duration if letter.move is not None else 1.0)

    def __contains__(self, name: str) -> bool:
        return name in self.alphabet


def spell_tokens(tokens: list[str], language: str, text: str = "", seed: int = 0, speed: float = 1.0,
                 signer: Signer | int | None = None, fps: float = FPS) -> PoseSequence:
    """Like :func:`spell` for already-split letters (names of the language's alphabet, and the pauses
    :data:`~signspark.signs.text_to_letters.PAUSE` and :data:`~signspark.signs.text_to_letters.STOP`)."""
    lexicon = AlphabetLexicon(language)
    unknown = [t for t in tokens if not is_pause(t) and t not in lexicon]
    if unknown:
        raise SpellingError(f"{lexicon.language} manual alphabet has no letter(s) {unknown}; "
                            f"known: {sorted(lexicon.alphabet.letters)}")
    return take(tokens, lexicon, text=text, seed=seed, speed=speed, signer=signer, fps=fps)


def spell(text: str, language: str, seed: int = 0, speed: float = 1.0, signer: Signer | int | None = None,
          fps: float = FPS) -> PoseSequence:
    """Fingerspell ``text`` in ``language``'s manual alphabet.

    Args:
        text: spoken-language text (English for ASL/BSL, German for DGS, Chinese or
            pinyin for CSL), at most :data:`MAX_CHARS` characters.
        language: a registered sign-language code (``ASL``, ``BSL``, ``DGS``, ``CSL``, ...).
        seed: timing and jitter randomness (same seed, same output).
        speed: letter-rate multiplier (1 = about 4.5 letters per second for the default signer; below 1
            the holds grow most, for learners). The take must fit :data:`MAX_CLIP_FRAMES` frames.
        signer: a :class:`~signspark.signs.signers.Signer`, an int (a sampled signer), or
            None for the neutral default signer (no jitter).
        fps: frame rate.

    Returns:
        A :class:`PoseSequence` with one segment per letter, ``gloss`` the space-separated
        letters (one per segment), keyframes at each letter's onset, middle and offset.

    Raises:
        SpellingError: empty text, too long, or nothing spellable.
        UnknownLanguageError: unsupported language.
        ValueError: ``speed`` not a positive number, or so slow that the take would be longer
            than :data:`MAX_CLIP_FRAMES` frames (the message names ``speed``).
    """
    code = get_language(language).code
    tokens = letters(text, code)
    return spell_tokens(tokens, code, text=" ".join(text.split()), seed=seed, speed=speed, signer=signer, fps=fps)


@dataclasses.dataclass
class LetterKeyframes:
    """Keyframes of a fingerspelled text.

    Attributes:
        sequence: the full spelled clip (see :func:`spell`).
        frames: (K,) keyframe indices (onset, middle, offset of each letter).
        letters: K letter names, the letter each keyframe belongs to.
    """

    sequence: PoseSequence
    frames: np.ndarray
    letters: list[str]


def letter_keyframes(text: str, language: str, seed: int = 0, speed: float = 1.0,
                     signer: Signer | int | None = None, fps: float = FPS) -> LetterKeyframes:
    """Keyframes for fingerspelling ``text``: the poses a keyframes-to-pose generator is conditioned on."""
    seq = spell(text, language, seed=seed, speed=speed, signer=signer, fps=fps)
    names = seq.gloss.split()
    owner = []
    for f in seq.keyframes:
        k = int(np.flatnonzero((seq.segments[:, 0] <= f) & (seq.segments[:, 1] >= f))[0])
        owner.append(names[k])
    return LetterKeyframes(sequence=seq, frames=seq.keyframes.copy(), letters=owner)
