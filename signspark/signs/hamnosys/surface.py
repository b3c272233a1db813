"""The signer's body mesh as geometry: rest shape per betas, body parts, surface points, signed distance.

Everything here is in the body frame (metres, +y up, +z front, +x the signer's left). The mesh is
the project's body model (:class:`signspark.body.BodyModel`: the built-in body unless a licensed
SMPL-X is configured), shaped by the signer's ``betas``. Vertices belong to the *part* of the
joint with the largest skinning weight (:data:`PARTS`).

* :func:`rest_body` - rest (T-pose) vertices, normals, parts, joints and a matching
  :class:`~signspark.signs.kinematics.Skeleton`, cached per betas.
* :func:`arms_down_body` - the same body in the signing rest posture (arms hanging by the sides), where
  named body locations are looked for: raising the arms to a T moves the skin of the shoulders and
  turns the arms, so places found on the T-pose would not be where a signer means them.
* :func:`extreme_point` - the surface point furthest along a direction within a cylinder
  (how named surface points are found: "the most forward chin vertex").
* :func:`posed_vertices` - the mesh of a (51, 3) key pose (the body model's forward pass).
* :func:`skinned_points` - some vertices of a key pose by linear blend skinning in numpy (fast;
  the same as the forward pass for the built-in body, within a few millimetres for a licensed SMPL-X,
  whose pose-corrective shapes it leaves out).
* :func:`Trunk` - head, neck, torso and legs posed once per body posture, for signed distances.
* :func:`signed_distance` - point-to-surface distance, negative inside.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np

from ..arms import rest_body_pose
from ..kinematics import Skeleton, forward, pose_vector, skeleton

__all__ = ["RestBody", "rest_body", "ArmsDownBody", "arms_down_body", "extreme_point", "vertex_normals", "posed_vertices", "signed_distance",
           "PARTS", "part_mask", "body_model", "betas_key", "skinned_points", "Trunk", "trunk"]

# part name -> SMPL-X joint ids whose vertices make it up
PARTS: dict[str, tuple[int, ...]] = {
    "head": (15, 22, 23, 24),
    "neck": (12,),
    "torso": (0, 3, 6, 9, 13, 14),
    "legs": (1, 2, 4, 5, 7, 8, 10, 11),
    "left_arm": (16, 18),
    "right_arm": (17, 19),
    "left_hand": (20,) + tuple(range(25, 40)),
    "right_hand": (21,) + tuple(range(40, 55)),
}


@functools.lru_cache(maxsize=1)
def body_model():
    """The project's body model (loaded once per process, shared with the renderer)."""
    from signspark.body import shared_body_model

    return shared_body_model()


def vertex_normals(V: np.ndarray, F: np.ndarray) -> np.ndarray:
    """(V, 3) unit area-weighted vertex normals of a mesh with counter-clockwise faces (outward)."""
    fn = np.cross(V[F[:, 1]] - V[F[:, 0]], V[F[:, 2]] - V[F[:, 0]])
    n = np.zeros_like(V)
    for k in range(3):
        np.add.at(n, F[:, k], fn)
    return n / np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-12)


@dataclasses.dataclass(frozen=True)
class RestBody:
    """The signer's body in the rest pose.

    Attributes:
        vertices: (V, 3) rest vertices.
        normals: (V, 3) outward unit normals.
        faces: (F, 3) triangles.
        dominant: (V,) the joint with the largest skinning weight per vertex; -1 for vertices that no
            face uses (padding), so no part contains them.
        joints: (127, 3) rest output joints (skeleton, face points, landmarks; see ``signspark.body.joints``).
        skel: the skeleton of this shape (FK with it matches the mesh).
        betas: the shape, as a tuple.
    """

    vertices: np.ndarray
    normals: np.ndarray
    faces: np.ndarray
    dominant: np.ndarray
    joints: np.ndarray
    skel: Skeleton
    betas: tuple[float, ...]

    def mask(self, *parts: str) -> np.ndarray:
        """(V,) bool: vertices of the named parts."""
        return part_mask(self.dominant, *parts)


def part_mask(dominant: np.ndarray, *parts: str) -> np.ndarray:
    """(V,) bool mask of the vertices whose dominant joint belongs to one of ``parts``."""
    ids = []
    for p in parts:
        if p not in PARTS:
            raise ValueError(f"unknown body part {p!r}; expected one of {sorted(PARTS)}")
        ids += PARTS[p]
    return np.isin(dominant, ids)


def betas_key(betas) -> tuple[float, ...]:
    b = tuple(float(x) for x in (betas if betas is not None else ()))
    b = (b + (0.0,) * 10)[:10]
    return tuple(round(x, 6) for x in b)


