"""One HamNoSys posture (handshape, orientation, location, distance) -> a (51, 3) key pose.

:func:`solve_posture` places each described hand so that its *contact point* (the palm centre by
default; the tips of the selected fingers when a pointing hand touches or comes close; or any
:data:`~.locations.HAND_PARTS` name) lies at the location's skin point plus ``distance`` metres along
the skin's outward normal (up to ``close``; further away along the place's *facing*, e.g. straight in
front of it, see :class:`~.locations.SurfacePoint`), with the hand turned as described (:mod:`.directions`, :mod:`.orientation`). The arms are
solved analytically (:func:`signspark.signs.arms.solve_arm`: natural elbow, forearm twist shared
with the elbow). A hand without a description rests by the side, relaxed.

A touching or close hand that a movement has moved across the place (``offset``) follows the skin of
the head and trunk there (a hand stroking up the front of the body stays on it); the part of the offset
along the place's facing still takes it off the skin. Afterwards the posed mesh is checked: a hand that went into the head or trunk is moved out along
the location's normal until it no longer does (by at most 5 cm; noted in :attr:`PostureResult.notes`);
a touching hand that hovers because the skin curves away from it (a palm on a cheek) is moved in
until it meets the skin (by at most 1.2 cm).
Targets out of reach are clamped to the reachable range with a :class:`ReachWarning` (or a
:class:`~signspark.signs.arms.ReachError` with ``strict=True``).

Distances (:data:`DISTANCES`, metres from the skin to the contact point): ``touch`` 0, ``close``
0.05, ``None`` (no distance symbol) 0.15 at the head and neck, 0.20 at the trunk and arms, 0.25 for
``neutralspace``, 0.14 at the top of the shoulder (in front of it and a little above: further is at the
level of the face), 0.06 to the other hand; ``armextended``: along the normal until the wrist is at 90%
of the arm's reach. A number is taken as metres.

The result is a (51, 3) axis-angle array: SMPL-X ``body_pose`` (21 joints), then the left and the
right MANO hand (15 joints each), like every key pose of :class:`~signspark.signs.lexicon.SignForm`.
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np

from ..arms import ReachError, rest_body_pose, set_arm, solve_arm
from ..handshapes import Handshape, hand_pose
from ..kinematics import ELBOW, SHOULDER, WRIST, forward, pose_vector
from ..placement import letter_hand_pose
from ..signers import DEFAULT_SIGNER, Signer
from .directions import mirror_letters, mirror_vector
from .orientation import hand_rotation
from .handshapes import HandshapeSpec, handshape, selected_fingers
from .locations import (ARM_LOCATIONS, HAND_PARTS, SurfacePoint, body_location, hand_location, location_name)
from .surface import rest_body, skinned_points, trunk

__all__ = ["HandPostureSpec", "PostureResult", "ReachWarning", "solve_posture", "solve_posture_detail",
           "mirror_spec", "DISTANCES", "contact_part"]

DISTANCES = {"touch": 0.0, "close": 0.05}
_DEFAULT_DISTANCE = {"head": 0.15, "body": 0.20, "neutralspace": 0.25, "hand": 0.06, "shouldertop": 0.14}
_POINTING = ("finger2", "finger23", "finger23spread")
_MAX_PUSH = 0.05
_MAX_SETTLE = 0.012
_SKIN_SEARCH = 0.08   # a touching hand moved along the body looks this far (m) for the skin under it
_REACH_TOL = 0.01
_ARM_EXTENDED = 0.9


class ReachWarning(UserWarning):
    """A hand target was out of reach; the hand was stopped at the nearest reachable point."""


@dataclasses.dataclass(frozen=True)
class HandPostureSpec:
    """What one hand does in a HamNoSys posture (names with or without the ``ham`` prefix).

    Attributes:
        handshape: a :class:`~.handshapes.HandshapeSpec`, a basic-form name, or a ready
            :class:`~signspark.signs.handshapes.Handshape`.
        extended_finger: extended finger direction: letters (``"uo"``), a symbol (``"hamextfingeruo"``) or a
            body-frame 3-vector (see :mod:`.directions`).
        palm: palm orientation relative to the extended finger (``"d"``, ``"hampalmdl"``) or an absolute 3-vector.
        location: a body location (``"hamchin"``), a part of the OTHER hand (``"hampalm"``, ``"index_tip"``), or
            None for neutral space.
        side: None, ``"ipsi"`` (HamNoSys ``hamlrat`` for this hand), ``"contra"``, ``"left"`` or ``"right"``.
        beside: HamNoSys ``hamlrbeside``: beside the body part, out to the side.
        distance: ``"touch"``, ``"close"``, ``"armextended"``, None (the default distance) or metres.
        contact: the part of THIS hand that goes to the location (a :data:`~.locations.HAND_PARTS` name or
            symbol, e.g. ``"hamfingertip"``, ``"back"``, ``"thumb_tip"``); None: see :func:`contact_part`.
        offset: extra displacement of the contact point, metres in the body frame.
    """

    handshape: HandshapeSpec | Handshape | str
    extended_finger: object = "o"
    palm: object = "d"
    location: str | None = None
    side: str | None = None
    beside: bool = False
    distance: str | float | None = None
    contact: str | None = None
    offset: tuple[float, float, float] = (0.0, 0.0, 0.0)


def mirror_spec(spec: HandPostureSpec) -> HandPostureSpec:
    """The spec for the other hand in a left-right symmetric sign (HamNoSys ``hamsymmlr``): l and r swap in
    the directions, absolute sides swap, vectors and the offset mirror across x = 0; ``ipsi`` / ``contra``
    stay (they are relative to the hand)."""
    def flip(v):
        return mirror_letters(v) if isinstance(v, str) else tuple(mirror_vector(v))

    side = {"left": "right", "right": "left"}.get(spec.side, spec.side)
    return dataclasses.replace(spec, extended_finger=flip(spec.extended_finger), palm=flip(spec.palm), side=side,
                               offset=tuple(mirror_vector(spec.offset)))


@dataclasses.dataclass
class PostureResult:
    """What :func:`solve_posture_detail` did.

    Attributes:
        pose: (51, 3) key pose.
        targets: hand side -> (3,) world point where its contact point was aimed (after any push-out).
        surface: hand side -> (3,) the location's skin point (world) and ``normals`` its outward normal.
        contacts: hand side -> the contact part name used.
        notes: human-readable remarks (push-outs, clamps).
    """

    pose: np.ndarray
    targets: dict[str, np.ndarray]
    surface: dict[str, np.ndarray]
    normals: dict[str, np.ndarray]
    contacts: dict[str, str]
    notes: list[str]


def _shape(spec: HandPostureSpec) -> tuple[Handshape, tuple[str, ...], str | None]:
    hs = spec.handshape
    if isinstance(hs, Handshape):
        return hs, tuple(f for f in ("index", "middle", "ring", "pinky") if getattr(hs, f).mcp < 20), None
    if isinstance(hs, str):
        hs = HandshapeSpec(hs)
    basic = hs.basic.lower()
    return handshape(hs), selected_fingers(hs), basic[3:] if basic.startswith("ham") else basic


def contact_part(spec: HandPostureSpec) -> str:
    """The part of the hand placed at the location: ``spec.contact`` if given; else the tips of the selected
    fingers for a pointing hand (``finger2``, ``finger23``, ``finger23spread``) that touches or comes close;
    else the palm centre."""
    if spec.contact is not None:
        return location_name(spec.contact)
    _, _, basic = _shape(spec)
    if basic in _POINTING and spec.distance in ("touch", "close"):
        return "fingertips"
    return "palm"


def _pack(bp: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    return np.concatenate([np.asarray(bp).reshape(21, 3), left.reshape(15, 3), right.reshape(15, 3)], 0)


def _fk(pose51: np.ndarray, skel):
    return forward(pose_vector(body_pose=pose51[:21], left_hand_pose=pose51[21:36], right_hand_pose=pose51[36:]), skel)


def _default_distance(loc: str, on_hand: bool) -> float:
    if on_hand:
        return _DEFAULT_DISTANCE["hand"]
    if loc in ("neutralspace", "shouldertop"):
        return _DEFAULT_DISTANCE[loc]
    body = ("shoulders", "chest", "stomach", "belowstomach") + ARM_LOCATIONS
    return _DEFAULT_DISTANCE["body" if loc in body else "head"]


def _other(side: str) -> str:
    return "left" if side == "right" else "right"


class _Solver:
    def __init__(self, signer: Signer, active: dict[str, bool], strict: bool):
        self.signer = signer
        self.betas = signer.betas
        self.rb = rest_body(signer.betas)
        self.skel = self.rb.skel
        self.strict = strict
        self.bp = signer.posture.body_pose(active)
        rest = rest_body_pose(signer.posture)
        for side in ("left", "right"):
            if not active.get(side):
                for j in (SHOULDER[side], ELBOW[side], WRIST[side]):
                    self.bp[j - 1] = rest[j - 1]
        self.hands = {s: letter_hand_pose("relaxed", s) for s in ("left", "right")}
        self.selected: dict[str, tuple[str, ...]] = {"left": (), "right": ()}
        self.result = PostureResult(np.zeros((51, 3)), {}, {}, {}, {}, [])
        self.max_reach = float(np.linalg.norm(self.skel.rest[WRIST["right"]] - self.skel.rest[SHOULDER["right"]]))

    def pose(self) -> np.ndarray:
        return _pack(self.bp, self.hands["left"], self.hands["right"])

    def _location(self, spec: HandPostureSpec, side: str) -> tuple[SurfacePoint, bool, str]:
        name = location_name(spec.location) if spec.location is not None else "neutralspace"
        if name in HAND_PARTS:
            other = _other(side)
            pt = hand_location(self.hands[other], other, name, self.selected[other], self.betas)
            return pt, True, name
        return body_location(name, spec.side, side, spec.beside, self.betas), False, name

    def place(self, spec: HandPostureSpec, side: str) -> None:
        shape, selected, _ = _shape(spec)
        hand45 = hand_pose(shape, side)
        self.hands[side] = hand45
        self.selected[side] = selected
        H = hand_rotation(side, spec.extended_finger, spec.palm, self.skel)
        part = contact_part(spec)
        J = self.skel.rest
        c_rel = hand_location(hand45, side, part, selected, self.betas).point - J[WRIST[side]]
        loc, on_hand, name = self._location(spec, side)
        P, G = _fk(self.pose(), self.skel)
        q, n, facing = loc.world(P, G, J)
        offset = np.asarray(spec.offset, np.float64)
        if spec.distance == "armextended":
            dist = self._extended_distance(side, q, facing, H @ c_rel, offset)
        elif spec.distance is None:
            dist = _default_distance(name, on_hand)
        elif isinstance(spec.distance, str):
            if spec.distance not in DISTANCES:
                raise ValueError(f"unknown distance {spec.distance!r}; expected one of "
                                 f"{sorted(DISTANCES) + ['armextended']}, None or metres")
            dist = DISTANCES[spec.distance]
        else:
            dist = float(spec.distance)
        label = f"{side} hand at {loc.name} ({spec.distance if spec.distance is not None else 'default'} distance)"
        if dist > DISTANCES["close"] + 1e-9:
            n = facing  # held at a distance: in front of (beside, above) the place, not along a bumpy normal
        elif not on_hand and offset @ offset > 1e-8:
            q, n, offset = self._along_skin(q, n, facing, offset)
        target = q + dist * n + offset
        self._solve(side, target, H, c_rel, label)
        # keep the hand out of the head and trunk (push it out along n); a touching hand is also
        # settled onto the skin where the body curves away from it (by at most _MAX_SETTLE)
        push = settle = 0.0
        touching = on_hand is False and dist == 0.0
        for _ in range(5):
            depth = self._penetration(side)
            if depth < -0.003 and push < _MAX_PUSH:
                step = min(-depth + 0.001, _MAX_PUSH - push)
                push += step
            elif touching and depth > 0.003 and settle < _MAX_SETTLE and push == 0.0:
                step = -min(depth - 0.001, _MAX_SETTLE - settle)
                settle -= step
            else:
                break
            target = target + step * n
            self._solve(side, target, H, c_rel, label)
        if push > 0:
            self.result.notes.append(f"{label}: moved {push * 100:.1f} cm out of the body")
        self.result.targets[side] = target
        self.result.surface[side] = q
        self.result.normals[side] = n
        self.result.contacts[side] = part

    def _along_skin(self, q, n, facing, offset):
        """A touching (close) hand moved along the body stays on (near) it: the part of ``offset`` across
        ``facing`` is taken along the skin of the head and trunk (KRAWATTE: from the chest up to the
        knot of the tie at the neck, not into the air in front of the throat), the part along ``facing``
        moves it off (or toward) the skin. Returns the new skin point, its normal and the offset left."""
        off = offset @ facing * facing
        p = q + offset - off
        body = trunk(self.pose(), self.betas)
        d, k = body.tree.query(p, distance_upper_bound=_SKIN_SEARCH)
        if not np.isfinite(d):
            return q, n, offset
        v, nv = body.points[k], body.normals[k]
        return p - ((p - v) @ nv) * nv, nv, off

    def _solve(self, side, target, H, c_rel, label):
        wrist = target - H @ c_rel
        try:
            sol = solve_arm(side, wrist, H, self.bp, self.skel, strict=self.strict)
        except ReachError as exc:
            raise ReachError(f"{label}: {exc}") from None
        if sol.error > _REACH_TOL:
            msg = f"{label}: out of reach by {sol.error * 100:.1f} cm; the hand stops at the nearest reachable point"
            warnings.warn(msg, ReachWarning, stacklevel=4)
            self.result.notes.append(msg)
        self.bp = set_arm(self.bp, side, sol)

    def _extended_distance(self, side, q, n, c_world, offset) -> float:
        S = forward(pose_vector(body_pose=self.bp), self.skel)[0][SHOULDER[side]]
        best = 0.2
        for d in np.arange(0.2, 1.2, 0.01):
            if np.linalg.norm(q + d * n + offset - c_world - S) <= _ARM_EXTENDED * self.max_reach:
                best = float(d)
        return best

    def _hand_vertices(self, side) -> np.ndarray:
        """Every second vertex of the hand (about 1,200; closer than a millimetre or two to each other)."""
        return np.flatnonzero(self.rb.mask(f"{side}_hand"))[::2]

    def _penetration(self, side) -> float:
        """Signed distance (metres) of the deepest vertex of hand ``side`` to the head and trunk."""
        pose = self.pose()
        hand = skinned_points(pose, self.betas, self._hand_vertices(side))
        return float(trunk(pose, self.betas).signed_distance(hand).min())


def solve_posture_detail(dominant: HandPostureSpec | None, nondominant: HandPostureSpec | None = None,
                         signer: Signer = DEFAULT_SIGNER, dominant_hand: str = "right",
                         strict: bool = False) -> PostureResult:
    """Solve a posture and say where each hand was aimed (see :class:`PostureResult`).

    The non-dominant hand is placed first, unless its location is on the dominant hand; a hand whose
    location is on the other hand is placed after that hand.
    """
    if dominant_hand not in ("left", "right"):
        raise ValueError(f"dominant_hand must be 'left' or 'right', got {dominant_hand!r}")
    specs = {dominant_hand: dominant, _other(dominant_hand): nondominant}
    solver = _Solver(signer, {s: v is not None for s, v in specs.items()}, strict)
    order = [_other(dominant_hand), dominant_hand]

    def on_hand(spec):
        return spec is not None and spec.location is not None and location_name(spec.location) in HAND_PARTS

    if on_hand(nondominant) and on_hand(dominant):
        raise ValueError("each hand is located on the other one; locate one of them on the body")
    if on_hand(nondominant):
        order.reverse()
    for side in order:
        if specs[side] is not None:
            solver.place(specs[side], side)
    solver.result.pose = solver.pose()
    return solver.result


def solve_posture(dominant: HandPostureSpec | None, nondominant: HandPostureSpec | None = None,
                  signer: Signer = DEFAULT_SIGNER, dominant_hand: str = "right", strict: bool = False) -> np.ndarray:
    """(51, 3) key pose for a dominant hand's posture and, optionally, the non-dominant hand's.

    Args:
        dominant: what the dominant hand does (None leaves it at rest).
        nondominant: what the other hand does, or None to leave it at rest by the side. For a
            ``hamsymmlr`` sign pass ``mirror_spec(dominant)``.
        signer: body shape (``betas``) and posture (spine lean, head tilt, shoulders).
        dominant_hand: ``"right"`` (default) or ``"left"``.
        strict: raise :class:`~signspark.signs.arms.ReachError` for unreachable targets instead of clamping.
    """
    return solve_posture_detail(dominant, nondominant, signer, dominant_hand, strict).pose
