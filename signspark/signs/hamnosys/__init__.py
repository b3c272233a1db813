"""HamNoSys 4: symbol table, parser to typed sign descriptions, SiGML in/out, and signs to key poses.

    from signspark.signs.hamnosys import parse, read_sigml, write_sigml, animate, HamNoSysLexicon, load_lexicon
    sign = parse("hamflathand hamthumboutmod hamextfingeru hampalml hamchest hamtouch")
    xml = write_sigml([("DEIN", "\\ue001\\ue00c\\ue020\\ue03e\\ue052\\ue0d1")])
    form = animate(sign, label="DEIN")          # SignForm: key poses along the sign, notes
    lexicon = load_lexicon("signs.csv", "DGS").lexicon   # gloss,hamnosys rows -> HamNoSysLexicon

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
    "animate", "animate_hamnosys", "AnimationError", "HamNoSysLexicon", "sign_sequence", "load_lexicon",
    "LexiconFile", "LexiconFileError",
]

# the animator and the lexicons need the body and the posture layer: imported on first use
_LAZY = {"animate": "animator", "animate_hamnosys": "animator", "AnimationError": "animator",
         "HamNoSysLexicon": "lexicon", "sign_sequence": "lexicon", "load_lexicon": "lexicon_files",
         "LexiconFile": "lexicon_files", "LexiconFileError": "lexicon_files"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
