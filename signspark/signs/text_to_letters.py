"""Spoken-language text -> the letters a signer fingerspells.

Which rules apply is the ``spelling`` of the language's registry record:

* ``latin`` (ASL, BSL; English): A-Z and digits; accented Latin letters lose their accent
  (é -> E); ß becomes SS and Ä/Ö/Ü become A/O/U.
* ``german`` (DGS): A-Z, digits, Ä Ö Ü and ß as their own letters (ae/oe/ue stay as
  written), and SCH as one letter.
* ``swiss_german`` (DSGS): A-Z, digits, Ä Ö Ü as their own letters, SCH and CH each one
  letter; Swiss spelling has no ß, so ß is spelled SS.
* ``pinyin`` (CSL): Chinese characters go through pinyin (``pypinyin``, no tones);
  the initials ZH, CH, SH and a final NG are single letters, ü is Ü. Latin text
  is read as pinyin.

Whitespace (and ``-``, ``_``, ``/``) becomes a pause token :data:`PAUSE` (a word
gap); the punctuation ``. , ; : ! ? …`` and its CJK forms (``。，、；：！？``) become
the longer pause :data:`STOP` (signers drop the hand a little and hold before going
on); quotes and brackets are dropped silently; any other character is skipped with an
:class:`UnsupportedCharacterWarning` naming it. Pauses never lead, trail or repeat:
neighbouring pauses merge into the longer one. Text longer than
:data:`MAX_CHARS` or with nothing spellable left raises :class:`SpellingError`.

Example::

    >>> letters("Straße", "DGS")
    ['S', 'T', 'R', 'A', 'ß', 'E']
    >>> letters("你好", "CSL")
    ['N', 'I', 'H', 'A', 'O']
    >>> letters("Hi, Bob", "ASL")
    ['H', 'I', '.', 'B', 'O', 'B']
"""

from __future__ import annotations

import re
import unicodedata
import warnings

from signspark.signs.languages import get_language

__all__ = ["letters", "PAUSE", "STOP", "PAUSES", "is_pause", "MAX_CHARS", "SpellingError",
           "UnsupportedCharacterWarning", "normalise"]

PAUSE = " "       # a word gap
STOP = "."        # a punctuation pause (longer than a word gap)
PAUSES = (PAUSE, STOP)
MAX_CHARS = 200
_STOP_CHARS = set(".,;:!?…。，、；：！？")
_SILENT = set("\"'()[]{}«»„“”‘’（）《》「」·")
_PAUSE_CHARS = set("-_/–—")


class SpellingError(ValueError):
    """The text cannot be fingerspelled (empty, too long, or nothing spellable)."""


class UnsupportedCharacterWarning(UserWarning):
    """Some characters have no fingerspelled form and were skipped."""


def is_pause(token: str) -> bool:
    """Whether a token is a pause (:data:`PAUSE` or :data:`STOP`) rather than a sign."""
    return token in PAUSES


