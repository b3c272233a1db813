"""A set of 3D Gaussians in world space, and its screen-space projection (EWA splatting).

The projection here is shared by the CPU backends (PyTorch and OpenGL), so they
differ only in how they rasterize. The compositing rule both follow:

* 2D covariance ``J W S W^T J^T + 0.3 I`` (pixels^2), conic = its inverse;
* a Gaussian touches a pixel when ``q = d^T conic d <= SIGMA_CUTOFF^2`` (inside 2.5 sigma: beyond it
  alpha is below 0.044 x opacity, and the footprint, the fragments and (Gaussian, tile) pairs
  the CPU rasterizers work through, is 30% smaller than the usual 3 sigma);
* ``alpha = min(0.99, opacity * exp(-q / 2))``, ignored below 1/255;
* front-to-back "over" compositing in order of camera-space depth of the means,
  then the background times the remaining transmittance.

The PyTorch rasterizer also follows the reference 3DGS rule (``rule="3dgs"``, what gsplat's classic
mode and the original CUDA rasterizer do): a Gaussian touches every pixel where its alpha reaches 1/255
(up to ``sqrt(2 ln 255)`` = 3.33 sigma for an opaque one), alpha is capped at 0.999, and a pixel stops at
the Gaussian that would take its transmittance to 1e-4 or below (that one is left out). Avatars trained
with gsplat look as trained under it; the CPU backends' default rule differs from it at silhouettes only.
"""

from __future__ import annotations

import dataclasses
import math

import torch

from ..pose.rotations import _matrix_to_quaternion
from .camera import Camera

__all__ = ["Gaussians", "Projected", "project_gaussians", "quaternion_to_matrix", "matrix_to_quaternion",
           "ALPHA_MIN", "ALPHA_MAX", "SIGMA_CUTOFF", "SIGMA_CUTOFF2", "EPS2D", "RULES", "ALPHA_MAX_3DGS",
           "SIGMA_CUTOFF_3DGS", "TRANSMITTANCE_MIN_3DGS", "check_rule"]

ALPHA_MIN = 1.0 / 255.0
ALPHA_MAX = 0.99
SIGMA_CUTOFF = 2.5  # a Gaussian's footprint: its 2.5-sigma ellipse
SIGMA_CUTOFF2 = SIGMA_CUTOFF ** 2
EPS2D = 0.3  # low-pass dilation of the 2D covariance, pixels^2
RULES = ("2.5-sigma", "3dgs")  # compositing rules: the CPU backends' default, and the reference 3DGS one
ALPHA_MAX_3DGS = 0.999
SIGMA_CUTOFF_3DGS = math.sqrt(2.0 * math.log(255.0))  # where an opaque Gaussian's alpha falls to 1/255
TRANSMITTANCE_MIN_3DGS = 1e-4


def check_rule(rule: str) -> str:
    """``rule`` if it is one of :data:`RULES`, else a ValueError that lists them."""
    if rule not in RULES:
        raise ValueError(f"unknown compositing rule {rule!r}; expected one of {list(RULES)}")
    return rule


def quaternion_to_matrix(q: torch.Tensor) -> torch.Tensor:
    """(..., 4) quaternions (w, x, y, z; normalised here) -> (..., 3, 3) rotation matrices."""
    q = q / torch.linalg.vector_norm(q, dim=-1, keepdim=True).clamp_min(1e-12)
    w, x, y, z = q.unbind(-1)
    return torch.stack([
        1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
        2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
        2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y),
    ], dim=-1).reshape(*q.shape[:-1], 3, 3)


def matrix_to_quaternion(R: torch.Tensor) -> torch.Tensor:
    """(..., 3, 3) rotation matrices -> (..., 4) unit quaternions (w, x, y, z) with w >= 0."""
    return _matrix_to_quaternion(R)


