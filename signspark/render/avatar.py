"""A Gaussian avatar bound to the triangles of a body mesh, re-posed every frame.

Each Gaussian ``i`` is attached to one triangle ``face_id[i]`` of the body mesh.
With the triangle's vertices ``v0, v1, v2`` (posed), its local frame is

* ``e1 = normalize(v1 - v0)``, ``n = normalize((v1 - v0) x (v2 - v0))``, ``e2 = n x e1``,
* ``R_tri = [e1 | e2 | n]`` (columns),

and the Gaussian's world parameters are

* mean ``= bary[i] @ (v0, v1, v2) + offset[i] * n`` (barycentric coordinates may lie
  outside [0, 1]; ``offset`` is in metres along the normal),
* rotation ``= R_tri @ R(rotation[i])`` (``rotation`` is a local quaternion, w x y z),
* scale ``= scale[i] * sqrt(area_posed / area_rest)`` (metres; the square-root area
  ratio lets Gaussians stretch with the skin; off when ``rest_area`` is None),
* colour and opacity unchanged.

Posing is a handful of gathers and element-wise products over all Gaussians at
once. :meth:`GaussianAvatar.pose_for_camera` is the per-frame path the renderers
use: it drops back-facing Gaussians before computing their rotations and scales.
:func:`default_avatar` builds the shipped look from the built-in body: one flat
Gaussian per quad (two triangles sharing their long edge, up to 2 cm a side) or
per leftover triangle (split into 4 or 9 above 4.5 cm), fitted to its shape so the
surface is covered and the silhouette stays crisp; the hands' small quads give
small Gaussians, so fingers stay apart.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import torch

from .gaussians import Gaussians, quaternion_to_matrix

__all__ = ["GaussianAvatar", "CULL_MARGIN", "as_faces", "default_avatar", "triangle_frames", "avatar_from_mesh",
           "pair_triangles", "REGION_PALETTE"]

# Default colours (sRGB 0-255) by region name; regions missing here fall back to the body package's palette.
REGION_PALETTE: dict[str, tuple[int, int, int]] = {
    "skin": (226, 176, 146),
    "hair": (62, 42, 30),
    "shirt": (46, 82, 128),
    "trousers": (58, 58, 66),
    "shoes": (34, 34, 36),
    "nails": (238, 200, 184),
}
# pose_for_camera keeps Gaussians whose triangle faces away from the camera by at most this cosine
# (those near the silhouette).
CULL_MARGIN = 0.05
_REGION_OPACITY = {"mouth": 0.0, "teeth": 0.0}  # hidden inside the head: drop them
# default_avatar's tiling: quads up to 2 cm share one Gaussian; only triangles with edges over 4.5 cm
# are split. Fingers (edges under 1 cm) keep small Gaussians and stay apart.
_DEFAULT_TUNING = dict(max_edge=0.045, merge_max_edge=0.02)


def as_faces(faces) -> torch.Tensor:
    """(F, 3) int64 CPU tensor from a numpy array or tensor of triangle indices."""
    if isinstance(faces, torch.Tensor):
        return faces.detach().to("cpu", torch.int64)
    return torch.as_tensor(np.asarray(faces, dtype=np.int64))


def triangle_frames(vertices: torch.Tensor, faces: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per-triangle corners, local frames and areas.

    Args:
        vertices: (..., V, 3) metres.
        faces: (F, 3) int64.

    Returns:
        ``corners`` (..., F, 3, 3) (triangle, corner, xyz), ``frames`` (..., F, 3, 3)
        with columns e1, e2, n, and ``areas`` (..., F).
    """
    tri = vertices[..., faces, :]
    a = tri[..., 1, :] - tri[..., 0, :]
    b = tri[..., 2, :] - tri[..., 0, :]
    cr = torch.linalg.cross(a, b)
    dbl = cr.norm(dim=-1)
    n = cr / dbl.clamp_min(1e-20)[..., None]
    e1 = a / a.norm(dim=-1, keepdim=True).clamp_min(1e-20)
    e2 = torch.linalg.cross(n, e1)
    return tri, torch.stack([e1, e2, n], dim=-1), 0.5 * dbl


