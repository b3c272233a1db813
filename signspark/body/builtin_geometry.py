"""Geometry pieces the built-in body is assembled from: tubes along bone chains, spheres, weights.

A :class:`Part` is a small triangle mesh with per-vertex skinning weights over the
55 SMPL-X joints, region codes and an "axis point" per vertex (the point on the
bone the vertex hangs from; the girth shape direction pushes vertices away from it).
Everything is plain numpy and deterministic.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .joints import NUM_JOINTS


@dataclasses.dataclass
class Part:
    """One piece of the built-in mesh.

    Attributes:
        name: what it is ("torso", "left_hand", ...).
        v: (N, 3) float64 rest vertices, metres.
        f: (F, 3) int64 faces into ``v``, counter-clockwise seen from outside.
        w: (N, 55) skinning weights, rows sum to 1.
        region: (N,) uint8 region codes (see :data:`signspark.body.regions.REGIONS`).
        axis: (N, 3) axis point per vertex (for the girth direction).
        tags: name -> local vertex index of special vertices (fingertips, nose, ...).
        face_mask: (N,) bool, vertices that expressions may move.
    """

    name: str
    v: np.ndarray
    f: np.ndarray
    w: np.ndarray
    region: np.ndarray
    axis: np.ndarray
    tags: dict[str, int] = dataclasses.field(default_factory=dict)
    face_mask: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.face_mask is None:
            self.face_mask = np.zeros(len(self.v), bool)


def smoothstep(x: np.ndarray) -> np.ndarray:
    """C1 ramp from 0 (x <= 0) to 1 (x >= 1)."""
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def one_hot_weights(n: int, joint: int) -> np.ndarray:
    w = np.zeros((n, NUM_JOINTS))
    w[:, joint] = 1.0
    return w


def chain_weights(t: np.ndarray, knots: list[float], joints: list[int], halfwidths: list[float]) -> np.ndarray:
    """Weights along a chain of bones, blended smoothly across each joint.

    Args:
        t: (N,) arclength of each vertex along the chain (metres).
        knots: arclength of the K-1 internal joints (increasing).
        joints: K joint ids, one per bone (bone k lies between knots k-1 and k).
        halfwidths: K-1 half-widths of the blend around each knot (metres).

    Returns:
        (N, 55) weights; at a knot both bones weigh 0.5.
    """
    s = [smoothstep((t - k + h) / (2 * h)) for k, h in zip(knots, halfwidths)]
    w = np.zeros((len(t), NUM_JOINTS))
    edges = [np.ones_like(t)] + s + [np.zeros_like(t)]
    for i, j in enumerate(joints):
        w[:, j] += edges[i] - edges[i + 1]
    return w


def polyline_frames(points: np.ndarray, up: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tangent and two normals at each point of a polyline; ``up`` hints the first normal."""
    d = np.gradient(points, axis=0)
    tan = d / np.linalg.norm(d, axis=1, keepdims=True)
    up = np.broadcast_to(np.asarray(up, float), points.shape)
    n1 = up - (up * tan).sum(1, keepdims=True) * tan
    n1 /= np.linalg.norm(n1, axis=1, keepdims=True)
    n2 = np.cross(tan, n1)
    return tan, n1, n2