def normalise(text: str) -> str:
    """Unicode NFC, collapse whitespace, strip."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def _strip_accent(ch: str) -> str:
    base = unicodedata.normalize("NFKD", ch)
    return "".join(c for c in base if not unicodedata.combining(c))


def _latin(text: str, german: bool, skipped: list[str], swiss: bool = False) -> list[str]:
    out: list[str] = []
    sharp_s = german and not swiss   # ß as a letter of its own (DGS); Swiss spelling writes SS
    upper = text.upper() if not sharp_s else text.replace("ß", "\x00").upper().replace("\x00", "ß")
    i = 0
    while i < len(upper):
        ch = upper[i]
        if german and upper.startswith("SCH", i):
            out.append("SCH")
            i += 3
            continue
        if swiss and upper.startswith("CH", i):
            out.append("CH")
            i += 2
            continue
        i += 1
        if ch.isspace() or ch in _PAUSE_CHARS:
            out.append(PAUSE)
        elif ch in _STOP_CHARS:
            out.append(STOP)
        elif ch in _SILENT:
            continue
        elif "A" <= ch <= "Z" or "0" <= ch <= "9":
            out.append(ch)
        elif german and ch in "ÄÖÜ" or sharp_s and ch == "ß":
            out.append(ch)
        elif ch in "ÄÖÜ":
            out.append(_strip_accent(ch))
        elif ch in ("ß", "ẞ"):
            out.extend(["S", "S"])
        else:
            base = _strip_accent(ch).upper()
            if len(base) == 1 and "A" <= base <= "Z":
                out.append(base)
            else:
                skipped.append(ch)
    return out


_INITIALS2 = ("ZH", "CH", "SH")


def _pinyin_syllable(syl: str) -> list[str]:
    """One pinyin syllable (letters only, no tones) -> CSL letters."""
    s = syl.upper().replace("Ü", "V").replace("U:", "V")
    out: list[str] = []
    i = 0
    if s[:2] in _INITIALS2:
        out.append(s[:2])
        i = 2
    while i < len(s):
        if s.startswith("NG", i) and (i + 2 == len(s) or s[i + 2] not in "AEIOUV"):
            out.append("NG")
            i += 2
            continue
        ch = s[i]
        out.append("Ü" if ch == "V" else ch)
        i += 1
    return out


def _chinese(text: str, skipped: list[str]) -> list[str]:
    from pypinyin import Style, lazy_pinyin

    out: list[str] = []
    for token in re.findall(r"[\u3400-\u9fff\uf900-\ufaff]+|[A-Za-zÜüÀ-ɏ]+|\d|\s+|.", text):
        if token.isspace() or token in _PAUSE_CHARS:
            out.append(PAUSE)
        elif token in _STOP_CHARS:
            out.append(STOP)
        elif token in _SILENT:
            continue
        elif token.isdigit() and len(token) == 1 and "0" <= token <= "9":
            out.append(token)
        elif re.fullmatch(r"[\u3400-\u9fff\uf900-\ufaff]+", token):
            syllables = lazy_pinyin(token, style=Style.NORMAL, v_to_u=True, errors=lambda s: list(s))
            for syl in syllables:
                if not syl.isalpha() or not syl.isascii() and "ü" not in syl:
                    skipped.append(syl)
                    continue
                out.extend(_pinyin_syllable(syl))
        elif re.fullmatch(r"[A-Za-zÜüÀ-ɏ]+", token):
            clean = "".join(c if c in "üÜ" else _strip_accent(c) for c in token)
            out.extend(_pinyin_syllable(clean))
        else:
            skipped.append(token)
    return out


def letters(text: str, language: str, warn: bool = True) -> list[str]:
    """Fingerspelled letters of ``text`` in ``language`` (any registered sign language).

    Returns letter names of that language's manual alphabet (``"A"``, ``"SCH"``,
    ``"ZH"``, ``"7"``) with :data:`PAUSE` between words and :data:`STOP` at
    punctuation (never leading, trailing or doubled).

    Raises:
        SpellingError: empty text, more than :data:`MAX_CHARS` characters, or no
            spellable character.
        UnknownLanguageError: an unsupported language code.
    """
    code = get_language(language).code
    if not isinstance(text, str):
        raise SpellingError(f"text must be a string, got {type(text).__name__}")
    text = normalise(text)
    if not text:
        raise SpellingError("nothing to spell: the text is empty")
    if len(text) > MAX_CHARS:
        raise SpellingError(f"text is {len(text)} characters long; fingerspelling is limited to {MAX_CHARS} "
                            "characters (split it into shorter pieces)")
    skipped: list[str] = []
    spelling = get_language(code).spelling
    if spelling == "pinyin":
        raw = _chinese(text, skipped)
    else:
        raw = _latin(text, german=spelling in ("german", "swiss_german"), skipped=skipped,
                     swiss=spelling == "swiss_german")
    out: list[str] = []
    for tok in raw:
        if tok in PAUSES:
            if not out:
                continue
            if out[-1] in PAUSES:
                out[-1] = STOP if STOP in (tok, out[-1]) else PAUSE
                continue
        out.append(tok)
    while out and out[-1] in PAUSES:
        out.pop()
    if not out:
        raise SpellingError(f"nothing to spell in {text!r} for {code}: no letters or digits it can fingerspell")
    if skipped and warn:
        uniq = "".join(dict.fromkeys(skipped))
        warnings.warn(f"{code} fingerspelling skipped characters it has no form for: {uniq!r}",
                      UnsupportedCharacterWarning, stacklevel=2)
    return out
