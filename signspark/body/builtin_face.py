"""Face landmarks and expression directions of the built-in head.

* 51 static landmarks in the SMPL-X order (:data:`signspark.body.joints.LANDMARK_NAMES`),
  each pinned to one head vertex (a face index plus a one-hot barycentric weight);
  lower-lip landmarks sit on the jaw side of the mouth slit so they follow ``jaw_pose``.
* 17 jaw-contour points repeated for the 79 yaw bins of SMPL-X's dynamic contour.
* 50 expression directions: the first ten are hand-made (mouth open, smile, brows up,
  pucker, frown, cheek puff, lip press, mouth sideways, lower lip down, squint); the
  other forty are weaker fixed mixtures of those, so every coefficient does something mild.
"""

from __future__ import annotations

import numpy as np

from .builtin_head import EYE_L, MOUTH_HALF, MOUTH_Y

NUM_EXPRESSIONS = 50


def _landmark_targets() -> list[tuple[float, float, bool]]:
    """(x, y, on_jaw) per landmark, in SMPL-X order."""
    m, h = MOUTH_Y, MOUTH_HALF
    ex, ey = EYE_L[0], EYE_L[1]
    brow = [(-0.057, 0.327), (-0.048, 0.332), (-0.038, 0.334), (-0.028, 0.333), (-0.017, 0.330)]
    out = [(x, y, False) for x, y in brow]
    out += [(-x, y, False) for x, y in brow[::-1]]
    out += [(0.0, 0.312, False), (0.0, 0.300, False), (0.0, 0.287, False), (0.0, 0.2725, False)]
    out += [(-0.014, 0.262, False), (-0.007, 0.2595, False), (0.0, 0.258, False), (0.007, 0.2595, False),
            (0.014, 0.262, False)]
    w, u, lo = 0.0135, 0.0048, -0.0036
    right = [(-ex - w, ey), (-ex - 0.45 * w, ey + u), (-ex + 0.35 * w, ey + u), (-ex + w, ey),
             (-ex + 0.35 * w, ey + lo), (-ex - 0.45 * w, ey + lo)]
    out += [(x, y, False) for x, y in right]
    left = [(ex - w, ey), (ex - 0.35 * w, ey + u), (ex + 0.45 * w, ey + u), (ex + w, ey),
            (ex + 0.45 * w, ey + lo), (ex - 0.35 * w, ey + lo)]
    out += [(x, y, False) for x, y in left]
    out += [(-h, m, False), (-0.016, m + 0.0065, False), (-0.006, m + 0.0085, False), (0.0, m + 0.0080, False),
            (0.006, m + 0.0085, False), (0.016, m + 0.0065, False), (h, m, False),
            (0.016, m - 0.0085, True), (0.007, m - 0.0105, True), (0.0, m - 0.0105, True),
            (-0.007, m - 0.0105, True), (-0.016, m - 0.0085, True)]
    out += [(-0.018, m + 0.0005, False), (-0.008, m + 0.0008, False), (0.0, m + 0.0008, False),
            (0.008, m + 0.0008, False), (0.018, m + 0.0005, False),
            (0.008, m, True), (0.0, m, True), (-0.008, m, True)]
    return out


def _vertex_face(f: np.ndarray, n_vertices: int) -> np.ndarray:
    """One face index per vertex (-1 for unused vertices), and the vertex's slot in it."""
    face_of = np.full(n_vertices, -1, np.int64)
    face_of[f[:, 0]] = np.arange(len(f))
    return face_of


