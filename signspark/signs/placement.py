"""Letters to joint angles: handshapes, hand placement (IK) and contacts, per signer.

:func:`letter_keyposes` turns one :class:`~signspark.signs.alphabets.Letter`
into one or more key poses (several for letters with a movement path), each a
``(51, 3)`` axis-angle array: SMPL-X ``body_pose`` (21 joints), then the left
and right hand (15 joints each). Results are cached per (letter, signer).
"""

from __future__ import annotations

import functools

import numpy as np
from scipy.spatial.transform import Rotation, Slerp

from .alphabets import Letter, Place
from .arms import (REST_HAND_AXIS, REST_PALM, Posture, hand_rotation, hand_world_points, location, rest_body_pose, set_arm,
                   solve_arm)
from .handshapes import SHAPES, hand_points, hand_pose
from .kinematics import SHOULDER, ELBOW, WRIST
from .signers import Signer

__all__ = ["NUM_JOINTS", "letter_keyposes", "rest_keypose", "hand_point", "letter_hand_pose", "relaxed_orientation"]

NUM_JOINTS = 51  # 21 body + 15 left hand + 15 right hand
_SIDE_DIRS = {"palmar": np.array([0, -1.0, 0]), "dorsal": np.array([0, 1.0, 0]),
              "radial": np.array([0, 0, 1.0]), "ulnar": np.array([0, 0, -1.0])}
_DISTAL = {"right": np.array([-1.0, 0, 0]), "left": np.array([1.0, 0, 0])}
_RELAXED = "relaxed"


def letter_hand_pose(shape: str, side: str, lax: float = 0.0) -> np.ndarray:
    """(45,) hand pose of a named shape, blended ``lax`` of the way toward a relaxed hand."""
    if shape not in SHAPES:
        raise KeyError(f"unknown handshape {shape!r}")
    pose = hand_pose(SHAPES[shape], side)
    if lax > 0:
        pose = (1 - lax) * pose + lax * hand_pose(SHAPES[_RELAXED], side)
    return pose


def hand_point(points: dict[str, np.ndarray], wrist_pos: np.ndarray, wrist_rot: np.ndarray, name: str,
               side: str, facing: str | None = None, gap: float = 0.0) -> np.ndarray:
    """A named point of a posed hand in world coordinates, optionally moved ``gap`` metres to one side.

    ``points`` are world points from :func:`~signspark.signs.arms.hand_world_points`
    (segment rotations under ``<finger>_R<k>``). Names: ``<finger>_<tip|dip|pip|mcp|mid>``,
    ``palm``, ``back``, ``web``.
    """
    if name in ("palm", "back"):
        centre = wrist_pos + 0.5 * (points["middle_mcp"] - wrist_pos)
        normal = wrist_rot @ _SIDE_DIRS["palmar" if name == "palm" else "dorsal"]
        return centre + normal * (0.012 + gap)
    if name == "web":
        p = 0.5 * (points["thumb_pip"] + points["index_mcp"])
        R = wrist_rot
    else:
        finger, _, where = name.partition("_")
        if where == "mid":
            p, R = 0.5 * (points[f"{finger}_pip"] + points[f"{finger}_dip"]), points[f"{finger}_R1"]
        elif where == "tip":
            p, R = points[f"{finger}_tip"], points[f"{finger}_R2"]
        elif where in ("mcp", "pip", "dip"):
            k = {"mcp": 0, "pip": 1, "dip": 2}[where]
            p, R = points[f"{finger}_{where}"], points[f"{finger}_R{k}"]
        else:
            raise ValueError(f"unknown hand point {name!r}")
    if facing is None or gap == 0.0:
        return p
    d = _DISTAL[side] if facing == "distal" else _SIDE_DIRS[facing]
    return p + R @ d * gap


def _local_point(hand45: np.ndarray, side: str, name: str) -> np.ndarray:
    """A named point of the hand in the wrist frame (wrist at the origin)."""
    pts = hand_points(hand45, side)
    return hand_point(pts, np.zeros(3), np.eye(3), name, side)


def relaxed_orientation(H: np.ndarray, side: str, turn: float, lean: float) -> np.ndarray:
    """A citation hand orientation as a relaxed signer holds it in the signing space.

    Real signers do not face the palm squarely at the viewer: the palm turns ``turn``
    degrees about the vertical toward the body's midline (a forward palm ends up facing
    forward and a little inward; a palm facing the body turns a little inward too), and
    an upright hand leans its fingers ``lean`` degrees toward the viewer. The turn fades
    out for palms facing up or down (it is full for a vertical palm and zero once the palm
    normal is within 45 degrees of vertical); the lean is scaled by how upright the hand is.

    Args:
        H: (3, 3) global hand rotation (see :func:`~signspark.signs.arms.hand_rotation`).
        side: ``"right"`` or ``"left"`` (the midline is to the signer's left of the right hand).
        turn, lean: degrees.

    Returns:
        (3, 3) rotation.
    """
    palm = H @ REST_PALM
    axis = H @ REST_HAND_AXIS[side]
    toward = 1.0 if side == "right" else -1.0          # +x is the signer's left
    weight = float(np.clip(1.0 - abs(palm[1]) / 0.7071, 0.0, 1.0))
    yaw = np.degrees(np.arctan2(toward * palm[0], palm[2]))   # 0 facing forward, 90 facing the midline
    delta = (90.0 - yaw + 180.0) % 360.0 - 180.0
    delta = float(np.clip(delta, -turn, turn)) * weight
    R = Rotation.from_euler("y", toward * delta, degrees=True).as_matrix()
    up = float(max(0.0, (R @ axis)[1]))
    if lean and up > 0:
        R = Rotation.from_euler("x", lean * up, degrees=True).as_matrix() @ R
    return R @ H