@dataclasses.dataclass
class GaussianAvatar:
    """Gaussians bound to mesh triangles (see the module docstring for the maths).

    Attributes:
        face_id: (N,) int64 triangle index per Gaussian.
        bary: (N, 3) float32 barycentric position on the triangle.
        offset: (N,) float32 metres along the triangle normal.
        rotation: (N, 4) float32 unit quaternion (w, x, y, z) in the triangle's frame.
        scale: (N, 3) float32 standard deviations, metres, at rest.
        color: (N, 3) float32 RGB albedo in [0, 1].
        opacity: (N,) float32 in [0, 1].
        num_faces: triangle count of the mesh the avatar is bound to (checked when posing).
        rest_area: optional (F,) float32 triangle areas at rest; enables scale stretching.
        surface: True when the Gaussians are flat and lie on the surface (the built-in look):
            renderers then shade them from their normals and skip back-facing ones. Imported,
            trained avatars carry their lighting in their colours and are drawn as they are.
    """

    face_id: torch.Tensor
    bary: torch.Tensor
    offset: torch.Tensor
    rotation: torch.Tensor
    scale: torch.Tensor
    color: torch.Tensor
    opacity: torch.Tensor
    num_faces: int
    rest_area: torch.Tensor | None = None
    surface: bool = False

    def __post_init__(self) -> None:
        self.validate()
        self._local_R = quaternion_to_matrix(self.rotation)
        self._cache_key = None
        self._cache = None

    def __len__(self) -> int:
        return int(self.face_id.shape[0])

    def validate(self) -> None:
        """Check shapes, ranges and finiteness; raise ValueError naming the problem."""
        N = int(self.face_id.shape[0]) if self.face_id.ndim == 1 else -1
        if N < 1:
            raise ValueError(f"avatar face_id must be a non-empty (N,) tensor, got shape {tuple(self.face_id.shape)}")
        for name, shape in (("bary", (N, 3)), ("offset", (N,)), ("rotation", (N, 4)), ("scale", (N, 3)),
                            ("color", (N, 3)), ("opacity", (N,))):
            t = getattr(self, name)
            if tuple(t.shape) != shape:
                raise ValueError(f"avatar {name} must have shape {shape}, got {tuple(t.shape)}")
            if not torch.isfinite(t).all():
                raise ValueError(f"avatar {name} contains NaN or infinite values")
        if self.face_id.min() < 0 or self.face_id.max() >= self.num_faces:
            raise ValueError(f"avatar face_id must lie in [0, {self.num_faces - 1}] (the mesh's triangles), "
                             f"got [{int(self.face_id.min())}, {int(self.face_id.max())}]")
        if (self.scale <= 0).any():
            raise ValueError("avatar scales must be positive")
        if self.rest_area is not None and tuple(self.rest_area.shape) != (self.num_faces,):
            raise ValueError(f"avatar rest_area must have shape ({self.num_faces},), got {tuple(self.rest_area.shape)}")

    def _check(self, vertices: torch.Tensor, faces) -> None:
        if len(faces) != self.num_faces:
            raise ValueError(f"the avatar is bound to a mesh with {self.num_faces} triangles, "
                             f"this body has {len(faces)}; use an avatar made for this body model")
        if vertices.ndim != 2 or vertices.shape[1] != 3:
            raise ValueError(f"vertices must have shape (V, 3), got {tuple(vertices.shape)}")

    # Columns of the packed per-Gaussian constants (see _consts).
    _L, _SCALE, _COLOR, _OPACITY, _AREA = slice(0, 9), slice(9, 12), slice(12, 15), 15, 16

    def _consts(self, dev: torch.device, dtype: torch.dtype) -> dict:
        """Per-avatar constants on ``dev`` in ``dtype``, made once (posing runs every frame).

        ``packed`` holds, per Gaussian, the local rotation row by row (9), the rest scale (3),
        colour (3), opacity (1) and its triangle's rest area (1), so that the Gaussians kept
        for a frame are gathered in one pass. The avatar is treated as immutable once posed:
        edit a copy, not the tensors in place.
        """
        key = (dev, dtype)
        if self._cache_key != key:
            fid = self.face_id.to(dev)
            area = (torch.ones(len(self)) if self.rest_area is None
                    else self.rest_area.index_select(0, self.face_id).clamp_min(1e-12))
            packed = torch.cat([self._local_R.reshape(-1, 9), self.scale, self.color, self.opacity[:, None],
                                area[:, None]], 1)
            self._cache = dict(face_id=fid, bary=self.bary.to(dev, dtype), offset=self.offset.to(dev, dtype),
                               has_offset=bool((self.offset != 0).any()), stretch=self.rest_area is not None,
                               packed=packed.to(dev, dtype),
                               corner_ids=None, faces_ref=None)
            self._cache_key = key
        return self._cache

    def _corner_ids(self, faces, c: dict) -> torch.Tensor:
        """(N * 3,) vertex indices of each Gaussian's triangle corners, cached per faces object."""
        if c["faces_ref"] is not faces:
            f = as_faces(faces).to(c["face_id"].device).index_select(0, c["face_id"])
            c["corner_ids"] = f.reshape(-1).contiguous()
            c["faces_ref"] = faces  # held, so a new array cannot reuse the old one's identity
        return c["corner_ids"]

    def pose(self, vertices: torch.Tensor, faces: torch.Tensor) -> Gaussians:
        """World-space Gaussians on a posed mesh.

        Args:
            vertices: (V, 3) posed vertices, metres (one frame).
            faces: (F, 3) int64 triangles, ``F == num_faces``.

        Returns:
            :class:`Gaussians` with ``normals`` set (the triangles' normals); ``quats`` is
            derived from ``rotmats`` when first read.
        """
        self._check(vertices, faces)
        c = self._consts(vertices.device, vertices.dtype)
        a, n, dbl, means = self._surface(vertices, self._corner_ids(faces, c), c)
        # A copy: the returned colours, opacities and scales must not be views of the avatar's cache.
        return self._finish(a, n, dbl, means, c["packed"].clone(), c["stretch"])

    def pose_for_camera(self, vertices: torch.Tensor, faces: torch.Tensor, camera, cull_margin: float = CULL_MARGIN
                        ) -> Gaussians:
        """What the renderers draw for one frame: :meth:`pose`, then for a ``surface`` avatar
        :func:`~signspark.render.lighting.shade_and_cull` (same result), with the back faces
        dropped before the rest of the work."""
        if not self.surface:
            return self.pose(vertices, faces)
        from .lighting import shade_colors

        self._check(vertices, faces)
        c = self._consts(vertices.device, vertices.dtype)
        a, n, dbl, means = self._surface(vertices, self._corner_ids(faces, c), c)
        eye = torch.tensor(camera.eye, dtype=means.dtype, device=means.device)
        to_eye = eye - means
        facing = (n * to_eye).sum(-1) / torch.linalg.vector_norm(to_eye, dim=-1).clamp_min(1e-9)
        idx = torch.nonzero(facing > -cull_margin).squeeze(1)
        a, n, dbl, means = (t.index_select(0, idx) for t in (a, n, dbl, means))
        g = self._finish(a, n, dbl, means, c["packed"].index_select(0, idx), c["stretch"])
        g.colors = shade_colors(g.colors, n, camera)
        return g

    @staticmethod
    def _surface(vertices, corner_ids, c):
        """Each Gaussian's triangle edge ``v1 - v0``, unit normal, doubled area, and its centre."""
        v = vertices.index_select(0, corner_ids).view(-1, 3, 3)
        v0, v1, v2 = v.unbind(1)
        a = v1 - v0
        cr = torch.linalg.cross(a, v2 - v0)
        dbl = torch.linalg.vector_norm(cr, dim=-1)
        n = cr / dbl.clamp_min(1e-20)[:, None]
        b = c["bary"]
        # Written out: batched 3x3 products (bmm) are several times slower on a CPU.
        means = (v0 * b[:, 0:1]).addcmul_(v1, b[:, 1:2]).addcmul_(v2, b[:, 2:3])
        if c["has_offset"]:
            means.addcmul_(n, c["offset"][:, None])
        return a, n, dbl, means

    @classmethod
    def _finish(cls, a, n, dbl, means, packed, stretch: bool) -> Gaussians:
        """Rotations and scales from the triangles' edge ``a``, normal ``n`` and doubled area ``dbl``;
        ``packed``: the matching rows of the packed constants; ``stretch``: scale with the area."""
        e1 = a / torch.linalg.vector_norm(a, dim=-1, keepdim=True).clamp_min(1e-20)
        e2 = torch.linalg.cross(n, e1)
        # Rw = [e1 | e2 | n] @ local_R column by column; local_R[k, j] is packed column 3 k + j.
        Rw = torch.empty(a.shape[0], 3, 3, dtype=a.dtype, device=a.device)
        for j in range(3):
            col = torch.addcmul(e1 * packed[:, j:j + 1], e2, packed[:, 3 + j:4 + j])
            Rw[:, :, j] = col.addcmul_(n, packed[:, 6 + j:7 + j])
        scales = packed[:, cls._SCALE]
        if stretch:
            ratio = (0.5 * dbl) / packed[:, cls._AREA]
            scales = scales * ratio.clamp_(0.25, 4.0).sqrt_()[:, None]
        return Gaussians(means=means, scales=scales, colors=packed[:, cls._COLOR], opacities=packed[:, cls._OPACITY],
                         rotmats=Rw, normals=n)

    def to(self, device) -> "GaussianAvatar":
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        for k, v in fields.items():
            if isinstance(v, torch.Tensor):
                fields[k] = v.to(device)
        return GaussianAvatar(**fields)