def landmarks(v: np.ndarray, f: np.ndarray, candidates: np.ndarray, jaw: np.ndarray,
              contour_candidates: np.ndarray, theta: np.ndarray) -> dict[str, np.ndarray]:
    """Landmark faces and barycentric coordinates for the assembled mesh.

    Args:
        v: (V, 3) rest vertices; f: (F, 3) faces.
        candidates: (V,) bool, front head-surface vertices a landmark may sit on.
        jaw: (V,) jaw skinning weight.
        contour_candidates: (V,) bool, head-surface vertices for the jaw contour.
        theta: (V,) head-grid azimuth.

    Returns:
        ``lmk_faces_idx`` (51,), ``lmk_bary_coords`` (51, 3), ``dynamic_lmk_faces_idx`` (79, 17),
        ``dynamic_lmk_bary_coords`` (79, 17, 3).
    """
    face_of = _vertex_face(f, len(v))
    faces, bary = [], []

    def pin(mask: np.ndarray, x: float, y: float, z_pref: float = 0.0) -> int:
        d = (v[:, 0] - x) ** 2 + (v[:, 1] - y) ** 2 - z_pref * v[:, 2]
        d = np.where(mask & (face_of >= 0), d, np.inf)
        return int(np.argmin(d))

    for x, y, on_jaw in _landmark_targets():
        mask = candidates & ((jaw >= 0.5) if on_jaw else (jaw < 0.5))
        i = pin(mask, x, y, 1e-4)
        faces.append(face_of[i])
        bary.append([1.0, 0.0, 0.0])
    contour = []
    for k in range(17):
        t = -1.35 + 2.7 * k / 16
        y = 0.193 + 0.075 * (abs(t) / 1.35) ** 1.6
        d = (theta - t) ** 2 * 0.004 + (v[:, 1] - y) ** 2
        d = np.where(contour_candidates & (face_of >= 0), d, np.inf)
        contour.append(int(np.argmin(d)))
    dyn_f = np.tile(face_of[np.array(contour)], (79, 1))
    dyn_b = np.zeros((79, 17, 3))
    dyn_b[..., 0] = 1.0
    return {"lmk_faces_idx": np.array(faces, np.int64), "lmk_bary_coords": np.array(bary, np.float32),
            "dynamic_lmk_faces_idx": dyn_f.astype(np.int64), "dynamic_lmk_bary_coords": dyn_b.astype(np.float32)}


def expression_directions(v: np.ndarray, mask: np.ndarray, jaw: np.ndarray) -> np.ndarray:
    """(V, 3, 50) expression displacements (metres per unit coefficient), zero off ``mask``."""
    x, y, z = v[:, 0], v[:, 1], v[:, 2]
    ax = np.abs(x)
    front = (z > 0.02).astype(float)
    g = lambda a, s: np.exp(-(a / s) ** 2)  # noqa: E731
    mouth = g(ax / 1.4, MOUTH_HALF) * g(y - MOUTH_Y, 0.012) * front
    lower = (jaw > 0.5).astype(float)
    upper = 1 - lower
    corner = g(ax - MOUTH_HALF, 0.008) * g(y - MOUTH_Y, 0.008) * front
    brow = g(ax - 0.035, 0.022) * g(y - 0.333, 0.010) * front
    cheek = g(ax - 0.045, 0.015) * g(y - 0.265, 0.015) * front
    under_eye = g(ax - EYE_L[0], 0.012) * g(y - (EYE_L[1] - 0.008), 0.004) * front
    sx = np.sign(x)
    basis = np.zeros((len(v), 3, 10))
    basis[:, 1, 0] = -0.004 * mouth * lower - 0.002 * g(y - 0.205, 0.02) * lower * front        # mouth open
    basis[:, :, 1] = np.stack([0.0025 * sx * corner, 0.003 * corner, -0.002 * corner], 1)          # smile
    basis[:, 1, 2] = 0.0035 * brow                                                                # brows up
    basis[:, :, 3] = np.stack([-0.003 * x / MOUTH_HALF * mouth, 0 * x, 0.0035 * mouth], 1)       # pucker
    basis[:, :, 4] = np.stack([-0.002 * sx * brow, -0.0025 * brow, 0.0008 * brow], 1)            # frown
    n = v - np.array([0.0, 0.30, -0.01])
    n /= np.linalg.norm(n, axis=1, keepdims=True)
    basis[:, :, 5] = 0.003 * cheek[:, None] * n                                                   # cheek puff
    basis[:, 1, 6] = (-0.0015 * upper + 0.0018 * lower) * mouth                                   # lip press
    basis[:, 0, 7] = 0.003 * mouth                                                                 # mouth sideways
    basis[:, 1, 8] = -0.003 * mouth * lower * g(y - (MOUTH_Y - 0.006), 0.006)                      # lower lip down
    basis[:, 1, 9] = 0.0018 * under_eye                                                            # squint
    rng = np.random.default_rng(7)
    mix = rng.standard_normal((10, NUM_EXPRESSIONS - 10))
    mix /= np.linalg.norm(mix, axis=0, keepdims=True)
    mix *= 0.5 / (1 + np.arange(NUM_EXPRESSIONS - 10) / 8.0)
    out = np.concatenate([basis, basis @ mix], axis=2)
    out[~mask] = 0.0
    return out
