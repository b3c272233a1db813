"""The SMPL-X skeleton (rest joints, parents) and a small numpy forward kinematics.

Signs are placed with inverse kinematics and their contacts checked with
forward kinematics; both only need the 55 skeleton joints and the fingertips,
not the mesh. Rest joints come from :mod:`signspark.body` when it can load a
model; otherwise an approximate SMPL-X rest skeleton (metres; y up, +z front,
+x the subject's left) is used, so signs are built on a machine without any
body model file.

Joint ids: 0-21 body (16/17 shoulders, 18/19 elbows, 20/21 wrists), 22 jaw,
23/24 eyes, 25-39 left hand, 40-54 right hand (each index1-3, middle1-3,
pinky1-3, ring1-3, thumb1-3). Fingertips are added as 10 extra points
(left index, middle, pinky, ring, thumb tips, then the right ones), each
extending the last finger segment.
"""

from __future__ import annotations

import functools

import numpy as np
from scipy.spatial.transform import Rotation

__all__ = [
    "PARENTS", "FINGERS", "FINGER_JOINTS", "TIP_NAMES", "Skeleton", "skeleton", "fallback_rest_joints",
    "rotvec_to_matrix", "pose_vector", "forward",
]

PARENTS = np.array(
    [-1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 12, 13, 14, 16, 17, 18, 19, 15, 15, 15,
     20, 25, 26, 20, 28, 29, 20, 31, 32, 20, 34, 35, 20, 37, 38,
     21, 40, 41, 21, 43, 44, 21, 46, 47, 21, 49, 50, 21, 52, 53], np.int64)

FINGERS = ("index", "middle", "pinky", "ring", "thumb")  # MANO order
HAND_BASE = {"left": 25, "right": 40}
WRIST = {"left": 20, "right": 21}
ELBOW = {"left": 18, "right": 19}
SHOULDER = {"left": 16, "right": 17}
COLLAR = {"left": 13, "right": 14}
TIP_NAMES = tuple(f"{side}_{f}_tip" for side in ("left", "right") for f in FINGERS)
TIP_EXTENSION = {"index": 0.9, "middle": 0.9, "pinky": 0.95, "ring": 0.9, "thumb": 1.05}


def FINGER_JOINTS(side: str, finger: str) -> tuple[int, int, int]:
    """SMPL-X ids of a finger's three joints (proximal first)."""
    base = HAND_BASE[side] + 3 * FINGERS.index(finger)
    return base, base + 1, base + 2


def fallback_rest_joints() -> np.ndarray:
    """(55, 3) approximate SMPL-X neutral rest joints in metres (y up, +z front, +x left)."""
    J = np.zeros((55, 3))
    sym = {  # left-side value; right side mirrors x
        "hip": (0.06, -0.45, -0.01), "knee": (0.11, -0.82, -0.02), "ankle": (0.08, -1.23, -0.05),
        "foot": (0.12, -1.29, 0.07), "collar": (0.05, 0.03, -0.01), "shoulder": (0.16, 0.08, -0.02),
        "elbow": (0.42, 0.03, -0.05), "wrist": (0.67, 0.04, -0.06), "eye": (0.032, 0.31, 0.062),
    }
    ids = {"hip": (1, 2), "knee": (4, 5), "ankle": (7, 8), "foot": (10, 11), "collar": (13, 14),
           "shoulder": (16, 17), "elbow": (18, 19), "wrist": (20, 21), "eye": (23, 24)}
    for name, (l, r) in ids.items():
        J[l] = sym[name]
        J[r] = np.array(sym[name]) * (-1, 1, 1)
    J[0] = (0, -0.35, 0.01)
    J[3] = (0, -0.24, -0.015)
    J[6] = (0, -0.11, -0.02)
    J[9] = (0, -0.055, 0.0)
    J[12] = (0, 0.11, -0.025)
    J[15] = (0, 0.265, -0.005)
    J[22] = (0, 0.27, 0.0)
    # finger chains: knuckle (x, y, z) then the two segment lengths along +x
    chains = {
        "index": ((0.77, 0.028, -0.041), 0.032, 0.022),
        "middle": ((0.78, 0.028, -0.065), 0.034, 0.024),
        "pinky": ((0.75, 0.028, -0.104), 0.024, 0.018),
        "ring": ((0.77, 0.028, -0.088), 0.031, 0.023),
    }
    for side, sx in (("left", 1.0), ("right", -1.0)):
        for finger, (k, l1, l2) in chains.items():
            a, b, c = FINGER_JOINTS(side, finger)
            J[a] = (sx * k[0], k[1], k[2])
            J[b] = (sx * (k[0] + l1), k[1], k[2])
            J[c] = (sx * (k[0] + l1 + l2), k[1], k[2])
        a, b, c = FINGER_JOINTS(side, "thumb")
        J[a] = (sx * 0.711, 0.018, -0.035)
        J[b] = (sx * 0.728, 0.019, -0.010)
        J[c] = (sx * 0.748, 0.014, 0.005)
    return J


