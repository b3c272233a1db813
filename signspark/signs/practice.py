"""Fingerspelling practice: a word to read from the signer's hands, and letter-by-letter feedback.

The learner watches a word fingerspelled, types what they read, and sees which letters they
got right, which they missed and which they added. Words come from the language's built-in
word list (:mod:`signspark.signs.wordlists`), chosen by length in fingerspelled letters
(``"SCH"`` in DGS and ``"ZH"`` in CSL count as one letter; a Chinese word counts the letters
of its pinyin). Answers are compared as letters of the same manual alphabet, so case and
accents do not matter, and for CSL the learner may type pinyin or the characters.

Example::

    word = choose_word("ASL", "medium", seed=3)         # e.g. "friend"
    result = check_answer(word, "frend", "ASL")
    result.correct, result.total, result.exact          # 5, 6, False
    [m.status for m in result.marks]                    # ['ok', 'ok', 'missing', 'ok', 'ok', 'ok']
"""

from __future__ import annotations

import dataclasses
import functools
import random
import warnings
from typing import Iterable, Sequence

from .languages import get_language
from .text_to_letters import PAUSES, SpellingError, letters

__all__ = ["LENGTHS", "LetterMark", "PracticeResult", "practice_words", "choose_word", "check_answer",
           "spelled_letters"]

LENGTHS: dict[str, tuple[int, int]] = {"short": (2, 4), "medium": (5, 7), "long": (8, 14)}
"""Word lengths a learner chooses, in fingerspelled letters (inclusive ranges)."""


@dataclasses.dataclass(frozen=True)
class LetterMark:
    """One position of the comparison.

    Attributes:
        expected: the letter of the word (None: the learner typed a letter too many).
        typed: what the learner typed there (None: a letter was left out).
        status: ``"ok"``, ``"wrong"`` (another letter), ``"missing"`` or ``"extra"``.
    """

    expected: str | None
    typed: str | None
    status: str


@dataclasses.dataclass(frozen=True)
class PracticeResult:
    """The learner's answer against the word.

    Attributes:
        word: the word that was signed; language: its sign language.
        expected, typed: both as letters of the manual alphabet.
        marks: the letter-by-letter comparison (the alignment with fewest changes).
        correct: letters of the word read right; total: letters of the word.
    """

    word: str
    language: str
    expected: list[str]
    typed: list[str]
    marks: list[LetterMark]
    correct: int
    total: int

    @property
    def exact(self) -> bool:
        """Every letter right and none added."""
        return self.correct == self.total and len(self.typed) == self.total

    @property
    def score(self) -> float:
        """Letters right, minus letters added, over the word's letters, in [0, 1]."""
        extra = sum(m.status == "extra" for m in self.marks)
        return max(0.0, (self.correct - extra) / max(self.total, 1))


def spelled_letters(text: str, language: str) -> list[str]:
    """The manual-alphabet letters of ``text`` without word pauses (``[]`` when there is nothing to spell)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return [x for x in letters(text, language, warn=False) if x not in PAUSES]
    except SpellingError:
        return []


@functools.lru_cache(maxsize=16)
def _words_by_length(code: str) -> dict[int, tuple[str, ...]]:
    from .wordlists import words

    out: dict[int, list[str]] = {}
    for w in words(code):
        if any(ch.isdigit() for ch in w):
            continue  # practice reads words; digits have their own handshapes
        n = len(spelled_letters(w, code))
        if n:
            out.setdefault(n, []).append(w)
    return {n: tuple(ws) for n, ws in out.items()}


def practice_words(language: str, length: str = "short") -> list[str]:
    """The words of ``language``'s list whose fingerspelling has ``length`` letters (see :data:`LENGTHS`)."""
    code = get_language(language).code
    if length not in LENGTHS:
        raise ValueError(f"unknown word length {length!r}; choose one of {', '.join(LENGTHS)}")
    lo, hi = LENGTHS[length]
    by_length = _words_by_length(code)
    return [w for n in range(lo, hi + 1) for w in by_length.get(n, ())]


def choose_word(language: str, length: str = "short", seed: int | None = None,
                avoid: Iterable[str] = ()) -> str:
    """A word to practise: random among :func:`practice_words`, not one of ``avoid`` while others are left.

    Raises:
        ValueError: an unknown length, or a language whose list has no word of that length.
    """
    words = practice_words(language, length)
    if not words:
        raise ValueError(f"the {get_language(language).code} word list has no {length} words to practise; "
                         f"choose another length")
    seen = set(avoid)
    fresh = [w for w in words if w not in seen] or words
    return random.Random(seed).choice(fresh)


def _align(expected: Sequence[str], typed: Sequence[str]) -> list[LetterMark]:
    """The edit-distance alignment (Levenshtein, substitutions preferred to a miss plus an extra)."""
    n, m = len(expected), len(typed)
    cost = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        cost[i][0] = i
    for j in range(m + 1):
        cost[0][j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            same = expected[i - 1] == typed[j - 1]
            cost[i][j] = min(cost[i - 1][j - 1] + (0 if same else 1), cost[i - 1][j] + 1, cost[i][j - 1] + 1)
    marks: list[LetterMark] = []
    i, j = n, m
    while i or j:
        if i and j and cost[i][j] == cost[i - 1][j - 1] + (0 if expected[i - 1] == typed[j - 1] else 1):
            ok = expected[i - 1] == typed[j - 1]
            marks.append(LetterMark(expected[i - 1], typed[j - 1], "ok" if ok else "wrong"))
            i, j = i - 1, j - 1
        elif i and cost[i][j] == cost[i - 1][j] + 1:
            marks.append(LetterMark(expected[i - 1], None, "missing"))
            i -= 1
        else:
            marks.append(LetterMark(None, typed[j - 1], "extra"))
            j -= 1
    return marks[::-1]


def check_answer(word: str, answer: str, language: str) -> PracticeResult:
    """Compare what the learner typed with the word, letter by letter (case and accents ignored).

    Raises:
        ValueError: a word with nothing to fingerspell, or an unknown language.
    """
    code = get_language(language).code
    expected = spelled_letters(word, code)
    if not expected:
        raise ValueError(f"{word!r} has nothing to fingerspell in {code}")
    typed = spelled_letters(answer or "", code)
    marks = _align(expected, typed)
    correct = sum(m.status == "ok" for m in marks)
    return PracticeResult(word=word, language=code, expected=expected, typed=typed, marks=marks, correct=correct,
                          total=len(expected))
