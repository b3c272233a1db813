"""``signspark segment``: inputs, output formats, keyframes, and errors that name the clip."""

import json

import numpy as np
import pytest
import torch
from segment_synthetic import synthetic_clips, write_synthetic_lmdb

from signspark.cli import main
from signspark.pose import PoseSequence
from signspark.segment import Segmenter, clip_features
from signspark.segment.export import read_eaf_segments


def _features_npz(path, left, right):
    np.savez(path, left_features=left, right_features=right)


@pytest.fixture
def clip_folder(tmp_path):
    """Two good clips (a PoseSequence and a features file) and three bad ones."""
    folder = tmp_path / "clips"
    (folder / "sub").mkdir(parents=True)
    rng = np.random.default_rng(0)
    seq = PoseSequence.from_params({"right_hand_pose": rng.uniform(-0.5, 0.5, (40, 45)).astype(np.float32)})
    seq.save(folder / "pose.npz")
    _features_npz(folder / "sub" / "feat.npz", rng.normal(size=(33, 96)), rng.normal(size=(33, 96)))
    _features_npz(folder / "narrow.npz", np.zeros((10, 90)), np.zeros((10, 90)))
    _features_npz(folder / "empty.npz", np.zeros((0, 96)), np.zeros((0, 96)))
    (folder / "garbage.npz").write_bytes(b"this is not a zip file")
    return folder


def test_bad_clips_reported_good_ones_written(clip_folder, tiny_model_dir, tmp_path, capsys):
    out = tmp_path / "tags.pt"
    rc = main(["segment", str(clip_folder), "-o", str(out), "--model", str(tiny_model_dir), "--no-progress"])
    err = capsys.readouterr().err
    assert rc == 1
    tags = torch.load(out, weights_only=True)
    assert set(tags) == {"pose", "sub/feat"}
    assert tags["pose"].shape == (40,) and tags["sub/feat"].dtype == torch.int64
    assert "3 clip(s) failed" in err
    assert "clip 'narrow': left-hand features must have shape (T, 96)" in err
    assert "clip 'empty': the clip has no frames" in err
    assert "clip 'garbage':" in err and "not a .npz archive" in err


def test_all_bad_writes_nothing(tmp_path, tiny_model_dir, capsys):
    _features_npz(tmp_path / "narrow.npz", np.zeros((10, 90)), np.zeros((10, 90)))
    out = tmp_path / "tags.json"
    assert main(["segment", str(tmp_path / "narrow.npz"), "-o", str(out), "--model", str(tiny_model_dir)]) == 1
    assert not out.exists()
    assert "nothing was written" in capsys.readouterr().err


def test_lmdb_to_json_matches_library(tmp_path, tiny_model_dir, capsys):
    lmdb_path = write_synthetic_lmdb(tmp_path / "syn.lmdb", 4, seed=7)
    out = tmp_path / "seg.json"
    rc = main(["segment", str(lmdb_path), "-o", str(out), "--model", str(tiny_model_dir), "--keyframes",
               "--policy", "uniform", "--per-segment", "2", "--fps", "50", "--window", "8"])
    printed = capsys.readouterr().out
    assert rc == 0
    doc = json.loads(out.read_text())
    assert doc["fps"] == 50 and doc["policy"] == "uniform"
    seg = Segmenter.from_pretrained(tiny_model_dir)
    for clip_id, left, right, _ in synthetic_clips(4, seed=7):
        expected = seg.segment_clip(left, right, clip_id)
        rep = doc["clips"][clip_id]
        assert rep["tags"] == expected.tags.tolist()
        assert [(s["start"], s["end"]) for s in rep["segments"]] == expected.segments
        assert rep["keyframes"] == expected.keyframes("uniform", k=2)
        assert f"{clip_id}: " in printed and str(rep["keyframes"]) in printed


def test_eaf_one_clip_and_many(tmp_path, tiny_model_dir):
    clips = synthetic_clips(2, seed=3)
    media = tmp_path / "video.mp4"
    media.write_bytes(b"")
    for clip_id, left, right, _ in clips:
        _features_npz(tmp_path / f"{clip_id}.npz", left, right)
    seg = Segmenter.from_pretrained(tiny_model_dir)

    one = tmp_path / "one.eaf"
    first = clips[0]
    assert main(["segment", str(tmp_path / f"{first[0]}.npz"), "-o", str(one), "--model", str(tiny_model_dir),
                 "--media", str(media)]) == 0
    assert read_eaf_segments(one) == seg.segment_clip(first[1], first[2]).segments

    many = tmp_path / "out" / "all.eaf"
    assert main(["segment", str(tmp_path), "-o", str(many), "--model", str(tiny_model_dir)]) == 0
    for clip_id, left, right, _ in clips:
        path = many.with_name(f"all.{clip_id}.eaf")
        assert read_eaf_segments(path) == seg.segment(
            {clip_id: clip_features(left, right)})[clip_id].segments


