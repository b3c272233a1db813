"""FAST and captured input: unseen hands are zeros; the capture-noise augmentation of train/train_fast.py
changes features the way capture was measured to (bench/capture.py --segment measures both the same way)."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def train_fast():
    return _load(ROOT / "train" / "train_fast.py", "train_fast")


@pytest.fixture(scope="module")
def bench():
    return _load(ROOT / "bench" / "capture.py", "bench_capture")


@pytest.fixture(scope="module")
def clean():
    """(T, 192) clean features of a fingerspelled clip with both hands present."""
    from signspark.pose.hand_features import hand_features
    from signspark.signs import spell

    left, right = hand_features(spell("hello world", "ASL"))
    return np.concatenate([left, right], axis=1)


def test_fast_features_zero_unseen_hands(spelled):
    from signspark.capture.fast_input import fast_features
    from signspark.pose.hand_features import hand_features

    T = spelled.num_frames
    part = np.ones((T, 3), np.float32)
    part[:4, 1] = 0.0   # left hand unseen at the start
    part[5, 2] = 0.05   # right hand barely there in one frame
    x = fast_features((spelled, part))
    left, right = hand_features(spelled)
    assert x.shape == (T, 192) and x.dtype == np.float32
    assert (x[:4, :96] == 0).all() and np.allclose(x[4:, :96], left[4:])
    assert (x[5, 96:] == 0).all() and np.allclose(x[6:, 96:], right[6:])
    with pytest.raises(ValueError, match="part_confidence"):
        fast_features((spelled, part[:3]))


def test_capture_noise_matches_what_was_measured(train_fast, bench, clean):
    measured = train_fast.MEASURED_CAPTURE_NOISE
    rng = np.random.default_rng(0)
    parts = [bench.feature_noise(clean, train_fast.capture_noise(clean, rng)) for _ in range(8)]
    m = bench._noise_summary(parts)
    for key in ("finger_axis_sigma_deg", "finger_jitter_sigma_deg", "finger_slow_sigma_deg", "wrist_axis_sigma_deg"):
        assert m[key] == pytest.approx(measured[key], rel=0.15), key
    assert m["flexion_scale"] == pytest.approx(measured["flexion_scale"], abs=0.04)
    assert m["dropped_fraction"] == pytest.approx(measured["dropped_fraction"], abs=0.005)


def test_capture_noise_keeps_missing_hands_and_is_deterministic(train_fast, clean):
    x = clean.copy()
    x[:, :96] = 0.0  # the left hand is missing throughout
    a = train_fast.capture_noise(x, np.random.default_rng(3))
    b = train_fast.capture_noise(x, np.random.default_rng(3))
    assert np.array_equal(a, b) and (a[:, :96] == 0).all() and a.dtype == np.float32
    assert np.abs(a[:, 96:] - x[:, 96:]).mean() > 0.01
    # rows stay valid 6D rotations (two orthonormal rows) where the hand is kept
    kept = np.abs(a[:, 96:]).sum(1) > 0
    r = a[kept, 96:].reshape(-1, 16, 2, 3)
    assert np.allclose(np.linalg.norm(r, axis=-1), 1.0, atol=1e-4)
    assert np.allclose((r[..., 0, :] * r[..., 1, :]).sum(-1), 0.0, atol=1e-4)


def test_window_dataset_applies_capture_noise(train_fast, tmp_path):
    from signspark.data import LmdbClipStore, write_lmdb
    from signspark.signs import spell

    path = write_lmdb(tmp_path / "train" / "s_train.lmdb", [("c", spell("abc", "ASL"))])
    items = [(LmdbClipStore(path), "c")]
    plain = train_fast.WindowDataset(items, 64, speed=(1.0, 1.0), swap_prob=0.0, noise=0.0, capture_prob=0.0)
    noisy = train_fast.WindowDataset(items, 64, speed=(1.0, 1.0), swap_prob=0.0, noise=0.0, capture_prob=1.0)
    (x0, t0), (x1, t1) = plain[0], noisy[0]
    assert x0.shape == x1.shape and (t0 == t1).all()
    assert float((x0 - x1).abs().mean()) > 0.01