@functools.lru_cache(maxsize=16)
def _rest_body(betas: tuple[float, ...]) -> RestBody:
    bm = body_model()
    out = bm({"body_pose": np.zeros((1, 63), np.float32), "betas": np.asarray(betas, np.float32)})
    V = out.vertices[0].detach().cpu().numpy().astype(np.float64)
    J = out.joints[0].detach().cpu().numpy().astype(np.float64)
    F = np.asarray(bm.faces, np.int64)
    dom = bm.lbs_weights.detach().cpu().numpy().argmax(1)
    unused = np.ones(len(V), bool)
    unused[F.reshape(-1)] = False
    dom[unused] = -1
    skel = skeleton() if not any(betas) else Skeleton(J[:55], "signspark.body (signer betas)")
    for a in (V, J, F, dom):
        a.setflags(write=False)
    N = vertex_normals(V, F)
    N.setflags(write=False)
    return RestBody(V, N, F, dom, J, skel, betas)


def rest_body(betas=None) -> RestBody:
    """The rest body of a shape (``betas``: up to 10 numbers, None for the mean shape); cached."""
    return _rest_body(betas_key(betas))


@dataclasses.dataclass(frozen=True)
class ArmsDownBody:
    """The signer's body in the signing rest posture (:func:`signspark.signs.arms.rest_body_pose`: arms
    hanging by the sides, elbows a little bent, palms toward the thighs; spine, neck and head as at rest).

    Attributes:
        rest: the :class:`RestBody` it is posed from (parts, faces, rest joints).
        vertices: (V, 3) posed vertices, metres, body frame.
        normals: (V, 3) outward unit normals of the posed mesh.
        joints: (55, 3) posed joint positions.
        rotations: (55, 3, 3) posed global joint rotations (the identity except along the arms).
    """

    rest: RestBody
    vertices: np.ndarray
    normals: np.ndarray
    joints: np.ndarray
    rotations: np.ndarray

    def mask(self, *parts: str) -> np.ndarray:
        """(V,) bool: vertices of the named parts."""
        return self.rest.mask(*parts)

    def to_rest(self, joint: int, point, *directions) -> tuple[np.ndarray, ...]:
        """A posed point (and directions) -> the rest frame of ``joint``, where they are stored and from
        which a posed body's FK of that joint carries them (see ``SurfacePoint.world``)."""
        G = self.rotations[joint]
        out = [self.rest.skel.rest[joint] + G.T @ (np.asarray(point, np.float64) - self.joints[joint])]
        return tuple(out + [G.T @ np.asarray(d, np.float64) for d in directions])


@functools.lru_cache(maxsize=16)
def _arms_down_body(betas: tuple[float, ...]) -> ArmsDownBody:
    rb = _rest_body(betas)
    pose = np.zeros((51, 3))
    pose[:21] = rest_body_pose()
    V = skinned_points(pose, betas)
    N = vertex_normals(V, rb.faces)
    P, G = forward(pose_vector(body_pose=pose[:21]), rb.skel)
    P = np.ascontiguousarray(P[:55])
    for a in (V, N, P, G):
        a.setflags(write=False)
    return ArmsDownBody(rb, V, N, P, G)


def arms_down_body(betas=None) -> ArmsDownBody:
    """The body of a shape (``betas``) in the signing rest posture, arms down (see :class:`ArmsDownBody`);
    cached."""
    return _arms_down_body(betas_key(betas))


def extreme_point(V: np.ndarray, N: np.ndarray, mask: np.ndarray, anchor, d, radius: float,
                  smooth: float = 0.02) -> tuple[int, np.ndarray, np.ndarray]:
    """The masked vertex furthest along unit direction ``d`` among those within ``radius`` metres of the
    line through ``anchor`` along ``d``: (vertex index, point (3,), normal (3,)). The normal is the mean
    of the masked vertex normals within ``smooth`` metres (the face has small features).

    Raises ValueError when no masked vertex is that close to the line.
    """
    anchor = np.asarray(anchor, np.float64)
    d = np.asarray(d, np.float64)
    d = d / np.linalg.norm(d)
    idx = np.flatnonzero(mask)
    rel = V[idx] - anchor
    along = rel @ d
    off = np.linalg.norm(rel - along[:, None] * d, axis=1)
    ok = off < radius
    if not ok.any():
        raise ValueError(f"no surface within {radius:.3f} m of the line from {np.round(anchor, 3).tolist()} "
                         f"along {np.round(d, 2).tolist()}")
    k = idx[ok][np.argmax(along[ok])]
    near = idx[np.linalg.norm(V[idx] - V[k], axis=1) < smooth]
    n = N[near].sum(0)
    n = n / max(np.linalg.norm(n), 1e-12)
    return int(k), V[k].copy(), n


