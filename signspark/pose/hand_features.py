"""Per-hand features of a clip in the official layout: what FAST reads and the LMDB schema stores.

Example::

    left, right = hand_features(seq)      # (T, 96) float32 each
"""

from __future__ import annotations

import numpy as np
import torch

from .rotations import axis_angle_to_matrix, matrix_to_rot6d
from .sequence import PoseSequence
from .streams import hand_to_features

__all__ = ["hand_features"]

# SMPL-X kinematic chain from the pelvis to each wrist, as body_pose indices (joint id - 1):
# spine1 3, spine2 6, spine3 9, collar 13/14, shoulder 16/17, elbow 18/19, wrist 20/21.
_LEFT_WRIST_CHAIN = (2, 5, 8, 12, 15, 17, 19)
_RIGHT_WRIST_CHAIN = (2, 5, 8, 13, 16, 18, 20)


def _f64(x: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.asarray(x, dtype=np.float64))


def _np32(x: torch.Tensor) -> np.ndarray:
    return x.detach().cpu().numpy().astype(np.float32)


def _wrist_orientation(global_orient: torch.Tensor, body_mats: torch.Tensor, chain: tuple[int, ...]) -> torch.Tensor:
    """World rotation (T, 3, 3) of a wrist: global_orient composed with the body_pose rotations along ``chain``."""
    R = axis_angle_to_matrix(global_orient)
    for j in chain:
        R = R @ body_mats[:, j]
    return R


def hand_features(seq: PoseSequence) -> tuple[np.ndarray, np.ndarray]:
    """Official per-hand features of a clip: left (T, 96), right (T, 96) float32.

    Dims 0-89 are the 15 finger joints in 6D, raw (the left hand is **not**
    flipped; the dataset flips it when reading). Dims 90-95 are the wrist's
    world orientation in 6D: ``global_orient`` composed with the ``body_pose``
    rotations along the SMPL-X chain pelvis - spine1 - spine2 - spine3 -
    collar - shoulder - elbow - wrist.
    """
    T = seq.num_frames
    body_mats = axis_angle_to_matrix(_f64(seq.params["body_pose"]).reshape(T, 21, 3))
    go = _f64(seq.params["global_orient"])
    out = []
    for key, chain in (("left_hand_pose", _LEFT_WRIST_CHAIN), ("right_hand_pose", _RIGHT_WRIST_CHAIN)):
        fingers = hand_to_features(_f64(seq.params[key]), flip=False)
        wrist = matrix_to_rot6d(_wrist_orientation(go, body_mats, chain))
        out.append(_np32(torch.cat([fingers, wrist], dim=-1)))
    return out[0], out[1]
