"""HamNoSys locations -> points on the signer's skin, with the outward surface normal.

**Body locations** (:data:`BODY_LOCATIONS`; ``ham`` prefixes optional): ``head``, ``headtop``, ``forehead``,
``eyebrows``, ``eyes``, ``nose``, ``nostrils``, ``ear``, ``earlobe``, ``cheek``, ``lips``, ``tongue``,
``teeth``, ``chin``, ``underchin``, ``neck``, ``shouldertop``, ``shoulders``, ``chest``, ``stomach``,
``belowstomach``, ``neutralspace``, and on the other arm ``upperarm``, ``elbow``, ``elbowinside``,
``lowerarm``. Each is found on the signer's shape posed as when signing starts, arms hanging by the
sides (:func:`.surface.arms_down_body`; on the T-pose the raised arms pull the skin of the shoulders up
and out, and turn the arms) as the extreme vertex along a direction near a line placed from the
skeleton and face landmarks: the chin is the most forward head vertex in a band below the mouth, the
ear the outermost head vertex at ear height, the chest the most forward torso vertex at chest height,
the top of the shoulder the highest vertex above it, the elbow the back of the hanging arm's elbow
(``elbowinside`` its crease), the upper arm its front, the lower arm the back of the forearm (outward,
the palm toward the thigh), and so on. Tongue and teeth are taken at the lips. Results are cached per
shape, stored in the rest frame of the joint they move with.

**Sides.** ``side`` is None (the midline), ``"ipsi"`` (the side of the hand that goes there; HamNoSys
``hamlrat`` written for the dominant hand), ``"contra"`` (the other side), or absolute ``"left"`` /
``"right"`` (the signer's). Paired places (``ear``, ``earlobe``, ``cheek``, ``shouldertop``) have no midline
and default to ``"ipsi"``; the arm locations default to the other arm (``"contra"``). ``beside=True``
(``hamlrbeside``) moves the point to the outer side of the body part at the same height (of an arm: the
outer side of the arm), normal pointing sideways.

**Hand locations** (:data:`HAND_PARTS`), on a posed hand: ``palm``, ``back`` (``hamhandback``),
``thumbside``, ``pinkyside``, ``thumbball``, ``wristback``, ``wristpulse``, and per finger
``<finger>_tip`` (``hamfingertip``), ``_nail``, ``_pad``, ``_midjoint``, ``_base``, ``_side`` (its thumb
side), plus ``fingertips`` (the middle of the tips of the selected fingers). They are found on the
hand mesh the same way, in the wrist's rest frame, and attached rigidly to the wrist. The same
points serve as the *contact point* of the moving hand.

A :class:`SurfacePoint` is stored in the rest frame and attached to one skeleton joint; it moves
rigidly with that joint in a posed body (:meth:`SurfacePoint.world`), which is exact for vertices
skinned to that joint alone and within a few millimetres elsewhere.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np

from signspark.body.joints import JOINT_INDEX

from ..kinematics import FINGER_JOINTS, FINGERS, WRIST, forward, pose_vector
from .handshapes import finger_name
from .surface import (
    RestBody,
    arms_down_body,
    extreme_point,
    rest_body,
    skinned_points,
    vertex_normals,
)

__all__ = ["SurfacePoint", "body_location", "hand_location", "location_name", "BODY_LOCATIONS", "HAND_PARTS",
           "PAIRED", "ARM_LOCATIONS", "resolve_side"]

BODY_LOCATIONS = ("head", "headtop", "forehead", "eyebrows", "eyes", "nose", "nostrils", "ear", "earlobe", "cheek",
                  "lips", "tongue", "teeth", "chin", "underchin", "neck", "shouldertop", "shoulders", "chest",
                  "stomach", "belowstomach", "neutralspace", "upperarm", "elbow", "elbowinside", "lowerarm")
PAIRED = ("ear", "earlobe", "cheek", "shouldertop")
ARM_LOCATIONS = ("upperarm", "elbow", "elbowinside", "lowerarm")
_FINGER_PARTS = ("tip", "nail", "pad", "midjoint", "base", "side")
HAND_PARTS = ("palm", "back", "thumbside", "pinkyside", "thumbball", "wristback", "wristpulse", "fingertips") + tuple(
    f"{f}_{p}" for f in ("thumb", "index", "middle", "ring", "pinky") for p in _FINGER_PARTS)
_NAME_ALIASES = {"handback": "back", "fingertip": "index_tip", "fingernail": "index_nail", "fingerpad": "index_pad",
                 "fingermidjoint": "index_midjoint", "fingerbase": "index_base", "fingerside": "index_side",
                 "wristtoback": "wristback", "wristtopulse": "wristpulse"}


def location_name(name: str) -> str:
    """A HamNoSys location symbol or our name -> our name (``"hamchin"`` -> ``"chin"``,
    ``"hamhandback"`` -> ``"back"``). Raises ValueError for unknown names."""
    n = str(name).strip().lower()
    n = n[3:] if n.startswith("ham") else n
    n = _NAME_ALIASES.get(n, n)
    if n not in BODY_LOCATIONS and n not in HAND_PARTS:
        raise ValueError(f"unknown location {name!r}; body locations: {list(BODY_LOCATIONS)}; "
                         f"hand parts: {list(HAND_PARTS)}")
    return n


@dataclasses.dataclass(frozen=True)
class SurfacePoint:
    """A point on the skin and its outward normal, in the rest frame, attached to joint ``joint``.

    Attributes:
        name: what it is (``"chin"``, ``"cheek/right"``, ``"index_tip"``).
        joint: SMPL-X joint id (0-54) the point moves with.
        point: (3,) rest position, metres (body frame).
        normal: (3,) unit outward normal in the rest frame (smoothed over about 2 cm).
        facing: (3,) unit direction the place is looked at from (rest frame): +z for places found from
            the front, sideways for ``beside`` and ears, up for the top of the head. Hands held at a
            distance are offset along it; touching and close hands follow ``normal``.
    """

    name: str
    joint: int
    point: np.ndarray
    normal: np.ndarray
    facing: np.ndarray | None = None

    def __post_init__(self):
        if self.facing is None:
            object.__setattr__(self, "facing", self.normal)

    def world(self, P: np.ndarray, G: np.ndarray, rest_joints: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Position, normal and facing in a posed body, from FK joint positions ``P`` (>= 55, 3), global
        rotations ``G`` (55, 3, 3) and the skeleton's rest joints (55, 3)."""
        j = self.joint
        return P[j] + G[j] @ (self.point - rest_joints[j]), G[j] @ self.normal, G[j] @ self.facing


