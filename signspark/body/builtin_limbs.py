"""The built-in body's torso, neck, left arm, left leg and left foot (the right side is mirrored).

Each piece is a tube along its bone chain with cross-sections from a small
table of anthropometric radii (adult, about 1.7 m), skinned along the chain with
blends across every joint. Clothing regions: long-sleeved shirt, trousers, shoes.
"""

from __future__ import annotations

import numpy as np

from .builtin_geometry import Part, chain_weights, polyline_frames, resample_polyline, smoothstep, tube
from .builtin_hands import WRIST
from .joints import SMPLX_JOINT_NAMES
from .regions import REGIONS

_J = {name: i for i, name in enumerate(SMPLX_JOINT_NAMES)}

# Rest joints of the trunk and the left limbs (metres; see the SMPL-X T-pose).
TRUNK_JOINTS = {
    "pelvis": (0.0, -0.350, 0.010), "spine1": (0.0, -0.240, -0.015), "spine2": (0.0, -0.110, -0.020),
    "spine3": (0.0, -0.055, 0.000), "neck": (0.0, 0.110, -0.025), "head": (0.0, 0.265, -0.005),
    "jaw": (0.0, 0.270, 0.000),
    "left_hip": (0.060, -0.450, -0.010), "left_knee": (0.110, -0.820, -0.020),
    "left_ankle": (0.080, -1.230, -0.050), "left_foot": (0.120, -1.290, 0.070),
    "left_collar": (0.050, 0.030, -0.010), "left_shoulder": (0.160, 0.080, -0.020),
    "left_elbow": (0.420, 0.030, -0.050), "left_wrist": tuple(WRIST),
}
SOLE_Y = -1.322


def _arclength_of_rings(ring: np.ndarray, s: np.ndarray, cap_step: float = 0.004) -> np.ndarray:
    arc = np.interp(ring, np.arange(len(s)), s)
    arc = arc + np.clip(ring, None, 0) * cap_step + np.clip(ring - (len(s) - 1), 0, None) * cap_step
    return arc


def _profile_tube(points: np.ndarray, table_s: list[float], radii: dict[str, list[float]], hint, around: int,
                  spacing: float, exponent: float = 2.0, caps=(3, 3)):
    """Tube along a polyline; radii interpolated over the normalised arclength ``table_s``."""
    c, s, knots = resample_polyline(points, spacing)
    tan, n1, n2 = polyline_frames(c, np.asarray(hint, float))
    u = s / s[-1]
    r = {k: np.interp(u, table_s, v) for k, v in radii.items()}
    t = tube(c, n1, n2, (r["n1p"], r["n1n"]), (r["n2p"], r["n2n"]), around, exponent,
             cap_start=caps[0], cap_end=caps[1], tangents=tan)
    return t, s, knots


