"""The HamNoSys 4 symbol table: symbol names, their Private Use Area code points, and a category for each.

The names and code points are read at run time from the ``hamnosys`` package (its data file
``hamnosys/data/conversion_dict.txt``, rows ``hamname, HEXCODE`` with an optional note after a tab such
as ``(Also 00EE)``, which we read as a second code point for the same symbol). The table is not copied
into this repository. Categories are assigned here from the names.

    >>> table = symbol_table()
    >>> table.by_name["hamflathand"].char == "\\ue001"
    True
    >>> table.by_name["hamtouch"].category is Category.CONTACT
    True

A symbol's ``short`` name drops the ``ham`` prefix (``"flathand"``); the description dataclasses use
short names and direction codes (``"uo"`` from ``hamextfingeruo``).
"""

from __future__ import annotations

import enum
import functools
import re
from dataclasses import dataclass
from importlib import resources

from .errors import HamNoSysError


class Category(str, enum.Enum):
    """What a symbol is for; the parser's grammar is written in terms of these."""

    HANDSHAPE = "handshape"              # basic forms: fist, flat hand, finger2, pinch, cee ...
    THUMB_MOD = "thumb modifier"         # thumb out / across / open
    FINGER_BEND = "finger bending"       # straight, bent, hooked, double bent, double hooked
    DIGIT = "digit"                      # thumb, index ... pinky (in handshapes and hand locations)
    FINGER_PART = "finger part"          # tip, nail, pad, mid joint, base, side
    EXT_FINGER = "extended finger direction"
    PALM = "palm orientation"
    BODY_SITE = "body location"          # head ... below stomach, neutral space
    ARM_SITE = "arm location"            # upper arm, elbow, lower arm
    HAND_SITE = "hand location"          # wrist, palm, back, thumb ball, thumb/pinky side
    SIDE = "side"                        # lrat, lrbeside
    CONTACT = "distance/contact"         # close, touch, interlock, cross, brushing, behind, arm extended
    STRAIGHT = "straight movement"
    CIRCLE = "circular movement"
    LOCAL = "local movement"             # finger play, nodding, swinging, twisting, stirring, cross, X
    NO_MOTION = "no motion"
    REPLACE = "replacement"
    ARC = "arc"
    PATH = "path modifier"               # wavy, zigzag
    ELLIPSE = "ellipse"
    SIZE_CHANGE = "size change"          # increasing, decreasing (spirals)
    CLOCK = "clock position"             # start / end points of circles
    SIZE = "size modifier"               # small, large
    MANNER = "manner"                    # fast, slow, tense, rest, halt
    REPETITION = "repetition"
    ALTERNATING = "alternating"
    BRACKET = "bracket"
    BETWEEN = "between"
    PLUS = "plus"
    SYMMETRY = "symmetry"
    NONDOMINANT = "nondominant"
    NONIPSI = "non-ipsilateral"
    ETC = "etc"
    ORI_RELATIVE = "relative orientation"
    COREF = "co-reference"
    ALTERNATIVE = "alternative"          # notational alternatives { a | b }
    META = "meta"                        # version tag, mime
    PUNCTUATION = "punctuation"


#: The HamNoSys direction codes: u(p), d(own), l(eft), r(ight), o(ut, away from the body), i(n, towards it).
DIRECTION_LETTERS = "udlroi"

_EXACT: dict[str, tuple[str, ...]] = {
    Category.PUNCTUATION: ("hamspace", "hamexclaim", "hamcomma", "hamfullstop", "hamquery"),
    Category.ALTERNATIVE: ("hamaltbegin", "hammetaalt", "hamaltend"),
    Category.HANDSHAPE: ("hamfist", "hamflathand", "hamfinger2", "hamfinger23", "hamfinger23spread",
                         "hamfinger2345", "hampinch12", "hampinchall", "hampinch12open", "hamcee12",
                         "hamceeall", "hamceeopen"),
    Category.THUMB_MOD: ("hamthumboutmod", "hamthumbacrossmod", "hamthumbopenmod"),
    Category.FINGER_BEND: ("hamfingerstraightmod", "hamfingerbendmod", "hamfingerhookmod", "hamdoublebent",
                           "hamdoublehooked"),
    Category.BODY_SITE: ("hamhead", "hamheadtop", "hamforehead", "hameyebrows", "hameyes", "hamnose",
                         "hamnostrils", "hamear", "hamearlobe", "hamcheek", "hamlips", "hamtongue", "hamteeth",
                         "hamchin", "hamunderchin", "hamneck", "hamshouldertop", "hamshoulders", "hamchest",
                         "hamstomach", "hambelowstomach", "hamneutralspace"),
    Category.SIDE: ("hamlrbeside", "hamlrat"),
    Category.COREF: ("hamcoreftag", "hamcorefref"),
    Category.ARM_SITE: ("hamupperarm", "hamelbow", "hamelbowinside", "hamlowerarm"),
    Category.HAND_SITE: ("hamwristback", "hamwristpulse", "hamthumbball", "hampalm", "hamhandback",
                         "hamthumbside", "hampinkyside", "hamwristtopulse", "hamwristtoback", "hamwristtothumb",
                         "hamwristtopinky"),
    Category.DIGIT: ("hamthumb", "hamindexfinger", "hammiddlefinger", "hamringfinger", "hampinky"),
    Category.FINGER_PART: ("hamfingertip", "hamfingernail", "hamfingerpad", "hamfingermidjoint",
                           "hamfingerbase", "hamfingerside"),
    Category.LOCAL: ("hamfingerplay", "hamnodding", "hamswinging", "hamtwisting", "hamstircw", "hamstirccw",
                     "hammovecross", "hammoveX"),
    Category.NO_MOTION: ("hamnomotion",),
    Category.REPLACE: ("hamreplace",),
    Category.PATH: ("hamwavy", "hamzigzag"),
    Category.SIZE_CHANGE: ("hamincreasing", "hamdecreasing"),
    Category.SIZE: ("hamsmallmod", "hamlargemod"),
    Category.MANNER: ("hamfast", "hamslow", "hamtense", "hamrest", "hamhalt"),
    Category.CONTACT: ("hamclose", "hamtouch", "haminterlock", "hamcross", "hamarmextended", "hambehind",
                       "hambrushing"),
    Category.ALTERNATING: ("hamalternatingmotion",),
    Category.BRACKET: ("hamseqbegin", "hamseqend", "hamparbegin", "hamparend", "hamfusionbegin",
                       "hamfusionend"),
    Category.BETWEEN: ("hambetween",),
    Category.PLUS: ("hamplus",),
    Category.SYMMETRY: ("hamsymmpar", "hamsymmlr"),
    Category.NONDOMINANT: ("hamnondominant",),
    Category.NONIPSI: ("hamnonipsi",),
    Category.ETC: ("hametc",),
    Category.ORI_RELATIVE: ("hamorirelative",),
    Category.META: ("hammime", "hamversion40"),
}

