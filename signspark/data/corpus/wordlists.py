"""The corpus's word lists: the built-in word lists of :mod:`signspark.signs.wordlists` (where inference,
e.g. fingerspelling practice, finds them too)."""

from signspark.signs.wordlists import WORDS, words

__all__ = ["WORDS", "words"]
