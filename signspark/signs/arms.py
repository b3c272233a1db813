"""Arms: place a hand at a location with a palm orientation (analytic inverse kinematics).

Each arm is solved as a two-bone chain (shoulder ball joint, elbow hinge) with
a ball-joint wrist:

1. the elbow hinge angle follows from the shoulder-wrist distance (exact, from
   the rest bone vectors, so the slightly bent rest elbow is accounted for);
2. the shoulder rotation aligns the shoulder-wrist vector with the target and
   swivels the elbow as close as possible to a natural "down and out" pole;
3. the wrist takes the rest of the hand's target orientation; part of the
   forearm twist (pronation/supination) is moved to the elbow so the wrist
   does not carry it alone.

Angles are SMPL-X ``body_pose`` axis-angles (joints 13/14 collars, 16/17
shoulders, 18/19 elbows, 20/21 wrists). Positions are metres in the body frame
(y up, +z in front, +x the signer's left). The right hand is dominant.

Hand frame: a hand's *axis* is the direction from the wrist to the middle
knuckle; its *palm* is the direction the palm faces. Named directions are
``forward``, ``back``, ``up``, ``down``, ``left`` and ``right`` (the signer's),
combinable with ``-`` (``"forward-left"``).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy.spatial.transform import Rotation

from .kinematics import COLLAR, ELBOW, PARENTS, SHOULDER, WRIST, Skeleton, forward, pose_vector, skeleton

__all__ = [
    "direction", "hand_rotation", "Posture", "ArmSolution", "solve_arm", "posture_globals",
    "LOCATIONS", "location", "rest_body_pose", "hand_world_points", "ReachError", "REST_HAND_AXIS", "REST_PALM",
]

_DIRS = {
    "forward": (0, 0, 1.0), "back": (0, 0, -1.0), "up": (0, 1.0, 0), "down": (0, -1.0, 0),
    "left": (1.0, 0, 0), "right": (-1.0, 0, 0),
}
# rest hand frames: axis (wrist -> knuckles) and palm normal in the T-pose
_REST_AXIS = {"right": np.array([-1.0, 0, 0]), "left": np.array([1.0, 0, 0])}
_REST_PALM = np.array([0, -1.0, 0])
REST_HAND_AXIS = _REST_AXIS   # per side: the wrist->knuckles direction of the hand at rest (T-pose), body frame
REST_PALM = _REST_PALM        # the palm normal of either hand at rest (palms down in the T-pose)
_POLE = {"right": np.array([-0.35, -1.0, -0.3]), "left": np.array([0.35, -1.0, -0.3])}
ELBOW_TWIST_SHARE = 0.8


class ReachError(ValueError):
    """A hand target lies outside what the arm can reach."""


def direction(spec) -> np.ndarray:
    """A named direction (``"forward-left"``) or a 3-vector -> unit vector (body frame)."""
    if isinstance(spec, str):
        try:
            v = sum(np.array(_DIRS[p]) for p in spec.split("-"))
        except KeyError:
            raise ValueError(f"unknown direction {spec!r}; use {sorted(_DIRS)} joined with '-'") from None
    else:
        v = np.asarray(spec, np.float64)
    n = np.linalg.norm(v)
    if n < 1e-9:
        raise ValueError(f"direction {spec!r} has zero length")
    return v / n


def _frame(axis: np.ndarray, palm: np.ndarray) -> np.ndarray:
    palm = palm - axis * (palm @ axis)
    n = np.linalg.norm(palm)
    if n < 1e-6:
        raise ValueError("hand axis and palm direction must not be parallel")
    palm = palm / n
    return np.stack([axis, palm, np.cross(axis, palm)], axis=1)


def hand_rotation(side: str, axis, palm) -> np.ndarray:
    """(3, 3) global hand rotation pointing the hand axis along ``axis`` with the palm facing ``palm``
    (the palm direction is made perpendicular to the axis)."""
    target = _frame(direction(axis), direction(palm))
    rest = _frame(_REST_AXIS[side], _REST_PALM)
    return target @ rest.T


@dataclasses.dataclass(frozen=True)
class Posture:
    """Small whole-body posture settings of a signer (degrees), held while signing."""

    lean_forward: float = 0.0      # spine flexion, spread over spine1-3
    lean_side: float = 0.0         # toward the signer's left positive
    head_tilt: float = 0.0         # nod (down positive)
    collar_raise: float = 4.0      # shoulder elevation while the arm is up
    collar_forward: float = 5.0    # shoulder protraction while the arm is up

    def body_pose(self, active: dict[str, bool]) -> np.ndarray:
        """(21, 3) axis-angle of the spine, neck, head and collars."""
        bp = np.zeros((21, 3))
        d = np.pi / 180
        spine = np.array([self.lean_forward * d / 3, 0, -self.lean_side * d / 3])
        for j in (3, 6, 9):
            bp[j - 1] = spine
        bp[15 - 1] = [self.head_tilt * d, 0, 0]
        for side, sgn in (("right", 1.0), ("left", -1.0)):
            if active.get(side):
                r = Rotation.from_euler("zy", [-sgn * self.collar_raise * d, sgn * self.collar_forward * d])
                bp[COLLAR[side] - 1] = r.as_rotvec()
        return bp


def posture_globals(body_pose: np.ndarray, skel: Skeleton | None = None) -> tuple[np.ndarray, np.ndarray]:
    """FK of the body joints only: positions (55, 3) and global rotations (55, 3, 3)."""
    P, G = forward(pose_vector(body_pose=body_pose), skel)
    return P[:55], G


@dataclasses.dataclass
class ArmSolution:
    shoulder: np.ndarray   # (3,) local axis-angle
    elbow: np.ndarray
    wrist: np.ndarray
    wrist_pos: np.ndarray  # (3,) reached wrist position
    error: float           # metres between target and reached wrist


def _skew(v):
    return np.array([[0, -v[2], v[1]], [v[2], 0, -v[0]], [-v[1], v[0], 0]])


def _align(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Minimal rotation taking unit vector a to unit vector b."""
    v = np.cross(a, b)
    c = float(a @ b)
    if c < -0.999999:
        axis = np.cross(a, [1.0, 0, 0])
        if np.linalg.norm(axis) < 1e-6:
            axis = np.cross(a, [0, 1.0, 0])
        return Rotation.from_rotvec(axis / np.linalg.norm(axis) * np.pi).as_matrix()
    K = _skew(v)
    return np.eye(3) + K + K @ K / (1.0 + c)


