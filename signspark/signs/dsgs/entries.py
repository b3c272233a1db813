"""The DSGS lexicon's entries, read at run time from the installed ``signwriting`` package.

``signwriting/hamnosys/parallel.json`` (signwriting 0.1.19) lists 3,772 signs of Swiss German Sign
Language, each with a SignWriting transcription (FSW); 1,364 also carry HamNoSys and German glosses
(``hns_gloss``). The data stays in that package: :func:`load_entries` reads it when first asked.

Gloss names:

* ``hns_gloss`` names are used as they are (upper case): ``KIND``, ``KLEIN_D`` (a variant),
  ``GUTEN_MORGEN`` (several words), ``MEINST_DU?``.
* Entries without ``hns_gloss`` are named from their ``gloss_id`` when they have one
  (``S3-05019-V_LICHT`` -> ``LICHT``, ``ZIMMER-00037`` -> ``ZIMMER``, ``KRANK-4`` -> ``KRANK_4``,
  ``AFFE--BETONT-`` -> ``AFFE``). Those ids lost their umlauts in the source data (``FRHER`` for
  FRÜHER); such names are marked :attr:`SignEntry.folded` and matched on words with the umlauts
  removed (:func:`fold`). Entries with neither have no name and cannot be looked up.

A name's *base* drops a variant suffix (:func:`split_variant`): ``KLEIN_D`` -> ``KLEIN``,
``BESTEHEN_1`` -> ``BESTEHEN``, ``ÄGYPTEN_INT`` -> ``ÄGYPTEN``, ``EISENBAHN_B_1`` -> ``EISENBAHN``.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from importlib import resources

__all__ = ["SignEntry", "LexiconDataError", "load_entries", "split_variant", "variant_rank", "fold",
           "name_from_gloss_id", "PACKAGE", "RESOURCE"]

PACKAGE = "signwriting.hamnosys"
RESOURCE = "parallel.json"

_VARIANT = re.compile(r"(?:[A-Z]|\d+[A-Z]?|[A-Z]\d|INT)")
_ID_PREFIX = re.compile(r"S\d-\d+(?:-[A-Z0-9]+)?_(.+)")
_ID_NUMBER = re.compile(r"(.+?)(?:-+S\d)?-+\d{4,6}")
_ANNOTATION = re.compile(r"[?!.]+$|\([^)]*\)$")


class LexiconDataError(RuntimeError):
    """The lexicon data of the ``signwriting`` package is missing or not in the expected shape."""


@dataclasses.dataclass(frozen=True)
class SignEntry:
    """One sign of the DSGS lexicon.

    Attributes:
        sign_id: the source's sign id (``"00490"``), or ``"#<position>"`` when it has none.
        names: gloss names, upper case (``("KINDERGARTEN_1", "KINDERGARTEN")``); empty when unnamed.
        hamnosys: HamNoSys strings (Unicode private-use symbols), empty when the sign has none.
        fsw: the SignWriting transcription (Formal SignWriting, ASCII).
        german: the German glosses as the source writes them (``hns_gloss``), empty when absent.
        folded: the names come from a gloss id that lost its umlauts (``FRHER``).
        position: index of the entry in the source file (a stable tie-breaker).
    """

    sign_id: str
    names: tuple[str, ...]
    hamnosys: tuple[str, ...]
    fsw: str
    german: tuple[str, ...] = ()
    folded: bool = False
    position: int = 0

    @property
    def has_hamnosys(self) -> bool:
        return bool(self.hamnosys)


def split_variant(name: str) -> tuple[str, str]:
    """``"KLEIN_D"`` -> ``("KLEIN", "D")``; ``"EISENBAHN_B_1"`` -> ``("EISENBAHN", "B_1")``; trailing
    annotations (``?``, ``!``, ``(D)``) are dropped; a name without a variant gives ``(name, "")``."""
    name = _ANNOTATION.sub("", name.strip()).strip()
    parts = name.split("_")
    cut = len(parts)
    while cut > 1 and _VARIANT.fullmatch(parts[cut - 1]):
        cut -= 1
    return "_".join(parts[:cut]), "_".join(parts[cut:])


def variant_rank(variant: str) -> tuple:
    """Order of preference among variants of one base: none, then 1, 2, ... and A, B, ..., ``INT`` last."""
    if not variant:
        return (0,)
    if variant == "INT":
        return (3, variant)
    head = variant.split("_")[0]
    digits = re.match(r"\d+", head)
    return (1, int(digits.group()), variant) if digits else (2, variant)


def fold(word: str) -> str:
    """Upper case without umlauts, as the source's gloss ids write names: ``"früher"`` -> ``"FRHER"``."""
    return re.sub("[ÄÖÜ]", "", word.upper())


def name_from_gloss_id(gloss_id: str) -> str:
    """A gloss name from a source ``gloss_id`` (see the module docstring); ``""`` when none is left."""
    text = gloss_id.strip().upper()
    m = _ID_PREFIX.fullmatch(text)
    if m:
        text = m.group(1)
    m = _ID_NUMBER.fullmatch(text)
    if m:
        text = m.group(1)
    text = text.split("--")[0].strip("-")
    return re.sub(r"-+", "_", text)


def _entry(raw: dict, position: int) -> SignEntry:
    german = tuple(g.strip().upper() for g in raw.get("hns_gloss") or () if isinstance(g, str) and g.strip())
    folded = False
    names = german
    if not names and raw.get("gloss_id"):
        name = name_from_gloss_id(str(raw["gloss_id"]))
        names, folded = ((name,), True) if name else ((), False)
    fsw = raw.get("signwriting") or ""
    if not isinstance(fsw, str):
        raise LexiconDataError(f"entry {position}: 'signwriting' is not a string")
    hamnosys = tuple(h for h in raw.get("hamnosys") or () if isinstance(h, str) and h)
    return SignEntry(sign_id=str(raw.get("sign_id") or f"#{position}"), names=tuple(dict.fromkeys(names)),
                     hamnosys=hamnosys, fsw=fsw, german=german, folded=folded, position=position)


@functools.cache
def load_entries() -> tuple[SignEntry, ...]:
    """Every entry of the lexicon (named or not), in file order. Read once, then cached.

    Raises:
        LexiconDataError: the ``signwriting`` package (0.1.19) is not installed or its file is malformed.
    """
    try:
        text = resources.files(PACKAGE).joinpath(RESOURCE).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise LexiconDataError(f"the DSGS lexicon comes from the 'signwriting' package ({PACKAGE}/{RESOURCE}); "
                               "install it: pip install signwriting==0.1.19") from exc
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LexiconDataError(f"{PACKAGE}/{RESOURCE} is not valid JSON: {exc}") from exc
    if not isinstance(raw, list) or not all(isinstance(e, dict) for e in raw):
        raise LexiconDataError(f"{PACKAGE}/{RESOURCE} should be a list of entries (objects)")
    return tuple(_entry(e, i) for i, e in enumerate(raw))