def resolve_side(side: str | None, hand: str) -> str | None:
    """``ipsi`` / ``contra`` for ``hand`` -> the signer's ``left`` / ``right``; None stays None."""
    if side is None or side in ("left", "right"):
        return side
    if side == "ipsi":
        return hand
    if side == "contra":
        return "left" if hand == "right" else "right"
    raise ValueError(f"unknown side {side!r}; expected None, 'ipsi', 'contra', 'left' or 'right'")


def _j(rb: RestBody, name: str) -> np.ndarray:
    return rb.joints[JOINT_INDEX[name]]


def _landmarks(rb: RestBody) -> dict[str, float | np.ndarray]:
    mouth_top, mouth_bottom = _j(rb, "mouth_top"), _j(rb, "mouth_bottom")
    return {
        "eye_y": 0.5 * (_j(rb, "right_eye")[1] + _j(rb, "left_eye")[1]),
        "eye_x": abs(_j(rb, "right_eye")[0] - _j(rb, "left_eye")[0]) / 2,
        "brow_y": 0.5 * (_j(rb, "right_eye_brow3")[1] + _j(rb, "left_eye_brow3")[1]),
        "brow_x": abs(_j(rb, "right_eye_brow3")[0] - _j(rb, "left_eye_brow3")[0]) / 2,
        "nose": _j(rb, "nose"), "nose_low_y": _j(rb, "nose_middle")[1],
        "mouth_y": 0.5 * (mouth_top[1] + mouth_bottom[1]), "mouth_low_y": mouth_bottom[1],
        "mouth_x": abs(_j(rb, "right_mouth_1")[0] - _j(rb, "left_mouth_1")[0]) / 2,
        "ear_y": 0.5 * (_j(rb, "right_ear")[1] + _j(rb, "left_ear")[1]),
        "ear_z": 0.5 * (_j(rb, "right_ear")[2] + _j(rb, "left_ear")[2]),
    }