def _axis_rot(axis: np.ndarray, angle: float) -> np.ndarray:
    return Rotation.from_rotvec(axis * angle).as_matrix()


def solve_arm(side: str, wrist_target: np.ndarray, hand_rot: np.ndarray, body_pose: np.ndarray,
              skel: Skeleton | None = None, strict: bool = False) -> ArmSolution:
    """Solve one arm so the wrist reaches ``wrist_target`` with global hand rotation ``hand_rot``.

    Args:
        side: ``"left"`` or ``"right"``.
        wrist_target: (3,) metres, body frame.
        hand_rot: (3, 3) global rotation of the hand (see :func:`hand_rotation`).
        body_pose: (21, 3) axis-angle with the posture (spine, collars) already set; the
            arm joints in it are ignored.
        strict: raise :class:`ReachError` instead of stretching toward an unreachable target.
    """
    skel = skel or skeleton()
    s_id, e_id, w_id = SHOULDER[side], ELBOW[side], WRIST[side]
    P, G = posture_globals(body_pose, skel)
    parent = PARENTS[s_id]
    G_parent = G[parent]
    S = P[s_id]
    a = skel.rest[e_id] - skel.rest[s_id]
    b = skel.rest[w_id] - skel.rest[e_id]
    L1, L2 = np.linalg.norm(a), np.linalg.norm(b)
    k = np.array([0, 1.0, 0]) if side == "right" else np.array([0, -1.0, 0])  # elbow hinge: flexion forward

    d = np.asarray(wrist_target, np.float64) - S
    dist = np.linalg.norm(d)
    max_reach = np.linalg.norm(a + b) - 1e-4
    min_reach = 0.25 * (L1 + L2)
    if dist > max_reach or dist < min_reach:
        if strict:
            raise ReachError(f"{side} wrist target {np.round(wrist_target, 3).tolist()} is {dist:.3f} m from the "
                             f"shoulder; reachable range is {min_reach:.3f}-{max_reach:.3f} m")
        dist = float(np.clip(dist, min_reach, max_reach))
    d_hat = d / max(np.linalg.norm(d), 1e-9)

    # elbow hinge angle theta: |a + R_k(theta) b| = dist
    ka, kb = k @ a, k @ b
    B = a @ b - ka * kb
    C = a @ np.cross(k, b)
    D = 0.5 * (dist ** 2 - a @ a - b @ b) - ka * kb
    rho = np.hypot(B, C)
    phi = np.arctan2(C, B)
    delta = np.arccos(np.clip(D / rho, -1.0, 1.0))
    cands = [phi + delta, phi - delta]
    cands = [(c + np.pi) % (2 * np.pi) - np.pi for c in cands]
    theta = max(cands)  # the flexion (positive) solution
    R_e_hinge = _axis_rot(k, theta)
    w_local = a + R_e_hinge @ b

    # shoulder: align, then swivel the elbow toward the pole
    R_al = _align(w_local / np.linalg.norm(w_local), d_hat)
    e0 = R_al @ a
    e_perp = e0 - d_hat * (e0 @ d_hat)
    pole = _POLE[side] / np.linalg.norm(_POLE[side])
    p_perp = pole - d_hat * (pole @ d_hat)
    psi = np.arctan2(d_hat @ np.cross(e_perp, p_perp), e_perp @ p_perp)
    G_s = _axis_rot(d_hat, psi) @ R_al
    shoulder_local = G_parent.T @ G_s

    # wrist, with part of the forearm twist moved to the elbow
    f0 = b / L2
    W0 = (G_s @ R_e_hinge).T @ hand_rot
    q = Rotation.from_matrix(W0).as_quat()  # x, y, z, w
    proj = (q[:3] @ f0) * f0
    twist_q = np.concatenate([proj, [q[3]]])
    nrm = np.linalg.norm(twist_q)
    tau = 0.0 if nrm < 1e-9 else 2 * np.arctan2(np.linalg.norm(proj) * np.sign(q[:3] @ f0), q[3])
    tau = (tau + np.pi) % (2 * np.pi) - np.pi
    tau_e = np.clip(ELBOW_TWIST_SHARE * tau, -0.6 * np.pi, 0.6 * np.pi)
    R_tw = _axis_rot(f0, tau_e)
    elbow_local = R_e_hinge @ R_tw
    wrist_local = (G_s @ elbow_local).T @ hand_rot

    reached = S + G_s @ a + G_s @ elbow_local @ b
    return ArmSolution(
        shoulder=Rotation.from_matrix(shoulder_local).as_rotvec(),
        elbow=Rotation.from_matrix(elbow_local).as_rotvec(),
        wrist=Rotation.from_matrix(wrist_local).as_rotvec(),
        wrist_pos=reached,
        error=float(np.linalg.norm(reached - wrist_target)),
    )


