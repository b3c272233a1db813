"""Handshapes as finger-joint angles, turned into MANO hand poses.

A :class:`Handshape` gives, per finger, flexion at the MCP, PIP and DIP joints
and abduction (spread) at the MCP, in degrees; and for the thumb either
explicit angles (CMC opposition and adduction, MCP and IP flexion) or a
contact target ("the thumb tip touches the middle finger's middle segment"),
solved by a small least-squares fit of the four thumb angles.

Conventions (right hand, MANO flat hand at rest: palm faces -y, fingers point
-x, thumb toward +z): flexion of a finger joint is a rotation about +z, spread
toward the thumb is about +y. The left hand is the mirror image: its axis-angle
is the right hand's with y and z negated (the same conjugation by
diag(1, -1, -1) as the official left-hand flip).

:func:`hand_pose` returns the (45,) MANO pose (15 joints x axis-angle in the
order index1-3, middle1-3, pinky1-3, ring1-3, thumb1-3).

Example::

    >>> pose = hand_pose(SHAPES["fist_thumb_side"], side="right")
    >>> pose.shape
    (45,)
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np
from scipy.optimize import least_squares
from scipy.spatial.transform import Rotation

from .kinematics import FINGERS, FINGER_JOINTS, WRIST, skeleton

__all__ = ["Finger", "Thumb", "ThumbTouch", "Handshape", "SHAPES", "hand_pose", "hand_points", "mirror_hand_pose",
           "JOINT_LIMITS_DEG", "STRAIGHT", "CURLED", "BENT", "HOOKED", "CURVED", "CLAW"]

DEG = np.pi / 180.0


@dataclasses.dataclass(frozen=True)
class Finger:
    """One finger: flexion at MCP, PIP, DIP and spread (toward the thumb positive), degrees."""

    mcp: float = 0.0
    pip: float = 0.0
    dip: float = 0.0
    spread: float = 0.0

    def with_spread(self, spread: float) -> "Finger":
        return dataclasses.replace(self, spread=spread)


@dataclasses.dataclass(frozen=True)
class Thumb:
    """Explicit thumb angles in degrees: CMC opposition (toward the palm), CMC adduction
    (toward the index side), MCP and IP flexion."""

    opp: float = 0.0
    add: float = 0.0
    mcp: float = 0.0
    ip: float = 0.0


@dataclasses.dataclass(frozen=True)
class ThumbTouch:
    """Thumb tip placed at a point of the same hand.

    ``point`` is ``"<finger>_<tip|dip|pip|mcp>"`` or ``"<finger>_mid"`` (middle of the
    middle segment), ``side`` one of ``palmar``, ``dorsal``, ``radial`` (thumb side),
    ``ulnar``; ``gap`` is the distance from the joint centre in metres (a finger is
    about 1.8 cm thick).
    """

    point: str
    side: str = "palmar"
    gap: float = 0.012
    start: Thumb = Thumb(40, 20, 20, 20)


@dataclasses.dataclass(frozen=True)
class Handshape:
    """A handshape: four fingers and the thumb."""

    name: str
    index: Finger
    middle: Finger
    ring: Finger
    pinky: Finger
    thumb: Thumb | ThumbTouch

    def fingers(self) -> dict[str, Finger]:
        return {"index": self.index, "middle": self.middle, "pinky": self.pinky, "ring": self.ring}


# Building blocks (degrees).
STRAIGHT = Finger(0, 0, 0)
CURLED = Finger(88, 100, 55)       # folded into the palm (fist)
BENT = Finger(85, 5, 5)            # bent at the knuckle only (flat "bent B")
HOOKED = Finger(0, 70, 35)         # X: knuckle straight, a raised hook (tip well above the fist)
CURVED = Finger(20, 30, 15)        # C: gentle curve (open: the thumb stays 4-5 cm from the index tip)
ROUND = Finger(45, 65, 40)         # O: tighter curve meeting the thumb
CLAW = Finger(10, 65, 50)          # claw / "bent 5"
TUCKED = Finger(45, 90, 35)        # E: tips bent down onto the thumb held across the palm

# Joint limits used to check every generated pose (degrees).
JOINT_LIMITS_DEG = {
    "finger_flex": (-25.0, 115.0),
    "finger_spread": (-35.0, 35.0),
    "finger_twist": (-35.0, 35.0),
    "thumb_total": 120.0,
}


def _finger_rotvecs(f: Finger) -> np.ndarray:
    """(3, 3) right-hand axis-angle for MCP, PIP, DIP."""
    mcp = Rotation.from_euler("zy", [f.mcp * DEG, f.spread * DEG])  # flex about z, then spread about y
    return np.stack([mcp.as_rotvec(), [0, 0, f.pip * DEG], [0, 0, f.dip * DEG]])


def _thumb_flex_axis() -> np.ndarray:
    a = np.array([1.0, -1.0, 1.0])
    return a / np.linalg.norm(a)


def _thumb_rotvecs(t: Thumb) -> np.ndarray:
    """(3, 3) right-hand axis-angle for thumb1 (CMC), thumb2 (MCP), thumb3 (IP)."""
    cmc = Rotation.from_rotvec([t.opp * DEG, 0, 0]) * Rotation.from_rotvec([0, -t.add * DEG, 0])
    k = _thumb_flex_axis()
    return np.stack([cmc.as_rotvec(), k * t.mcp * DEG, k * t.ip * DEG])


def _right_pose(fingers: dict[str, Finger], thumb: Thumb) -> np.ndarray:
    out = np.zeros((15, 3))
    for i, name in enumerate(FINGERS[:4]):
        out[3 * i:3 * i + 3] = _finger_rotvecs(fingers[name])
    out[12:15] = _thumb_rotvecs(thumb)
    return out


def hand_points(pose45: np.ndarray, side: str = "right") -> dict[str, np.ndarray]:
    """Hand FK in the wrist's rest-aligned frame (wrist at the origin).

    Returns a dict with ``"<finger>_<mcp|pip|dip|tip>"`` positions (3,) and the
    global (wrist-frame) rotation of each finger's segments as ``"<finger>_R<k>"``.
    """
    skel = skeleton()
    w = WRIST[side]
    pose = np.array(pose45, np.float64).reshape(15, 3)
    R = Rotation.from_rotvec(pose).as_matrix()
    out: dict[str, np.ndarray] = {}
    tip_base = 0 if side == "left" else 5
    for fi, name in enumerate(FINGERS):
        ids = FINGER_JOINTS(side, name)
        G = np.eye(3)
        p = skel.rest[ids[0]] - skel.rest[w]
        parent_p = np.zeros(3)
        for k, j in enumerate(ids):
            if k > 0:
                p = parent_p + G @ (skel.rest[j] - skel.rest[ids[k - 1]])
            G = G @ R[3 * fi + k]
            out[f"{name}_{('mcp', 'pip', 'dip')[k]}"] = p
            out[f"{name}_R{k}"] = G
            parent_p = p
        out[f"{name}_tip"] = parent_p + G @ skel.tip_offsets[tip_base + fi]
    return out


_SIDE_DIRS = {"palmar": np.array([0, -1.0, 0]), "dorsal": np.array([0, 1.0, 0]),
              "radial": np.array([0, 0, 1.0]), "ulnar": np.array([0, 0, -1.0])}


def _touch_point(points: dict[str, np.ndarray], touch: ThumbTouch) -> np.ndarray:
    finger, _, where = touch.point.partition("_")
    if finger not in ("index", "middle", "ring", "pinky"):
        raise ValueError(f"thumb touch point {touch.point!r}: expected '<finger>_<tip|dip|pip|mcp|mid>'")
    if where == "mid":
        p = 0.5 * (points[f"{finger}_pip"] + points[f"{finger}_dip"])
        R = points[f"{finger}_R1"]
    elif where == "tip":
        p, R = points[f"{finger}_tip"], points[f"{finger}_R2"]
    else:
        k = {"mcp": 0, "pip": 1, "dip": 2}[where]
        p, R = points[f"{finger}_{where}"], points[f"{finger}_R{k}"]
    return p + R @ _SIDE_DIRS[touch.side] * touch.gap


@functools.lru_cache(maxsize=512)
def _solve_thumb(shape: Handshape) -> Thumb:
    """The thumb angles of a touching thumb: from :mod:`.thumb_store` when fitted before on this machine,
    else fitted (and stored)."""
    from .thumb_store import store_thumb, stored_thumb

    key = repr(dataclasses.replace(shape, name=""))  # the geometry, whatever the handshape is called
    stored = stored_thumb(key)
    if stored is not None:
        return Thumb(*stored)
    thumb = _fit_thumb(shape)
    store_thumb(key, (thumb.opp, thumb.add, thumb.mcp, thumb.ip))
    return thumb


def _fit_thumb(shape: Handshape) -> Thumb:
    touch = shape.thumb
    assert isinstance(touch, ThumbTouch)
    fingers = shape.fingers()
    base = _right_pose(fingers, Thumb())
    target = _touch_point(hand_points(base.reshape(-1), "right"), touch)
    s = touch.start

    def residual(x):
        pose = _right_pose(fingers, Thumb(*x))
        tip = hand_points(pose.reshape(-1), "right")["thumb_tip"]
        # tiny pull toward the start keeps the solution natural when the target is easy
        return np.concatenate([(tip - target) * 100.0, 0.002 * (x - np.array([s.opp, s.add, s.mcp, s.ip]))])

    lo, hi = np.array([-20.0, -30.0, -15.0, -20.0]), np.array([100.0, 75.0, 75.0, 90.0])
    x0 = np.clip([s.opp, s.add, s.mcp, s.ip], lo + 1e-3, hi - 1e-3)
    sol = least_squares(residual, x0, bounds=(lo, hi), xtol=1e-6)
    # a start far from the answer can end in a poor local fit: then try a few opposed-thumb starts
    if np.linalg.norm(sol.fun[:3]) > 0.3:  # more than 3 mm from the target
        for other in _THUMB_STARTS:
            alt = least_squares(residual, np.clip(other, lo + 1e-3, hi - 1e-3), bounds=(lo, hi), xtol=1e-6)
            if np.linalg.norm(alt.fun[:3]) < np.linalg.norm(sol.fun[:3]) - 0.05:
                sol = alt
    return Thumb(*(float(v) for v in np.round(sol.x, 3)))


_THUMB_STARTS = ((70.0, 40.0, 30.0, 30.0), (40.0, 40.0, 20.0, 20.0), (60.0, 10.0, 40.0, 40.0), (80.0, 20.0, 20.0, 10.0))


def resolved_thumb(shape: Handshape) -> Thumb:
    """The thumb angles of a handshape (solving a :class:`ThumbTouch` target)."""
    return _solve_thumb(shape) if isinstance(shape.thumb, ThumbTouch) else shape.thumb


def mirror_hand_pose(pose: np.ndarray) -> np.ndarray:
    """Right-hand axis-angle (..., 45) -> the mirrored left-hand pose (and back)."""
    p = np.array(pose, np.float64).reshape(pose.shape[:-1] + (15, 3))
    p[..., 1:] *= -1
    return p.reshape(pose.shape)


@functools.lru_cache(maxsize=1024)
def _hand_pose_cached(shape: Handshape, side: str) -> np.ndarray:
    right = _right_pose(shape.fingers(), resolved_thumb(shape)).reshape(45)
    return mirror_hand_pose(right) if side == "left" else right


def hand_pose(shape: Handshape, side: str = "right") -> np.ndarray:
    """(45,) MANO axis-angle for ``shape`` on the given hand (relative to a flat hand)."""
    if side not in ("left", "right"):
        raise ValueError(f"side must be 'left' or 'right', got {side!r}")
    return _hand_pose_cached(shape, side).copy()


def _H(name, i, m, r, p, thumb) -> Handshape:
    return Handshape(name, i, m, r, p, thumb)


_fist_thumb_side = ThumbTouch("index_pip", "radial", 0.013, Thumb(5, 35, 10, 5))
_fist_thumb_front = ThumbTouch("middle_mid", "palmar", 0.016, Thumb(60, 30, 30, 30))
_thumb_palm = Thumb(55, 40, 50, 40)          # folded across the palm (B, 4)
_thumb_open = Thumb(0, -10, 0, 0)            # spread out (5, L)
_thumb_up = Thumb(-15, 45, -5, -5)           # thumbs-up: along the hand axis, beside the fist

SHAPES: dict[str, Handshape] = {s.name: s for s in [
    _H("fist_thumb_side", CURLED, CURLED, CURLED, CURLED, _fist_thumb_side),                      # ASL A
    _H("fist_thumb_front", CURLED, CURLED, CURLED, CURLED, _fist_thumb_front),                    # ASL S
    _H("fist_thumb_up", CURLED, CURLED, CURLED, CURLED, _thumb_up),                               # CSL A, thumbs-up
    _H("flat_thumb_in", STRAIGHT, STRAIGHT, STRAIGHT, STRAIGHT, _thumb_palm),                     # B, 4-ish
    _H("flat_thumb_side", STRAIGHT, STRAIGHT, STRAIGHT, STRAIGHT, Thumb(5, 25, 5, 5)),            # flat B with thumb along
    _H("open_5", STRAIGHT.with_spread(12), STRAIGHT.with_spread(2), STRAIGHT.with_spread(-9),
       STRAIGHT.with_spread(-18), _thumb_open),
    _H("four", STRAIGHT.with_spread(10), STRAIGHT.with_spread(2), STRAIGHT.with_spread(-8),
       STRAIGHT.with_spread(-16), _thumb_palm),
    _H("c", CURVED, CURVED, CURVED, CURVED, Thumb(33, 19, 0, 30)),                                 # thumb opposite the index
    _H("o", ROUND, ROUND, ROUND, ROUND, ThumbTouch("index_tip", "palmar", 0.011, Thumb(50, 30, 25, 25))),
    _H("flat_o", Finger(60, 25, 15), Finger(60, 25, 15), Finger(62, 25, 15), Finger(65, 25, 15),
       ThumbTouch("middle_tip", "palmar", 0.012, Thumb(45, 35, 20, 10))),
    _H("d", STRAIGHT, Finger(50, 75, 40), Finger(55, 80, 45), Finger(60, 85, 45), Thumb(93, -11, 12, 12)),  # thumb on middle tip
    _H("e", TUCKED, TUCKED, TUCKED, Finger(50, 90, 35), Thumb(97, -27, 26, 24)),                   # thumb under the tips
    _H("f", ROUND, STRAIGHT.with_spread(3), STRAIGHT.with_spread(-6), STRAIGHT.with_spread(-14),
       ThumbTouch("index_tip", "palmar", 0.011, Thumb(45, 25, 25, 20))),
    _H("g", STRAIGHT, CURLED, CURLED, CURLED, Thumb(-8, 33, -15, 11)),                            # thumb parallel above the index
    _H("g_open", STRAIGHT, CURLED, CURLED, CURLED, Thumb(10, 10, 5, 0)),                          # index + thumb apart (DGS Q)
    _H("t_dgs", Finger(15, 10, 0), CURLED, CURLED, CURLED, Thumb(10, 45, -15, -1)),               # G-like, thumb on the index base
    _H("h", STRAIGHT, STRAIGHT, CURLED, CURLED, ThumbTouch("ring_mid", "palmar", 0.015, Thumb(60, 35, 30, 30))),
    _H("index", STRAIGHT, CURLED, CURLED, CURLED, ThumbTouch("middle_mid", "palmar", 0.015, Thumb(60, 35, 30, 30))),
    _H("index_thumb_out", STRAIGHT, CURLED, CURLED, CURLED, _thumb_open),                        # L
    _H("pinky", CURLED, CURLED, CURLED, STRAIGHT, ThumbTouch("index_mid", "palmar", 0.016, Thumb(60, 30, 30, 30))),  # I
    _H("pinky_thumb_out", CURLED, CURLED, CURLED, STRAIGHT.with_spread(-10), _thumb_open),       # Y
    _H("v", STRAIGHT.with_spread(11), STRAIGHT.with_spread(-9), CURLED, CURLED,
       ThumbTouch("ring_mid", "palmar", 0.015, Thumb(60, 35, 30, 30))),
    _H("u", STRAIGHT.with_spread(-1), STRAIGHT.with_spread(1), CURLED, CURLED,
       ThumbTouch("ring_mid", "palmar", 0.015, Thumb(60, 35, 30, 30))),
    _H("r", Finger(8, 0, 0, -14), Finger(18, 0, 0, 16), CURLED, CURLED,
       ThumbTouch("ring_mid", "palmar", 0.015, Thumb(60, 35, 30, 30))),
    _H("w", STRAIGHT.with_spread(12), STRAIGHT.with_spread(0), STRAIGHT.with_spread(-12), CURLED,
       ThumbTouch("pinky_mid", "palmar", 0.014, Thumb(70, 45, 35, 35))),
    _H("k", STRAIGHT.with_spread(5), Finger(50, 8, 0, -6), CURLED, CURLED, Thumb(1, 56, -4, -1)),  # thumb tip in the V
    _H("three", STRAIGHT.with_spread(12), STRAIGHT.with_spread(-8), CURLED, CURLED, _thumb_open),  # thumb-index-middle
    _H("x", HOOKED, CURLED, CURLED, CURLED, ThumbTouch("middle_mid", "palmar", 0.015, Thumb(60, 35, 30, 30))),
    _H("t", Finger(75, 80, 30), CURLED, CURLED, CURLED, ThumbTouch("index_pip", "palmar", 0.006, Thumb(45, 20, 10, 5))),
    _H("m", Finger(75, 70, 20), Finger(75, 70, 20), Finger(75, 70, 20), CURLED,
       ThumbTouch("ring_pip", "palmar", 0.012, Thumb(65, 45, 20, 10))),
    _H("n", Finger(75, 70, 20), Finger(75, 70, 20), CURLED, CURLED,
       ThumbTouch("middle_pip", "palmar", 0.012, Thumb(60, 35, 20, 10))),
    _H("bent_flat", BENT, BENT, BENT, BENT, Thumb(5, 20, 5, 5)),
    _H("claw_5", CLAW.with_spread(12), CLAW.with_spread(2), CLAW.with_spread(-9), CLAW.with_spread(-18),
       Thumb(20, -5, 20, 30)),
    _H("pinch", Finger(40, 50, 30), Finger(40, 50, 30), CURLED, CURLED,
       ThumbTouch("index_tip", "palmar", 0.011, Thumb(45, 30, 20, 20))),                           # CSL Q
    _H("index_middle_thumb_pinch", STRAIGHT.with_spread(8), STRAIGHT.with_spread(-8), CURLED, CURLED,
       ThumbTouch("middle_mid", "palmar", 0.014, Thumb(55, 30, 25, 20))),
    _H("e_csl", Finger(60, 70, 40), STRAIGHT.with_spread(4), STRAIGHT.with_spread(-6),
       STRAIGHT.with_spread(-14), ThumbTouch("index_dip", "radial", 0.012, Thumb(35, 25, 20, 20))),
    _H("relaxed", Finger(12, 15, 8, 4), Finger(14, 16, 8, 0), Finger(16, 18, 10, -4), Finger(18, 20, 10, -8),
       Thumb(10, 5, 10, 10)),
    _H("thumb_index_middle_up", STRAIGHT.with_spread(10), STRAIGHT.with_spread(-6), CURLED, CURLED, _thumb_up),
    _H("thumb_index_out", STRAIGHT, CURLED, CURLED, CURLED, Thumb(-5, -20, 0, 0)),
    _H("thumb_pinky_out", CURLED, CURLED, CURLED, STRAIGHT.with_spread(-12), Thumb(-5, -20, 0, 0)),
    _H("hooked_index_middle", HOOKED.with_spread(8), HOOKED.with_spread(-6), CURLED, CURLED,
       ThumbTouch("ring_mid", "palmar", 0.015, Thumb(60, 35, 30, 30))),
    _H("c_index", CURVED, CURLED, CURLED, CURLED, Thumb(35, 0, 15, 15)),                           # index + thumb C
    _H("c_index_middle", CURVED, CURVED, CURLED, CURLED, Thumb(33, 19, 0, 30)),                     # C of two fingers (DSGS CH)
    _H("six", STRAIGHT.with_spread(10), STRAIGHT.with_spread(0), STRAIGHT.with_spread(-10), ROUND,
       ThumbTouch("pinky_tip", "palmar", 0.011, Thumb(75, 50, 30, 20))),
    _H("seven", STRAIGHT.with_spread(10), STRAIGHT.with_spread(0), ROUND, STRAIGHT.with_spread(-16),
       ThumbTouch("ring_tip", "palmar", 0.011, Thumb(70, 45, 30, 20))),
    _H("eight", STRAIGHT.with_spread(10), ROUND, STRAIGHT.with_spread(-8), STRAIGHT.with_spread(-16),
       ThumbTouch("middle_tip", "palmar", 0.011, Thumb(60, 40, 25, 20))),
    _H("three_together", STRAIGHT, STRAIGHT, STRAIGHT, CURLED,
       ThumbTouch("pinky_mid", "palmar", 0.014, Thumb(70, 45, 35, 35))),
    _H("ring_index", ROUND, CURLED, CURLED, CURLED,
       ThumbTouch("index_tip", "palmar", 0.011, Thumb(45, 25, 25, 20))),
    _H("bent_three_thumb_under", BENT, BENT, BENT, CURLED,
       ThumbTouch("ring_pip", "palmar", 0.02, Thumb(60, 40, 20, 10))),
    _H("bent_two_thumb_under", BENT, BENT, CURLED, CURLED,
       ThumbTouch("middle_pip", "palmar", 0.02, Thumb(55, 35, 20, 10))),
    _H("index_forward_middle_down", STRAIGHT, Finger(80, 5, 0), CURLED, CURLED,
       ThumbTouch("middle_pip", "radial", 0.012, Thumb(40, 20, 15, 5))),
    _H("index_up_middle_forward", STRAIGHT, Finger(85, 0, 0), CURLED, CURLED,
       ThumbTouch("middle_mid", "radial", 0.012, Thumb(40, 20, 15, 5))),
    _H("four_thumb", STRAIGHT.with_spread(10), STRAIGHT.with_spread(0), STRAIGHT.with_spread(-8), CURLED,
       _thumb_open),
    _H("index_middle_thumb_out", STRAIGHT, STRAIGHT, CURLED, CURLED, _thumb_open),
    _H("flat_thumb_out", STRAIGHT, STRAIGHT, STRAIGHT, STRAIGHT, _thumb_open),                    # fingers together (CSL U)
    _H("c_flat", CURVED, CURVED, CURVED, CURVED, Thumb(45, 20, 10, 10)),
    _H("hook_two_thumb_out", HOOKED, HOOKED, CURLED, CURLED, _thumb_open),
]}
