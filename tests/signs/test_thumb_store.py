"""Thumb angles of touching-thumb handshapes are fitted once per machine and read back the same."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from signspark.signs import handshapes as H
from signspark.signs import thumb_store


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    """An empty cache folder and no thumb answer in memory."""
    monkeypatch.setenv("SIGNSPARK_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(thumb_store, "_LOADED", {})
    H._solve_thumb.cache_clear()
    H._hand_pose_cached.cache_clear()
    yield tmp_path
    H._solve_thumb.cache_clear()
    H._hand_pose_cached.cache_clear()


def _forget(monkeypatch):
    monkeypatch.setattr(thumb_store, "_LOADED", {})  # as in a new process
    H._solve_thumb.cache_clear()
    H._hand_pose_cached.cache_clear()


def test_a_fitted_thumb_is_read_back_identical(fresh, monkeypatch):
    shapes = [s for s in H.SHAPES.values() if isinstance(s.thumb, H.ThumbTouch)][:4]
    fitted = [H.hand_pose(s) for s in shapes]
    assert thumb_store.thumb_file().is_file()
    _forget(monkeypatch)
    monkeypatch.setattr(H, "_fit_thumb", lambda shape: pytest.fail(f"{shape.name} fitted again"))
    assert all(np.array_equal(H.hand_pose(s), f) for s, f in zip(shapes, fitted))
    renamed = dataclasses.replace(shapes[0], name="another name")  # the geometry is the key
    assert np.array_equal(H.hand_pose(renamed), fitted[0])


def test_a_damaged_file_counts_as_empty(fresh, monkeypatch):
    shape = H.SHAPES["fist_thumb_side"]
    fitted = H.hand_pose(shape)
    for damage in ("{not json", '["a list"]', '{"x": [1, 2]}', '{"x": [1, 2, 3, "four"]}'):
        thumb_store.thumb_file().write_text(damage)
        _forget(monkeypatch)
        calls = []
        real = H._fit_thumb
        monkeypatch.setattr(H, "_fit_thumb", lambda s, calls=calls, real=real: calls.append(s) or real(s))
        assert np.array_equal(H.hand_pose(shape), fitted) and len(calls) == 1
        monkeypatch.setattr(H, "_fit_thumb", real)
    assert thumb_store.stored_thumb(repr(dataclasses.replace(shape, name=""))) is not None  # written again


def test_the_file_follows_code_and_body(fresh, monkeypatch, tmp_path):
    first = thumb_store.thumb_file()
    import signspark.signs.cache_keys as keys

    monkeypatch.setattr(keys, "code_fingerprint", lambda: "other code")
    assert thumb_store.thumb_file() != first
    monkeypatch.undo()
    monkeypatch.setenv("SIGNSPARK_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("SIGNSPARK_SMPLX_DIR", str(tmp_path / "missing"))
    assert thumb_store.thumb_file() is None  # a bad body path: nothing stored, the body loader says why
