"""The MediaPipe Holistic landmark layout: components, point names, limbs and useful indices.

=====================  ======  ==============================================
component              points  content
=====================  ======  ==============================================
POSE_LANDMARKS         33      body (nose, eyes, ears, mouth, shoulders,
                               elbows, wrists, hand tips, hips, legs, feet)
FACE_LANDMARKS         468     face mesh (478 with the refined irises)
LEFT_HAND_LANDMARKS    21      the person's left hand
RIGHT_HAND_LANDMARKS   21      the person's right hand
=====================  ======  ==============================================

Hand points: 0 wrist, 1-4 thumb CMC, MCP, IP, tip, 5-8 index MCP, PIP, DIP,
tip, 9-12 middle, 13-16 ring, 17-20 pinky; the same order as
:data:`signspark.body.joints.HAND_ORDER`. "Left" and "right" always name the
signer's own hands and body sides.

Limbs are drawn by ``.pose`` viewers only; the face gets its contours
(oval, eyes, brows, lips) rather than the full tessellation.
"""

from __future__ import annotations

__all__ = [
    "POSE", "FACE", "LEFT_HAND", "RIGHT_HAND", "POSE_WORLD", "COMPONENTS", "NUM_POSE", "NUM_HAND",
    "NUM_FACE", "NUM_FACE_REFINED", "POSE_POINT_NAMES", "HAND_POINT_NAMES", "POSE_LIMBS", "HAND_LIMBS",
    "face_point_names", "face_limbs", "PoseIndex", "FACE_INDEX",
]

POSE = "POSE_LANDMARKS"
FACE = "FACE_LANDMARKS"
LEFT_HAND = "LEFT_HAND_LANDMARKS"
RIGHT_HAND = "RIGHT_HAND_LANDMARKS"
POSE_WORLD = "POSE_WORLD_LANDMARKS"
COMPONENTS = (POSE, FACE, LEFT_HAND, RIGHT_HAND)

NUM_POSE = 33
NUM_HAND = 21
NUM_FACE = 468
NUM_FACE_REFINED = 478

POSE_POINT_NAMES: tuple[str, ...] = (
    "NOSE", "LEFT_EYE_INNER", "LEFT_EYE", "LEFT_EYE_OUTER", "RIGHT_EYE_INNER", "RIGHT_EYE", "RIGHT_EYE_OUTER",
    "LEFT_EAR", "RIGHT_EAR", "MOUTH_LEFT", "MOUTH_RIGHT", "LEFT_SHOULDER", "RIGHT_SHOULDER", "LEFT_ELBOW",
    "RIGHT_ELBOW", "LEFT_WRIST", "RIGHT_WRIST", "LEFT_PINKY", "RIGHT_PINKY", "LEFT_INDEX", "RIGHT_INDEX",
    "LEFT_THUMB", "RIGHT_THUMB", "LEFT_HIP", "RIGHT_HIP", "LEFT_KNEE", "RIGHT_KNEE", "LEFT_ANKLE", "RIGHT_ANKLE",
    "LEFT_HEEL", "RIGHT_HEEL", "LEFT_FOOT_INDEX", "RIGHT_FOOT_INDEX",
)

HAND_POINT_NAMES: tuple[str, ...] = ("WRIST",) + tuple(
    f"{finger}_{joint}" for finger, joints in (
        ("THUMB", ("CMC", "MCP", "IP", "TIP")),
        ("INDEX_FINGER", ("MCP", "PIP", "DIP", "TIP")),
        ("MIDDLE_FINGER", ("MCP", "PIP", "DIP", "TIP")),
        ("RING_FINGER", ("MCP", "PIP", "DIP", "TIP")),
        ("PINKY", ("MCP", "PIP", "DIP", "TIP")),
    ) for joint in joints
)


def _path(*idx: int) -> list[tuple[int, int]]:
    return [(a, b) for a, b in zip(idx[:-1], idx[1:])]


POSE_LIMBS: tuple[tuple[int, int], ...] = tuple(
    _path(3, 2, 1, 0, 4, 5, 6) + [(3, 7), (6, 8), (9, 10)]  # face: ears - eyes - nose, mouth
    + _path(15, 13, 11, 12, 14, 16)  # arms across the shoulders
    + [(15, 17), (15, 19), (15, 21), (17, 19), (16, 18), (16, 20), (16, 22), (18, 20)]  # hands
    + _path(11, 23, 24, 12) + _path(23, 25, 27, 29, 31, 27) + _path(24, 26, 28, 30, 32, 28)  # trunk, legs
)

HAND_LIMBS: tuple[tuple[int, int], ...] = tuple(
    [(0, 1), (0, 5), (0, 17), (5, 9), (9, 13), (13, 17)]
    + [pair for base in (1, 5, 9, 13, 17) for pair in _path(base, base + 1, base + 2, base + 3)]
)

# Face contours as index paths over the 468-point mesh.
_FACE_PATHS: tuple[tuple[int, ...], ...] = (
    # oval, from the forehead round the subject's left cheek, the chin and back
    (10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176, 149,
     150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109, 10),
    # lips: outer upper, outer lower, inner upper, inner lower (each corner to corner)
    (61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291),
    (61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291),
    (78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308),
    (78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308),
    # right eye (upper, lower lid), left eye
    (33, 246, 161, 160, 159, 158, 157, 173, 133),
    (33, 7, 163, 144, 145, 153, 154, 155, 133),
    (263, 466, 388, 387, 386, 385, 384, 398, 362),
    (263, 249, 390, 373, 374, 380, 381, 382, 362),
    # brows: right (upper, lower edge), left
    (70, 63, 105, 66, 107),
    (46, 53, 52, 65, 55),
    (300, 293, 334, 296, 336),
    (276, 283, 282, 295, 285),
)
_IRIS_PATHS = ((469, 470, 471, 472, 469), (474, 475, 476, 477, 474))


def face_point_names(num_points: int = NUM_FACE) -> tuple[str, ...]:
    """Names of the face points: their indices as strings ("0" ... "467" or "477")."""
    return tuple(str(i) for i in range(num_points))


def face_limbs(num_points: int = NUM_FACE) -> tuple[tuple[int, int], ...]:
    """Contour limbs of the face mesh (iris circles too when ``num_points`` is 478)."""
    paths = _FACE_PATHS + (_IRIS_PATHS if num_points >= NUM_FACE_REFINED else ())
    return tuple(pair for p in paths for pair in _path(*p))


class PoseIndex:
    """Indices into the 33 pose points."""

    NOSE = 0
    LEFT_EYE = 2
    RIGHT_EYE = 5
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_HIP = 23
    RIGHT_HIP = 24


# A few face-mesh points with a clear anatomical meaning ("left" is the signer's left).
FACE_INDEX = {
    "forehead": 10, "chin": 152, "nose_tip": 1,
    "right_eye_outer": 33, "right_eye_inner": 133, "left_eye_outer": 263, "left_eye_inner": 362,
    "mouth_right": 61, "mouth_left": 291, "lip_top": 0, "lip_bottom": 17, "inner_lip_top": 13, "inner_lip_bottom": 14,
    "right_brow_outer": 70, "right_brow_inner": 107, "left_brow_outer": 300, "left_brow_inner": 336,
}