def _tilted(side: str, place: Place, tilt: tuple[float, float, float], turn: float = 0.0,
            lean: float = 0.0) -> np.ndarray:
    H = hand_rotation(side, place.axis, place.palm)
    if place.relaxed and (turn or lean):
        H = relaxed_orientation(H, side, turn, lean)
    if any(tilt):
        H = Rotation.from_euler("xyz", tilt, degrees=True).as_matrix() @ H
    return H


def _pack(bp: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    return np.concatenate([np.asarray(bp).reshape(21, 3), left.reshape(15, 3), right.reshape(15, 3)], 0)


def rest_keypose(signer: Signer) -> np.ndarray:
    """(51, 3) hands-down rest pose for the signer."""
    bp = rest_body_pose(Posture(signer.posture.lean_forward, signer.posture.lean_side, signer.posture.head_tilt))
    rel_l = letter_hand_pose(_RELAXED, "left")
    rel_r = letter_hand_pose(_RELAXED, "right")
    return _pack(bp, rel_l, rel_r)


@functools.lru_cache(maxsize=8192)
def letter_keyposes(letter: Letter, signer: Signer, variant: int = 0) -> tuple[tuple[float, np.ndarray], ...]:
    """Key poses of a letter: ``((u, pose51x3), ...)`` with ``u`` in [0, 1] along the hold.

    ``variant`` 1 shifts a one-handed letter 3 cm outward (a repeated letter slides, as in "LL");
    two-handed letters keep their contact and are bounced by the motion instead.
    Arrays are read-only; copy before changing them.
    """
    two = letter.two_handed
    space = np.asarray(signer.space)
    bp = signer.posture.body_pose({"right": True, "left": two})
    rest = rest_body_pose(signer.posture)
    right = letter_hand_pose(letter.shape, "right", signer.lax)
    if two:
        left = letter_hand_pose(letter.base_shape, "left", signer.lax * 0.5)
        bplace = letter.base_place or Place("base")
        H_l = _tilted("left", bplace, tuple(0.5 * t for t in signer.tilt))
        target = location(bplace.location) + np.asarray(bplace.offset) + space
        w_l = target - H_l @ _local_point(left, "left", "palm")
        bp = set_arm(bp, "left", solve_arm("left", w_l, H_l, bp))
    else:
        left = letter_hand_pose(_RELAXED, "left")
        for j in (SHOULDER["left"], ELBOW["left"], WRIST["left"]):
            bp[j - 1] = rest[j - 1]

    # one-handed letters are held the way relaxed signers hold them (palm turned toward the midline,
    # fingers leaning toward the viewer); two-handed letters keep the orientation their contact needs
    turn, lean = (0.0, 0.0) if two else (signer.palm_turn, signer.finger_lean)
    H0 = _tilted("right", letter.place, signer.tilt, turn, lean)
    move = letter.move
    path = np.asarray(move.path if move else ((0.0, 0.0, 0.0),), np.float64)
    if variant == 1 and not two:
        path = path + np.array([-0.03, 0.0, 0.0])  # one-handed: slide 3 cm outward (two-handed letters bounce)
    n = len(path)
    if move is not None and move.end is not None:
        H1 = _tilted("right", move.end, signer.tilt, turn, lean)
        slerp = Slerp([0.0, 1.0], Rotation.from_matrix(np.stack([H0, H1])))
        rots = slerp(np.linspace(0, 1, n)).as_matrix()
    else:
        rots = np.repeat(H0[None], n, 0)

    if letter.contact is not None:
        c = letter.contact
        lw, lR, lpts = hand_world_points(bp, left, "left")
        anchor = hand_point(lpts, lw, lR, c.target, "left", c.side, c.gap)
        dom_local = _local_point(right, "right", c.point)
    else:
        anchor = location(letter.place.location) + np.asarray(letter.place.offset) + space
        dom_local = _local_point(right, "right", "palm")

    keys = []
    for i in range(n):
        H = rots[i]
        w_r = anchor + path[i] - H @ dom_local
        pose_bp = set_arm(bp, "right", solve_arm("right", w_r, H, bp))
        arr = _pack(pose_bp, left, right)
        arr.setflags(write=False)
        keys.append((i / (n - 1) if n > 1 else 0.0, arr))
    return tuple(keys)
