"""A signing clip as an animated glTF 2.0 binary (``.glb``): mesh, skeleton, skin and animation.

A standard glTF 2.0 file for Blender, three.js and Babylon.js viewers and slide software
that takes animated .glb models (the tests run the Khronos validator on it and play it
with three.js and with Babylon.js through gr.Model3D). It holds:

* **Mesh**: the body at the clip's shape (``betas`` applied), in the rest (T-) pose, with
  vertex normals; one primitive per region of the avatar (skin, hair, shirt, trousers,
  shoes, eyes, lips, mouth, teeth, nails), each with a named material in the avatar's
  colours (``colors="regions"``, the default: crisp borders, recolourable by name in
  Blender), or one primitive with per-vertex colours ``COLOR_0`` (``colors="vertex"``).
  A licensed SMPL-X file carries no region labels: the whole body is skin.
* **Skeleton**: the 55 SMPL-X joints as nodes named as in
  :data:`signspark.body.joints.SMPLX_JOINT_NAMES`, each translated from its parent by the
  rest-pose offset, the pelvis at the scene root. The skin's inverse bind matrices are
  translations by minus each joint's rest position.
* **Skin weights**: the body's linear-blend-skinning weights, the 4 largest per vertex,
  renormalised to sum to 1 (``JOINTS_0`` unsigned bytes, ``WEIGHTS_0`` floats). The
  built-in body has up to 6 non-zero weights per vertex, but those past the fourth add up
  to at most 4e-6: skinning the file reproduces the body model to well under 0.01 mm.
* **Animation** "signing": per joint a rotation channel (unit quaternions x, y, z, w,
  one key per frame at ``t = frame / fps`` seconds, LINEAR, consecutive keys in the same
  hemisphere) and the pelvis translation (rest pelvis + ``transl``).
* **Expressions** (optional): the 50 expression blend shapes as morph targets named
  ``expression_00`` .. ``expression_49`` (sparse accessors: only the face vertices they
  move are stored) and a ``weights`` channel with the clip's coefficients per frame.

Coordinates are the body's own, which are glTF's: metres, y up, the body facing +z.

What the file cannot carry: SMPL-X's pose-corrective blend shapes (licensed SMPL-X only;
the built-in body has none; without them elbows and knuckles of the licensed model bend
like a plain skinned mesh, a few millimetres off), and joints that move with the expression
(SMPL-X regresses a few face joints from face vertices; the built-in body does not).

Size: about 1 MB of mesh and skin for the built-in body, about 2.2 MB of expression
targets (``expressions=False`` leaves them out), and 1.1 kB per frame of animation
(0.9 kB without expressions).

Example::

    from signspark.export import write_glb
    info = write_glb(seq, "hello.glb")             # built-in body (or $SIGNSPARK_SMPLX_DIR)
    print(info.path, info.size_bytes)
"""

from __future__ import annotations

import dataclasses
import json
import os
import struct
from pathlib import Path

import numpy as np

from ..atomic import atomic_file
from ..body.joints import NUM_JOINTS, SMPLX_JOINT_NAMES
from ..pose.sequence import MAX_FRAMES, PoseSequence

__all__ = ["write_glb", "glb_bytes", "GlbInfo", "GltfExportError", "MAX_EXPORT_FRAMES", "COLOR_MODES"]

MAX_EXPORT_FRAMES = MAX_FRAMES
"""Longest clip exported (the PoseSequence limit: about an hour at 25 fps, about 110 MB of animation)."""
COLOR_MODES = ("regions", "vertex")
MAX_WEIGHTS = 4  # JOINTS_0 / WEIGHTS_0 hold four influences per vertex