def build_torso() -> Part:
    ys = np.array([-0.515, -0.49, -0.45, -0.38, -0.30, -0.21, -0.12, -0.03, 0.03, 0.075, 0.105, 0.13, 0.150, 0.168])
    hw = np.array([0.080, 0.135, 0.152, 0.153, 0.145, 0.134, 0.138, 0.150, 0.156, 0.156, 0.142, 0.108, 0.072, 0.060])
    df = np.array([0.050, 0.074, 0.080, 0.080, 0.080, 0.080, 0.086, 0.096, 0.095, 0.086, 0.074, 0.060, 0.050, 0.046])
    db = np.array([0.060, 0.090, 0.098, 0.092, 0.084, 0.074, 0.075, 0.080, 0.081, 0.080, 0.076, 0.066, 0.058, 0.052])
    zc = np.array([-0.005, -0.005, -0.005, 0.0, 0.0, 0.0, -0.002, -0.005, -0.008, -0.012, -0.016, -0.02, -0.024, -0.026])
    y = np.linspace(ys[0], ys[-1], 42)
    centers = np.stack([np.zeros_like(y), y, np.interp(y, ys, zc)], 1)
    tan, n1, n2 = polyline_frames(centers, np.array([0.0, 0.0, 1.0]))
    H = np.interp(y, ys, hw)
    t = tube(centers, n1, n2, (np.interp(y, ys, df), np.interp(y, ys, db)), (H, H), 36,
             exponent=np.interp(y, [-0.5, -0.2, 0.05, 0.16], [2.3, 2.2, 2.5, 2.1]), cap_start=3, cap_end=2, tangents=tan)
    v = t["v"]
    vy = v[:, 1]
    J = {k: np.array(p) for k, p in TRUNK_JOINTS.items()}
    w = chain_weights(vy, [J["spine1"][1], J["spine2"][1], J["spine3"][1], J["neck"][1]],
                      [_J["pelvis"], _J["spine1"], _J["spine2"], _J["spine3"], _J["neck"]],
                      [0.05, 0.035, 0.027, 0.035])
    # the upper chest's sides follow the collar bones
    side = smoothstep((np.abs(v[:, 0]) - 0.05) / 0.08) * smoothstep((vy + 0.03) / 0.07)
    collar = np.where(v[:, 0] > 0, _J["left_collar"], _J["right_collar"])
    w *= (1 - 0.9 * side)[:, None]
    w[np.arange(len(v)), collar] += 0.9 * side
    region = np.where(vy > -0.205, REGIONS["shirt"], REGIONS["trousers"]).astype(np.uint8)
    axis = t["axis"].copy()
    return Part("torso", v, t["f"], w, region, axis)


def build_neck() -> Part:
    J = {k: np.array(p) for k, p in TRUNK_JOINTS.items()}
    pts = np.array([[0, 0.085, -0.030], J["neck"], [0, 0.19, -0.016], J["head"], [0, 0.300, -0.002]])
    t, s, knots = _profile_tube(pts, [0, 0.3, 1.0], {"n1p": [0.055, 0.048, 0.046], "n1n": [0.058, 0.053, 0.052],
                                                    "n2p": [0.062, 0.054, 0.050], "n2n": [0.062, 0.054, 0.050]},
                                hint=[0, 0, 1.0], around=24, spacing=0.013, caps=(2, 2))
    arc = _arclength_of_rings(t["ring"], s)
    w = chain_weights(arc, [knots[1], knots[3]], [_J["spine3"], _J["neck"], _J["head"]], [0.02, 0.035])
    return Part("neck", t["v"], t["f"], w, np.full(len(t["v"]), REGIONS["skin"], np.uint8), t["axis"])


def build_left_arm() -> Part:
    J = {k: np.array(p) for k, p in TRUNK_JOINTS.items()}
    d_end = (J["left_wrist"] - J["left_elbow"]) / np.linalg.norm(J["left_wrist"] - J["left_elbow"])
    pts = np.array([J["left_shoulder"], J["left_elbow"], J["left_wrist"], J["left_wrist"] + 0.012 * d_end])
    # normalised positions: shoulder 0, elbow ~0.5, wrist ~0.98
    table = [0.0, 0.12, 0.30, 0.48, 0.52, 0.62, 0.80, 0.93, 1.0]
    rad = {
        "n1p": [0.045, 0.043, 0.038, 0.035, 0.035, 0.037, 0.030, 0.0230, 0.022],  # up (back of forearm)
        "n1n": [0.045, 0.042, 0.040, 0.036, 0.036, 0.035, 0.028, 0.0210, 0.020],
        "n2p": [0.047, 0.045, 0.043, 0.039, 0.041, 0.042, 0.035, 0.029, 0.028],  # front
        "n2n": [0.047, 0.044, 0.040, 0.037, 0.039, 0.038, 0.032, 0.027, 0.026],
    }
    t, s, knots = _profile_tube(pts, table, rad, hint=[0, 1.0, 0], around=20, spacing=0.017, caps=(5, 2))
    arc = _arclength_of_rings(t["ring"], s, cap_step=0.01)
    # the rounded cap sits around the shoulder joint, so raising or lowering the arm rotates it in place;
    # only its innermost part (inside the chest) blends into the collar
    w = chain_weights(arc, [-0.035, knots[1], knots[2]],
                      [_J["left_collar"], _J["left_shoulder"], _J["left_elbow"], _J["left_wrist"]],
                      [0.02, 0.04, 0.03])
    region = np.where(arc < knots[2] - 0.045, REGIONS["shirt"], REGIONS["skin"]).astype(np.uint8)
    return Part("left_arm", t["v"], t["f"], w, region, t["axis"])


