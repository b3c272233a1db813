"""The built-in body's left hand: palm, four fingers and a thumb (the right hand is its mirror image).

Rest pose as in SMPL-X's T-pose: the arm along +x, palm facing -y (down), thumb
towards +z (front). Each finger is one tube over three phalanges whose weights
blend across the knuckles, so bending a joint about the hinge axis (-z for the
left hand, as in MANO) curls the finger towards the palm.
"""

from __future__ import annotations

import numpy as np

from .builtin_geometry import Part, chain_weights, polyline_frames, resample_polyline, smoothstep, tube
from .joints import SMPLX_JOINT_NAMES
from .regions import REGIONS

WRIST = np.array([0.670, 0.040, -0.060])

# finger: (knuckle position, segment lengths proximal/middle/distal(to tip), half-width, half-thickness)
_FINGERS = {
    "index": (np.array([0.770, 0.028, -0.041]), (0.036, 0.023, 0.021), 0.0093, 0.0085),
    "middle": (np.array([0.780, 0.028, -0.065]), (0.040, 0.026, 0.022), 0.0096, 0.0088),
    "ring": (np.array([0.770, 0.028, -0.088]), (0.037, 0.025, 0.021), 0.0089, 0.0082),
    "pinky": (np.array([0.750, 0.028, -0.105]), (0.029, 0.019, 0.019), 0.0078, 0.0073),
}
_THUMB = (np.array([0.711, 0.018, -0.035]), np.array([0.728, 0.019, -0.010]),
          np.array([0.748, 0.014, 0.005]), 0.024)
_SPLAY = 0.35  # fraction of the wrist->knuckle direction's sideways angle the finger follows

_J = {name: i for i, name in enumerate(SMPLX_JOINT_NAMES)}


def _finger_points() -> dict[str, np.ndarray]:
    """(5, 3) centre-line points per finger: start in the palm, knuckle, two joints, tip."""
    out = {}
    for name, (mcp, lengths, _, _) in _FINGERS.items():
        side = (mcp - WRIST)[[0, 2]]
        ang = _SPLAY * np.arctan2(side[1], side[0])
        d = np.array([np.cos(ang), 0.0, np.sin(ang)])
        pts = [mcp - 0.014 * d, mcp]
        for seg in lengths:
            pts.append(pts[-1] + seg * d)
        out[name] = np.array(pts)
    t1, t2, t3, tip_len = _THUMB
    d1 = (t2 - t1) / np.linalg.norm(t2 - t1)
    d3 = (t3 - t2) / np.linalg.norm(t3 - t2)
    out["thumb"] = np.array([t1 - 0.020 * d1, t1, t2, t3, t3 + tip_len * d3])
    return out


def left_hand_joints() -> dict[str, np.ndarray]:
    """Rest positions of the left wrist and the 15 left finger joints."""
    out = {"left_wrist": WRIST.copy()}
    for name, pts in _finger_points().items():
        for k in range(3):
            out[f"left_{name}{k + 1}"] = pts[k + 1].copy()
    return out


def _finger(name: str, pts: np.ndarray, half_w: float, half_t: float) -> Part:
    samples, s, knots = resample_polyline(pts, 0.0032)
    if name == "thumb":
        d = pts[-1] - pts[1]
        out = np.cross(d, [0.0, 1.0, 0.0])
        out /= np.linalg.norm(out)
        if out[2] < 0:
            out = -out  # away from the palm (front side)
        hint = 0.75 * np.array([0.0, 1.0, 0.0]) + 0.65 * out
    else:
        hint = np.array([0.0, 1.0, 0.0])
    tan, n1, n2 = polyline_frames(samples, hint)
    total = knots[-1]
    # radius profile: knuckle pads, slight waists between joints, tapering tip
    base = np.interp(s, knots, [1.08, 1.05, 0.97, 0.92, 0.84] if name != "thumb" else [1.45, 1.35, 1.05, 0.98, 0.88])
    pads = 1.0 + 0.05 * np.sin(np.pi * np.clip((s - knots[1]) / (total - knots[1]), 0, 1) * 3) ** 2
    rw = half_w * base * pads
    rt_d = half_t * base * 0.95
    rt_p = half_t * base * pads * 1.05
    t = tube(samples, n1, n2, (rt_d, rt_p), (rw, rw), around=10, exponent=2.2,
             cap_start=2, cap_end=4, tangents=tan)
    ring = t["ring"]
    arc = np.interp(ring, np.arange(len(s)), s, left=0.0, right=total)
    over = np.clip(ring - (len(s) - 1), 0, None)
    arc = arc + over * 0.002
    jid = [_J["left_wrist"]] + [_J[f"left_{name}{k}"] for k in (1, 2, 3)]
    hw = [0.012, 0.0065, 0.0055] if name == "thumb" else [0.0095, 0.0062, 0.0052]
    w = chain_weights(arc, list(knots[1:4]), jid, hw)
    region = np.full(len(t["v"]), REGIONS["skin"], np.uint8)
    # nail on the back of the last phalanx
    ang = np.mod(t["angle"] + np.pi, 2 * np.pi) - np.pi
    dist = knots[3] + 0.30 * (total - knots[3])
    nail = (arc > dist) & (arc < total - 0.0015) & (np.abs(ang) < 0.85) & (ring <= len(s) - 1 + 2)
    region[nail] = REGIONS["nails"]
    return Part(f"left_{name}", t["v"], t["f"], w, region, t["axis"], tags={f"left_{name}_tip": int(t["poles"][1])})


