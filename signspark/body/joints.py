"""SMPL-X joint names, the kinematic tree and index helpers.

The body model outputs 127 joints per frame, in the order the ``smplx``
package uses (``use_face_contour=False``):

=========  =====  ==========================================================
ids        count  what
=========  =====  ==========================================================
0-54       55     skeleton joints (:data:`SMPLX_JOINT_NAMES`), parents in
                  :data:`SMPLX_PARENTS`
55-59      5      face points from vertices: nose, right/left eye, right/left ear
60-65      6      feet points from vertices: left big toe, small toe, heel, then right
66-75      10     fingertips from vertices: left thumb..pinky, then right
76-126     51     face landmarks (iBUG-68 without the jaw contour): brows,
                  nose, eyes, mouth
=========  =====  ==========================================================

Hand helpers use one documented order (:data:`HAND_ORDER`, 21 points per
hand): wrist, then thumb, index, middle, ring, pinky, each as the three
joints from the palm outwards followed by the fingertip - the OpenPose /
MediaPipe hand layout. :data:`HAND_BONES` gives its (parent, child) pairs.

Coordinates: metres, y up, +z in front of the body, +x the subject's left.
"""

from __future__ import annotations

import numpy as np

NUM_JOINTS = 55
NUM_OUTPUT_JOINTS = 127

_SIDES = ("left", "right")
_FINGERS_SMPLX = ("index", "middle", "pinky", "ring", "thumb")  # SMPL-X storage order
FINGER_NAMES = ("thumb", "index", "middle", "ring", "pinky")  # anatomical order used by the helpers

SMPLX_JOINT_NAMES: tuple[str, ...] = (
    "pelvis", "left_hip", "right_hip", "spine1", "left_knee", "right_knee", "spine2",
    "left_ankle", "right_ankle", "spine3", "left_foot", "right_foot", "neck",
    "left_collar", "right_collar", "head", "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow", "left_wrist", "right_wrist",
    "jaw", "left_eye_smplhf", "right_eye_smplhf",
) + tuple(f"{side}_{finger}{k}" for side in _SIDES for finger in _FINGERS_SMPLX for k in (1, 2, 3))

SMPLX_PARENTS: tuple[int, ...] = (
    -1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 12, 13, 14, 16, 17, 18, 19, 15, 15, 15,
    20, 25, 26, 20, 28, 29, 20, 31, 32, 20, 34, 35, 20, 37, 38,
    21, 40, 41, 21, 43, 44, 21, 46, 47, 21, 49, 50, 21, 52, 53,
)

_VERTEX_JOINT_NAMES = (
    "nose", "right_eye", "left_eye", "right_ear", "left_ear",
    "left_big_toe", "left_small_toe", "left_heel", "right_big_toe", "right_small_toe", "right_heel",
    "left_thumb", "left_index", "left_middle", "left_ring", "left_pinky",
    "right_thumb", "right_index", "right_middle", "right_ring", "right_pinky",
)

LANDMARK_NAMES: tuple[str, ...] = (
    "right_eye_brow1", "right_eye_brow2", "right_eye_brow3", "right_eye_brow4", "right_eye_brow5",
    "left_eye_brow5", "left_eye_brow4", "left_eye_brow3", "left_eye_brow2", "left_eye_brow1",
    "nose1", "nose2", "nose3", "nose4",
    "right_nose_2", "right_nose_1", "nose_middle", "left_nose_1", "left_nose_2",
    "right_eye1", "right_eye2", "right_eye3", "right_eye4", "right_eye5", "right_eye6",
    "left_eye4", "left_eye3", "left_eye2", "left_eye1", "left_eye6", "left_eye5",
    "right_mouth_1", "right_mouth_2", "right_mouth_3", "mouth_top", "left_mouth_3", "left_mouth_2",
    "left_mouth_1", "left_mouth_5", "left_mouth_4", "mouth_bottom", "right_mouth_4", "right_mouth_5",
    "right_lip_1", "right_lip_2", "lip_top", "left_lip_2", "left_lip_1", "left_lip_3", "lip_bottom",
    "right_lip_3",
)

