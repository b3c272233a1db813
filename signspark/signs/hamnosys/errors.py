"""Exceptions raised when reading HamNoSys strings and SiGML documents.

Every error is a ``ValueError`` so callers at the edges (CLI, demo, pipeline) can catch one type.
Each carries the facts needed to point at the problem without parsing the message:

- ``HamNoSysError.symbol``: the offending symbol's name (``"hamtouch"``), or ``None`` at the end of input;
- ``HamNoSysError.position``: its 0-based index in the sequence of symbols (not characters of a name string);
- ``HamNoSysError.reason``: a short, stable phrase used to group failures ("unexpected symbol", ...).
"""

from __future__ import annotations


class HamNoSysError(ValueError):
    """A HamNoSys string that is malformed, too long, too deeply nested, or uses an unknown symbol."""

    def __init__(self, message: str, *, symbol: str | None = None, position: int | None = None,
                 reason: str = "malformed") -> None:
        super().__init__(message)
        self.symbol = symbol
        self.position = position
        self.reason = reason


class HamNoSysUnsupported(HamNoSysError):
    """A well-formed symbol that this parser does not interpret (alternatives, co-reference, mime, punctuation)."""


class SiGMLError(ValueError):
    """A SiGML document that is not safe XML, too large, or does not have the expected structure.

    ``element`` names the offending element (its tag, or a path such as ``"hns_sign[2]/hamnosys_manual"``),
    or is ``None`` when the document as a whole is at fault.
    """

    def __init__(self, message: str, *, element: str | None = None) -> None:
        super().__init__(message)
        self.element = element
