"""JSON from users: nesting, size and numbers give a JsonInputError naming the file, never a traceback."""

from __future__ import annotations

import numpy as np
import pytest

from signspark.safe_json import JsonInputError, integer, load_json, loads_json, number_list


def test_ordinary_keyframe_json_loads(tmp_path):
    path = tmp_path / "kf.json"
    path.write_text('{"fps": 25, "num_frames": 100, "keyframes": [{"frame": 0, "features": [0.5, -1, 2e3]}]}')
    data = load_json(path)
    assert data["num_frames"] == 100 and data["keyframes"][0]["features"] == [0.5, -1, 2000.0]


def test_deep_nesting_is_refused_without_recursion(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 200_000 + "]" * 200_000)
    with pytest.raises(JsonInputError, match=r"deep\.json: arrays and objects are nested 200000 levels deep"):
        load_json(path)
    assert loads_json('{"a": "' + "[" * 50 + '"}') == {"a": "[" * 50}  # brackets inside strings do not count


@pytest.mark.parametrize("text, message", [
    ('{"num_frames": 1e400}', "the number 1e400 is out of range"),
    ('{"num_frames": NaN}', "NaN is not a valid number"),
    ('{"num_frames": -Infinity}', "-Infinity is not a valid number"),
    ('{"num_frames": ' + "9" * 5000 + "}", "an integer of 5000 digits is too long"),
    ('{"num_frames": 3', "not valid JSON"),
])
def test_invalid_numbers_and_syntax(text, message):
    with pytest.raises(JsonInputError, match=message):
        loads_json(text, "kf.json")


def test_size_limit_is_checked_before_reading(tmp_path):
    path = tmp_path / "big.json"
    path.write_text("[" + "0," * 1000 + "0]")
    with pytest.raises(JsonInputError, match="more than the limit of 100"):
        load_json(path, max_bytes=100)
    with pytest.raises(JsonInputError, match="no such file"):
        load_json(tmp_path / "missing.json")
    with pytest.raises(JsonInputError, match="not UTF-8"):
        loads_json(b"\xff\xfe{}", "x.json")


def test_number_lists_must_be_flat_and_finite():
    assert number_list([1, 2.5], "f").dtype == np.float32
    with pytest.raises(JsonInputError, match=r"features\[0\]: expected a number, got a list \(lists must be flat\)"):
        number_list([[1, 2], [3, 4]], "features")
    with pytest.raises(JsonInputError, match=r"expected a number, got true/false"):
        number_list([True], "features")
    with pytest.raises(JsonInputError, match="expected 296 numbers, got 2"):
        number_list([1, 2], "features", length=296)
    with pytest.raises(JsonInputError, match="not a finite 32-bit number"):
        number_list([1e300], "features")


def test_integers():
    assert integer(3.0, "num_frames", 1, 1024) == 3
    for bad in (0, 1e300, 2.5, "3", None, True):
        with pytest.raises(JsonInputError, match=r"num_frames: expected an integer in \[1, 1024\]"):
            integer(bad, "num_frames", 1, 1024)