def set_arm(body_pose: np.ndarray, side: str, sol: ArmSolution) -> np.ndarray:
    """Copy an :class:`ArmSolution` into a (21, 3) body pose (returns a new array)."""
    bp = np.array(body_pose, np.float64).reshape(21, 3)
    bp[SHOULDER[side] - 1] = sol.shoulder
    bp[ELBOW[side] - 1] = sol.elbow
    bp[WRIST[side] - 1] = sol.wrist
    return bp


# ---------------------------------------------------------------------- locations
def _loc_table(skel: Skeleton) -> dict[str, np.ndarray]:
    J = skel.rest
    sh_r, sh_l, head, neck, sp3 = J[17], J[16], J[15], J[12], J[9]
    chest_y = 0.5 * (sp3[1] + neck[1])
    return {
        # palm centre in front of the dominant shoulder, about shoulder height (one-handed spelling)
        "neutral": np.array([0.6 * sh_r[0], sh_r[1] - 0.03, 0.30]),
        "neutral_low": np.array([0.6 * sh_r[0], sh_r[1] - 0.13, 0.30]),
        "chest": np.array([0.25 * sh_r[0], chest_y, 0.25]),
        # the non-dominant hand's place for two-handed spelling (in front of the chest, a little left)
        "base": np.array([0.15 * sh_l[0], chest_y - 0.02, 0.27]),
        "chin": np.array([0.0, 0.5 * (head[1] + neck[1]) - 0.02, 0.16]),
        "side": np.array([1.3 * sh_r[0], sh_r[1] - 0.08, 0.25]),
    }


def location(name: str, skel: Skeleton | None = None) -> np.ndarray:
    """(3,) body-frame point of a named location (``neutral``, ``neutral_low``, ``chest``, ``base``, ``chin``, ``side``)."""
    table = _loc_table(skel or skeleton())
    try:
        return table[name].copy()
    except KeyError:
        raise ValueError(f"unknown location {name!r}; expected one of {sorted(table)}") from None


LOCATIONS = ("neutral", "neutral_low", "chest", "base", "chin", "side")


def rest_body_pose(posture: Posture | None = None) -> np.ndarray:
    """(21, 3) hands-down rest pose: arms hanging by the sides, elbows slightly bent."""
    bp = (posture or Posture()).body_pose({})
    d = np.pi / 180
    for side, sgn in (("right", 1.0), ("left", -1.0)):
        bp[SHOULDER[side] - 1] = [0, 0, sgn * 72 * d]
        bp[ELBOW[side] - 1] = Rotation.from_euler("y", sgn * 18 * d).as_rotvec()
    return bp


def hand_world_points(body_pose: np.ndarray, hand_pose: np.ndarray, side: str,
                      skel: Skeleton | None = None) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """World wrist position, wrist global rotation and the hand's points (see handshapes.hand_points)."""
    from .handshapes import hand_points

    skel = skel or skeleton()
    P, G = posture_globals(body_pose, skel)
    w = WRIST[side]
    local = hand_points(hand_pose, side)
    pts = {k: (P[w] + G[w] @ v) if not k.split("_")[-1].startswith("R") else G[w] @ v for k, v in local.items()}
    return P[w], G[w], pts