_GLB_MAGIC = 0x46546C67  # "glTF"
_CHUNK_JSON = 0x4E4F534A  # "JSON"
_CHUNK_BIN = 0x004E4942  # "BIN\0"
# accessor component types and buffer view targets (glTF 2.0 enums)
_BYTE, _UBYTE, _USHORT, _UINT, _FLOAT = 5120, 5121, 5123, 5125, 5126
_ARRAY_BUFFER, _ELEMENT_ARRAY_BUFFER = 34962, 34963
_TYPES = {1: "SCALAR", 2: "VEC2", 3: "VEC3", 4: "VEC4", 16: "MAT4"}
_DTYPES = {_UBYTE: np.uint8, _USHORT: np.uint16, _UINT: np.uint32, _FLOAT: np.float32}
# the SMPL-X pose vector in joint order 0..54
_POSE_KEYS = ("global_orient", "body_pose", "jaw_pose", "leye_pose", "reye_pose", "left_hand_pose", "right_hand_pose")


class GltfExportError(ValueError):
    """The clip or the options cannot be exported; the message says why."""


@dataclasses.dataclass(frozen=True)
class GlbInfo:
    """What :func:`write_glb` wrote.

    Attributes:
        path: the ``.glb`` file.
        size_bytes: its size.
        frames: animation keys (the clip's frames).
        duration: seconds (``frames / fps``; the last key is at ``(frames - 1) / fps``).
        vertices: mesh vertices over all primitives (vertices on a border between two regions
            are stored once per region).
        triangles: mesh triangles.
        joints: skeleton joints (55).
        morph_targets: expression targets (0 without expressions).
        body: the body model's source ("built-in" or the SMPL-X file).
    """

    path: Path
    size_bytes: int
    frames: int
    duration: float
    vertices: int
    triangles: int
    joints: int
    morph_targets: int
    body: str


# --------------------------------------------------------------------------------------- maths
def _axis_angle_to_quaternion(aa: np.ndarray) -> np.ndarray:
    """(..., 3) axis-angle (radians) -> (..., 4) unit quaternions (x, y, z, w), float64."""
    aa = np.asarray(aa, np.float64)
    angle = np.linalg.norm(aa, axis=-1, keepdims=True)
    half = 0.5 * angle
    small = angle < 1e-6
    # sin(angle/2)/angle, with its Taylor series near zero
    k = np.where(small, 0.5 - angle * angle / 48.0, np.sin(half) / np.where(small, 1.0, angle))
    q = np.concatenate([aa * k, np.cos(half)], axis=-1)
    return q / np.linalg.norm(q, axis=-1, keepdims=True)


def _continuous(q: np.ndarray) -> np.ndarray:
    """(T, J, 4) quaternions with signs chosen so consecutive keys are in the same hemisphere."""
    if len(q) < 2:
        return q
    dots = np.einsum("tjc,tjc->tj", q[1:], q[:-1])
    flips = np.cumprod(np.where(dots < 0, -1.0, 1.0), axis=0)
    out = q.copy()
    out[1:] *= flips[..., None]
    return out


