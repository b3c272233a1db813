"""train/train_fast.py: augmentations, and a short run on synthetic LMDB data that learns to segment.

Synthetic clips hold lexicon hand shapes during signs and move between them in
transitions (see segment_synthetic.py). A 37k-parameter model trained for 10
short epochs (about 10 s of CPU time) must reach a dev segment F1 (IoU >= 0.5)
of at least 0.8; it typically reaches 0.93-0.95.
"""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
from segment_synthetic import synthetic_clips, write_synthetic_lmdb

from signspark.keyframes import repair_bio, segment_bounds
from signspark.segment import Segmenter, clip_features, decode_tags
from signspark.segment.metrics import score_clips

REPO = Path(__file__).resolve().parents[2]
MIN_SEGMENT_F1 = 0.8


@pytest.fixture(scope="module")
def train_fast():
    spec = importlib.util.spec_from_file_location("train_fast", REPO / "train" / "train_fast.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_mirror_swaps_and_flips_hands(train_fast):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(7, 192)).astype(np.float32)
    m = train_fast.mirror(x)
    np.testing.assert_allclose(m[:, :6], x[:, 96:102] * np.array([1, -1, -1, -1, 1, 1]))
    np.testing.assert_allclose(train_fast.mirror(m), x)


@pytest.mark.parametrize("factor", [0.8, 1.0, 1.25])
def test_change_speed_keeps_valid_bio(train_fast, factor):
    tags = np.array([0, 0, 2, 1, 1, 1, 2, 1, 1, 0, 0, 1, 1, 1, 0, 0] * 3)
    x = np.arange(len(tags), dtype=np.float32)[:, None].repeat(192, 1)
    y, new = train_fast.change_speed(x, tags, factor)
    assert len(new) == len(y) == round(len(tags) / factor)
    assert new.tolist() == repair_bio(new).tolist()  # already valid BIO
    assert (np.diff(y[:, 0]) >= 0).all()
    prev = np.concatenate([[0], new[:-1]])
    assert ((new == 2) | ((new > 0) & (prev == 0))).sum() == 9  # every sign onset survives
    assert len(segment_bounds(new)) == len(segment_bounds(tags))


def test_training_reaches_segment_f1(train_fast, tmp_path):
    data = tmp_path / "data"
    write_synthetic_lmdb(data / "train" / "syn_train.lmdb", 48, seed=1)
    write_synthetic_lmdb(data / "dev" / "syn_dev.lmdb", 12, seed=2)
    out = tmp_path / "fast"
    result = train_fast.main([
        "--data", str(data), "--train-names", "syn", "--out", str(out),
        "--hidden", "32", "--layers", "2", "--heads", "2", "--ff-dim", "64", "--attention-radius", "6",
        "--dropout", "0", "--window", "64", "--epochs", "10", "--batch-size", "4", "--train-window", "96",
        "--lr", "5e-3", "--seed", "0", "--threads", "1", "--no-progress"])
    best = result["best"]
    assert best["segment_f1"] >= MIN_SEGMENT_F1, result["history"]
    assert result["history"][0]["segment_f1"] < best["segment_f1"]  # it learned

    assert {p.name for p in out.iterdir()} == {"config.json", "model.safetensors", "README.md", "metrics.json"}
    assert json.loads((out / "metrics.json").read_text())["best"]["epoch"] == best["epoch"]
    assert "segment F1" in (out / "README.md").read_text()
    # the saved model is the best one: it reproduces the best dev scores
    seg = Segmenter.from_pretrained(out)
    clips = synthetic_clips(12, seed=2)
    logits = seg.logits([clip_features(left, right) for _, left, right, _ in clips])
    scores = score_clips((decode_tags(lg), tags) for lg, (_, _, _, tags) in zip(logits, clips))
    assert scores.segment_f1 == pytest.approx(best["segment_f1"])
    assert scores.onset_f1 == pytest.approx(best["onset_f1"])