OUTPUT_JOINT_NAMES: tuple[str, ...] = SMPLX_JOINT_NAMES + _VERTEX_JOINT_NAMES + LANDMARK_NAMES

JOINT_INDEX: dict[str, int] = {name: i for i, name in enumerate(OUTPUT_JOINT_NAMES)}

# Upper body (what signing uses), from the spine up, without the hands' fingers.
UPPER_BODY_NAMES: tuple[str, ...] = (
    "pelvis", "spine1", "spine2", "spine3", "neck", "head", "jaw",
    "left_collar", "right_collar", "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow", "left_wrist", "right_wrist",
)
UPPER_BODY_JOINTS: tuple[int, ...] = tuple(JOINT_INDEX[n] for n in UPPER_BODY_NAMES)

HAND_ORDER: tuple[str, ...] = ("wrist",) + tuple(
    f"{finger}{k}" for finger in FINGER_NAMES for k in ("1", "2", "3", "_tip")
)
"""The 21 points of one hand in :func:`hand_joint_indices` order (``thumb_tip`` etc. are vertex joints)."""

HAND_BONES: tuple[tuple[int, int], ...] = tuple(
    pair for f in range(5) for pair in ((0 if k == 0 else 1 + 4 * f + k - 1, 1 + 4 * f + k) for k in range(4))
)
"""(parent, child) pairs within the 21-point hand layout, e.g. (0, 1) wrist -> thumb1."""


def hand_joint_indices(side: str) -> tuple[int, ...]:
    """Indices into the 127 output joints for one hand, in :data:`HAND_ORDER`.

    Args:
        side: ``"left"`` or ``"right"``.

    Returns:
        21 indices: wrist, then for thumb, index, middle, ring, pinky the three
        finger joints and the fingertip.
    """
    if side not in _SIDES:
        raise ValueError(f"side must be 'left' or 'right', got {side!r}")
    out = [JOINT_INDEX[f"{side}_wrist"]]
    for finger in FINGER_NAMES:
        out += [JOINT_INDEX[f"{side}_{finger}{k}"] for k in (1, 2, 3)]
        out.append(JOINT_INDEX[f"{side}_{finger}"])  # fingertip vertex joint
    return tuple(out)


def skeleton_bones(num_joints: int = NUM_JOINTS) -> tuple[tuple[int, int], ...]:
    """(parent, child) pairs of the 55-joint tree plus fingertips when ``num_joints`` > 55.

    With ``num_joints >= 76`` each fingertip (ids 66-75) is attached to its
    finger's last joint, so a skeleton drawing shows whole fingers.
    """
    bones = [(p, c) for c, p in enumerate(SMPLX_PARENTS) if p >= 0]
    if num_joints >= 76:
        for side in _SIDES:
            for finger in FINGER_NAMES:
                bones.append((JOINT_INDEX[f"{side}_{finger}3"], JOINT_INDEX[f"{side}_{finger}"]))
    return tuple(bones)


def mirror_joint_map() -> np.ndarray:
    """(55,) permutation that swaps left and right joints (``mirror[i]`` is i's twin)."""
    out = np.arange(NUM_JOINTS)
    for i, name in enumerate(SMPLX_JOINT_NAMES):
        for a, b in (("left_", "right_"), ("right_", "left_")):
            if name.startswith(a):
                out[i] = SMPLX_JOINT_NAMES.index(b + name[len(a):])
    return out


__all__ = [
    "NUM_JOINTS", "NUM_OUTPUT_JOINTS", "SMPLX_JOINT_NAMES", "SMPLX_PARENTS", "LANDMARK_NAMES",
    "OUTPUT_JOINT_NAMES", "JOINT_INDEX", "FINGER_NAMES", "UPPER_BODY_NAMES", "UPPER_BODY_JOINTS",
    "HAND_ORDER", "HAND_BONES", "hand_joint_indices", "skeleton_bones", "mirror_joint_map",
]
