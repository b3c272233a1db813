"""The built-in body's head: skull and face, eyes, ears, mouth, hair, plus face landmarks and expressions.

The skull and face are one latitude-longitude grid around the head centre
(columns denser at the face, rows uniform in height over the face) shaped by
a few closed-form features: an egg-shaped cranium, a face "mask" pushed
forward by a midline profile, nose, brow ridge, lips and eye openings that
follow the eyeballs. The mouth is a real slit: along the lip line the lower
lip has its own vertices skinned to the jaw, so ``jaw_pose`` opens the mouth
onto a dark mouth cavity with teeth.

All positions are metres in the SMPL-X rest frame (y up, +z front, +x the
subject's left).
"""

from __future__ import annotations

import numpy as np
from scipy.interpolate import PchipInterpolator

from .builtin_geometry import Part, grid_faces, smoothstep, uv_sphere
from .joints import NUM_JOINTS, SMPLX_JOINT_NAMES
from .regions import REGIONS

_J = {name: i for i, name in enumerate(SMPLX_JOINT_NAMES)}

CENTER = np.array([0.0, 0.335, -0.012])
_A, _B_UP, _B_DN, _C_F, _C_B = 0.0775, 0.110, 0.146, 0.094, 0.101
EYE_L = np.array([0.032, 0.310, 0.062])
EYE_R = EYE_L * [-1, 1, 1]
EYE_RADIUS = 0.0118
MOUTH_Y = 0.2365
MOUTH_HALF = 0.0245
_DY = 0.0030  # row spacing over the face
_NCOLS = 74


def _smax(a: np.ndarray, b: np.ndarray, k: float) -> np.ndarray:
    """Smooth maximum with blend width ``k`` (metres)."""
    h = np.clip(0.5 + 0.5 * (b - a) / k, 0, 1)
    return a * (1 - h) + b * h + k * h * (1 - h)


def _rows_phi() -> np.ndarray:
    """Row latitudes: uniform in height over the face (aligned on the lip line), coarser above."""
    below = MOUTH_Y - _DY * np.arange(int((MOUTH_Y - 0.186) / _DY), 0, -1)
    face = MOUTH_Y + _DY * np.arange(int((0.345 - MOUTH_Y) / _DY) + 1)
    brow_up = np.linspace(face[-1], 0.412, 12)[1:]
    ys = np.concatenate([below, face, brow_up])
    phi_band = np.where(ys < CENTER[1], np.arcsin(np.clip((ys - CENTER[1]) / _B_DN, -1, 1)),
                        np.arcsin(np.clip((ys - CENTER[1]) / _B_UP, -1, 1)))
    top = np.linspace(phi_band[-1], np.pi / 2, 9)[1:-1]
    bottom = np.linspace(-np.pi / 2, phi_band[0], 4)[1:-1]
    return np.concatenate([bottom, phi_band, top])


def _cols_theta() -> np.ndarray:
    s = np.linspace(-1, 1, _NCOLS, endpoint=False) + 1.0 / _NCOLS
    beta = 0.58
    return np.pi * ((1 - beta) * s + beta * s ** 3)