_FRONT = np.array([0, 0, 1.0])
_UP = np.array([0, 1.0, 0])
# shouldertop, seen from: in front of the top of the shoulder and a little above it. A hand held right
# above its own shoulder is out of reach of the wrist (and 20 cm above it is at the temple); touching and
# close hands still follow the skin normal, onto the top of the shoulder.
_ABOVE_SHOULDER = np.array([0.0, 0.25, 0.97]) / np.linalg.norm([0.0, 0.25, 0.97])


def _front(body, name, y, x, parts, joint, radius=0.012):
    idx, p, n = extreme_point(body.vertices, body.normals, body.mask(*parts), (x, y, -0.2), _FRONT, radius)
    return SurfacePoint(name, joint, p, n, _FRONT)


def _along(body, name, parts, anchor, d, radius, joint):
    d = np.asarray(d, np.float64) / np.linalg.norm(d)
    _, p, n = extreme_point(body.vertices, body.normals, body.mask(*parts), anchor, d, radius)
    return SurfacePoint(name, joint, p, n, d)


@functools.lru_cache(maxsize=256)
def _posed_point(name: str, side: str | None, betas: tuple[float, ...]) -> SurfacePoint:
    """A body location on the body in the signing rest posture (:func:`.surface.arms_down_body`), in
    that posture's frame."""
    body = arms_down_body(betas)
    L = _landmarks(body.rest)   # face landmarks: the head does not move between the T-pose and this posture
    s = {None: 0.0, "left": 1.0, "right": -1.0}[side]
    J = body.joints
    tag = name if side is None else f"{name}/{side}"
    head_z = J[15][2]
    if name == "head":
        return _front(body, tag, L["eye_y"] + 0.012, s * 0.045, ("head",), 15)
    if name == "headtop":
        return _along(body, tag, ("head",), (s * 0.04, J[15][1], head_z), _UP, 0.012, 15)
    if name == "forehead":
        return _front(body, tag, L["brow_y"] + 0.03, s * 0.035, ("head",), 15)
    if name == "eyebrows":
        return _front(body, tag, L["brow_y"], s * L["brow_x"], ("head",), 15)
    if name == "eyes":
        return _front(body, tag, L["eye_y"], s * L["eye_x"], ("head",), 15)
    if name == "nose":
        return _front(body, tag, L["nose"][1], s * 0.012, ("head",), 15, 0.008)
    if name == "nostrils":
        return _front(body, tag, L["nose_low_y"], s * 0.01, ("head",), 15, 0.006)
    if name in ("lips", "tongue", "teeth"):
        return _front(body, tag, L["mouth_y"], s * L["mouth_x"], ("head",), 15, 0.008)
    if name == "chin":
        return _front(body, tag, L["mouth_low_y"] - 0.035, s * 0.03, ("head",), 15, 0.02)
    if name == "underchin":
        chin = _posed_point("chin", side, betas)
        p = _along(body, tag, ("head",), (chin.point[0], chin.point[1], chin.point[2] - 0.03), -_UP, 0.012, 15)
        return dataclasses.replace(p, facing=np.array([0.0, -0.6, 0.8]))
    if name in ("ear", "earlobe", "cheek"):
        if side is None:
            raise ValueError(f"{name} is paired: give side 'left' or 'right'")
        if name == "cheek":
            d = np.array([s * 0.75, 0.0, 0.66])
            anchor = (0.0, 0.5 * (L["nose"][1] + L["mouth_y"]) + 0.005, head_z)
        else:
            d = np.array([s, 0.0, 0.0])
            anchor = (0.0, L["ear_y"] - (0.022 if name == "earlobe" else 0.0), L["ear_z"])
        return _along(body, tag, ("head",), anchor, d, 0.01, 15)
    if name == "neck":
        chin = _posed_point("chin", None, betas)
        y = J[12][1] + 0.45 * (chin.point[1] - J[12][1])
        return _front(body, tag, y, s * 0.03, ("neck", "torso"), 12)
    sh = J[16]
    if name == "shouldertop":
        if side is None:
            raise ValueError("shouldertop is paired: give side 'left' or 'right'")
        anchor = (s * 0.85 * abs(sh[0]), sh[1], sh[2])
        p = _along(body, tag, ("torso", "left_arm", "right_arm"), anchor, _UP, 0.015, 13 if s > 0 else 14)
        return dataclasses.replace(p, facing=_ABOVE_SHOULDER)
    if name == "shoulders":
        return _front(body, tag, sh[1] - 0.01, s * 0.75 * abs(sh[0]), ("torso",), 9, 0.015)
    chest_y = 0.5 * (J[9][1] + sh[1])
    stomach_y = 0.5 * (J[3][1] + J[6][1])
    if name == "chest":
        return _front(body, tag, chest_y, s * 0.5 * abs(sh[0]), ("torso",), 9, 0.015)
    if name == "stomach":
        return _front(body, tag, stomach_y, s * 0.07, ("torso",), 6, 0.015)
    if name == "belowstomach":
        return _front(body, tag, J[0][1] + 0.03, s * 0.07, ("torso", "legs"), 0, 0.015)
    if name == "neutralspace":
        return _front(body, tag, 0.5 * (chest_y + stomach_y), s * 0.5 * abs(sh[0]), ("torso",), 9, 0.015)
    if name in ARM_LOCATIONS:
        if side is None:
            raise ValueError(f"{name}: give the arm, side 'left' or 'right'")
        # the arm hangs, palm toward the thigh: the elbow's point is at its back, the crease in front, the
        # back of the forearm (the top of a forearm held across the body, palm down) faces outward
        sid, eid, wid = (16, 18, 20) if s > 0 else (17, 19, 21)
        anchor, d, joint = {
            "upperarm": (0.5 * (J[sid] + J[eid]), _FRONT, sid),
            "elbow": (J[eid], -_FRONT, eid),
            "elbowinside": (J[eid], _FRONT, eid),
            "lowerarm": (0.5 * (J[eid] + J[wid]), np.array([s, 0.0, 0.0]), eid),
        }[name]
        return _along(body, tag, _arm_parts(s), anchor, d, 0.015, joint)
    raise ValueError(f"unknown body location {name!r}")