def _palm(finger_pts: dict[str, np.ndarray]) -> Part:
    x0, x_ref = WRIST[0] - 0.016, 0.775
    xs = np.linspace(x0, x_ref, 15)
    k = (xs - x0) / (x_ref - x0)
    centers = np.stack([xs, np.interp(k, [0, 1], [0.037, 0.029]), np.interp(k, [0, 1], [-0.063, -0.0725])], 1)
    tan, n1, n2 = polyline_frames(centers, np.array([0.0, 1.0, 0.0]))
    half_w = np.interp(k, [0, 0.35, 1], [0.031, 0.040, 0.0445])
    dors = np.interp(k, [0, 1], [0.0125, 0.0105])
    palm = np.interp(k, [0, 0.5, 1], [0.0135, 0.0150, 0.0115])
    t = tube(centers, n1, n2, (dors, palm), (half_w, half_w), around=26, exponent=2.6,
             cap_start=2, cap_end=3, tangents=tan)
    v = t["v"].copy()
    # slant the far edge along the knuckle line
    zs = np.array([p[1, 2] for p in finger_pts.values()][:4])
    xe = np.array([p[1, 0] for p in finger_pts.values()][:4]) - 0.004
    order = np.argsort(zs)
    x_end = np.interp(v[:, 2], zs[order], xe[order])
    inside = v[:, 0] <= x_ref
    v[inside, 0] = x0 + (v[inside, 0] - x0) * (x_end[inside] - x0) / (x_ref - x0)
    v[~inside, 0] = x_end[~inside] + (v[~inside, 0] - x_ref)
    n = len(v)
    w = np.zeros((n, len(SMPLX_JOINT_NAMES)))
    f_knuckle = smoothstep((v[:, 0] - (x_end + 0.004 - 0.014)) / 0.028)
    g = np.stack([np.exp(-((v[:, 2] - z) / 0.009) ** 2) for z in zs], 1) + 1e-9
    g /= g.sum(1, keepdims=True)
    names = list(finger_pts)[:4]
    w[:, _J["left_wrist"]] = 1 - f_knuckle
    for i, name in enumerate(names):
        w[:, _J[f"left_{name}1"]] += f_knuckle * g[:, i]
    # thenar: the palm near the thumb's base follows the thumb a little
    t1 = finger_pts["thumb"][1]
    th = 0.45 * np.exp(-(np.linalg.norm(v - t1, axis=1) / 0.016) ** 2)
    w *= (1 - th)[:, None]
    w[:, _J["left_thumb1"]] += th
    region = np.full(n, REGIONS["skin"], np.uint8)
    return Part("left_palm", v, t["f"], w, region, t["axis"])


def build_left_hand() -> list[Part]:
    """Palm, thumb and four fingers of the left hand (joint ids of the left side)."""
    pts = _finger_points()
    parts = [_palm(pts)]
    for name, (_, _, hw, ht) in _FINGERS.items():
        parts.append(_finger(name, pts[name], hw, ht))
    parts.append(_finger("thumb", pts["thumb"], 0.0088, 0.0082))
    return parts
