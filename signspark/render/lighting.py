"""Shading and back-face culling of surface-bound Gaussians for one camera.

The built-in avatar stores albedo; a fixed two-light rig tied to the camera (a
key light above and to the side of the camera, a weak fill) turns it into shaded
colours each frame, the same rig the mesh backend's shader uses. Gaussians whose
triangle faces away from the camera are hidden behind the front surface of a
closed body, so they are dropped before rasterizing (about half the work).
"""

from __future__ import annotations

import torch

from .camera import Camera
from .gaussians import Gaussians

__all__ = ["shade_and_cull", "shade_colors", "world_light_directions", "KEY_LIGHT", "FILL_LIGHT", "AMBIENT",
           "KEY_WEIGHT", "FILL_WEIGHT"]

# Directions towards the lights in camera coordinates (x right, y down, z forward).
KEY_LIGHT = (0.25, -0.6, -1.0)
FILL_LIGHT = (-0.8, 0.1, -0.6)
AMBIENT = 0.42
KEY_WEIGHT = 0.5
FILL_WEIGHT = 0.15


def shade_and_cull(g: Gaussians, camera: Camera, cull: bool = True, cull_margin: float = 0.05) -> Gaussians:
    """Shaded, front-facing copy of surface Gaussians (``g.normals`` required).

    Args:
        g: Gaussians with per-Gaussian unit ``normals`` (outward).
        camera: the view.
        cull: drop Gaussians whose normal points away from the camera by more than ``cull_margin``
            (cosine), keeping the ones near the silhouette.
    """
    if g.normals is None:
        raise ValueError("shading needs per-Gaussian normals (surface-bound Gaussians)")
    if cull:
        eye = torch.tensor(camera.eye, dtype=g.means.dtype, device=g.means.device)
        to_eye = eye - g.means
        facing = (g.normals * to_eye).sum(-1) / torch.linalg.vector_norm(to_eye, dim=-1).clamp_min(1e-9)
        g = g.subset(torch.nonzero(facing > -cull_margin).squeeze(1))
    return Gaussians(g.means, g._quats, g.scales, shade_colors(g.colors, g.normals, camera), g.opacities, g.rotmats,
                     g.normals)


def world_light_directions(camera: Camera, dtype=torch.float32, device=None) -> torch.Tensor:
    """(2, 3) unit directions towards the key and fill lights in world coordinates."""
    R = camera.viewmat[:3, :3].to(dtype=dtype, device=device)
    light_dirs = torch.tensor([KEY_LIGHT, FILL_LIGHT], dtype=dtype, device=device)
    light_dirs = light_dirs / torch.linalg.vector_norm(light_dirs, dim=-1, keepdim=True)
    return light_dirs @ R  # rows: R^T l, the camera-space direction l in world coordinates


def shade_colors(colors: torch.Tensor, normals: torch.Tensor, camera: Camera) -> torch.Tensor:
    """(N, 3) albedo and (N, 3) unit world normals -> (N, 3) colours lit by the camera's light rig."""
    d = (normals @ world_light_directions(camera, normals.dtype, normals.device).T).clamp_min_(0)
    light = AMBIENT + KEY_WEIGHT * d[:, 0] + FILL_WEIGHT * d[:, 1]
    return (colors * light[:, None]).clamp_(0, 1)
