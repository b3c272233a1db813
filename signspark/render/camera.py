"""One pinhole camera shared by every renderer backend.

Axes and conventions
--------------------
World (the body model's frame): metres, **+y up**, **+z in front of the
subject** (the direction the subject faces), **+x the subject's left**.

Camera (OpenCV convention, as gsplat uses): **+x right**, **+y down**,
**+z forward** (into the scene). ``viewmat`` maps world to camera:
``p_cam = viewmat[:3, :3] @ p_world + viewmat[:3, 3]``.

Pixels: ``u`` runs right, ``v`` runs down; pixel ``(i, j)`` (column, row)
covers ``[i, i+1) x [j, j+1)`` so its centre is at ``(i + 0.5, j + 0.5)``.
A point on the optical axis lands at ``(width / 2, height / 2)``.
``u = fx * x / z + cx`` and ``v = fy * y / z + cy``.

A front camera (``eye`` on +z looking towards -z) shows the subject facing
the viewer: the subject's left hand (+x) appears on the right of the image.

Example::

    cam = Camera.look_at(eye=(0, 0.2, 2.5), target=(0, 0.2, 0), width=512, height=512, fov_y=30)
    uv, depth = cam.project(torch.tensor([[0.0, 0.2, 0.0]]))   # -> (256, 256), 2.5
"""

from __future__ import annotations

import dataclasses
import functools
import math
from typing import Sequence

import numpy as np
import torch

__all__ = ["Camera"]


def _vec3(v, name: str) -> np.ndarray:
    a = np.asarray(v, dtype=np.float64).reshape(-1)
    if a.shape != (3,) or not np.isfinite(a).all():
        raise ValueError(f"camera {name} must be 3 finite numbers, got {v!r}")
    return a


@dataclasses.dataclass(frozen=True)
class Camera:
    """A pinhole camera: intrinsics from a vertical field of view and the image size, extrinsics by look-at.

    Attributes:
        width, height: image size in pixels.
        fov_y: vertical field of view in degrees.
        eye: camera centre in world coordinates (metres).
        target: the point the camera looks at.
        up: world direction that appears up in the image (default +y).
        near, far: clipping distances in metres (Gaussians and triangles outside are dropped).
    """

    width: int
    height: int
    fov_y: float
    eye: tuple[float, float, float]
    target: tuple[float, float, float]
    up: tuple[float, float, float] = (0.0, 1.0, 0.0)
    near: float = 0.01
    far: float = 100.0

    def __post_init__(self) -> None:
        if int(self.width) < 1 or int(self.height) < 1:
            raise ValueError(f"camera size must be positive, got {self.width}x{self.height}")
        if not 0.1 <= float(self.fov_y) < 179.0:
            raise ValueError(f"camera fov_y must be in [0.1, 179) degrees, got {self.fov_y}")
        eye, target, up = _vec3(self.eye, "eye"), _vec3(self.target, "target"), _vec3(self.up, "up")
        f = target - eye
        if np.linalg.norm(f) < 1e-9:
            raise ValueError("camera eye and target coincide")
        if np.linalg.norm(np.cross(f, up)) < 1e-9 * np.linalg.norm(f) * max(np.linalg.norm(up), 1e-12):
            raise ValueError("camera up is parallel to the viewing direction")
        object.__setattr__(self, "width", int(self.width))
        object.__setattr__(self, "height", int(self.height))
        object.__setattr__(self, "eye", tuple(float(x) for x in eye))
        object.__setattr__(self, "target", tuple(float(x) for x in target))
        object.__setattr__(self, "up", tuple(float(x) for x in up))

    @classmethod
    def look_at(cls, eye: Sequence[float], target: Sequence[float], width: int, height: int,
                fov_y: float = 30.0, up: Sequence[float] = (0.0, 1.0, 0.0), **kw) -> "Camera":
        return cls(width=width, height=height, fov_y=fov_y, eye=tuple(eye), target=tuple(target), up=tuple(up), **kw)

    # ------------------------------------------------------------------ intrinsics
    @property
    def focal(self) -> float:
        """Focal length in pixels (square pixels: fx = fy)."""
        return 0.5 * self.height / math.tan(math.radians(self.fov_y) / 2)

    @property
    def K(self) -> torch.Tensor:
        """(3, 3) float32 intrinsics ``[[f, 0, W/2], [0, f, H/2], [0, 0, 1]]``."""
        f = self.focal
        return torch.tensor([[f, 0.0, self.width / 2], [0.0, f, self.height / 2], [0.0, 0.0, 1.0]], dtype=torch.float32)

    # ------------------------------------------------------------------ extrinsics
    @property
    def rotation(self) -> np.ndarray:
        """(3, 3) float64 world-to-camera rotation; rows are the camera's right, down and forward axes in world."""
        return self._rotation.copy()

    @functools.cached_property
    def _rotation(self) -> np.ndarray:  # computed once: renderers ask for it several times per frame
        eye, target, up = np.array(self.eye), np.array(self.target), np.array(self.up)
        fwd = target - eye
        fwd /= np.linalg.norm(fwd)
        right = np.cross(fwd, up)
        right /= np.linalg.norm(right)
        down = np.cross(fwd, right)
        return np.stack([right, down, fwd])

    @property
    def viewmat(self) -> torch.Tensor:
        """(4, 4) float32 world-to-camera transform (OpenCV axes)."""
        return self._viewmat.clone()

    @functools.cached_property
    def _viewmat(self) -> torch.Tensor:
        R = self._rotation
        M = np.eye(4)
        M[:3, :3] = R
        M[:3, 3] = -R @ np.array(self.eye)
        return torch.tensor(M, dtype=torch.float32)

    def gl_projection(self) -> np.ndarray:
        """(4, 4) float32 matrix taking OpenCV camera coordinates to OpenGL clip space.

        With it, ``ndc_x = 2u/W - 1`` and ``ndc_y = 1 - 2v/H``: row 0 of the image is
        the top of the viewport (read-back from GL must be flipped vertically).
        """
        f, W, H, n, fa = self.focal, self.width, self.height, self.near, self.far
        cx, cy = W / 2, H / 2
        return np.array([
            [2 * f / W, 0, 2 * cx / W - 1, 0],
            [0, -2 * f / H, 1 - 2 * cy / H, 0],
            [0, 0, (fa + n) / (fa - n), -2 * fa * n / (fa - n)],
            [0, 0, 1, 0],
        ], dtype=np.float32)

    # ------------------------------------------------------------------ projection
    def world_to_camera(self, points: torch.Tensor) -> torch.Tensor:
        """(..., 3) world points -> (..., 3) camera coordinates (same dtype/device)."""
        V = self.viewmat.to(points)
        return points @ V[:3, :3].T + V[:3, 3]

    def project(self, points: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Project world points.

        Args:
            points: (..., 3) world coordinates in metres.

        Returns:
            ``uv`` (..., 2) pixel coordinates (continuous; pixel centres at +0.5)
            and ``depth`` (...,) camera-space z in metres (<= 0 means behind the camera).
        """
        p = self.world_to_camera(points)
        z = p[..., 2]
        zs = torch.where(z.abs() < 1e-9, torch.full_like(z, 1e-9), z)
        f = self.focal
        uv = torch.stack([f * p[..., 0] / zs + self.width / 2, f * p[..., 1] / zs + self.height / 2], dim=-1)
        return uv, z

    def with_size(self, width: int, height: int) -> "Camera":
        return dataclasses.replace(self, width=width, height=height)
