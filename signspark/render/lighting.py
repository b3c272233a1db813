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

__all__ = ["shade_and_cull", "KEY_LIGHT", "FILL_LIGHT", "AMBIENT"]

# Directions towards the lights in camera coordinates (x right, y down, z forward).
KEY_LIGHT = (0.25, -0.6, -1.0)
FILL_LIGHT = (-0.8, 0.1, -0.6)
AMBIENT = 0.42


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
    R = camera.viewmat[:3, :3].to(g.means)
    n_cam = g.normals @ R.T
    eye = torch.tensor(camera.eye, dtype=g.means.dtype, device=g.means.device)
    to_eye = eye - g.means
    facing = (g.normals * to_eye).sum(-1) / to_eye.norm(dim=-1).clamp_min(1e-9)
    key = torch.tensor(KEY_LIGHT, dtype=g.means.dtype, device=g.means.device)
    fill = torch.tensor(FILL_LIGHT, dtype=g.means.dtype, device=g.means.device)
    key, fill = key / key.norm(), fill / fill.norm()
    light = AMBIENT + 0.5 * (n_cam @ key).clamp_min(0) + 0.15 * (n_cam @ fill).clamp_min(0)
    colors = (g.colors * light[:, None]).clamp(0, 1)
    out = Gaussians(g.means, g.quats, g.scales, colors, g.opacities, g.rotmats, g.normals)
    if cull:
        out = out.subset(torch.nonzero(facing > -cull_margin).squeeze(1))
    return out