def build_left_leg() -> Part:
    J = {k: np.array(p) for k, p in TRUNK_JOINTS.items()}
    pts = np.array([J["left_hip"] + [0.012, 0.075, 0.0], J["left_hip"], J["left_knee"], J["left_ankle"],
                    J["left_ankle"] + [0.0, -0.03, 0.0]])
    table = [0.0, 0.08, 0.25, 0.48, 0.55, 0.62, 0.75, 0.93, 1.0]
    rad = {
        "n1p": [0.080, 0.085, 0.075, 0.056, 0.052, 0.052, 0.046, 0.040, 0.040],  # front
        "n1n": [0.085, 0.088, 0.072, 0.052, 0.056, 0.064, 0.052, 0.042, 0.042],
        "n2p": [0.082, 0.085, 0.074, 0.058, 0.054, 0.056, 0.048, 0.042, 0.042],
        "n2n": [0.082, 0.085, 0.074, 0.058, 0.054, 0.056, 0.048, 0.042, 0.042],
    }
    t, s, knots = _profile_tube(pts, table, rad, hint=[0, 0, 1.0], around=18, spacing=0.03, caps=(3, 1))
    arc = _arclength_of_rings(t["ring"], s)
    w = chain_weights(arc, [knots[1], knots[2], knots[3]],
                      [_J["pelvis"], _J["left_hip"], _J["left_knee"], _J["left_ankle"]], [0.05, 0.04, 0.025])
    return Part("left_leg", t["v"], t["f"], w, np.full(len(t["v"]), REGIONS["trousers"], np.uint8), t["axis"])


def build_left_foot() -> Part:
    J = {k: np.array(p) for k, p in TRUNK_JOINTS.items()}
    heel_z, toe_z = J["left_ankle"][2] - 0.060, J["left_foot"][2] + 0.075
    z = np.linspace(heel_z, toe_z, 16)
    x = np.interp(z, [heel_z, J["left_foot"][2], toe_z], [0.082, 0.112, 0.118])
    top = np.interp(z, [heel_z, J["left_ankle"][2], J["left_foot"][2], toe_z], [0.080, 0.095, 0.050, 0.032])
    centers = np.stack([x, SOLE_Y + top / 2, z], 1)
    tan, n1, n2 = polyline_frames(centers, np.array([0, 1.0, 0]))
    half_h = top / 2
    half_w = np.interp(z, [heel_z, J["left_ankle"][2], J["left_foot"][2], toe_z], [0.034, 0.038, 0.049, 0.040])
    t = tube(centers, n1, n2, (half_h, half_h), (half_w, half_w), 16, exponent=2.8, cap_start=3, cap_end=4,
             tangents=tan)
    v = t["v"]
    v[:, 1] = np.maximum(v[:, 1], SOLE_Y)
    w = chain_weights(v[:, 2], [J["left_foot"][2]], [_J["left_ankle"], _J["left_foot"]], [0.04])
    low = v[:, 1] < SOLE_Y + 0.02
    tags = {
        "LBigToe": int(np.argmax(np.where(low, v[:, 2] - 0.5 * v[:, 0], -np.inf))),
        "LSmallToe": int(np.argmax(np.where(low, v[:, 2] + 0.5 * v[:, 0], -np.inf))),
        "LHeel": int(np.argmin(np.where(low, v[:, 2], np.inf))),
    }
    return Part("left_foot", v, t["f"], w, np.full(len(v), REGIONS["shoes"], np.uint8), t["axis"], tags=tags)
