"""Gaussian splats on CUDA through gsplat's ``rasterization`` (classic 3DGS compositing).

gsplat's kernels are CUDA only (on a CPU its JIT build fails), so this backend is
offered only when ``torch.cuda.is_available()``. gsplat imports ``packaging``
without declaring it; both must be installed (``pip install gsplat packaging``).
"""

from __future__ import annotations

import numpy as np
import torch

from ..camera import Camera
from .base import Backend, FrameData

__all__ = ["GsplatBackend"]


class GsplatBackend(Backend):
    """gsplat ``rasterization`` with our camera (same viewmat/K conventions: OpenCV axes)."""

    name = "gsplat"
    draws = "gaussians"

    def __init__(self, device: str = "cuda"):
        import gsplat

        self._rasterization = gsplat.rasterization
        self.device = torch.device(device)

    @classmethod
    def availability(cls) -> tuple[bool, str]:
        if not torch.cuda.is_available():
            return False, "needs a CUDA GPU (gsplat has no CPU kernels)"
        try:
            import packaging  # noqa: F401
            import gsplat  # noqa: F401
        except ImportError as e:
            return False, f"gsplat is not installed ({e}); pip install gsplat packaging"
        return True, ""

    def render(self, frame: FrameData, camera: Camera, background) -> np.ndarray:
        g = frame.gaussians
        if g is None:
            raise ValueError("the gsplat backend draws Gaussians; the frame has none")
        g = g.to(self.device)
        bg = torch.as_tensor(background, dtype=torch.float32, device=self.device).reshape(1, 3)
        with torch.no_grad():
            colors, _, _ = self._rasterization(
                g.means.float().contiguous(), g.quats.float().contiguous(), g.scales.float().contiguous(),
                g.opacities.float().contiguous(), g.colors.float().contiguous(),
                camera.viewmat.to(self.device)[None], camera.K.to(self.device)[None],
                camera.width, camera.height, near_plane=camera.near, far_plane=camera.far,
                backgrounds=bg, packed=False)
        return (colors[0].clamp(0, 1) * 255 + 0.5).to(torch.uint8).cpu().numpy()