def _sub_triangle_barys(level: int) -> np.ndarray:
    """(level^2, 3) barycentric centroids of the regular subdivision of a triangle into level^2 pieces."""
    out = []
    for i in range(level):
        for j in range(level - i):
            k = level - 1 - i - j
            out.append([(i + 1 / 3) / level, (j + 1 / 3) / level, (k + 1 / 3) / level])
    for i in range(level - 1):
        for j in range(level - 1 - i):
            k = level - 2 - i - j
            out.append([(i + 2 / 3) / level, (j + 2 / 3) / level, (k + 2 / 3) / level])
    return np.array(out, np.float64)


def pair_triangles(vertices: np.ndarray, faces: np.ndarray, groups: np.ndarray, keep: np.ndarray | None = None,
                   max_edge: float = 0.02, min_cos: float = 0.8) -> np.ndarray:
    """Partner of each triangle when two triangles form a near-planar quad, else -1.

    Two triangles pair when each one's longest edge is the edge they share (the
    diagonal of a quad, as in a grid-like mesh), they belong to the same group
    (colour region), their normals agree within ``acos(min_cos)`` and their other
    edges are at most ``max_edge`` metres.

    Args:
        vertices: (V, 3) metres; faces: (F, 3) int; groups: (F,) int labels;
        keep: optional (F,) bool, triangles that may pair.

    Returns:
        (F,) int64: the partner's index (pairs are mutual) or -1.
    """
    tri = vertices[faces]
    F = len(faces)
    lens = np.stack([np.linalg.norm(tri[:, (k + 1) % 3] - tri[:, k], axis=1) for k in range(3)], 1)
    longest = lens.argmax(1)
    a, b = faces, np.roll(faces, -1, axis=1)  # edge k joins corner k and corner k + 1
    key = np.minimum(a, b).astype(np.int64) * (int(faces.max()) + 1) + np.maximum(a, b)
    flat = key.ravel()
    order = np.argsort(flat, kind="stable")
    sk = flat[order]
    # For every (face, edge): the other face on that edge when exactly two faces share it.
    other = np.full(3 * F, -1, np.int64)
    same_next = sk[1:] == sk[:-1]
    lone = np.ones(len(sk) - 1, bool)
    lone[1:] &= ~same_next[:-1]
    lone[:-1] &= ~same_next[1:]
    two = np.nonzero(same_next & lone)[0]
    other[order[two]] = order[two + 1] // 3
    other[order[two + 1]] = order[two] // 3
    cand = other.reshape(F, 3)[np.arange(F), longest]
    ok = cand >= 0
    c = np.where(ok, cand, 0)
    ok &= cand[c] == np.arange(F)  # mutual: the shared edge is the longest of both
    ok &= groups[c] == groups
    if keep is not None:
        ok &= keep & keep[c]
    cr = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    n = cr / np.maximum(np.linalg.norm(cr, axis=1, keepdims=True), 1e-20)
    ok &= (n * n[c]).sum(1) >= min_cos
    side = np.where(np.arange(3)[None] == longest[:, None], 0.0, lens).max(1)
    ok &= (side <= max_edge) & (side[c] <= max_edge)
    ok &= ok[c]
    return np.where(ok, cand, -1)