def test_no_builtin_model_says_how_to_train(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SIGNSPARK_ASSETS", str(tmp_path / "assets"))
    _features_npz(tmp_path / "c.npz", np.zeros((5, 96)), np.zeros((5, 96)))
    assert main(["segment", str(tmp_path / "c.npz"), "-o", str(tmp_path / "t.pt")]) == 2
    err = capsys.readouterr().err
    assert "no built-in FAST segmentation model" in err and "train/train_fast.py" in err


@pytest.mark.parametrize("args,match", [
    (["-o", "x.txt"], "use a name ending in .pt, .json or .eaf"),
    (["-o", "x.pt", "--policy", "sometimes"], "unknown keyframe policy"),
    (["-o", "x.pt", "--per-segment", "3"], "--per-segment applies to"),
])
def test_usage_errors(tmp_path, tiny_model_dir, capsys, args, match):
    _features_npz(tmp_path / "c.npz", np.zeros((5, 96)), np.zeros((5, 96)))
    args = [a if a != "x.txt" and not a.startswith("x.") else str(tmp_path / a) for a in args]
    assert main(["segment", str(tmp_path / "c.npz"), "--model", str(tiny_model_dir), *args]) == 2
    assert match in capsys.readouterr().err


def test_missing_input(tmp_path, tiny_model_dir, capsys):
    assert main(["segment", str(tmp_path / "nope"), "-o", str(tmp_path / "t.pt"), "--model", str(tiny_model_dir)]) == 2
    assert "no such file or folder" in capsys.readouterr().err


def test_corrupt_lmdb_record_does_not_stop_the_others(tmp_path, tiny_model_dir, capsys):
    import lmdb

    path = write_synthetic_lmdb(tmp_path / "syn.lmdb", 3, seed=5)
    ids = [c for c, *_ in synthetic_clips(3, seed=5)]
    with lmdb.open(str(path), lock=False) as env, env.begin(write=True) as txn:
        txn.put(ids[1].encode(), b"not an npz archive")
    out = tmp_path / "tags.pt"
    assert main(["segment", str(path), "-o", str(out), "--model", str(tiny_model_dir)]) == 1
    assert set(torch.load(out, weights_only=True)) == {ids[0], ids[2]}
    err = capsys.readouterr().err
    assert "1 clip(s) failed" in err and repr(ids[1]) in err


@pytest.mark.parametrize("fps", ["0", "-5", "nan", "inf"])
def test_fps_must_be_a_positive_number(tmp_path, tiny_model_dir, capsys, fps):
    src = tmp_path / "clip.npz"
    _features_npz(src, np.zeros((10, 96), np.float32), np.zeros((10, 96), np.float32))
    out = tmp_path / "out.json"
    assert main(["segment", str(src), "-o", str(out), "--model", str(tiny_model_dir), "--fps", fps]) == 2
    assert "--fps must be a number in (0, 1000]" in capsys.readouterr().err
    assert not out.exists()


def test_missing_input_is_reported_before_the_model(tmp_path, capsys):
    out = tmp_path / "out.json"
    rc = main(["segment", str(tmp_path / "nope"), "-o", str(out), "--model", str(tmp_path / "no-model")])
    assert rc == 2
    err = capsys.readouterr().err
    assert "nope: no such file or folder" in err and "no-model" not in err


def test_eaf_file_names_never_collide(tmp_path, tiny_model_dir):
    """Clip ids a/b, a_b, 'a b' and A_B all become a_b when made file-name safe: five clips, five files."""
    from signspark.data import write_lmdb
    from signspark.pose.sequence import PoseSequence
    from signspark.segment.export import eaf_paths

    ids = ["a/b", "a_b", "a b", "A_B", "c"]
    paths = eaf_paths(tmp_path / "all.eaf", ids)
    assert paths["A_B"].name == "all.A_B.eaf" and paths["c"].name == "all.c.eaf"  # the first id that is its own name
    assert paths["a_b"].name.startswith("all.a_b-") and paths["a/b"].name.startswith("all.a_b-")
    assert len({p.name.casefold() for p in paths.values()}) == 5
    assert eaf_paths(tmp_path / "all.eaf", ids) == paths  # stable from run to run
    src = write_lmdb(tmp_path / "clips_test.lmdb", [(c, PoseSequence.zeros(12)) for c in ids])
    out = tmp_path / "out" / "all.eaf"
    assert main(["segment", str(src), "-o", str(out), "--model", str(tiny_model_dir), "--no-progress"]) == 0
    assert sorted(p.name for p in out.parent.iterdir()) == sorted(p.name for p in paths.values())