def _arm_parts(s: float) -> tuple[str, str]:
    return ("left_arm", "left_hand") if s > 0 else ("right_arm", "right_hand")


def _to_rest(p: SurfacePoint, betas: tuple[float, ...]) -> SurfacePoint:
    point, normal, facing = arms_down_body(betas).to_rest(p.joint, p.point, p.normal, p.facing)
    return SurfacePoint(p.name, p.joint, point, normal, facing)


@functools.lru_cache(maxsize=256)
def _body_point(name: str, side: str | None, betas: tuple[float, ...]) -> SurfacePoint:
    return _to_rest(_posed_point(name, side, betas), betas)


@functools.lru_cache(maxsize=256)
def _beside(name: str, side: str, betas: tuple[float, ...]) -> SurfacePoint:
    """The outer side of the body part of ``name`` at the same height (normal straight out): the side of
    the head, neck or trunk seen from the front, or the outer side of an arm (found, as the other places,
    with the arms down)."""
    centre = _posed_point(name, None if name not in PAIRED + ARM_LOCATIONS else side, betas)
    body = arms_down_body(betas)
    s = 1.0 if side == "left" else -1.0
    d = np.array([s, 0.0, 0.0])
    if name in ARM_LOCATIONS:
        mask = body.mask(*_arm_parts(1.0 if centre.joint in (16, 18, 20) else -1.0))
        bone = body.joints[centre.joint]
        anchor = np.array([bone[0], centre.point[1], bone[2]])
    else:
        mask = body.mask(*{15: ("head",), 12: ("neck",)}.get(centre.joint, ("torso", "legs")))
        anchor = centre.point * np.array([0.0, 1.0, 1.0]) + np.array([0.0, 0.0, -0.03])
    try:
        _, p, _ = extreme_point(body.vertices, body.normals, mask, anchor, d, 0.03)
    except ValueError:
        p = centre.point
    return _to_rest(SurfacePoint(f"{name}/beside-{side}", centre.joint, p, d, d), betas)