def _vertex_normals(v: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """(V, 3) area-weighted unit normals; vertices in no triangle get +y."""
    tri = v[faces]
    fn = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    n = np.zeros_like(v)
    for c in range(3):
        np.add.at(n, faces[:, c], fn)
    length = np.linalg.norm(n, axis=1, keepdims=True)
    n = np.where(length > 1e-12, n / np.maximum(length, 1e-12), np.array([0.0, 1.0, 0.0]))
    return n


def _top_weights(w: np.ndarray, k: int = MAX_WEIGHTS) -> tuple[np.ndarray, np.ndarray]:
    """(V, J) skinning weights -> (V, k) uint8 joint ids and (V, k) float32 weights summing to 1.

    Unused slots get joint 0 and weight 0.
    """
    w = np.clip(np.asarray(w, np.float64), 0.0, None)
    idx = np.argsort(-w, axis=1, kind="stable")[:, :k]
    top = np.take_along_axis(w, idx, axis=1)
    total = top.sum(1, keepdims=True)
    if (total <= 0).any():
        raise GltfExportError(f"{int((total <= 0).sum())} vertices have no skinning weight")
    top = (top / total).astype(np.float32)
    top[:, 0] = np.float32(1.0) - top[:, 1:].sum(1, dtype=np.float32)  # exact float32 sum where possible
    idx = np.where(top > 0, idx, 0)
    return idx.astype(np.uint8), top


def _srgb_to_linear(c: np.ndarray) -> np.ndarray:
    c = np.asarray(c, np.float64) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _region_palette() -> tuple[dict[int, str], dict[int, tuple[int, int, int]]]:
    """Region code -> name and sRGB colour, as the avatar paints them."""
    from ..body.regions import REGION_COLORS, REGIONS
    from ..render.avatar import REGION_PALETTE

    names = {code: name for name, code in REGIONS.items()}
    skin = REGION_PALETTE["skin"]
    return names, {code: REGION_PALETTE.get(n, REGION_COLORS.get(n, skin)) for code, n in names.items()}


def _face_regions(vertex_regions: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """(F,) region per triangle: the code two of its corners share, else its first corner's."""
    r = vertex_regions[faces]
    out = r[:, 0].copy()
    two = (r[:, 1] == r[:, 2]) & (r[:, 1] != r[:, 0])
    out[two] = r[two, 1]
    return out


# --------------------------------------------------------------------------------------- rig
@dataclasses.dataclass
class _Rig:
    vertices: np.ndarray  # (V, 3) float64 rest vertices at the clip's shape
    joints: np.ndarray  # (55, 3) float64 rest joints
    parents: np.ndarray  # (55,) int
    faces: np.ndarray  # (F, 3) int64
    weights: np.ndarray  # (V, 55)
    pose_mean: np.ndarray  # (55, 3)
    expr_rows: np.ndarray  # (R,) vertex ids moved by expressions
    expr_dirs: np.ndarray  # (E, R, 3)
    regions: np.ndarray | None  # (V,) uint8
    source: str


def _rig(body, betas: np.ndarray) -> _Rig:
    import torch

    with torch.no_grad():
        b = torch.as_tensor(np.asarray(betas, np.float32)[None, :body.num_betas], device=body.device)
        if b.shape[1] < body.num_betas:
            b = torch.nn.functional.pad(b, (0, body.num_betas - b.shape[1]))
        v, j = body._shaped(b)
        rows = body.expr_rows.cpu().numpy()
        dirs = body.expr_dirs_rows.cpu().numpy().reshape(-1, len(rows), 3)
        return _Rig(
            vertices=v[0].cpu().double().numpy(), joints=j[0].cpu().double().numpy(),
            parents=np.asarray(body.parents, np.int64), faces=np.asarray(body.faces, np.int64),
            weights=body.lbs_weights.cpu().double().numpy(), pose_mean=body.pose_mean.cpu().double().numpy(),
            expr_rows=rows, expr_dirs=dirs.astype(np.float64),
            regions=None if body.vertex_regions is None else np.asarray(body.vertex_regions, np.uint8),
            source=str(body.source))


# --------------------------------------------------------------------------------------- writer
class _Gltf:
    """Collects buffer views and accessors into one binary buffer, 4-byte aligned."""

    def __init__(self) -> None:
        self.bin = bytearray()
        self.views: list[dict] = []
        self.accessors: list[dict] = []

    def view(self, data: bytes, target: int | None = None) -> int:
        self.bin += b"\0" * (-len(self.bin) % 4)
        v = {"buffer": 0, "byteOffset": len(self.bin), "byteLength": len(data)}
        if target is not None:
            v["target"] = target
        self.bin += data
        self.views.append(v)
        return len(self.views) - 1

    def accessor(self, array: np.ndarray, ctype: int, *, target: int | None = None, minmax: bool = False,
                 normalized: bool = False, name: str | None = None) -> int:
        a = np.ascontiguousarray(array, dtype=_DTYPES[ctype])
        width = 1 if a.ndim == 1 else int(np.prod(a.shape[1:]))
        acc = {"bufferView": self.view(a.tobytes(), target), "componentType": ctype, "count": int(a.shape[0]),
               "type": _TYPES[width]}
        if normalized:
            acc["normalized"] = True
        if minmax:
            flat = a.reshape(len(a), width)
            acc["min"] = [_num(x) for x in flat.min(0)]
            acc["max"] = [_num(x) for x in flat.max(0)]
        if name:
            acc["name"] = name
        self.accessors.append(acc)
        return len(self.accessors) - 1

    def sparse_vec3(self, count: int, rows: np.ndarray, values: np.ndarray, name: str | None = None) -> int:
        """A float VEC3 accessor of ``count`` elements, zero except ``values`` (n, 3) at ``rows`` (n,)."""
        values = np.ascontiguousarray(values, np.float32)
        acc = {"componentType": _FLOAT, "count": int(count), "type": "VEC3"}
        if len(rows):
            ictype = _USHORT if count < 65536 else _UINT
            acc["sparse"] = {
                "count": int(len(rows)),
                "indices": {"bufferView": self.view(np.ascontiguousarray(rows, _DTYPES[ictype]).tobytes()),
                            "componentType": ictype},
                "values": {"bufferView": self.view(values.tobytes())},
            }
        lo = values.min(0) if len(rows) else np.zeros(3, np.float32)
        hi = values.max(0) if len(rows) else np.zeros(3, np.float32)
        if len(rows) < count:  # the zeros count too
            lo, hi = np.minimum(lo, 0), np.maximum(hi, 0)
        acc["min"] = [_num(x) for x in lo]
        acc["max"] = [_num(x) for x in hi]
        if name:
            acc["name"] = name
        self.accessors.append(acc)
        return len(self.accessors) - 1


def _num(x) -> float | int:
    x = x.item() if hasattr(x, "item") else x
    return x


def _check(seq, colors: str) -> None:
    if not isinstance(seq, PoseSequence):
        raise GltfExportError(f"expected a PoseSequence, got {type(seq).__name__}")
    if seq.num_frames > MAX_EXPORT_FRAMES:
        raise GltfExportError(f"the clip has {seq.num_frames} frames; at most {MAX_EXPORT_FRAMES} can be exported")
    if colors not in COLOR_MODES:
        raise GltfExportError(f"colors must be one of {', '.join(COLOR_MODES)}, got {colors!r}")


def glb_bytes(seq: PoseSequence, body=None, *, expressions: bool = True, colors: str = "regions") -> bytes:
    """The ``.glb`` file of a clip, in memory. Arguments as :func:`write_glb`."""
    return _build(seq, body, expressions, colors)[0]


def _build(seq: PoseSequence, body, expressions: bool, colors: str) -> tuple[bytes, dict]:
    """The file's bytes and counts for :class:`GlbInfo`."""
    _check(seq, colors)
    if body is None:
        from ..body import BodyModel

        body = BodyModel.load()
    rig = _rig(body, seq.betas)
    T, J, V = seq.num_frames, NUM_JOINTS, len(rig.vertices)
    if rig.weights.shape != (V, J) or len(rig.parents) != J:
        raise GltfExportError(f"the body model has weights {rig.weights.shape} and {len(rig.parents)} joints; "
                              f"an SMPL-X body has ({V}, {J}) and {J}")
    g = _Gltf()

    # ---- mesh
    normals = _vertex_normals(rig.vertices, rig.faces)
    jid, wts = _top_weights(rig.weights)
    names, palette = _region_palette()
    face_regions = (np.zeros(len(rig.faces), np.int64) if rig.regions is None
                    else _face_regions(rig.regions, rig.faces).astype(np.int64))
    E = min(rig.expr_dirs.shape[0], seq.params["expression"].shape[1]) if expressions and rig.expr_dirs.size else 0
    expr_dense = None
    if E:
        expr_dense = np.zeros((E, V, 3), np.float32)
        expr_dense[:, rig.expr_rows] = rig.expr_dirs[:E]
    if colors == "vertex":
        codes = np.zeros(V, np.int64) if rig.regions is None else rig.regions.astype(np.int64)
        lut = np.array([palette.get(c, palette[0]) for c in range(256)], np.float64)
        rgba = np.concatenate([_srgb_to_linear(lut[codes]), np.ones((V, 1))], axis=1)
        groups = [("body", (255, 255, 255), np.arange(len(rig.faces)), np.round(rgba * 255))]
    else:
        # one primitive per region, each with only its own vertices: viewers build per-primitive morph
        # data, so sharing all vertices would repeat the expression targets once per region
        groups = [(names.get(int(c), f"region_{int(c)}"), palette.get(int(c), palette[0]),
                   np.nonzero(face_regions == c)[0], None) for c in np.unique(face_regions)]
    materials: list[dict] = []
    primitives = []
    for name, srgb, sel, rgba in groups:
        faces = rig.faces[sel]
        verts, local = np.unique(faces.reshape(-1), return_inverse=True)
        n = len(verts)
        attrs = {
            "POSITION": g.accessor(rig.vertices[verts], _FLOAT, target=_ARRAY_BUFFER, minmax=True,
                                   name=f"{name}_positions"),
            "NORMAL": g.accessor(normals[verts], _FLOAT, target=_ARRAY_BUFFER, name=f"{name}_normals"),
            "JOINTS_0": g.accessor(jid[verts], _UBYTE, target=_ARRAY_BUFFER, name=f"{name}_joints"),
            "WEIGHTS_0": g.accessor(wts[verts], _FLOAT, target=_ARRAY_BUFFER, name=f"{name}_weights"),
        }
        if rgba is not None:
            attrs["COLOR_0"] = g.accessor(rgba[verts], _UBYTE, target=_ARRAY_BUFFER, normalized=True,
                                          name=f"{name}_colors")
        itype = _USHORT if n < 65535 else _UINT
        prim = {"attributes": attrs,
                "indices": g.accessor(local, itype, target=_ELEMENT_ARRAY_BUFFER, name=f"{name}_indices"),
                "material": len(materials), "mode": 4}
        rgb = [round(float(c), 6) for c in _srgb_to_linear(np.asarray(srgb))]
        materials.append({"name": name, "pbrMetallicRoughness": {
            "baseColorFactor": rgb + [1.0], "metallicFactor": 0.0, "roughnessFactor": 0.8}})
        if E:
            targets = []
            for e in range(E):
                d = expr_dense[e, verts]
                rows = np.nonzero(np.abs(d).max(1) > 0)[0]
                targets.append({"POSITION": g.sparse_vec3(n, rows, d[rows])})
            prim["targets"] = targets
        primitives.append(prim)

    mesh: dict = {"name": "body", "primitives": primitives}
    if E:
        mesh["weights"] = [0.0] * E
        mesh["extras"] = {"targetNames": [f"expression_{e:02d}" for e in range(E)]}

    # ---- skeleton and skin
    nodes: list[dict] = []
    for j in range(J):
        p = int(rig.parents[j])
        offset = rig.joints[j] - (rig.joints[p] if p >= 0 else 0.0)
        nodes.append({"name": SMPLX_JOINT_NAMES[j], "translation": [float(x) for x in offset.astype(np.float32)]})
    for j in range(J):
        children = [c for c in range(J) if int(rig.parents[c]) == j]
        if children:
            nodes[j]["children"] = children
    ibm = np.tile(np.eye(4), (J, 1, 1))
    ibm[:, :3, 3] = -rig.joints
    ibm_acc = g.accessor(ibm.transpose(0, 2, 1).reshape(J, 16), _FLOAT, name="inverse_bind_matrices")  # column-major
    mesh_node = len(nodes)
    nodes.append({"name": "body", "mesh": 0, "skin": 0})
    roots = [j for j in range(J) if int(rig.parents[j]) < 0]

    # ---- animation
    times = (np.arange(T, dtype=np.float64) / float(seq.fps)).astype(np.float32)
    t_acc = g.accessor(times, _FLOAT, minmax=True, name="times")
    full = np.concatenate([seq.params[k].reshape(T, -1, 3) for k in _POSE_KEYS], axis=1) + rig.pose_mean[None]
    quats = _continuous(_axis_angle_to_quaternion(full)).astype(np.float32)
    quats /= np.linalg.norm(quats, axis=-1, keepdims=True)
    samplers, channels = [], []

    def channel(node: int, path: str, values: np.ndarray, name: str) -> None:
        samplers.append({"input": t_acc, "output": g.accessor(values, _FLOAT, name=name), "interpolation": "LINEAR"})
        channels.append({"sampler": len(samplers) - 1, "target": {"node": node, "path": path}})

    root_pos = rig.joints[roots[0]][None] + seq.params["transl"].astype(np.float64)
    channel(roots[0], "translation", root_pos.astype(np.float32), "root_translation")
    for j in range(J):
        channel(j, "rotation", quats[:, j], f"{SMPLX_JOINT_NAMES[j]}_rotation")
    if E:
        channel(mesh_node, "weights", seq.params["expression"][:, :E].reshape(-1), "expression_weights")

    from .. import __version__

    doc = {
        "asset": {"version": "2.0", "generator": f"SignSparK {__version__}",
                  "extras": {"text": seq.text[:1000], "language": seq.language, "gloss": seq.gloss[:1000],
                             "fps": float(seq.fps), "frames": T, "body": "built-in" if rig.source == "built-in"
                             else "SMPL-X"}},
        "scene": 0,
        "scenes": [{"name": "SignSparK", "nodes": roots + [mesh_node]}],
        "nodes": nodes,
        "meshes": [mesh],
        "materials": materials,
        "skins": [{"name": "smplx", "inverseBindMatrices": ibm_acc, "joints": list(range(J)), "skeleton": roots[0]}],
        "animations": [{"name": "signing", "samplers": samplers, "channels": channels}],
        "accessors": g.accessors,
        "bufferViews": g.views,
        "buffers": [{"byteLength": len(g.bin)}],
    }
    stats = {"vertices": sum(g.accessors[p["attributes"]["POSITION"]]["count"] for p in primitives),
             "triangles": len(rig.faces), "morph_targets": E, "body": rig.source}
    return _pack_glb(doc, bytes(g.bin)), stats


def _pack_glb(doc: dict, binary: bytes) -> bytes:
    """GLB container: 12-byte header, JSON chunk (space-padded), BIN chunk (zero-padded)."""
    js = json.dumps(doc, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")
    js += b" " * (-len(js) % 4)
    binary += b"\0" * (-len(binary) % 4)
    total = 12 + 8 + len(js) + 8 + len(binary)
    if total >= 2**32:
        raise GltfExportError(f"the .glb would be {total} bytes; a GLB file holds less than 4 GiB")
    return b"".join([struct.pack("<III", _GLB_MAGIC, 2, total), struct.pack("<II", len(js), _CHUNK_JSON), js,
                     struct.pack("<II", len(binary), _CHUNK_BIN), binary])


def write_glb(seq: PoseSequence, path: str | os.PathLike, body=None, *, expressions: bool = True,
              colors: str = "regions") -> GlbInfo:
    """Write a clip as an animated glTF 2.0 binary, atomically.

    Args:
        seq: the clip (T <= :data:`MAX_EXPORT_FRAMES` frames); its ``betas`` shape the mesh.
        path: the ``.glb`` to write (the folder is created; the file appears complete or not at all).
        body: a :class:`signspark.body.BodyModel`; None loads ``BodyModel.load()`` (the licensed
            SMPL-X model when ``$SIGNSPARK_SMPLX_DIR`` is set, else the built-in body).
        expressions: include the expression blend shapes as morph targets with their per-frame
            weights (about 2.2 MB for the built-in body).
        colors: ``"regions"`` (one primitive and named material per body region) or ``"vertex"``
            (per-vertex ``COLOR_0`` and one white material).

    Returns:
        :class:`GlbInfo` with the path, size and counts.

    Raises:
        GltfExportError: not a PoseSequence, too many frames, unknown ``colors``, a path not
            ending in ``.glb``, or a body model that is not SMPL-X-like.
    """
    path = Path(path)
    if path.suffix.lower() != ".glb":
        raise GltfExportError(f"{path}: a glTF binary is written as .glb")
    _check(seq, colors)
    if body is None:
        from ..body import BodyModel

        body = BodyModel.load()
    data, stats = _build(seq, body, expressions, colors)
    with atomic_file(path) as fh:
        fh.write(data)
    return GlbInfo(path=path, size_bytes=len(data), frames=seq.num_frames, duration=seq.duration,
                   joints=NUM_JOINTS, **stats)
