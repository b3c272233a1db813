"""replace_path: a finished file or folder takes the place of the old one, which is restored on failure;
atomic_file / atomic_path: a file appears whole or not at all."""

import os

import pytest

from signspark import atomic
from signspark.atomic import atomic_file, atomic_path, replace_path


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


def test_atomic_file_replaces_the_target_only_when_the_block_succeeds(tmp_path):
    target = tmp_path / "sub" / "out.json"
    with atomic_file(target, "w") as fh:
        fh.write("one")
        assert not target.exists()  # nothing visible until the block ends
    assert target.read_text() == "one"
    with pytest.raises(RuntimeError):
        with atomic_file(target) as fh:
            fh.write(b"half")
            raise RuntimeError("writer failed")
    assert target.read_text() == "one"
    assert sorted(p.name for p in target.parent.iterdir()) == ["out.json"]  # no temporary left behind
    with pytest.raises(ValueError, match="mode"):
        with atomic_file(target, "a"):
            pass


def test_atomic_path_hands_a_sibling_to_writers_that_open_by_name(tmp_path):
    target = tmp_path / "tags.eaf"
    with atomic_path(target) as tmp:
        assert tmp.parent == tmp_path and tmp != target
        tmp.write_text("<eaf/>")
    assert target.read_text() == "<eaf/>" and not tmp.exists()