def avatar_from_mesh(vertices: torch.Tensor, faces: torch.Tensor, face_colors: np.ndarray,
                     face_opacity: np.ndarray | None = None, max_edge: float = 0.03, coverage: float = 2.2,
                     thickness: float = 0.12, min_sigma: float = 4e-4, min_aspect: float = 0.3,
                     merge_groups: np.ndarray | None = None, merge_max_edge: float = 0.02) -> GaussianAvatar:
    """Flat Gaussians that tile a mesh: one per triangle (or per quad), big triangles split into level^2 pieces.

    Each Gaussian's in-plane covariance is the (sub-)triangle's own second moment
    times ``coverage^2``, so neighbours overlap just enough to close the surface.
    With ``merge_groups``, two triangles forming a flat quad (see :func:`pair_triangles`)
    share one Gaussian fitted to the quad, bound to the larger triangle: half the
    Gaussians for the same surface.

    Args:
        vertices: (V, 3) rest vertices, metres.
        faces: (F, 3) int64.
        face_colors: (F, 3) RGB in [0, 1].
        face_opacity: optional (F,) opacities; 0 drops a triangle.
        max_edge: unpaired triangles with a longer edge (metres) are split (at most 3 x 3).
        coverage: how much each Gaussian is widened beyond the triangle's own spread.
        thickness: normal-axis sigma as a fraction of the smaller in-plane sigma.
        min_sigma: lower bound on any sigma, metres.
        min_aspect: lower bound on minor/major sigma (sliver triangles would make spikes at the silhouette).
        merge_groups: optional (F,) int labels (colour regions); None keeps one Gaussian per triangle.
        merge_max_edge: quads with a longer side (metres) are not merged.
    """
    V = vertices.detach().to("cpu", torch.float64)
    F = faces.detach().to("cpu", torch.int64)
    tri, R, area = triangle_frames(V, F)
    tri, R, area = tri.numpy(), R.numpy(), area.numpy()
    edges = np.stack([np.linalg.norm(tri[:, (k + 1) % 3] - tri[:, k], axis=1) for k in range(3)], 1).max(1)
    level = np.clip(np.ceil(edges / max_edge), 1, 3).astype(np.int64)
    keep = area > 1e-12
    if face_opacity is not None:
        keep &= np.asarray(face_opacity) > 0
    # Triangle corners in the local 2D frame (e1, e2), then the uniform-triangle covariance.
    local = np.einsum("fkc,fcd->fkd", tri - tri[:, :1], R[:, :, :2])  # (F, 3, 2)
    centre = local.mean(1)  # (F, 2)
    d = local - centre[:, None]
    cov = np.einsum("fki,fkj->fij", d, d) / 12.0
    bary = np.full((len(tri), 3), 1.0 / 3.0)
    anchor = np.ones(len(tri), bool)  # False: the triangle is covered by its partner's Gaussian

    if merge_groups is not None:
        partner = pair_triangles(V.numpy(), F.numpy(), np.asarray(merge_groups), keep, max_edge=merge_max_edge)
        f = np.nonzero((partner >= 0) & ((area > area[np.maximum(partner, 0)]) |
                                          ((area == area[np.maximum(partner, 0)]) & (np.arange(len(tri)) < partner))))[0]
        g = partner[f]
        anchor[g] = False
        # The partner's corners and covariance in the anchor's frame (the quad is near planar).
        lg = np.einsum("fkc,fcd->fkd", tri[g] - tri[f, :1], R[f, :, :2])
        cg = lg.mean(1)
        dg = lg - cg[:, None]
        cov_g = np.einsum("fki,fkj->fij", dg, dg) / 12.0
        af, ag = area[f][:, None], area[g][:, None]
        cf = centre[f]
        c = (af * cf + ag * cg) / (af + ag)
        of, og = cf - c, cg - c
        cov[f] = (af[:, :, None] * (cov[f] + of[:, :, None] * of[:, None, :]) +
                  ag[:, :, None] * (cov_g + og[:, :, None] * og[:, None, :])) / (af + ag)[:, :, None]
        centre[f] = c
        # Barycentric coordinates of the quad's centre in the anchor triangle: c = s * p1 + t * p2.
        p1, p2 = local[f, 1], local[f, 2]
        det = p1[:, 0] * p2[:, 1] - p1[:, 1] * p2[:, 0]
        st = np.stack([(c[:, 0] * p2[:, 1] - c[:, 1] * p2[:, 0]) / det,
                       (p1[:, 0] * c[:, 1] - p1[:, 1] * c[:, 0]) / det], 1)
        bary[f] = np.stack([1 - st.sum(1), st[:, 0], st[:, 1]], 1)
        level[f] = 1

    evals, evecs = np.linalg.eigh(cov)  # ascending
    sig_major = np.sqrt(np.clip(evals[:, 1], 0, None))
    sig_minor = np.sqrt(np.clip(evals[:, 0], 0, None))
    theta = np.arctan2(evecs[:, 1, 1], evecs[:, 0, 1])  # angle of the major axis from e1

    face_ids, barys, scales, thetas = [], [], [], []
    for L in (1, 2, 3):
        sel = np.nonzero(keep & anchor & (level == L))[0]
        if not len(sel):
            continue
        b = _sub_triangle_barys(L)
        face_ids.append(np.repeat(sel, len(b)))
        barys.append(bary[sel] if L == 1 else np.tile(b, (len(sel), 1)))
        s1 = np.maximum(coverage * sig_major[sel] / L, min_sigma)
        s2 = np.maximum(np.maximum(coverage * sig_minor[sel] / L, min_aspect * s1), min_sigma)
        s3 = np.maximum(thickness * s2, min_sigma * 0.5)
        scales.append(np.repeat(np.stack([s1, s2, s3], 1), len(b), 0))
        thetas.append(np.repeat(theta[sel], len(b)))
    face_id = np.concatenate(face_ids)
    th = np.concatenate(thetas)
    rot = np.stack([np.cos(th / 2), np.zeros_like(th), np.zeros_like(th), np.sin(th / 2)], 1)
    colors = np.asarray(face_colors, np.float64)[face_id]
    opac = np.full(len(face_id), 0.97) if face_opacity is None else np.asarray(face_opacity, np.float64)[face_id]
    return GaussianAvatar(
        face_id=torch.as_tensor(face_id, dtype=torch.int64),
        bary=torch.as_tensor(np.concatenate(barys), dtype=torch.float32),
        offset=torch.zeros(len(face_id)),
        rotation=torch.as_tensor(rot, dtype=torch.float32),
        scale=torch.as_tensor(np.concatenate(scales), dtype=torch.float32),
        color=torch.as_tensor(colors, dtype=torch.float32),
        opacity=torch.as_tensor(opac, dtype=torch.float32),
        num_faces=int(F.shape[0]),
        rest_area=torch.as_tensor(area, dtype=torch.float32),
        surface=True,
    )


