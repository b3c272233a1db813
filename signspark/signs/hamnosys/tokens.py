"""HamNoSys text -> a sequence of symbols, and back.

Two spellings are accepted:

- Unicode: one Private Use Area character per symbol (``"\\ue001\\ue00c\\ue020"``). A string with any
  character in U+E000..U+F8FF is read this way; every character must then be a symbol (U+0020 is
  ``hamspace``); tabs and line breaks are skipped.
- Names: symbol names separated by spaces and/or commas (``"hamflathand hamthumboutmod, hamextfingeru"``),
  matched without regard to case.

``MAX_SYMBOLS`` bounds the work a caller can ask for; longer input is refused before it is parsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import HamNoSysError
from .symbols import Symbol, symbol_table

#: The most symbols one HamNoSys string may hold (the DSGS lexicon's longest sign has 82).
MAX_SYMBOLS = 1000
_MAX_CHARS = 64 * MAX_SYMBOLS  # names are at most ~25 characters; this bounds the split below
_PUA = re.compile("[\ue000-\uf8ff]")
_SEPARATORS = re.compile(r"[\s,]+")
_SKIPPED = "\t\r\n"


@dataclass(frozen=True)
class Token:
    """One symbol of the input and its 0-based ``position`` among the input's symbols."""

    symbol: Symbol
    position: int

    @property
    def name(self) -> str:
        return self.symbol.name


def _too_long(count: int) -> HamNoSysError:
    return HamNoSysError(f"HamNoSys input has {count} symbols or more; at most {MAX_SYMBOLS} are accepted",
                         position=MAX_SYMBOLS, reason="too long")


def tokenize(text: str) -> list[Token]:
    """Split HamNoSys ``text`` (Unicode or names, see the module docstring) into tokens.

    Raises ``HamNoSysError`` for empty input, an unknown character or name (naming it and its position),
    or more than ``MAX_SYMBOLS`` symbols.
    """
    if not isinstance(text, str):
        raise TypeError(f"HamNoSys input must be a str, got {type(text).__name__}")
    if len(text) > _MAX_CHARS:
        raise _too_long(len(text) // 64)
    table = symbol_table()
    tokens: list[Token] = []
    if _PUA.search(text):
        for ch in text:
            if ch in _SKIPPED:
                continue
            symbol = table.by_codepoint.get(ord(ch))
            if symbol is None:
                raise HamNoSysError(f"character U+{ord(ch):04X} at position {len(tokens)} is not a HamNoSys symbol",
                                    symbol=f"U+{ord(ch):04X}", position=len(tokens), reason="unknown symbol")
            tokens.append(Token(symbol, len(tokens)))
            if len(tokens) > MAX_SYMBOLS:
                raise _too_long(len(tokens))
    else:
        for word in _SEPARATORS.split(text.strip()):
            if not word:
                continue
            symbol = table.by_lower_name.get(word.lower())
            if symbol is None:
                raise HamNoSysError(f"{word!r} at position {len(tokens)} is not a HamNoSys symbol name",
                                    symbol=word, position=len(tokens), reason="unknown symbol")
            tokens.append(Token(symbol, len(tokens)))
            if len(tokens) > MAX_SYMBOLS:
                raise _too_long(len(tokens))
    if not tokens:
        raise HamNoSysError("HamNoSys input is empty", reason="empty")
    return tokens


def to_names(text: str) -> list[str]:
    """The symbol names of HamNoSys ``text``: ``["hamflathand", "hamthumboutmod", ...]``."""
    return [t.name for t in tokenize(text)]


def to_unicode(names: list[str] | tuple[str, ...] | str) -> str:
    """Symbol names (a list, or one string in the names spelling) -> the Private Use Area string."""
    if isinstance(names, str):
        return "".join(t.symbol.char for t in tokenize(names))
    table = symbol_table()
    out = []
    for i, name in enumerate(names):
        symbol = table.by_lower_name.get(str(name).lower())
        if symbol is None:
            raise HamNoSysError(f"{name!r} at position {i} is not a HamNoSys symbol name", symbol=str(name),
                                position=i, reason="unknown symbol")
        out.append(symbol.char)
    if len(out) > MAX_SYMBOLS:
        raise _too_long(len(out))
    return "".join(out)
