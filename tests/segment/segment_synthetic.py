"""Synthetic two-hand clips with sign segments, for the FAST tests.

A sign is a *held* hand shape taken from a small lexicon (with a slight wobble);
between signs the hands *move*, interpolating from one shape to the next (tag 0).
Clips open and close at a flat, resting hand. The left hand is missing (zeros)
in some clips. Features follow the official 96-d layout (15 finger joints x 6D,
then the wrist orientation in 6D).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from signspark.keyframes import segments_to_tags
from signspark.pose.rotations import axis_angle_to_rot6d
from signspark.segment import FastConfig, FastSegmenter

IDENTITY_6D = np.array([1, 0, 0, 0, 1, 0], np.float32)


def lexicon(num_shapes: int = 8, seed: int = 123) -> np.ndarray:
    """(num_shapes, 96) hand shapes: random finger and wrist rotations in 6D."""
    rng = np.random.default_rng(seed)
    aa = torch.from_numpy(rng.uniform(-1.2, 1.2, (num_shapes, 16, 3)))
    return axis_angle_to_rot6d(aa).numpy().reshape(num_shapes, 96).astype(np.float32)


def synthetic_clip(rng: np.random.Generator, shapes: np.ndarray, num_signs: tuple[int, int] = (2, 5),
                   missing_left_prob: float = 0.3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One clip: left (T, 96), right (T, 96) float32 and tags (T,) int64."""
    rest = np.tile(IDENTITY_6D, 16)
    frames_r, frames_l, segments = [], [], []
    cur_r = cur_l = rest

    def hold(shape_r, shape_l, n):
        phase = rng.uniform(0, 2 * np.pi)
        for k in range(n):
            w = 0.03 * np.sin(phase + k * 0.7)
            frames_r.append(shape_r + w)
            frames_l.append(shape_l + w)

    def move(a_r, b_r, a_l, b_l, n):
        for k in range(1, n + 1):
            u = k / (n + 1)
            frames_r.append((1 - u) * a_r + u * b_r)
            frames_l.append((1 - u) * a_l + u * b_l)

    hold(rest, rest, int(rng.integers(3, 10)))
    for _ in range(int(rng.integers(num_signs[0], num_signs[1] + 1))):
        nxt_r = shapes[rng.integers(len(shapes))]
        nxt_l = shapes[rng.integers(len(shapes))] if rng.random() < 0.5 else rest
        move(cur_r, nxt_r, cur_l, nxt_l, int(rng.integers(5, 10)))
        n = int(rng.integers(8, 17))
        start = len(frames_r)
        hold(nxt_r, nxt_l, n)
        segments.append((start, start + n - 1))
        cur_r, cur_l = nxt_r, nxt_l
    move(cur_r, rest, cur_l, rest, int(rng.integers(5, 10)))
    hold(rest, rest, int(rng.integers(3, 10)))

    right = np.asarray(frames_r, np.float32)
    left = np.asarray(frames_l, np.float32)
    right += rng.normal(0, 0.005, right.shape).astype(np.float32)
    left += rng.normal(0, 0.005, left.shape).astype(np.float32)
    if rng.random() < missing_left_prob:
        left[:] = 0.0
    return left, right, segments_to_tags(segments, len(right))


def synthetic_clips(num_clips: int, seed: int = 0) -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]:
    """``(clip_id, left, right, tags)`` for ``num_clips`` clips."""
    rng = np.random.default_rng(seed)
    shapes = lexicon()
    return [(f"clip{seed}_{i:03d}", *synthetic_clip(rng, shapes)) for i in range(num_clips)]


def write_synthetic_lmdb(path: Path, num_clips: int, seed: int = 0) -> Path:
    """An official-schema LMDB file of synthetic clips (body and face are zeros)."""
    from signspark.data import ClipRecord, write_lmdb

    records = []
    for clip_id, left, right, tags in synthetic_clips(num_clips, seed):
        T = len(tags)
        records.append((clip_id, ClipRecord(
            clip_id=clip_id, language="ASL", translation="", gloss="", segment=tags,
            left_features=left, right_features=right,
            body_features=np.zeros((T, 126), np.float32), face_features=np.zeros((T, 56), np.float32))))
    return write_lmdb(path, records)


TINY = dict(hidden=32, layers=2, heads=2, ff_dim=64, kernel_size=5, attention_radius=4, dropout=0.0, window=16)


def random_model(seed: int = 0, **overrides) -> FastSegmenter:
    """A tiny FAST model with random weights (relative-position biases too)."""
    torch.manual_seed(seed)
    model = FastSegmenter(FastConfig(**{**TINY, **overrides}))
    with torch.no_grad():
        for layer in model.layers:
            layer.attn.rel_bias.normal_()
    return model.eval()