def _profile(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Midline depth of the face and its sideways curvature at height y."""
    zy = [0.150, 0.170, 0.182, 0.192, 0.200, 0.208, 0.222, 0.236, 0.247, 0.256, 0.266, 0.280, 0.300, 0.318, 0.332, 0.350, 0.380, 0.42, 0.45]
    zz = [-0.03, 0.010, 0.050, 0.074, 0.079, 0.076, 0.081, 0.083, 0.0845, 0.083, 0.081, 0.080, 0.079, 0.082, 0.085, 0.084, 0.077, 0.055, 0.03]
    ky = [0.15, 0.19, 0.215, 0.236, 0.28, 0.31, 0.34, 0.42, 0.45]
    kk = [40.0, 38.0, 30.0, 24.0, 16.0, 12.0, 10.0, 9.0, 9.0]
    return PchipInterpolator(zy, zz, extrapolate=True)(y), PchipInterpolator(ky, kk, extrapolate=True)(y)


def _eye_depth(x: np.ndarray, y: np.ndarray, eye: np.ndarray) -> np.ndarray:
    d2 = (x - eye[0]) ** 2 + (y - eye[1]) ** 2
    return eye[2] + np.sqrt(np.clip(EYE_RADIUS ** 2 - d2, 0, None))


def _almond(ex: np.ndarray, ey: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Upper and lower lid heights of the eye opening at horizontal offset ex (outwards > 0)."""
    wx = 0.0138
    u = np.clip(1 - (ex / wx) ** 2, 0, None) ** 0.75
    tilt = 0.06 * ex  # outer corner a touch higher
    return 0.0056 * u + tilt, -0.0043 * u + tilt


def _skull(rows: np.ndarray, cols: np.ndarray):
    P, T = np.meshgrid(rows, cols, indexing="ij")
    d = np.stack([np.cos(P) * np.sin(T), np.sin(P), np.cos(P) * np.cos(T)], -1)
    # rounder (superelliptic) crown, plain ellipsoid below
    e = 2.0 + 0.7 * smoothstep(d[..., 1] / 0.5)
    d = d / ((np.abs(d) ** e[..., None]).sum(-1) ** (1 / e))[..., None]
    v = CENTER + d * np.stack([np.full_like(P, _A), np.where(d[..., 1] > 0, _B_UP, _B_DN),
                               np.where(d[..., 2] > 0, _C_F, _C_B)], -1)
    x, y, z = v[..., 0], v[..., 1], v[..., 2]
    front = smoothstep((np.cos(T) - 0.05) / 0.5)
    zp, k = _profile(y)
    z_face = zp - k * x ** 2
    z = np.where(front > 0, _smax(z, z_face, 0.012) * front + z * (1 - front), z)
    # cheekbones and jaw a touch fuller at the sides
    cheek = np.exp(-((y - 0.29) / 0.025) ** 2) * np.exp(-((np.abs(T) - 0.95) / 0.35) ** 2)
    jaw_side = np.exp(-((y - 0.228) / 0.03) ** 2) * np.exp(-((np.abs(T) - 1.1) / 0.5) ** 2)
    x = x * (1 + 0.05 * cheek + 0.12 * jaw_side)
    ax = np.abs(x)
    # nose: ridge + wings
    hr = np.interp(y, [0.256, 0.2615, 0.2725, 0.287, 0.302, 0.318, 0.326], [0, 0.011, 0.023, 0.017, 0.0105, 0.004, 0.0])
    wr = np.interp(y, [0.256, 0.272, 0.29, 0.32], [0.0105, 0.0105, 0.0072, 0.0068])
    ha = np.interp(y, [0.2555, 0.2605, 0.268, 0.281], [0, 0.0095, 0.0085, 0.0])
    nose = hr * np.exp(-(x / wr) ** 2) + ha * np.exp(-((ax - 0.0125) / 0.0062) ** 2)
    # brow ridge and chin
    brow = 0.0035 * np.exp(-((y - 0.329) / 0.008) ** 2) * np.exp(-((ax - 0.033) / 0.022) ** 2)
    chin = 0.004 * np.exp(-((y - 0.196) / 0.008) ** 2) * np.exp(-(x / 0.017) ** 2)
    # lips
    lip_up_h = 0.0085 * np.clip(1 - (x / MOUTH_HALF) ** 2, 0, None) ** 0.6
    lip_lo_h = 0.0105 * np.clip(1 - (x / (MOUTH_HALF * 0.95)) ** 2, 0, None) ** 0.6
    dy = y - MOUTH_Y
    lip_up = (dy >= 0) & (dy <= lip_up_h) & (ax < MOUTH_HALF)
    lip_lo = (dy < 0) & (-dy <= lip_lo_h) & (ax < MOUTH_HALF)
    bulge = (0.0022 * np.sin(np.pi * np.clip(dy / np.maximum(lip_up_h, 1e-6), 0, 1)) ** 0.7 * (dy >= 0)
             + 0.0027 * np.sin(np.pi * np.clip(-dy / np.maximum(lip_lo_h, 1e-6), 0, 1)) ** 0.7 * (dy < 0))
    bulge = bulge * np.clip(1 - (x / MOUTH_HALF) ** 2, 0, None) ** 0.5
    z = z + front * (nose + brow + chin + bulge)
    # eye openings follow the eyeballs; lids wrap them
    region = np.full(P.shape, REGIONS["skin"], np.uint8)
    for eye in (EYE_L, EYE_R):
        ex = ax - abs(eye[0])  # outwards from the eye centre
        side = np.sign(x) == np.sign(eye[0])
        ey = y - eye[1]
        up, lo = _almond(ex, ey)
        zeye = _eye_depth(x, y, eye)
        on_ball = (ex ** 2 + ey ** 2) < (EYE_RADIUS * 1.02) ** 2
        opening = side & (ey < up) & (ey > lo) & (np.abs(ex) < 0.0138) & (front > 0.5)
        lid = side & on_ball & ~opening & (front > 0.5)
        lid_thick = 0.0013 + 0.0012 * np.exp(-((ey - up - 0.002) / 0.002) ** 2)
        z = np.where(lid, np.maximum(z, zeye + lid_thick), z)
        z = np.where(opening, np.minimum(z, zeye - 0.0030), z)
        # brows: an arch above the eye
        arch = 0.0175 + 0.0035 * np.clip(1 - ((ex - 0.002) / 0.022) ** 2, 0, None)
        brows = side & (ex > -0.016) & (ex < 0.024) & (np.abs(ey - arch) < 0.0026 - 0.0008 * np.clip(ex / 0.024, 0, 1)) & (front > 0.5)
        region[brows] = REGIONS["brows"]
        z = np.where(brows, z + 0.0012, z)
    region[(lip_up | lip_lo) & (front > 0.5)] = REGIONS["lips"]
    v = np.stack([x, y, z], -1)
    # hair: a shell over the top and back
    hair_line = np.interp(np.abs(T), [0.0, 0.45, 0.9, 1.3, 1.75, 2.5, np.pi], [0.398, 0.390, 0.356, 0.340, 0.330, 0.285, 0.272])
    # slide the row nearest the hair line onto it, so the boundary runs along a row
    col = np.arange(v.shape[1])
    r_star = np.argmin(np.abs(v[..., 1] - hair_line), axis=0)
    shift = hair_line[r_star, col] - v[r_star, col, 1]
    rr = np.arange(v.shape[0])[:, None]
    fall = np.clip(1 - np.abs(rr - r_star[None]) / 3.0, 0, None)
    v[..., 1] += fall * shift[None]
    y = v[..., 1]
    hmask = smoothstep((y - hair_line + 1e-5) / 0.012)
    radial = v - CENTER
    radial /= np.linalg.norm(radial, axis=-1, keepdims=True)
    v = v + radial * (0.0085 * hmask)[..., None]
    region[(y >= hair_line - 1e-6) & (region == REGIONS["skin"])] = REGIONS["hair"]
    return v, region, T, P


def _mouth_cavity() -> dict[str, np.ndarray]:
    c = np.array([0.0, MOUTH_Y, 0.062])
    s = uv_sphere(c, np.array([0.017, 0.0225, 0.015]), 8, 16, np.array([0, 0, 1.0]), np.array([0, 1.0, 0]))
    return s


def build_head() -> tuple[Part, dict]:
    """Skull, face, eyes, ears and mouth cavity as one part, plus landmark helpers.

    Returns:
        (part, info) where info holds ``jaw`` (N,) jaw weights, ``theta`` (N,)
        head-grid azimuth (nan off the grid) and ``skin`` (N,) bool head-grid mask.
    """
    rows, cols = _rows_phi(), _cols_theta()
    grid_v, grid_reg, T, P = _skull(rows, cols)
    nr, nc = grid_v.shape[:2]
    v = grid_v.reshape(-1, 3)
    region = grid_reg.reshape(-1)
    theta = T.reshape(-1)
    # poles
    v = np.vstack([v, CENTER + [0, -_B_DN, 0], CENTER + [0, _B_UP + 0.0085, 0]])
    region = np.append(region, [REGIONS["skin"], REGIONS["hair"]])
    theta = np.append(theta, [np.pi, np.pi])
    f = grid_faces(nr, nc)
    c = np.arange(nc)
    f = np.vstack([f, np.stack([np.full(nc, nr * nc), (c + 1) % nc, c], 1),
                   np.stack([np.full(nc, nr * nc + 1), (nr - 1) * nc + c, (nr - 1) * nc + (c + 1) % nc], 1)])
    # mouth slit: the lip line's vertices get a lower-lip twin used by the faces below it
    r_m = int(np.argmin(np.abs(grid_v[:, nc // 2, 1] - MOUTH_Y)))
    slit_cols = np.where((np.abs(grid_v[r_m, :, 0]) < MOUTH_HALF * 0.93) & (np.cos(cols) > 0))[0]
    twin = {}
    for cc in slit_cols:
        twin[r_m * nc + cc] = len(v)
        v = np.vstack([v, v[r_m * nc + cc]])
        region = np.append(region, REGIONS["lips"])
        theta = np.append(theta, theta[r_m * nc + cc])
    lower_faces = np.arange(len(f)) < 2 * (nr - 1) * nc
    quad_row = np.concatenate([np.arange((nr - 1) * nc)] * 2) // nc
    sel = np.where(lower_faces[: 2 * (nr - 1) * nc] & (quad_row == r_m - 1))[0]
    for fi in sel:
        f[fi] = [twin.get(int(i), int(i)) for i in f[fi]]
    n_grid = len(v)
    is_twin = np.zeros(n_grid, bool)
    is_twin[list(twin.values())] = True

    # jaw weights: everything below the lip line towards the front, widening to the jaw angle
    y = v[:, 1]
    below = (y < MOUTH_Y - 1e-6) | is_twin
    width = np.clip(0.30 + 9.0 * (MOUTH_Y - y), 0.30, 1.55)
    lateral = 1 - smoothstep((np.abs(theta) - width) / 0.30)
    on_line = np.abs(y - MOUTH_Y) < 1e-6
    corner = 1 - smoothstep((np.abs(v[:, 0]) - MOUTH_HALF * 0.93) / 0.010)
    jaw = np.where(below, lateral, 0.0)
    jaw = np.where(on_line & ~is_twin, lateral * 0.5 * np.where(corner > 0.99, 0.0, 1.0), jaw)
    # soften just above the corners so the cheeks stretch rather than tear
    above = (y > MOUTH_Y) & (y < MOUTH_Y + 0.012)
    jaw = np.where(above, lateral * (1 - corner) * 0.5 * (1 - smoothstep((y - MOUTH_Y) / 0.012)), jaw)
    jaw[-len(twin) - 1] = 0.0  # crown pole
    # under the chin the grid converges on its bottom pole: relax the weights there so they fade smoothly
    bottom = np.where(y < 0.205)[0]
    nbr = [[] for _ in range(len(v))]
    for a_, b_ in np.concatenate([f[:, [0, 1]], f[:, [1, 2]], f[:, [2, 0]]]):
        if y[a_] < 0.205:
            nbr[a_].append(b_)
    for _ in range(6):
        jaw[bottom] = np.array([0.5 * jaw[i] + 0.5 * jaw[nbr[i]].mean() for i in bottom])

    parts_v = [v]
    parts_f = [f]
    parts_r = [region]
    parts_w = []
    w = np.zeros((n_grid, NUM_JOINTS))
    w[:, _J["jaw"]] = jaw
    w[:, _J["head"]] = 1 - jaw
    parts_w.append(w)
    axis = [np.repeat(CENTER[None], n_grid, 0)]
    face_mask = [np.ones(n_grid, bool)]
    tags = {}
    # eyes
    for name, eye in (("left_eye_smplhf", EYE_L), ("right_eye_smplhf", EYE_R)):
        s = uv_sphere(eye, EYE_RADIUS, 11, 18, np.array([0, 0, 1.0]), np.array([1.0, 0, 0]))
        off = sum(len(a) for a in parts_v)
        r = np.full(len(s["v"]), REGIONS["eye_white"], np.uint8)
        r[s["polar"] < 0.50] = REGIONS["iris"]
        r[s["polar"] < 0.22] = REGIONS["pupil"]
        parts_v.append(s["v"]); parts_f.append(s["f"] + off); parts_r.append(r)
        ww = np.zeros((len(s["v"]), NUM_JOINTS)); ww[:, _J[name]] = 1
        parts_w.append(ww); axis.append(np.repeat(eye[None], len(s["v"]), 0))
        face_mask.append(np.zeros(len(s["v"]), bool))
        tags["leye" if eye[0] > 0 else "reye"] = off + s["front"]
    # ears
    for sign in (1.0, -1.0):
        c = np.array([0.0795 * sign, 0.300, -0.014])
        s = uv_sphere(c, np.array([0.0075, 0.0175, 0.030]), 8, 20, np.array([sign, 0, 0.0]), np.array([0, 0, 1.0]))
        ev = s["v"].copy()
        rel = ev - c
        ca, sa = np.cos(0.25), np.sin(0.25)
        ev[:, 1], ev[:, 2] = c[1] + rel[:, 1] * ca + rel[:, 2] * sa, c[2] - rel[:, 1] * sa + rel[:, 2] * ca
        cup = np.clip(1 - s["polar"] / 1.2, 0, None) ** 2
        ev[:, 0] -= sign * 0.003 * cup
        off = sum(len(a) for a in parts_v)
        parts_v.append(ev); parts_f.append(s["f"] + off)
        parts_r.append(np.full(len(ev), REGIONS["skin"], np.uint8))
        ww = np.zeros((len(ev), NUM_JOINTS)); ww[:, _J["head"]] = 1
        parts_w.append(ww); axis.append(np.repeat(c[None], len(ev), 0))
        face_mask.append(np.zeros(len(ev), bool))
        tags["lear" if sign > 0 else "rear"] = off + int(np.argmax(sign * s["v"][:, 0] - np.abs(s["v"][:, 1] - c[1])))
    # mouth cavity with teeth
    s = _mouth_cavity()
    off = sum(len(a) for a in parts_v)
    cv = s["v"]
    r = np.full(len(cv), REGIONS["mouth"], np.uint8)
    dy = cv[:, 1] - MOUTH_Y
    teeth = (cv[:, 2] > 0.062 + 0.010) & (np.abs(dy) > 0.0015) & (np.abs(dy) < 0.0105) & (np.abs(cv[:, 0]) < 0.013)
    r[teeth] = REGIONS["teeth"]
    jw = smoothstep((-dy + 0.004) / 0.008)
    ww = np.zeros((len(cv), NUM_JOINTS)); ww[:, _J["jaw"]] = jw; ww[:, _J["head"]] = 1 - jw
    parts_v.append(cv); parts_f.append(s["f"] + off); parts_r.append(r); parts_w.append(ww)
    axis.append(np.repeat(CENTER[None], len(cv), 0)); face_mask.append(np.zeros(len(cv), bool))

    allv = np.concatenate(parts_v)
    nose_tip = int(np.argmax(np.where(np.abs(v[:, 0]) < 0.004, v[:, 2], -1)))
    tags["nose"] = nose_tip
    part = Part("head", allv, np.concatenate(parts_f), np.concatenate(parts_w), np.concatenate(parts_r),
                np.concatenate(axis), tags=tags, face_mask=np.concatenate(face_mask))
    info = {"jaw": np.concatenate([jaw, np.zeros(len(allv) - n_grid)]),
            "theta": np.concatenate([theta, np.full(len(allv) - n_grid, np.nan)]),
            "skin": np.concatenate([np.ones(n_grid, bool), np.zeros(len(allv) - n_grid, bool)])}
    return part, info