class Gaussians:
    """N Gaussians of one frame, world space.

    Attributes:
        means: (N, 3) centres, metres.
        quats: (N, 4) rotations, unit quaternions (w, x, y, z). May be left out when
            ``rotmats`` is given: it is then derived from them on first access (renderers
            only need the matrices, so posing skips the conversion).
        scales: (N, 3) standard deviations along the rotated axes, metres (linear, not log).
        colors: (N, 3) RGB in [0, 1] (what is rendered: albedo, or albedo times shading).
        opacities: (N,) in [0, 1].
        rotmats: optional (N, 3, 3) rotation matrices matching ``quats`` (saves a conversion).
        normals: optional (N, 3) unit surface normals (for shading and back-face culling of
            surface-bound Gaussians).
    """

    _FIELDS = ("means", "quats", "scales", "colors", "opacities", "rotmats", "normals")

    def __init__(self, means: torch.Tensor, quats: torch.Tensor | None = None, scales: torch.Tensor | None = None,
                 colors: torch.Tensor | None = None, opacities: torch.Tensor | None = None,
                 rotmats: torch.Tensor | None = None, normals: torch.Tensor | None = None):
        if scales is None or colors is None or opacities is None:
            raise TypeError("Gaussians needs means, scales, colors and opacities")
        if quats is None and rotmats is None:
            raise TypeError("Gaussians needs quats or rotmats (the rotations)")
        self.means, self._quats, self.scales = means, quats, scales
        self.colors, self.opacities, self.rotmats, self.normals = colors, opacities, rotmats, normals

    @property
    def quats(self) -> torch.Tensor:
        if self._quats is None:
            self._quats = matrix_to_quaternion(self.rotmats)
        return self._quats

    @quats.setter
    def quats(self, value: torch.Tensor) -> None:
        self._quats = value

    def _values(self) -> tuple:
        return (self.means, self._quats, self.scales, self.colors, self.opacities, self.rotmats, self.normals)

    def __len__(self) -> int:
        return int(self.means.shape[0])

    def __repr__(self) -> str:
        return f"Gaussians(N={len(self)}, dtype={self.means.dtype}, device={self.means.device})"

    def validate(self, source: str = "Gaussians") -> None:
        N = len(self)
        for name, shape in (("means", (N, 3)), ("quats", (N, 4)), ("scales", (N, 3)),
                            ("colors", (N, 3)), ("opacities", (N,))):
            t = getattr(self, name)
            if tuple(t.shape) != shape:
                raise ValueError(f"{source}: {name} must have shape {shape}, got {tuple(t.shape)}")
            if not torch.isfinite(t).all():
                raise ValueError(f"{source}: {name} contains NaN or infinite values")

    def rotation_matrices(self) -> torch.Tensor:
        return self.rotmats if self.rotmats is not None else quaternion_to_matrix(self.quats)

    def covariances(self) -> torch.Tensor:
        """(N, 3, 3) world covariances ``R diag(s^2) R^T``."""
        M = self.rotation_matrices() * self.scales[:, None, :]
        return M @ M.transpose(1, 2)

    def to(self, device) -> "Gaussians":
        return Gaussians(*(t.to(device) if t is not None else None for t in self._values()))

    def subset(self, index: torch.Tensor) -> "Gaussians":
        """The Gaussians at ``index`` ((M,) int64 positions, or an (N,) bool mask)."""
        if index.dtype == torch.bool:
            index = torch.nonzero(index).squeeze(1)
        return Gaussians(*(t.index_select(0, index) if t is not None else None for t in self._values()))


