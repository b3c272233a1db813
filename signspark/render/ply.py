"""3D Gaussian splatting ``.ply`` files: export a posed frame, import a (trained) avatar.

Export (:func:`save_ply`) writes the standard 3DGS layout that ``gr.Model3D``,
SuperSplat, antimatter15/splat and the original viewer open: binary little-endian,
one ``vertex`` element with float properties, in this order::

    x y z  nx ny nz  f_dc_0 f_dc_1 f_dc_2  f_rest_0 .. f_rest_44
    opacity  scale_0 scale_1 scale_2  rot_0 rot_1 rot_2 rot_3

* ``f_dc`` is the degree-0 spherical-harmonic colour: ``rgb = 0.5 + C0 * f_dc`` with
  ``C0 = 0.28209479``; ``f_rest`` (higher degrees) are written as zeros.
* ``opacity`` is a logit (``sigmoid`` gives [0, 1]); ``scale_*`` are natural logs of the
  standard deviations in metres; ``rot_*`` is a quaternion **w, x, y, z** (not necessarily unit).
* normals are zeros, as in 3DGS outputs.

Avatar files (:func:`save_avatar` / :func:`load_avatar`): the Gaussians **in the rest
pose of the body model** (every SMPL-X parameter zero, betas zero: the T-pose), as
above, plus their triangle binding: an integer ``face_id`` per Gaussian (the index of
the body-mesh triangle it rides on), either

* as an extra ply property ``face_id`` (``int``/``uint``/``float``), or
* in a sidecar ``<name>.binding.npz`` next to the ply with keys ``face_id`` (N,) int,
  ``num_faces`` () int (the mesh's triangle count, checked on load), and optionally
  ``surface`` () bool (True: flat surface Gaussians that the renderer may shade).

On import, each Gaussian's barycentric position and offset along the normal are
computed from its rest position and its triangle, and its rotation is expressed in
the triangle's frame (see :mod:`signspark.render.avatar`).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch

from ..atomic import atomic_file
from .avatar import GaussianAvatar, _rest_vertices, as_faces, triangle_frames
from .gaussians import Gaussians, matrix_to_quaternion, quaternion_to_matrix

__all__ = ["save_ply", "load_ply", "read_ply", "save_avatar", "load_avatar", "PlyError", "SH_C0", "MAX_GAUSSIANS"]

SH_C0 = 0.28209479177387814
MAX_GAUSSIANS = 20_000_000
_MAX_HEADER = 1 << 16
_TYPES = {
    "char": "i1", "int8": "i1", "uchar": "u1", "uint8": "u1", "short": "<i2", "int16": "<i2",
    "ushort": "<u2", "uint16": "<u2", "int": "<i4", "int32": "<i4", "uint": "<u4", "uint32": "<u4",
    "float": "<f4", "float32": "<f4", "double": "<f8", "float64": "<f8",
}
_REQUIRED = ["x", "y", "z", "f_dc_0", "f_dc_1", "f_dc_2", "opacity", "scale_0", "scale_1", "scale_2",
             "rot_0", "rot_1", "rot_2", "rot_3"]
STANDARD_PROPERTIES = (["x", "y", "z", "nx", "ny", "nz", "f_dc_0", "f_dc_1", "f_dc_2"]
                       + [f"f_rest_{i}" for i in range(45)]
                       + ["opacity", "scale_0", "scale_1", "scale_2", "rot_0", "rot_1", "rot_2", "rot_3"])


class PlyError(ValueError):
    """A .ply file is malformed, unsupported or hostile; the message says what and where."""


def _atomic_write(path: Path, write) -> Path:
    with atomic_file(path) as fh:
        write(fh)
    return path


def save_ply(path: str | os.PathLike, gaussians: Gaussians, extra: dict[str, np.ndarray] | None = None,
             compact: bool = False) -> Path:
    """Write Gaussians as a standard binary 3DGS ``.ply`` (atomically).

    Args:
        path: target file (``.ply``).
        gaussians: one frame's Gaussians (colours are taken as the degree-0 colour).
        extra: optional additional per-Gaussian float properties (name -> (N,) array), appended
            after the standard ones (viewers ignore them).
        compact: leave out the all-zero normals and higher-order colour coefficients (``f_rest``):
            a file a quarter of the size, for viewers that read the degree-0 colour only
            (gr.Model3D's loader, web splat viewers); the original 3DGS tools want the full layout.
    """
    path = Path(path)
    if path.suffix.lower() != ".ply":
        raise PlyError(f"{path}: Gaussian splats are written as .ply; give a path ending in .ply")
    gaussians.validate("save_ply")
    N = len(gaussians)
    g = gaussians.to("cpu")
    eps = 1e-6
    cols = {
        "x": g.means[:, 0], "y": g.means[:, 1], "z": g.means[:, 2],
        "nx": torch.zeros(N), "ny": torch.zeros(N), "nz": torch.zeros(N),
    }
    dc = (g.colors - 0.5) / SH_C0
    for i in range(3):
        cols[f"f_dc_{i}"] = dc[:, i]
    for i in range(45):
        cols[f"f_rest_{i}"] = torch.zeros(N)
    op = g.opacities.clamp(eps, 1 - eps)
    cols["opacity"] = torch.log(op / (1 - op))
    ls = torch.log(g.scales.clamp_min(1e-12))
    q = g.quats / g.quats.norm(dim=-1, keepdim=True).clamp_min(1e-12)
    for i in range(3):
        cols[f"scale_{i}"] = ls[:, i]
    for i in range(4):
        cols[f"rot_{i}"] = q[:, i]
    names = list(_REQUIRED if compact else STANDARD_PROPERTIES)
    for k, v in (extra or {}).items():
        if k in cols or not k.isidentifier():
            raise PlyError(f"extra ply property name {k!r} is reserved or invalid")
        v = np.asarray(v, np.float32).reshape(-1)
        if v.shape != (N,):
            raise PlyError(f"extra ply property {k!r} must have {N} values, got {v.shape}")
        cols[k] = torch.from_numpy(v)
        names.append(k)
    data = np.stack([cols[k].detach().to(torch.float32).numpy() for k in names], 1).astype("<f4")
    header = "ply\nformat binary_little_endian 1.0\ncomment written by signspark\n"
    header += f"element vertex {N}\n" + "".join(f"property float {k}\n" for k in names) + "end_header\n"

    def write(fh):
        fh.write(header.encode("ascii"))
        fh.write(np.ascontiguousarray(data).tobytes())

    return _atomic_write(path, write)


def read_ply(path: str | os.PathLike, max_count: int = MAX_GAUSSIANS) -> dict[str, np.ndarray]:
    """All per-vertex properties of a binary little-endian ``.ply`` (one ``vertex`` element).

    Raises:
        PlyError: not a ply, unsupported format (ASCII, big-endian, list properties, other
            elements), a vertex count that does not match the file size, or too many vertices.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(_MAX_HEADER)
    except FileNotFoundError:
        raise PlyError(f"{path}: no such file") from None
    except OSError as e:
        raise PlyError(f"{path}: cannot read ({e})") from None
    if not head.startswith(b"ply\n") and not head.startswith(b"ply\r\n"):
        raise PlyError(f"{path}: not a .ply file (it must start with 'ply')")
    end = head.find(b"end_header\n")
    if end < 0:
        raise PlyError(f"{path}: no 'end_header' line in the first {_MAX_HEADER} bytes")
    try:
        lines = head[:end].decode("ascii").replace("\r", "").split("\n")
    except UnicodeDecodeError:
        raise PlyError(f"{path}: the header is not ASCII text") from None
    data_start = end + len(b"end_header\n")
    fmt, count, props, elements = None, None, [], []
    for ln in lines[1:]:
        parts = ln.split()
        if not parts or parts[0] in ("comment", "obj_info"):
            continue
        if parts[0] == "format":
            fmt = " ".join(parts[1:])
        elif parts[0] == "element":
            if len(parts) != 3 or not parts[2].isdigit():
                raise PlyError(f"{path}: malformed element line {ln!r}")
            elements.append((parts[1], int(parts[2])))
        elif parts[0] == "property":
            if len(elements) != 1:
                raise PlyError(f"{path}: properties of element {elements[-1][0] if elements else '?'!r} are not supported; "
                               "a Gaussian splat .ply has a single 'vertex' element")
            if len(parts) != 3 or parts[1] == "list":
                raise PlyError(f"{path}: unsupported property line {ln!r} (list properties are not supported)")
            if parts[1] not in _TYPES:
                raise PlyError(f"{path}: unknown property type {parts[1]!r}")
            props.append((parts[2], _TYPES[parts[1]]))
        else:
            raise PlyError(f"{path}: unexpected header line {ln!r}")
    if fmt != "binary_little_endian 1.0":
        raise PlyError(f"{path}: format {fmt!r} is not supported; save the file as binary_little_endian 1.0")
    if [e[0] for e in elements] != ["vertex"]:
        raise PlyError(f"{path}: expected exactly one element 'vertex', found {[e[0] for e in elements]}")
    count = elements[0][1]
    if count < 1 or count > max_count:
        raise PlyError(f"{path}: vertex count {count} is outside [1, {max_count}]")
    names = [p[0] for p in props]
    if len(set(names)) != len(names):
        raise PlyError(f"{path}: duplicate property names")
    dtype = np.dtype(props)
    if size - data_start != count * dtype.itemsize:
        raise PlyError(f"{path}: the header announces {count} vertices of {dtype.itemsize} bytes "
                       f"({count * dtype.itemsize} bytes) but the file holds {size - data_start} bytes of data")
    arr = np.fromfile(path, dtype=dtype, count=count, offset=data_start)
    return {n: np.asarray(arr[n]) for n in names}


def _gaussians_from_properties(props: dict[str, np.ndarray], source: str) -> Gaussians:
    missing = [k for k in _REQUIRED if k not in props]
    if missing:
        raise PlyError(f"{source}: not a 3D Gaussian splat file; missing properties {missing}")
    for k in _REQUIRED:
        if not np.isfinite(props[k].astype(np.float64)).all():
            raise PlyError(f"{source}: property {k} contains NaN or infinite values")
    f = lambda k: torch.from_numpy(props[k].astype(np.float32))  # noqa: E731
    means = torch.stack([f("x"), f("y"), f("z")], 1)
    dc = torch.stack([f(f"f_dc_{i}") for i in range(3)], 1)
    log_s = torch.stack([f(f"scale_{i}") for i in range(3)], 1)
    if (log_s > 10).any():
        raise PlyError(f"{source}: scale_* (log standard deviations) above 10 are not plausible")
    q = torch.stack([f(f"rot_{i}") for i in range(4)], 1)
    qn = q.norm(dim=1, keepdim=True)
    if (qn < 1e-12).any():
        raise PlyError(f"{source}: some rotations (rot_0..rot_3) are zero quaternions")
    return Gaussians(
        means=means, quats=q / qn, scales=log_s.exp(), colors=(0.5 + SH_C0 * dc).clamp(0, 1),
        opacities=torch.sigmoid(f("opacity")))


def load_ply(path: str | os.PathLike) -> Gaussians:
    """Read a 3DGS ``.ply`` (binary little-endian) into :class:`Gaussians` (degree-0 colour only).

    Raises:
        PlyError: malformed or hostile file (see :func:`read_ply`), missing 3DGS properties, NaN values.
    """
    return _gaussians_from_properties(read_ply(path), str(path))


# ---------------------------------------------------------------------- avatars
def binding_path(ply_path: str | os.PathLike) -> Path:
    """The sidecar binding file of an avatar ply: ``name.ply`` -> ``name.binding.npz``."""
    p = Path(ply_path)
    return p.with_name(p.stem + ".binding.npz")


def save_avatar(path: str | os.PathLike, avatar: GaussianAvatar, body_model=None) -> tuple[Path, Path]:
    """Write an avatar as its rest-pose 3DGS ``.ply`` plus the ``.binding.npz`` sidecar.

    Returns:
        (ply path, sidecar path).
    """
    from ..body import BodyModel

    bm = body_model if body_model is not None else BodyModel.load()
    rest = _rest_vertices(bm)
    g = avatar.pose(rest, as_faces(bm.faces))
    ply = save_ply(path, g)
    side = binding_path(ply)

    def write(fh):
        np.savez(fh, face_id=avatar.face_id.cpu().numpy().astype(np.int64), num_faces=np.int64(avatar.num_faces),
                 surface=np.bool_(avatar.surface))

    _atomic_write(side, write)
    return ply, side


def _read_binding(path: Path, n: int) -> tuple[np.ndarray, int | None, bool]:
    from ..npz import NpzError, read_npz

    if not Path(path).is_file():
        raise PlyError(f"{path}: no such binding file")
    try:  # one int64 per Gaussian: the size limit follows from n
        data = read_npz(path, str(path), ["face_id", "num_faces", "surface"], unknown="skip",
                        max_member_bytes=8 * n + 64, max_total_bytes=8 * n + 128)
    except NpzError as e:
        raise PlyError(f"cannot read the binding .npz: {e}") from None
    if "face_id" not in data:
        raise PlyError(f"{path}: the binding file has no 'face_id' array")
    fid = data["face_id"]
    if not np.issubdtype(fid.dtype, np.integer) or fid.shape != (n,):
        raise PlyError(f"{path}: face_id must be ({n},) integers (one per Gaussian), got {fid.shape} {fid.dtype}")
    num_faces = int(data["num_faces"]) if "num_faces" in data and data["num_faces"].shape == () else None
    surface = bool(data["surface"]) if "surface" in data and data["surface"].shape == () else False
    return fid.astype(np.int64), num_faces, surface


def load_avatar(path: str | os.PathLike, body_model=None, binding: str | os.PathLike | None = None) -> GaussianAvatar:
    """Import an avatar: a rest-pose 3DGS ``.ply`` and its triangle binding (see the module docstring).

    Args:
        path: the ``.ply``.
        body_model: the body the avatar is bound to (default: ``BodyModel.load()``).
        binding: the sidecar ``.npz``; default ``<name>.binding.npz`` when the ply has no
            ``face_id`` property.

    Raises:
        PlyError: malformed files, a binding that does not fit the ply or the body's mesh.
    """
    from ..body import BodyModel

    path = Path(path)
    props = read_ply(path)
    g = _gaussians_from_properties(props, str(path))
    n = len(g)
    surface = False
    num_faces = None
    if "face_id" in props and binding is None:
        raw = props["face_id"].astype(np.float64)
        if not np.isfinite(raw).all() or (raw != np.round(raw)).any():
            raise PlyError(f"{path}: the face_id property must hold whole numbers")
        fid = raw.astype(np.int64)
    else:
        side = Path(binding) if binding is not None else binding_path(path)
        if not side.exists():
            raise PlyError(f"{path}: no triangle binding: the ply has no 'face_id' property and {side} does not exist")
        fid, num_faces, surface = _read_binding(side, n)
    bm = body_model if body_model is not None else BodyModel.load()
    faces = as_faces(bm.faces)
    F = int(faces.shape[0])
    if num_faces is not None and num_faces != F:
        raise PlyError(f"{path}: the avatar was bound to a mesh with {num_faces} triangles; this body model has {F}")
    if fid.min() < 0 or fid.max() >= F:
        raise PlyError(f"{path}: face_id values must lie in [0, {F - 1}], got [{fid.min()}, {fid.max()}]")
    rest = _rest_vertices(bm).double()
    face_id = torch.from_numpy(fid)
    tri, R, area = triangle_frames(rest, faces[face_id])
    d = g.means.double() - tri[:, 0]
    a, b = tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]
    offset = (d * R[:, :, 2]).sum(-1)
    # In-plane coordinates from the 2x2 Gram system [a.a a.b; a.b b.b] [s t]^T = [d.a d.b]^T.
    aa, ab, bb = (a * a).sum(-1), (a * b).sum(-1), (b * b).sum(-1)
    da, db = (d * a).sum(-1), (d * b).sum(-1)
    det = (aa * bb - ab * ab).clamp_min(1e-30)
    s = (bb * da - ab * db) / det
    t = (aa * db - ab * da) / det
    bary = torch.stack([1 - s - t, s, t], 1)
    local = R.transpose(1, 2) @ quaternion_to_matrix(g.quats.double())
    _, _, all_area = triangle_frames(rest, faces)
    return GaussianAvatar(
        face_id=face_id, bary=bary.float(), offset=offset.float(), rotation=matrix_to_quaternion(local).float(),
        scale=g.scales, color=g.colors, opacity=g.opacities, num_faces=F, rest_area=all_area.float(),
        surface=surface)