def body_location(name: str, side: str | None = None, hand: str = "right", beside: bool = False,
                  betas=None) -> SurfacePoint:
    """A body location on the signer's shape (rest frame; see the module docstring).

    Args:
        name: a :data:`BODY_LOCATIONS` name or HamNoSys symbol (``"hamchin"``).
        side: None, ``"ipsi"``, ``"contra"``, ``"left"`` or ``"right"``.
        hand: the hand that goes there (``"right"`` dominant), for ``ipsi`` / ``contra`` and defaults.
        beside: HamNoSys ``hamlrbeside``: the outer side of the body part (needs a side; default ipsi).
        betas: the signer's shape (10 numbers) or None.
    """
    n = location_name(name)
    if n not in BODY_LOCATIONS:
        raise ValueError(f"{name!r} is a hand part, not a body location; use hand_location")
    if side is None and (n in PAIRED or beside):
        side = "ipsi"
    if side is None and n in ARM_LOCATIONS:
        side = "contra"
    s = resolve_side(side, hand)
    from .surface import betas_key

    key = betas_key(betas)
    if beside:
        return _beside(n, s, key)
    return _body_point(n, s, key)


# ------------------------------------------------------------------ hands
_PALMAR = np.array([0, -1.0, 0])
_RADIAL = np.array([0, 0, 1.0])


def _hand_calibration(hand45: np.ndarray, side: str, betas: tuple[float, ...]):
    """Hand mesh (vertices, normals, mask), FK joints and rotations with the body at rest and only the
    hand posed (so the wrist's global rotation is the identity)."""
    pose = np.zeros((51, 3))
    sl = slice(21, 36) if side == "left" else slice(36, 51)
    pose[sl] = np.asarray(hand45, np.float64).reshape(15, 3)
    V = skinned_points(pose, betas)
    rb = rest_body(betas)
    N = vertex_normals(V, rb.faces)
    P, G = forward(pose_vector(body_pose=pose[:21], left_hand_pose=pose[21:36], right_hand_pose=pose[36:]), rb.skel)
    return V, N, rb, P, G