class Skeleton:
    """Rest joints ``(55, 3)`` plus the 10 fingertip offsets, and FK over them."""

    def __init__(self, rest_joints: np.ndarray, source: str):
        rest = np.asarray(rest_joints, np.float64)
        if rest.shape != (55, 3):
            raise ValueError(f"rest joints must have shape (55, 3), got {rest.shape}")
        self.rest = rest
        self.source = source
        self.offsets = rest - rest[np.maximum(PARENTS, 0)]
        self.offsets[0] = rest[0]
        tips, tip_parent = [], []
        for side in ("left", "right"):
            for f in FINGERS:
                a, b, c = FINGER_JOINTS(side, f)
                tips.append((rest[c] - rest[b]) * TIP_EXTENSION[f])
                tip_parent.append(c)
        self.tip_offsets = np.array(tips)
        self.tip_parents = np.array(tip_parent)

    def bone(self, a: int, b: int) -> float:
        return float(np.linalg.norm(self.rest[b] - self.rest[a]))


def _load_body_rest() -> np.ndarray | None:
    try:
        from signspark.body import shared_body_model  # optional: the project's body model
        model = shared_body_model()
        rest = np.asarray(getattr(model, "rest_joints"), np.float64)
        if hasattr(rest, "detach"):
            rest = rest.detach().cpu().numpy()
        rest = np.asarray(rest, np.float64).reshape(-1, 3)[:55]
        parents = np.asarray(getattr(model, "parents", PARENTS)).reshape(-1)[:55]
        if rest.shape == (55, 3) and np.array_equal(parents[1:], PARENTS[1:]) and np.isfinite(rest).all():
            return rest
    except Exception:  # no body module or no model file: the built-in skeleton is used
        return None
    return None


@functools.lru_cache(maxsize=1)
def skeleton() -> Skeleton:
    """The skeleton signs are built on (the body model's when available, else the approximate one)."""
    rest = _load_body_rest()
    if rest is not None:
        return Skeleton(rest, "signspark.body")
    return Skeleton(fallback_rest_joints(), "built-in approximate SMPL-X skeleton")


def rotvec_to_matrix(rv: np.ndarray) -> np.ndarray:
    """(..., 3) axis-angle -> (..., 3, 3)."""
    rv = np.asarray(rv, np.float64)
    return Rotation.from_rotvec(rv.reshape(-1, 3)).as_matrix().reshape(rv.shape[:-1] + (3, 3))


def pose_vector(body_pose=None, left_hand_pose=None, right_hand_pose=None, global_orient=None) -> np.ndarray:
    """Assemble a (..., 55, 3) full axis-angle pose (jaw and eyes at rest).

    Each part may be flat (``(..., 63)``, ``(..., 45)``, ``(..., 3)``) or per joint (``(..., J, 3)``).
    """
    parts = {"body": (body_pose, 21, slice(1, 22)), "left": (left_hand_pose, 15, slice(25, 40)),
             "right": (right_hand_pose, 15, slice(40, 55)), "global": (global_orient, 1, slice(0, 1))}
    arrays, lead = {}, None
    for name, (a, n, sl) in parts.items():
        if a is None:
            continue
        a = np.asarray(a, np.float64)
        a = a.reshape(a.shape[:-2] + (n, 3)) if a.shape[-2:] == (n, 3) else a.reshape(a.shape[:-1] + (n, 3))
        arrays[name] = (a, sl)
        lead = a.shape[:-2] if lead is None else lead
    full = np.zeros((lead or ()) + (55, 3))
    for a, sl in arrays.values():
        full[..., sl, :] = a
    return full


def forward(full_pose: np.ndarray, skel: Skeleton | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Forward kinematics.

    Args:
        full_pose: (..., 55, 3) axis-angle per joint (relative to the parent).
    Returns:
        positions (..., 65, 3) metres (55 joints then the 10 fingertips in
        :data:`TIP_NAMES` order) and global rotations (..., 55, 3, 3).
    """
    skel = skel or skeleton()
    full_pose = np.asarray(full_pose, np.float64)
    lead = full_pose.shape[:-2]
    R = rotvec_to_matrix(full_pose)
    G = np.empty(lead + (55, 3, 3))
    P = np.empty(lead + (65, 3))
    G[..., 0, :, :] = R[..., 0, :, :]
    P[..., 0, :] = skel.offsets[0]
    for i in range(1, 55):
        p = PARENTS[i]
        G[..., i, :, :] = G[..., p, :, :] @ R[..., i, :, :]
        P[..., i, :] = P[..., p, :] + G[..., p, :, :] @ skel.offsets[i]
    for k in range(10):
        c = skel.tip_parents[k]
        P[..., 55 + k, :] = P[..., c, :] + G[..., c, :, :] @ skel.tip_offsets[k]
    return P, G