def _face_regions(vertex_regions: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """(F,) region code per triangle: the code most of its corners share (else the first corner's)."""
    r = vertex_regions[faces]
    out = r[:, 0].copy()
    two = (r[:, 1] == r[:, 2]) & (r[:, 1] != r[:, 0])
    out[two] = r[two, 1]
    return out


def default_avatar(body_model=None, seed: int = 0) -> GaussianAvatar:
    """The built-in look: a person in a blue shirt and grey trousers, bound to ``body_model``.

    Args:
        body_model: a :class:`signspark.body.BodyModel` (default: ``BodyModel.load()``, the
            built-in body). With licensed SMPL-X files, which carry no region labels, the
            whole body gets the skin colour.
        seed: seeds the slight colour variation between Gaussians (same seed, same avatar).

    Returns:
        A :class:`GaussianAvatar` with about 20k Gaussians for the built-in body (about half of them
        face the camera in a frame).
    """
    from ..body import BodyModel, REGIONS

    bm = body_model if body_model is not None else BodyModel.load()
    rest = _rest_vertices(bm)
    faces = as_faces(bm.faces)
    fnp = faces.numpy()
    regions = getattr(bm, "vertex_regions", None)
    names = {code: name for name, code in REGIONS.items()}
    try:
        from ..body.regions import REGION_COLORS
    except ImportError:  # pragma: no cover - older body package
        REGION_COLORS = {}
    if regions is None:
        codes = np.zeros(len(fnp), np.int64)
        lut = {0: REGION_PALETTE["skin"]}
        names = {0: "skin"}
    else:
        codes = _face_regions(np.asarray(regions), fnp)
        lut = {c: REGION_PALETTE.get(n, REGION_COLORS.get(n, REGION_PALETTE["skin"])) for c, n in names.items()}
    base = np.array([lut.get(int(c), REGION_PALETTE["skin"]) for c in codes], np.float64) / 255.0
    rng = np.random.default_rng(seed)
    base = np.clip(base * (1 + 0.03 * rng.standard_normal((len(base), 1))), 0, 1)
    opac = np.array([_REGION_OPACITY.get(names.get(int(c), ""), 0.97) for c in codes])
    return avatar_from_mesh(rest, faces, base, opac, **_DEFAULT_TUNING, merge_groups=codes)


def _rest_vertices(bm) -> torch.Tensor:
    """(V, 3) vertices of ``bm`` with every parameter zero (the rest pose the binding refers to)."""
    from ..pose.streams import SMPLX_FRAME_KEYS

    params = {k: np.zeros((1, d), np.float32) for k, d in SMPLX_FRAME_KEYS.items()}
    with torch.no_grad():
        return bm(params).vertices[0].detach().to("cpu", torch.float32)