# Families named by a prefix and a direction / clock / shape code.
_FAMILIES: tuple[tuple[str, Category, str], ...] = (
    ("hamextfinger", Category.EXT_FINGER, r"[udlroi]{1,2}"),
    ("hampalm", Category.PALM, r"[udlr]{1,2}"),
    ("hammove", Category.STRAIGHT, r"[udlroi]{1,2}"),
    ("hamcircle", Category.CIRCLE, r"[udlroi]{1,2}"),
    ("hamclock", Category.CLOCK, r"[udlr]{1,2}|full"),
    ("hamarc", Category.ARC, r"[udlr]"),
    ("hamellipse", Category.ELLIPSE, r"h|v|ur|ul"),
    ("hamrepeat", Category.REPETITION, r"(fromstart|continue)(several)?|reverse"),
)


@dataclass(frozen=True)
class Symbol:
    """One HamNoSys symbol.

    ``name``: the SiGML element name, e.g. ``"hamextfingeruo"``; ``codepoint``: its Private Use Area
    code point (``0xE031``); ``category``: see :class:`Category`; ``code``: the direction / clock / shape
    code carried by family symbols (``"uo"``), else ``None``.
    """

    name: str
    codepoint: int
    category: Category
    code: str | None = None

    @property
    def char(self) -> str:
        """The symbol as a one-character string."""
        return chr(self.codepoint)

    @property
    def short(self) -> str:
        """The name without its ``ham`` prefix: ``"flathand"``."""
        return self.name[3:] if self.name.startswith("ham") else self.name


@dataclass(frozen=True)
class SymbolTable:
    """All symbols, by name (case as in the table), by lower-case name, and by code point."""

    symbols: tuple[Symbol, ...]
    by_name: dict[str, Symbol]
    by_lower_name: dict[str, Symbol]
    by_codepoint: dict[int, Symbol]


def categorize(name: str) -> tuple[Category, str | None]:
    """The category (and family code, if any) of a symbol name; raises ``HamNoSysError`` for an unknown name."""
    for category, names in _EXACT.items():
        if name in names:
            return Category(category), None
    for prefix, category, pattern in _FAMILIES:
        if name.startswith(prefix) and re.fullmatch(pattern, name[len(prefix):]):
            return category, name[len(prefix):]
    raise HamNoSysError(f"no category for HamNoSys symbol {name!r}", symbol=name, reason="uncategorised symbol")


def _read_rows(text: str) -> list[tuple[str, list[int]]]:
    rows = []
    for line in text.splitlines():
        if not line.strip() or "," not in line:
            continue
        name, rest = line.split(",", 1)
        codes = re.findall(r"\b[0-9A-Fa-f]{4}\b", rest)
        if not codes:
            continue
        rows.append((name.strip(), [int(c, 16) for c in codes]))
    return rows


@functools.cache
def symbol_table() -> SymbolTable:
    """The symbol table, read once from the installed ``hamnosys`` package.

    The first code point of a row is the symbol's own; further ones in its note (``(Also 00EE)``) are
    accepted when decoding but never written.
    """
    try:
        text = resources.files("hamnosys.data").joinpath("conversion_dict.txt").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as exc:  # pragma: no cover - a broken install
        raise RuntimeError("the HamNoSys symbol table needs the 'hamnosys' package: pip install hamnosys==0.1.0") \
            from exc
    symbols, by_codepoint = [], {}
    for name, codes in _read_rows(text):
        category, code = categorize(name)
        symbol = Symbol(name, codes[0], category, code)
        symbols.append(symbol)
        for cp in codes:
            by_codepoint.setdefault(cp, symbol)
    return SymbolTable(
        symbols=tuple(symbols),
        by_name={s.name: s for s in symbols},
        by_lower_name={s.name.lower(): s for s in symbols},
        by_codepoint=by_codepoint,
    )
