"""Stand-ins for the evaluation tests: a linear 'body model' and clip / generator factories."""

from __future__ import annotations

import types

import numpy as np

from signspark.eval.joints import PoseToJoints, joint_names
from signspark.pose.sequence import PoseSequence
from signspark.pose.streams import SMPLX_FRAME_KEYS


class LinearBody:
    """joints = rest + params @ W: a fixed linear map from the SMPL-X parameters to 127 joints."""

    def __init__(self, seed: int = 0):
        rng = np.random.default_rng(seed)
        dims = sum(SMPLX_FRAME_KEYS.values())
        self.W = rng.normal(scale=0.05, size=(dims, 127 * 3))
        self.rest = rng.normal(scale=0.3, size=(127, 3))
        self.calls = []

    def __call__(self, seq: PoseSequence, chunk_size: int = 64):
        self.calls.append(seq)
        x = np.concatenate([seq.params[k] for k in SMPLX_FRAME_KEYS], axis=1).astype(np.float64)
        return types.SimpleNamespace(joints=self.rest + (x @ self.W).reshape(-1, 127, 3))


def linear_to_joints(seed: int = 0) -> PoseToJoints:
    return PoseToJoints(LinearBody(seed), names=joint_names())


def random_clip(T: int, language: str, text: str, seed: int, segments=None) -> PoseSequence:
    rng = np.random.default_rng(seed)
    params = {k: rng.normal(scale=0.3, size=(T, d)).astype(np.float32) for k, d in SMPLX_FRAME_KEYS.items()}
    params["transl"][:] = 0.0
    segs = segments if segments is not None else [(2, T // 2 - 1), (T // 2, T - 3)]
    return PoseSequence(params=params, language=language, text=text, segments=np.asarray(segs).reshape(-1, 2))


def noisy_generator(truth: dict[str, PoseSequence], scale: float = 0.2, log: list | None = None):
    """Returns the ground truth plus noise of size scale/steps (none at the keyframes for KF2P)."""

    def generate(req):
        if log is not None:
            log.append(req)
        gt = truth[req.clip_id]
        rng = np.random.default_rng(req.seed * 1000 + req.num_steps)
        params = {}
        for k, v in gt.params.items():
            noise = rng.normal(scale=scale / req.num_steps, size=v.shape).astype(np.float32)
            noise[req.keyframes] = 0.0
            params[k] = v + noise
        return PoseSequence(params=params, language=gt.language, text=gt.text)

    return generate