def posed_vertices(pose51: np.ndarray, betas=None) -> np.ndarray:
    """(V, 3) mesh vertices of a (51, 3) key pose (body_pose, left hand, right hand)."""
    p = np.asarray(pose51, np.float32).reshape(51, 3)
    out = body_model()({"body_pose": p[:21].reshape(1, 63), "left_hand_pose": p[21:36].reshape(1, 45),
                        "right_hand_pose": p[36:].reshape(1, 45),
                        "betas": np.asarray(betas_key(betas), np.float32)})
    return out.vertices[0].detach().cpu().numpy().astype(np.float64)


def signed_distance(points: np.ndarray, V: np.ndarray, N: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """(P,) distance of points to the surface of the masked vertices, negative inside.

    Uses the nearest masked vertex and its normal (point-to-tangent-plane distance), accurate to a
    millimetre or two on this mesh near the surface; far points get their distance to that vertex.
    """
    from scipy.spatial import cKDTree

    idx = np.flatnonzero(mask)
    tree = cKDTree(V[idx])
    dist, k = tree.query(np.asarray(points, np.float64))
    v, n = V[idx[k]], N[idx[k]]
    plane = np.einsum("ij,ij->i", points - v, n)
    return np.where(dist < 0.02, plane, np.sign(plane) * dist)


_ARMS_DOWN = np.deg2rad(72.0)    # shoulder rotation of arms hanging by the sides (as signspark.signs.arms)


@functools.lru_cache(maxsize=1)
def _lbs_weights() -> np.ndarray:
    w = body_model().lbs_weights.detach().cpu().numpy().astype(np.float64)
    w.setflags(write=False)
    return w


def skinned_points(pose51: np.ndarray, betas=None, idx: np.ndarray | None = None) -> np.ndarray:
    """(n, 3) vertices ``idx`` (all when None) of a (51, 3) key pose by linear blend skinning, metres.

    The joint transforms come from the skeleton's forward kinematics; pose-corrective shapes (a licensed
    SMPL-X has them) are left out.
    """
    p = np.asarray(pose51, np.float64).reshape(51, 3)
    rb = rest_body(betas)
    P, G = forward(pose_vector(body_pose=p[:21], left_hand_pose=p[21:36], right_hand_pose=p[36:]), rb.skel)
    J = rb.skel.rest
    A = np.concatenate([G, (P[:55] - np.einsum("jab,jb->ja", G, J))[:, :, None]], axis=2)  # (55, 3, 4)
    V = rb.vertices if idx is None else rb.vertices[idx]
    W = _lbs_weights() if idx is None else _lbs_weights()[idx]
    T = (W @ A.reshape(55, 12)).reshape(-1, 3, 4)
    return np.einsum("vab,vb->va", T[:, :, :3], V) + T[:, :, 3]


_FAR = 0.1   # metres: Trunk distances stop here (a hand is never that deep inside the body)


@dataclasses.dataclass(frozen=True)
class Trunk:
    """Head, neck, torso and legs of a posed body, ready for signed distances (see :func:`trunk`)."""

    points: np.ndarray
    normals: np.ndarray
    tree: object

    def signed_distance(self, points: np.ndarray) -> np.ndarray:
        """(P,) distance of points to this surface, negative inside (as :func:`signed_distance`)."""
        points = np.asarray(points, np.float64)
        dist, k = self.tree.query(points, distance_upper_bound=_FAR)
        out = np.full(len(points), _FAR)  # further than _FAR from the surface: counted as outside
        near = np.isfinite(dist)
        plane = np.einsum("ij,ij->i", points[near] - self.points[k[near]], self.normals[k[near]])
        out[near] = np.where(dist[near] < 0.02, plane, np.sign(plane) * dist[near])
        return out


@functools.lru_cache(maxsize=64)
def _trunk(betas: tuple[float, ...], body_bytes: bytes) -> Trunk:
    from scipy.spatial import cKDTree

    pose = np.zeros((51, 3))
    pose[:21] = np.frombuffer(body_bytes, np.float64).reshape(21, 3)
    rb = rest_body(betas)
    V = skinned_points(pose, betas)
    N = vertex_normals(V, rb.faces)
    idx = np.flatnonzero(rb.mask("head", "neck", "torso", "legs"))
    return Trunk(V[idx], N[idx], cKDTree(V[idx]))


def trunk(pose51: np.ndarray, betas=None) -> Trunk:
    """The head, neck, torso and legs of a key pose, for signed distances; cached.

    The arms are taken hanging down (elbows and wrists do not move these parts; a raised shoulder moves
    only the skin round its own armpit and shoulder top, by a few millimetres where a hand could be) and
    the other body joints are rounded to 0.05 rad (about 3 degrees), so all the arm placements of one
    signer share one posed trunk."""
    body = np.array(np.asarray(pose51, np.float64).reshape(51, 3)[:21])
    body[15:21] = 0.0
    body[15, 2], body[16, 2] = -_ARMS_DOWN, _ARMS_DOWN   # shoulders (SMPL-X joints 16, 17)
    body = np.round(body / 0.05) * 0.05
    return _trunk(betas_key(betas), body.tobytes())
