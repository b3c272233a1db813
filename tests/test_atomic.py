"""replace_path: a finished file or folder takes the place of the old one, which is restored on failure."""

import os

import pytest

from signspark import atomic
from signspark.atomic import replace_path


def _folder(path, text):
    path.mkdir()
    (path / "f.txt").write_text(text)
    return path


def test_replaces_a_folder_and_removes_the_old_one(tmp_path):
    dst = _folder(tmp_path / "model", "old")
    replace_path(_folder(tmp_path / ".new", "new"), dst)
    assert (dst / "f.txt").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


def test_replaces_a_file_with_a_folder_and_moves_into_an_empty_place(tmp_path):
    (tmp_path / "a").write_text("file")
    replace_path(_folder(tmp_path / ".new", "new"), tmp_path / "a")
    assert (tmp_path / "a" / "f.txt").read_text() == "new"
    replace_path(_folder(tmp_path / ".other", "other"), tmp_path / "b")
    assert (tmp_path / "b" / "f.txt").read_text() == "other"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b"]


def test_the_old_folder_is_put_back_when_the_move_fails(tmp_path, monkeypatch):
    dst = _folder(tmp_path / "model", "old")
    src = _folder(tmp_path / ".new", "new")
    real = os.replace

    def replace(a, b):
        if os.fspath(a) == os.fspath(src):
            raise OSError("simulated failure")
        return real(a, b)

    monkeypatch.setattr(atomic.os, "replace", replace)
    with pytest.raises(OSError, match="simulated"):
        replace_path(src, dst)
    assert (dst / "f.txt").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".new", "model"]