@functools.lru_cache(maxsize=512)
def _hand_point(hand_bytes: bytes, side: str, part: str, selected: tuple[str, ...], betas) -> SurfacePoint:
    hand45 = np.frombuffer(hand_bytes, np.float64)
    V, N, rb, P, G = _hand_calibration(hand45, side, betas)
    w = WRIST[side]
    hand = rb.mask(f"{side}_hand")
    distal = np.array([-1.0, 0, 0]) if side == "right" else np.array([1.0, 0, 0])
    tip_base = 0 if side == "left" else 5

    def on(mask, anchor, d, radius=0.01):  # normal: the direction looked along (hands are small and bumpy)
        _, p, _ = extreme_point(V, N, mask, anchor, d, radius)
        return SurfacePoint(part, w, p, np.asarray(d, np.float64) / np.linalg.norm(d))

    if part == "fingertips":
        pts = [_hand_point(hand_bytes, side, f"{f}_tip", (), betas) for f in (selected or ("index",))]
        p = np.mean([q.point for q in pts], 0)
        n = np.mean([q.normal for q in pts], 0)
        return SurfacePoint(part, w, p, n / np.linalg.norm(n))
    mcp = P[FINGER_JOINTS(side, "middle")[0]]
    centre = P[w] + 0.55 * (mcp - P[w])
    palm_region = np.isin(rb.dominant, (w,))
    if part in ("palm", "back"):
        # the centre of the palm (back), lifted onto the plane that touches the most protruding part of the
        # hand around it (thumb ball, finger pads): what meets a surface the hand is pressed against
        d = _PALMAR if part == "palm" else -_PALMAR
        p = on(hand, centre, d, 0.012).point
        _, top, _ = extreme_point(V, N, hand & ~np.isin(rb.dominant, FINGER_JOINTS(side, "thumb")[1:]), centre, d, 0.035)
        p = p + d * max(0.0, float((top - p) @ d))
        return SurfacePoint(part, w, p, d)
    if part in ("thumbside", "pinkyside"):
        return on(palm_region, P[w] + 0.7 * (mcp - P[w]), _RADIAL if part == "thumbside" else -_RADIAL, 0.012)
    if part == "thumbball":
        t1 = P[FINGER_JOINTS(side, "thumb")[0]]
        return on(hand & ~np.isin(rb.dominant, FINGER_JOINTS(side, "thumb")[1:]), 0.6 * t1 + 0.4 * centre, _PALMAR)
    if part in ("wristback", "wristpulse"):
        near = np.linalg.norm(V - P[w], axis=1) < 0.05
        return on(near, P[w] - 0.01 * distal, -_PALMAR if part == "wristback" else _PALMAR, 0.012)
    finger, _, where = part.partition("_")
    finger = finger_name(finger)
    if where not in _FINGER_PARTS:
        raise ValueError(f"unknown hand part {part!r}; expected one of {list(HAND_PARTS)}")
    j1, j2, j3 = FINGER_JOINTS(side, finger)
    seg = {"tip": j3, "nail": j3, "pad": j3, "midjoint": j2, "base": j1, "side": j2}[where]
    mask = np.isin(rb.dominant, (seg,))
    if where == "tip":
        tip = P[55 + tip_base + FINGERS.index(finger)]
        d = tip - P[j3]
        return on(mask, P[j3], d / np.linalg.norm(d), 0.008)
    R = G[seg]
    if where in ("nail", "pad"):
        tip = P[55 + tip_base + FINGERS.index(finger)]
        anchor = 0.5 * (P[j3] + tip)
        return on(mask, anchor, R @ (-_PALMAR if where == "nail" else _PALMAR), 0.008)
    if where == "midjoint":
        return on(np.isin(rb.dominant, (j1, j2)), P[j2], R @ -_PALMAR, 0.008)
    if where == "base":
        return on(np.isin(rb.dominant, (w, j1)), P[j1], R @ -_PALMAR, 0.01)
    return on(np.isin(rb.dominant, (j1, j2)), P[j2], R @ _RADIAL, 0.008)  # side: thumb side of the finger


def hand_location(hand45: np.ndarray, side: str, part: str, selected: tuple[str, ...] = (), betas=None
                  ) -> SurfacePoint:
    """A point on the skin of a hand with MANO pose ``hand45`` ((45,) axis-angle), attached to the wrist.

    The point is in the wrist's rest frame: with the body at rest only the hand posed, so
    :meth:`SurfacePoint.world` with the wrist's FK places it on the posed hand.

    Args:
        part: a :data:`HAND_PARTS` name or HamNoSys symbol (``"hampalm"``, ``"hamhandback"``,
            ``"hamfingertip"`` = the index tip).
        selected: the fingers whose tips make ``fingertips`` (default the index).
    """
    from .surface import betas_key

    if side not in ("left", "right"):
        raise ValueError(f"side must be 'left' or 'right', got {side!r}")
    p = location_name(part)
    if p not in HAND_PARTS:
        raise ValueError(f"{part!r} is a body location, not a hand part")
    h = np.ascontiguousarray(np.asarray(hand45, np.float64).reshape(45))
    return _hand_point(h.tobytes(), side, p, tuple(finger_name(f) for f in selected), betas_key(betas))