def resample_polyline(points: np.ndarray, spacing: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Evenly spaced samples along a polyline.

    Returns:
        (samples (M,3), arclength of samples (M,), arclength of the input points (P,)).
    """
    seg = np.linalg.norm(np.diff(points, axis=0), axis=1)
    s_pts = np.concatenate([[0.0], np.cumsum(seg)])
    m = max(int(np.ceil(s_pts[-1] / spacing)) + 1, 2)
    s = np.linspace(0.0, s_pts[-1], m)
    out = np.stack([np.interp(s, s_pts, points[:, k]) for k in range(3)], 1)
    return out, s, s_pts


def grid_faces(rows: int, cols: int, closed: bool = True, offset: int = 0) -> np.ndarray:
    """Quads of a rows x cols vertex grid (row-major) split into triangles.

    Columns wrap around when ``closed``. Orientation: rows advance along the
    tube axis, columns around it counter-clockwise seen from the tube's end.
    """
    r, c = np.meshgrid(np.arange(rows - 1), np.arange(cols if closed else cols - 1), indexing="ij")
    r, c = r.ravel(), c.ravel()
    c1 = (c + 1) % cols
    a, b = r * cols + c, r * cols + c1
    d, e = (r + 1) * cols + c, (r + 1) * cols + c1
    tri = np.concatenate([np.stack([a, b, e], 1), np.stack([a, e, d], 1)])
    return tri.astype(np.int64) + offset


def superellipse(angles: np.ndarray, exponent: float) -> tuple[np.ndarray, np.ndarray]:
    """Unit superellipse |x|^e + |y|^e = 1 sampled at ``angles``."""
    c, s = np.cos(angles), np.sin(angles)
    p = 2.0 / exponent
    return np.sign(c) * np.abs(c) ** p, np.sign(s) * np.abs(s) ** p


def tube(
    centers: np.ndarray,
    n1: np.ndarray,
    n2: np.ndarray,
    r1: tuple[np.ndarray, np.ndarray],
    r2: tuple[np.ndarray, np.ndarray],
    around: int,
    exponent: float | np.ndarray = 2.0,
    cap_start: int = 0,
    cap_end: int = 0,
    tangents: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """A closed tube with (asymmetric) superelliptic cross-sections, optionally capped.

    Args:
        centers: (M, 3) ring centres.
        n1, n2: (M, 3) unit cross-section axes (``n1 x n2`` points along the tube).
        r1: (positive side, negative side) radii along ``n1``, each (M,).
        r2: the same along ``n2``.
        around: vertices per ring.
        exponent: superellipse exponent (2 = ellipse), scalar or (M,).
        cap_start, cap_end: number of extra rings rounding off each end (0 = open).
        tangents: (M, 3) tube direction, needed for caps.

    Returns:
        dict with ``v`` (N,3), ``f`` (F,3), ``ring`` (N,) fractional ring index
        (negative / beyond M-1 on the caps), ``angle`` (N,) angle around the
        tube (0 along +n1), ``axis`` (N,3) the axis point of each vertex,
        ``poles`` indices of the cap tip vertices (start, end; -1 when open).
    """
    m = len(centers)
    ang = np.linspace(0, 2 * np.pi, around, endpoint=False)
    ex = np.broadcast_to(np.asarray(exponent, float), (m,))
    rows_v, rows_ring, rows_axis = [], [], []

    def ring_at(i: int, scale: float, shift: float, ring_pos: float) -> None:
        u, s = superellipse(ang, ex[i])
        a = np.where(u >= 0, r1[0][i], r1[1][i]) * u * scale
        b = np.where(s >= 0, r2[0][i], r2[1][i]) * s * scale
        c = centers[i] + (0.0 if tangents is None else shift * tangents[i])
        rows_v.append(c + a[:, None] * n1[i] + b[:, None] * n2[i])
        rows_ring.append(np.full(around, ring_pos))
        rows_axis.append(np.repeat(c[None], around, 0))

    def cap_rings(i: int, sign: float, count: int) -> list[tuple[float, float]]:
        rad = 0.5 * (max(r1[0][i], r1[1][i]) + max(r2[0][i], r2[1][i]))
        return [(np.cos(np.pi / 2 * k / (count + 1)), sign * rad * np.sin(np.pi / 2 * k / (count + 1)))
                for k in range(1, count + 1)]

    start = cap_rings(0, -1.0, cap_start)[::-1]
    for k, (sc, sh) in enumerate(start):
        ring_at(0, sc, sh, -(len(start) - k))
    for i in range(m):
        ring_at(i, 1.0, 0.0, float(i))
    for k, (sc, sh) in enumerate(cap_rings(m - 1, 1.0, cap_end)):
        ring_at(m - 1, sc, sh, m - 1 + k + 1)

    v = np.concatenate(rows_v)
    ring = np.concatenate(rows_ring)
    axis = np.concatenate(rows_axis)
    nrows = len(rows_v)
    f = [grid_faces(nrows, around)]
    poles = [-1, -1]
    if cap_start:
        rad = 0.5 * (max(r1[0][0], r1[1][0]) + max(r2[0][0], r2[1][0]))
        p = centers[0] - rad * tangents[0]
        poles[0] = len(v)
        v = np.vstack([v, p]); ring = np.append(ring, -cap_start - 1); axis = np.vstack([axis, centers[0]])
        c = np.arange(around)
        f.append(np.stack([np.full(around, poles[0]), (c + 1) % around, c], 1))
    if cap_end:
        rad = 0.5 * (max(r1[0][-1], r1[1][-1]) + max(r2[0][-1], r2[1][-1]))
        p = centers[-1] + rad * tangents[-1]
        poles[1] = len(v)
        v = np.vstack([v, p]); ring = np.append(ring, m + cap_end); axis = np.vstack([axis, centers[-1]])
        c = np.arange(around) + (nrows - 1) * around
        f.append(np.stack([np.full(around, poles[1]), c, (c - c[0] + 1) % around + c[0]], 1))
    angle = np.concatenate([np.tile(ang, nrows)] + [[0.0]] * (len(v) - nrows * around))
    return {"v": v, "f": np.concatenate(f).astype(np.int64), "ring": ring, "angle": angle,
            "axis": axis, "poles": np.array(poles)}


def uv_sphere(center: np.ndarray, radius: float | np.ndarray, n_lat: int, n_lon: int,
              pole_axis: np.ndarray, ref_axis: np.ndarray) -> dict[str, np.ndarray]:
    """A sphere (or ellipsoid with per-axis radii) with its poles on ``pole_axis``.

    Returns ``v`` (N,3), ``f`` (F,3), ``polar`` (N,) angle from the ``+pole_axis`` pole,
    ``front`` index of the +pole vertex.
    """
    pole_axis = np.asarray(pole_axis, float) / np.linalg.norm(pole_axis)
    a = np.asarray(ref_axis, float)
    a = a - a.dot(pole_axis) * pole_axis
    a /= np.linalg.norm(a)
    b = np.cross(pole_axis, a)
    rad = np.broadcast_to(np.asarray(radius, float), (3,))  # along pole, a, b
    polar = np.linspace(0, np.pi, n_lat + 2)[1:-1]
    lon = np.linspace(0, 2 * np.pi, n_lon, endpoint=False)
    P, L = np.meshgrid(polar, lon, indexing="ij")
    d = (np.cos(P)[..., None] * pole_axis * rad[0] + (np.sin(P) * np.cos(L))[..., None] * a * rad[1]
         + (np.sin(P) * np.sin(L))[..., None] * b * rad[2])
    v = np.concatenate([center + d.reshape(-1, 3), [center + pole_axis * rad[0]], [center - pole_axis * rad[0]]])
    n = n_lat * n_lon
    f = [grid_faces(n_lat, n_lon)]
    c = np.arange(n_lon)
    f.append(np.stack([np.full(n_lon, n), c, (c + 1) % n_lon], 1))
    last = (n_lat - 1) * n_lon
    f.append(np.stack([np.full(n_lon, n + 1), last + (c + 1) % n_lon, last + c], 1))
    pol = np.concatenate([P.ravel(), [0.0, np.pi]])
    f = np.concatenate(f).astype(np.int64)[:, ::-1]  # outward-facing
    return {"v": v, "f": np.ascontiguousarray(f), "polar": pol, "front": n}


def mesh_orientation_sign(v: np.ndarray, f: np.ndarray) -> float:
    """Signed volume of a closed mesh (positive when faces point outwards)."""
    a, b, c = v[f[:, 0]], v[f[:, 1]], v[f[:, 2]]
    return float(np.einsum("ij,ij->i", a, np.cross(b, c)).sum() / 6.0)
