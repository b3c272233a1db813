"""Numbers written with digits -> a number sign of the lexicon when it has one.

``"3"`` -> DREI when the lexicon has DREI; a digit string that is itself a gloss name (the lexicon
names one sign ``891``) is that sign. Other numbers are fingerspelled digit by digit by the caller
(the manual alphabet has 0-9). Number words in the text (``drei``) are ordinary words.
"""

from __future__ import annotations

from .index import GlossIndex, Match

__all__ = ["NUMBER_WORDS", "number_sign"]

NUMBER_WORDS = {
    0: "NULL", 1: "EINS", 2: "ZWEI", 3: "DREI", 4: "VIER", 5: "FÜNF", 6: "SECHS", 7: "SIEBEN", 8: "ACHT",
    9: "NEUN", 10: "ZEHN", 11: "ELF", 12: "ZWÖLF", 20: "ZWANZIG", 30: "DREISSIG", 40: "VIERZIG",
    50: "FÜNFZIG", 100: "HUNDERT", 1000: "TAUSEND",
}


def number_sign(digits: str, index: GlossIndex) -> Match | None:
    """The sign for a number written in digits (``"3"``), or None when the lexicon has none."""
    if not digits.isdigit() or not digits.isascii():
        return None
    if digits in index:
        return Match(digits, index[digits], "number")
    if len(digits) > 1 and digits.startswith("0"):
        return None          # "007" is spelled digit by digit
    word = NUMBER_WORDS.get(int(digits))
    name = index.best(word) if word else None
    return Match(name, index[name], "number") if name else None