@dataclasses.dataclass
class Projected:
    """Gaussians in screen space, only those in front of the camera and on screen.

    Attributes:
        means2d: (M, 2) pixel centres (u right, v down).
        cov2d: (M, 3) 2D covariance (a, b, c) = [[a, b], [b, c]], pixels^2, dilated.
        conics: (M, 3) inverse covariance (A, B, C).
        depths: (M,) camera-space z, metres.
        colors: (M, 3), opacities: (M,).
        index: (M,) indices into the input Gaussians.
    """

    means2d: torch.Tensor
    cov2d: torch.Tensor
    conics: torch.Tensor
    depths: torch.Tensor
    colors: torch.Tensor
    opacities: torch.Tensor
    index: torch.Tensor

    def __len__(self) -> int:
        return int(self.means2d.shape[0])

    def extents(self, rule: str = "2.5-sigma") -> torch.Tensor:
        """(M, 2) half-widths of the footprint ellipse's bounding box in x and y, pixels."""
        return self.cutoff_sigmas(rule)[:, None] * torch.sqrt(self.cov2d[:, [0, 2]].clamp_min(0))

    def cutoff_sigmas(self, rule: str = "2.5-sigma") -> torch.Tensor:
        """(M,) each footprint's radius in sigmas: 2.5, or under ``"3dgs"`` where alpha falls to 1/255."""
        if rule == "2.5-sigma":
            return torch.full_like(self.opacities, SIGMA_CUTOFF)
        check_rule(rule)
        ratio = (self.opacities / ALPHA_MIN).clamp_min(1.0)
        return torch.sqrt(2.0 * torch.log(ratio)).clamp_max(SIGMA_CUTOFF_3DGS)

    def ellipse_axes(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The footprint ellipse's semi-axes as vectors, (M, 2) each (major, minor)."""
        a, b, c = self.cov2d.unbind(-1)
        mid = 0.5 * (a + c)
        disc = torch.sqrt((0.25 * (a - c) ** 2 + b * b).clamp_min(0))
        l1, l2 = mid + disc, (mid - disc).clamp_min(1e-8)
        v1 = torch.stack([b, l1 - a], -1)
        v2 = torch.stack([l1 - c, b], -1)
        v = torch.where((v1.norm(dim=-1) >= v2.norm(dim=-1))[:, None], v1, v2)
        n = v.norm(dim=-1, keepdim=True)
        e1 = torch.where(n > 1e-12, v / n.clamp_min(1e-12), torch.tensor([1.0, 0.0]).to(v))
        e2 = torch.stack([-e1[:, 1], e1[:, 0]], -1)
        return e1 * (SIGMA_CUTOFF * l1.sqrt())[:, None], e2 * (SIGMA_CUTOFF * l2.sqrt())[:, None]


def project_gaussians(g: Gaussians, camera: Camera, eps2d: float = EPS2D, cutoff: float = SIGMA_CUTOFF) -> Projected:
    """EWA projection of 3D Gaussians to the image plane of ``camera``.

    Gaussians behind the near plane, beyond the far plane, or whose footprint box
    (``cutoff`` sigmas) misses the image, are dropped.
    """
    V = camera.viewmat.to(g.means)
    Rc = V[:3, :3]
    p = torch.addmm(V[:3, 3], g.means, Rc.T)
    x, y, z = p.unbind(-1)
    f = camera.focal
    W, H = camera.width, camera.height
    keep = (z > camera.near) & (z < camera.far) & (g.opacities > ALPHA_MIN)
    zs = z.clamp_min(camera.near)
    inv_z = 1.0 / zs
    # Clamp the Jacobian's x/z, y/z to a bit beyond the frustum, as 3DGS does, for stability.
    limx = 1.3 * (0.5 * W / f)
    limy = 1.3 * (0.5 * H / f)
    fz = f * inv_z
    jx = -fz * (x * inv_z).clamp(-limx, limx)
    jy = -fz * (y * inv_z).clamp(-limy, limy)
    # Rows of J @ Rc @ R diag(s) (the Gaussian's axes in camera space, projected). One (3N, 3) x (3, 3)
    # product gives MT[n, j, i] = (Rc @ R_n)[i, j]; batched 3x3 matmuls are slow on a CPU.
    N = p.shape[0]
    MT = (g.rotation_matrices().transpose(1, 2).reshape(3 * N, 3) @ Rc.T).reshape(N, 3, 3)
    T0 = torch.addcmul(MT[:, :, 2] * jx[:, None], MT[:, :, 0], fz[:, None]).mul_(g.scales)
    T1 = torch.addcmul(MT[:, :, 2] * jy[:, None], MT[:, :, 1], fz[:, None]).mul_(g.scales)
    a = (T0 * T0).sum(-1) + eps2d
    b = (T0 * T1).sum(-1)
    c = (T1 * T1).sum(-1) + eps2d
    u = fz * x + W / 2
    v = fz * y + H / 2
    rx, ry = cutoff * a.sqrt(), cutoff * c.sqrt()
    keep &= (u + rx > 0) & (u - rx < W) & (v + ry > 0) & (v - ry < H)
    idx = torch.nonzero(keep).squeeze(1)
    a, b, c = a[idx], b[idx], c[idx]
    det = (a * c - b * b).clamp_min(1e-12)
    return Projected(
        means2d=torch.stack([u[idx], v[idx]], -1),
        cov2d=torch.stack([a, b, c], -1),
        conics=torch.stack([c / det, -b / det, a / det], -1),
        depths=z[idx],
        colors=g.colors[idx],
        opacities=g.opacities[idx],
        index=idx,
    )
