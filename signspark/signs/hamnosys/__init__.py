"""HamNoSys 4: symbol table, parser to typed sign descriptions, and SiGML in/out.

    from signspark.signs.hamnosys import parse, read_sigml, write_sigml
    sign = parse("hamflathand hamthumboutmod hamextfingeru hampalml hamchest hamtouch")
    xml = write_sigml([("DEIN", "\\ue001\\ue00c\\ue020\\ue03e\\ue052\\ue0d1")])

See :mod:`.description` for the result's shape and conventions (frame, units), :mod:`.directions` for
direction vectors, :mod:`.parser` for the grammar and :mod:`.sigml` for the XML formats.
"""

from .description import (
    Action, Configuration, Constellation, Contact, DirectionSpec, FingerSpec, Goto, Handshape, HandSite,
    Location, Movement, Parallel, Posture, Repeat, Replace, Sequence, SignDescription, SignPart, Split, Symmetry,
    walk_actions,
)
from .errors import HamNoSysError, HamNoSysUnsupported, SiGMLError
from .parser import MAX_NESTING, MAX_SYMBOLS, parse, parse_names
from .sigml import MAX_ELEMENTS, MAX_SIGML_BYTES, SiGMLSign, read_sigml, to_sigml, write_sigml
from .symbols import Category, Symbol, SymbolTable, symbol_table
from .tokens import to_names, to_unicode, tokenize

__all__ = [
    "Action", "Configuration", "Constellation", "Contact", "DirectionSpec", "FingerSpec", "Goto", "Handshape",
    "HandSite", "Location", "Movement", "Parallel", "Posture", "Repeat", "Replace", "Sequence",
    "SignDescription", "SignPart", "Split", "Symmetry", "walk_actions",
    "HamNoSysError", "HamNoSysUnsupported", "SiGMLError",
    "MAX_NESTING", "MAX_SYMBOLS", "parse", "parse_names",
    "MAX_ELEMENTS", "MAX_SIGML_BYTES", "SiGMLSign", "read_sigml", "to_sigml", "write_sigml",
    "Category", "Symbol", "SymbolTable", "symbol_table",
    "to_names", "to_unicode", "tokenize",
]
