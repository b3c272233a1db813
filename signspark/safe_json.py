"""Reading JSON from users: size, nesting depth and numbers checked, one clear error type.

``json.loads`` raises ``RecursionError`` on deeply nested input, accepts ``NaN`` and
``Infinity``, and turns ``1e400`` into ``inf`` (which later becomes an ``OverflowError``).
:func:`load_json` / :func:`loads_json` refuse all of these with a :class:`JsonInputError`
(a ``ValueError``) whose message names the file and the problem.

Example::

    data = load_json("keyframes.json")                    # <= 16 MB, nesting <= 32 levels
    row = number_list(entry["features"], "keyframes[0].features", length=296)
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path
from typing import Any

import numpy as np

from .regular_file import open_regular

__all__ = ["JsonInputError", "load_json", "loads_json", "number_list", "integer",
           "MAX_JSON_BYTES", "MAX_JSON_DEPTH"]

MAX_JSON_BYTES = 16 * 1024 * 1024  # a keyframe file of 1024 frames x 296 numbers is about 3 MB
MAX_JSON_DEPTH = 32
MAX_NUMBER_CHARS = 100
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_BRACKET = re.compile(r"[\[\]{}]")


class JsonInputError(ValueError):
    """A JSON input is unreadable, too large, too deeply nested or holds an invalid number."""


def _depth(text: str) -> int:
    """Deepest nesting of arrays/objects, without recursion (strings are skipped)."""
    depth = deepest = 0
    for m in _BRACKET.finditer(_STRING.sub('""', text)):
        if m.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def loads_json(text: str | bytes, where: str = "JSON", max_bytes: int = MAX_JSON_BYTES,
               max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse ``text`` with limits on size and nesting; numbers must be finite.

    Raises:
        JsonInputError: naming ``where``.
    """
    if isinstance(text, (bytes, bytearray)):
        if len(text) > max_bytes:
            raise JsonInputError(f"{where}: {len(text)} bytes is more than the limit of {max_bytes} for a JSON file")
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise JsonInputError(f"{where}: not UTF-8 text ({e.reason} at byte {e.start})") from None
    if len(text) > max_bytes:
        raise JsonInputError(f"{where}: {len(text)} characters is more than the limit of {max_bytes} for a JSON file")
    depth = _depth(text)
    if depth > max_depth:
        raise JsonInputError(f"{where}: arrays and objects are nested {depth} levels deep; at most {max_depth} "
                             f"are accepted")

    def bad_constant(name: str):
        raise JsonInputError(f"{where}: {name} is not a valid number here; use finite numbers")

    def parse_float(s: str) -> float:
        if len(s) > MAX_NUMBER_CHARS:
            raise JsonInputError(f"{where}: a number of {len(s)} characters is too long")
        x = float(s)
        if not math.isfinite(x):
            raise JsonInputError(f"{where}: the number {s} is out of range (larger than about 1.8e308)")
        return x

    def parse_int(s: str) -> int:
        if len(s) > MAX_NUMBER_CHARS:
            raise JsonInputError(f"{where}: an integer of {len(s)} digits is too long")
        return int(s)

    try:
        return json.loads(text, parse_constant=bad_constant, parse_float=parse_float, parse_int=parse_int)
    except JsonInputError:
        raise
    except json.JSONDecodeError as e:
        raise JsonInputError(f"{where}: not valid JSON ({e.msg} at line {e.lineno}, column {e.colno})") from None
    except RecursionError:  # not reached with the depth check; kept as a guard
        raise JsonInputError(f"{where}: nested too deeply") from None


def load_json(path: str | os.PathLike, max_bytes: int = MAX_JSON_BYTES, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """:func:`loads_json` of a file, refusing files larger than ``max_bytes`` before reading them."""
    path = Path(path)
    with open_regular(path, str(path), JsonInputError, "JSON file") as fh:  # a FIFO would block open() for ever
        try:
            size = os.fstat(fh.fileno()).st_size
            if size > max_bytes:
                raise JsonInputError(f"{path}: {size} bytes is more than the limit of {max_bytes} for a JSON file")
            raw = fh.read(max_bytes + 1)
        except OSError as e:
            raise JsonInputError(f"{path}: cannot read ({e.strerror or e})") from None
    return loads_json(raw, str(path), max_bytes, max_depth)


def number_list(value: Any, where: str, length: int | None = None, max_length: int = 100_000) -> np.ndarray:
    """A flat list of finite numbers as float32; nested lists, strings, booleans and nulls are refused.

    Args:
        value: the parsed JSON value.
        where: names the value in messages (``"keyframes.json: keyframes[0].features"``).
        length: the exact number of values expected, if any.
    """
    if not isinstance(value, list):
        raise JsonInputError(f"{where}: expected a list of numbers, got {_kind(value)}")
    if len(value) > max_length:
        raise JsonInputError(f"{where}: {len(value)} values is more than the limit of {max_length}")
    for i, v in enumerate(value):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise JsonInputError(f"{where}[{i}]: expected a number, got {_kind(v)} (lists must be flat)")
    if length is not None and len(value) != length:
        raise JsonInputError(f"{where}: expected {length} numbers, got {len(value)}")
    a = np.asarray(value, dtype=np.float64)
    if not np.isfinite(a).all() or (np.abs(a) > np.finfo(np.float32).max).any():
        raise JsonInputError(f"{where}: holds a value that is not a finite 32-bit number")
    return a.astype(np.float32)


def integer(value: Any, where: str, low: int, high: int) -> int:
    """An integer in ``[low, high]`` (JSON ``3`` or ``3.0``); anything else is refused with a message."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise JsonInputError(f"{where}: expected an integer in [{low}, {high}], got {_kind(value)}")
    if isinstance(value, float):
        if not (math.isfinite(value) and value.is_integer()):
            raise JsonInputError(f"{where}: expected an integer in [{low}, {high}], got {value!r}")
        value = int(value)
    if not low <= value <= high:
        raise JsonInputError(f"{where}: expected an integer in [{low}, {high}], got {value}")
    return value


def _kind(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true/false"
    if isinstance(v, (list, dict)):
        return "a list" if isinstance(v, list) else "an object"
    if isinstance(v, str):
        return f"the text {v[:30]!r}"
    return repr(v)
