"""User lexicons from files: a CSV of glosses and HamNoSys, or SiGML files -> a :class:`HamNoSysLexicon`.

* **CSV** (UTF-8, a header row naming the columns ``gloss`` and ``hamnosys``, other columns ignored):
  HamNoSys as Private Use Area characters or as symbol names separated by spaces or commas, with or
  without the ``ham`` prefix (``flathand extfingeru palml chest touch``)::

      gloss,hamnosys
      KIND,hamflathand hamthumboutmod hamextfingero hampalmd hamchest hamlrat hammoved hamsmallmod

* **SiGML**: one ``.sigml`` file, or a folder of them (not searched recursively), each holding one or
  more ``<hns_sign>`` / ``<hamgestural_sign>`` elements; a sign without a ``gloss`` attribute is named
  after its file (``hello.sigml`` -> ``HELLO``, then ``HELLO_2``, ...).

Bad rows and files do not stop the others: each is reported in :attr:`LexiconFile.problems` with its
line number or file name (a duplicate gloss keeps the first). A file with no usable sign raises
:class:`LexiconFileError` listing the problems. Limits: :data:`MAX_LEXICON_BYTES` in all,
:data:`MAX_ROWS` signs, :data:`MAX_FILES` files in a folder.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import os
from pathlib import Path

from .errors import HamNoSysError, SiGMLError
from .lexicon import MAX_ENTRIES, HamNoSysLexicon
from .parser import parse
from .sigml import read_sigml
from .symbols import symbol_table

__all__ = ["LexiconFile", "LexiconFileError", "load_lexicon", "signs_from_text", "MAX_LEXICON_BYTES", "MAX_ROWS",
           "MAX_FILES"]

MAX_LEXICON_BYTES = 10_000_000
MAX_ROWS = MAX_ENTRIES
MAX_FILES = 10_000
_SHOWN = 20   # problems quoted in an error message


class LexiconFileError(ValueError):
    """A lexicon file or folder that cannot be used at all (missing, too large, no usable sign)."""


@dataclasses.dataclass
class LexiconFile:
    """A loaded user lexicon: ``lexicon`` and the ``problems`` met (``"FILE:LINE: message"``)."""

    lexicon: HamNoSysLexicon
    problems: list[str]
    source: str


def _with_prefix(text: str) -> str:
    """Symbol names written without their ``ham`` prefix get it (``flathand`` -> ``hamflathand``)."""
    names = symbol_table().by_lower_name
    out = []
    for word in text.replace(",", " ").split():
        w = word.lower()
        out.append(word if w in names or f"ham{w}" not in names else f"ham{w}")
    return " ".join(out)


def _parse_row(text: str):
    try:
        return parse(text)
    except HamNoSysError:
        fixed = _with_prefix(text)
        if fixed == text:
            raise
        return parse(fixed)


def _read_csv(path: Path, data: bytes, problems: list[str]) -> dict:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LexiconFileError(f"{path}: not UTF-8 text ({exc})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise LexiconFileError(f"{path}: empty; expected a header row 'gloss,hamnosys'") from None
    except csv.Error as exc:
        raise LexiconFileError(f"{path}:1: {exc}") from None
    cols = [h.strip().lower() for h in header]
    if "gloss" not in cols or "hamnosys" not in cols:
        raise LexiconFileError(f"{path}:1: the header must name the columns 'gloss' and 'hamnosys', got {header}")
    g, h = cols.index("gloss"), cols.index("hamnosys")
    entries: dict = {}
    rows = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(f"{path}:{reader.line_num}: {exc}")
            continue
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        rows += 1
        if rows > MAX_ROWS:
            raise LexiconFileError(f"{path}: more than {MAX_ROWS} rows")
        if len(row) <= max(g, h):
            problems.append(f"{path}:{line}: {len(row)} columns, expected a gloss and a HamNoSys column")
            continue
        gloss, notation = row[g].strip(), row[h].strip()
        if not gloss or not notation:
            problems.append(f"{path}:{line}: empty {'gloss' if not gloss else 'hamnosys'}")
            continue
        if gloss in entries:
            problems.append(f"{path}:{line}: gloss {gloss!r} given again; the first kept")
            continue
        try:
            entries[gloss] = _parse_row(notation)
        except HamNoSysError as exc:
            problems.append(f"{path}:{line}: {gloss}: {exc}")
    return entries


def _read_sigml_file(path: Path, data: bytes, entries: dict, problems: list[str]) -> None:
    try:
        signs = read_sigml(data)
    except SiGMLError as exc:
        problems.append(f"{path}: {exc}")
        return
    for k, sign in enumerate(signs, 1):
        gloss = (sign.gloss or "").strip() or (path.stem.upper() if k == 1 else f"{path.stem.upper()}_{k}")
        if gloss in entries:
            problems.append(f"{path}: sign {k}: gloss {gloss!r} given again; the first kept")
            continue
        if len(entries) >= MAX_ROWS:
            raise LexiconFileError(f"{path}: more than {MAX_ROWS} signs")
        entries[gloss] = sign.description


def load_lexicon(path: str | os.PathLike, language: str) -> LexiconFile:
    """Read a user lexicon (see the module docstring) for sign language ``language``.

    Raises:
        LexiconFileError: the path is missing or not a CSV / SiGML file or folder, over the limits, or
            holds no usable sign.
    """
    p = Path(path)
    problems: list[str] = []
    if p.is_dir():
        files = sorted(f for f in p.iterdir() if f.suffix.lower() == ".sigml" and f.is_file())
        if not files:
            raise LexiconFileError(f"{p}: no .sigml files in this folder")
        if len(files) > MAX_FILES:
            raise LexiconFileError(f"{p}: {len(files)} .sigml files; at most {MAX_FILES}")
        total = sum(f.stat().st_size for f in files)
        if total > MAX_LEXICON_BYTES:
            raise LexiconFileError(f"{p}: {total} bytes of SiGML; at most {MAX_LEXICON_BYTES}")
        entries: dict = {}
        for f in files:
            _read_sigml_file(f, f.read_bytes(), entries, problems)
    elif p.is_file():
        size = p.stat().st_size
        if size > MAX_LEXICON_BYTES:
            raise LexiconFileError(f"{p}: {size} bytes; a lexicon file is at most {MAX_LEXICON_BYTES}")
        data = p.read_bytes()
        if p.suffix.lower() == ".csv":
            entries = _read_csv(p, data, problems)
        elif p.suffix.lower() == ".sigml":
            entries = {}
            _read_sigml_file(p, data, entries, problems)
        else:
            raise LexiconFileError(f"{p}: a lexicon is a .csv file, a .sigml file or a folder of .sigml files")
    else:
        raise LexiconFileError(f"{p}: no such lexicon file or folder")
    if not entries:
        shown = "; ".join(problems[:_SHOWN]) + (f"; ... ({len(problems) - _SHOWN} more)" if len(problems) > _SHOWN
                                                else "")
        raise LexiconFileError(f"{p}: no usable sign" + (f": {shown}" if shown else ""))
    return LexiconFile(HamNoSysLexicon(entries, language), problems, str(p))


def signs_from_text(text: str, max_bytes: int = 256 * 1024) -> list:
    """Signs typed or pasted by a user, in order, for ``SignSparK(..., signs=...)``.

    ``text`` is SiGML (it starts with ``<``), or one sign per line: ``GLOSS: <HamNoSys>`` or the
    HamNoSys alone (Private Use Area characters or symbol names); empty lines are skipped.

    Raises:
        ValueError: empty, too large, or SiGML that does not read (the message says which).
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError("no signs given: paste HamNoSys (one sign per line, 'GLOSS: notation') or SiGML")
    if len(text.encode("utf-8")) > max_bytes:
        raise ValueError(f"the notation is larger than {max_bytes} bytes")
    if text.lstrip().startswith("<"):
        from .sigml import read_sigml

        return read_sigml(text)
    signs = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        gloss, sep, rest = line.partition(":")
        if sep and gloss.strip() and " " not in gloss.strip() and not gloss.strip().lower().startswith("ham"):
            signs.append((gloss.strip(), rest.strip()))
        else:
            signs.append(line)
    return signs
