"""Builders shared by the tests of signspark.data: random clips, records and raw LMDB files."""

from __future__ import annotations

import io
import pickle
from pathlib import Path

import lmdb
import numpy as np
import pytest
import torch

from signspark.data import ClipRecord
from signspark.pose import PoseSequence
from signspark.pose.rotations import axis_angle_to_rot6d


@pytest.fixture(autouse=True, scope="module")
def single_torch_thread():
    """Tiny tensors: one intra-op thread avoids thread hand-off costs on a busy machine (restored after)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def random_sequence(T: int = 24, seed: int = 0, segments=((2, 6), (10, 15)), language: str = "ASL",
                    text: str = "hello world", gloss: str = "HELLO WORLD", scale: float = 0.5) -> PoseSequence:
    """A clip with random rotations (angles well below pi, so axis-angle round-trips exactly)."""
    rng = np.random.default_rng(seed)
    widths = {"global_orient": 3, "body_pose": 63, "jaw_pose": 3, "leye_pose": 3, "reye_pose": 3,
              "left_hand_pose": 45, "right_hand_pose": 45, "expression": 50, "transl": 3}
    params = {k: rng.uniform(-scale, scale, (T, d)).astype(np.float32) for k, d in widths.items()}
    return PoseSequence(params=params, betas=rng.normal(size=10).astype(np.float32), fps=30.0,
                        language=language, text=text, gloss=gloss, segments=np.asarray(segments).reshape(-1, 2))


def random_rot6d(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Orthonormal 6D vectors of random rotations, shape (*shape, 6)."""
    aa = torch.from_numpy(rng.uniform(-1.5, 1.5, (*shape, 3)))
    return axis_angle_to_rot6d(aa).numpy().astype(np.float32)


def make_record(clip_id: str = "clip", T: int = 12, seed: int = 0, segment=None, language: str = "ASL",
                translation: str = "hello", gloss: str = "HELLO") -> ClipRecord:
    """A record with orthonormal 6D features and random expression."""
    rng = np.random.default_rng(seed)
    if segment is None:
        segment = np.zeros(T, np.int64)
        segment[1:T - 1] = 1
        segment[1] = 2
    hand = lambda: random_rot6d((T, 16), rng).reshape(T, 96)  # noqa: E731
    face = np.concatenate([random_rot6d((T,), rng), rng.normal(size=(T, 50)).astype(np.float32)], axis=1)
    return ClipRecord(clip_id=clip_id, language=language, translation=translation, gloss=gloss,
                      segment=np.asarray(segment, np.int64), left_features=hand(), right_features=hand(),
                      body_features=random_rot6d((T, 21), rng).reshape(T, 126), face_features=face)


def record_bytes(fields: dict, object_text: bool = False) -> bytes:
    """``np.savez`` bytes of raw fields; ``object_text`` stores text as object arrays like some official files."""
    arrays = {}
    for k, v in fields.items():
        if isinstance(v, str):
            v = np.array([v], dtype=object if object_text else str)
        arrays[k] = v
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def official_fields(record: ClipRecord) -> dict:
    return {"language": record.language, "translation": record.translation, "gloss": record.gloss,
            "segment": record.segment, "left_features": record.left_features,
            "right_features": record.right_features, "body_features": record.body_features,
            "face_features": record.face_features}


def write_raw_lmdb(path: Path, records: dict[str, bytes], meta=None, meta_bytes: bytes | None = None) -> Path:
    """Write an LMDB file key by key, bypassing LmdbWriter (to build official-style or broken files).

    ``meta`` defaults to ``{"clip_ids": list(records), "num_clips": len(records)}``; pass
    ``meta_bytes=b""`` to leave ``__meta__`` out.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    env = lmdb.open(str(path), map_size=1 << 26)
    with env.begin(write=True) as txn:
        if meta_bytes is None:
            meta = meta if meta is not None else {"clip_ids": list(records), "num_clips": len(records)}
            meta_bytes = pickle.dumps(meta)
        if meta_bytes:
            txn.put(b"__meta__", meta_bytes)
        for k, v in records.items():
            txn.put(k.encode(), v)
    env.close()
    return path


class Evil:
    """Unpickling this runs ``os.system`` (touching ``marker``); a safe loader must refuse it."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        import os

        return (os.system, (f"touch {self.marker}",))
