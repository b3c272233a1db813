"""SignWriting pictures: a sign's FSW transcription -> a PNG, offline, bounded and cached.

Drawing is done by the ``signwriting`` package (its Sutton SignWriting fonts ship in the wheel, so
nothing is downloaded). The FSW string is checked first (:func:`check_fsw`) so a malformed one gives
a :class:`SignWritingError` that says what is wrong instead of a font or index error from deep inside
the renderer. Pictures are scaled by ``scale`` and shrunk to fit ``max_side`` pixels, and the PNG bytes
of the last :data:`CACHE_SIZE` requests are kept.

Example::

    >>> png = signwriting_png("M507x531S15a50495x470S22a04494x504S2f700495x524")   # KIND
    >>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
"""

from __future__ import annotations

import functools
import io
import os
import re

__all__ = ["SignWritingError", "check_fsw", "signwriting_png", "signwriting_image", "save_signwriting_png", "sign_pictures",
           "MAX_SIDE", "MAX_FSW_CHARS", "CACHE_SIZE"]

MAX_SIDE = 1024          # largest picture side allowed, pixels
MAX_FSW_CHARS = 2000     # longest FSW string accepted (the DSGS lexicon's longest is far shorter)
CACHE_SIZE = 512

_SYMBOL = r"S[123][0-9a-f]{2}[0-5][0-9a-f]"
_COORD = r"\d{3}x\d{3}"
_FSW = re.compile(rf"(?:A(?:{_SYMBOL})+)?[BLMR]{_COORD}(?:{_SYMBOL}{_COORD})*")


class SignWritingError(ValueError):
    """An FSW string that cannot be drawn, or bad drawing options."""


def check_fsw(fsw: str) -> str:
    """``fsw`` stripped, if it is one Formal SignWriting sign (``M518x529S14c20481x471...``).

    Raises:
        SignWritingError: not a string, empty, too long, or not FSW (the message shows where it stops
            being FSW).
    """
    if not isinstance(fsw, str):
        raise SignWritingError(f"FSW must be a string, got {type(fsw).__name__}")
    text = fsw.strip()
    if not text:
        raise SignWritingError("empty FSW string")
    if len(text) > MAX_FSW_CHARS:
        raise SignWritingError(f"FSW string is {len(text)} characters long; at most {MAX_FSW_CHARS} are drawn")
    if not _FSW.fullmatch(text):
        prefix = _FSW.match(text)
        good = prefix.end() if prefix else 0
        raise SignWritingError(f"not a Formal SignWriting sign: {text[:60]!r} (valid up to character {good}; "
                               "expected e.g. 'M507x531S15a50495x470')")
    for sym in re.findall(_SYMBOL, text):
        if not 0x100 <= int(sym[1:4], 16) <= 0x38B:
            raise SignWritingError(f"FSW symbol {sym} is outside the SignWriting symbol set (S100-S38b)")
    return text


@functools.lru_cache(maxsize=CACHE_SIZE)
def _png(fsw: str, scale: int, max_side: int) -> bytes:
    from PIL import Image
    from signwriting.visualizer.visualize import visualize_sign

    try:
        img = visualize_sign(fsw)
    except Exception as exc:  # the renderer's own errors (unknown symbol ...) become ours
        raise SignWritingError(f"cannot draw FSW {fsw[:60]!r}: {exc}") from exc
    if img.width < 2 or img.height < 2:
        raise SignWritingError(f"FSW {fsw[:60]!r} draws nothing")
    w, h = img.width * scale, img.height * scale
    shrink = min(1.0, max_side / max(w, h))
    size = (max(1, round(w * shrink)), max(1, round(h * shrink)))
    if size != img.size:
        img = img.resize(size, Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def signwriting_png(fsw: str, scale: int = 2, max_side: int = 256) -> bytes:
    """PNG bytes of a sign's SignWriting (transparent background, black lines, white fill).

    Args:
        fsw: one sign in Formal SignWriting.
        scale: integer magnification of the font's natural size (1-8).
        max_side: the picture is shrunk to fit this many pixels on its longer side (16-:data:`MAX_SIDE`).

    Raises:
        SignWritingError: bad FSW (see :func:`check_fsw`), a symbol the fonts lack, or bad options.
    """
    text = check_fsw(fsw)
    if not isinstance(scale, int) or isinstance(scale, bool) or not 1 <= scale <= 8:
        raise SignWritingError(f"scale must be an integer from 1 to 8, got {scale!r}")
    if not isinstance(max_side, int) or isinstance(max_side, bool) or not 16 <= max_side <= MAX_SIDE:
        raise SignWritingError(f"max_side must be an integer from 16 to {MAX_SIDE}, got {max_side!r}")
    return _png(text, scale, max_side)


def signwriting_image(fsw: str, scale: int = 2, max_side: int = 256):
    """The picture of :func:`signwriting_png` as a PIL image (RGBA, a fresh copy)."""
    from PIL import Image

    img = Image.open(io.BytesIO(signwriting_png(fsw, scale, max_side)))
    img.load()
    return img


def save_signwriting_png(fsw: str, path: str | os.PathLike, scale: int = 2, max_side: int = 256) -> None:
    """Write the picture of :func:`signwriting_png` to ``path`` (atomically: all of it or nothing)."""
    from signspark.atomic import atomic_file

    data = signwriting_png(fsw, scale, max_side)
    with atomic_file(path, "wb") as fh:
        fh.write(data)


def sign_pictures(labels, language: str, max_side: int = 96) -> list:
    """The SignWriting picture (PIL image) of each sign label, for languages whose lexicon has them
    (DSGS); None for a label without one (a fingerspelled letter, a language without SignWriting)."""
    from .lexicon import lexicon_for

    try:
        lexicon = lexicon_for(language)
    except (ValueError, LookupError):
        return [None] * len(labels)
    out = []
    for label in labels:
        try:
            fsw = getattr(lexicon.describe(label), "fsw", "") if label in lexicon else ""
            out.append(signwriting_image(fsw, scale=1, max_side=max_side) if fsw else None)
        except (KeyError, ValueError, SignWritingError):
            out.append(None)
    return out
