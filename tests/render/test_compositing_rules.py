"""The PyTorch rasterizer against a per-pixel compositor written the plain way, under both rules."""

import math

import numpy as np
import pytest
import torch

from signspark.render.backends.torch_backend import TorchSplatBackend, rasterize_torch
from signspark.render.gaussians import Projected


def _scene(n=40, width=23, height=19, seed=0) -> Projected:
    g = torch.Generator().manual_seed(seed)
    u = torch.rand(n, generator=g) * (width + 8) - 4  # some centres off screen
    v = torch.rand(n, generator=g) * (height + 8) - 4
    a = 0.3 + 6 * torch.rand(n, generator=g)
    c = 0.3 + 6 * torch.rand(n, generator=g)
    b = (torch.rand(n, generator=g) * 1.6 - 0.8) * torch.sqrt(a * c)
    det = a * c - b * b
    opac = torch.rand(n, generator=g) * 0.999 + 0.001
    opac[:8] = 1.0  # opaque ones
    return Projected(means2d=torch.stack([u, v], -1), cov2d=torch.stack([a, b, c], -1),
                     conics=torch.stack([c / det, -b / det, a / det], -1), depths=torch.rand(n, generator=g) + 1,
                     colors=torch.rand(n, 3, generator=g), opacities=opac, index=torch.arange(n))


def _per_pixel(p: Projected, width: int, height: int, background, rule: str) -> np.ndarray:
    """Each pixel centre visits the Gaussians front to back (float64)."""
    order = np.argsort(p.depths.numpy(), kind="stable")
    img = np.zeros((height, width, 3))
    for y in range(height):
        for x in range(width):
            T, col = 1.0, np.zeros(3)
            for i in order:
                d = np.array([p.means2d[i, 0] - (x + 0.5), p.means2d[i, 1] - (y + 0.5)], np.float64)
                A, B, C = p.conics[i].double().numpy()
                q = A * d[0] ** 2 + 2 * B * d[0] * d[1] + C * d[1] ** 2
                if rule == "2.5-sigma" and q > 2.5 ** 2:
                    continue
                alpha = min(0.99 if rule == "2.5-sigma" else 0.999, float(p.opacities[i]) * math.exp(-0.5 * q))
                if alpha < 1 / 255:
                    continue
                if rule == "3dgs" and T * (1 - alpha) <= 1e-4:
                    break
                col += p.colors[i].double().numpy() * alpha * T
                T *= 1 - alpha
            img[y, x] = col + T * np.asarray(background, np.float64)
    return img


@pytest.mark.parametrize("rule", ["2.5-sigma", "3dgs"])
@pytest.mark.parametrize("tile", [4, 8])
def test_the_rasterizer_composites_like_a_per_pixel_loop(rule, tile):
    p = _scene()
    bg = (0.2, 0.9, 0.4)
    got = rasterize_torch(p, 23, 19, bg, tile=tile, chunk_pairs=50, rule=rule).double().numpy()
    want = _per_pixel(p, 23, 19, bg, rule)
    assert np.abs(got - want).max() < 1e-3  # float32; a pixel on the 1e-4 stopping edge may go either way


def test_the_3dgs_rule_ends_a_pixel_before_the_gaussian_that_would_take_it_to_1e_4():
    """A 0.98-opaque red Gaussian over an opaque green one, both centred on pixel (3, 3): after the red
    one 2% of the light is left; the green one (alpha 0.999) would leave 2e-5, so it is left out."""
    cov = torch.tensor([[9.0, 0.0, 9.0]] * 2)
    p = Projected(means2d=torch.tensor([[3.5, 3.5]] * 2), cov2d=cov, conics=torch.tensor([[1 / 9, 0.0, 1 / 9]] * 2),
                  depths=torch.tensor([1.0, 2.0]), colors=torch.tensor([[1.0, 0, 0], [0, 1.0, 0]]),
                  opacities=torch.tensor([0.98, 1.0]), index=torch.arange(2))
    bg = torch.tensor([0.0, 0.0, 1.0])
    centre = rasterize_torch(p, 8, 8, bg, rule="3dgs")[3, 3]
    torch.testing.assert_close(centre, torch.tensor([0.98, 0.0, 0.02]), atol=1e-5, rtol=0)
    centre = rasterize_torch(p, 8, 8, bg)[3, 3]  # the default rule: alpha 0.99 at most, and no stop
    torch.testing.assert_close(centre, torch.tensor([0.98, 0.02 * 0.99, 0.02 * 0.01]), atol=1e-5, rtol=0)


def test_the_rules_differ_at_footprint_rims_only():
    p = _scene(seed=3)
    a = rasterize_torch(p, 23, 19, (1, 1, 1), rule="2.5-sigma")
    b = rasterize_torch(p, 23, 19, (1, 1, 1), rule="3dgs")
    assert 0 < (a - b).abs().max() < 0.2  # beyond 2.5 sigma alpha is under 0.044 x opacity


def test_an_unknown_rule_is_refused():
    with pytest.raises(ValueError, match="compositing rule"):
        rasterize_torch(_scene(), 8, 8, (1, 1, 1), rule="2sigma")
    with pytest.raises(ValueError, match="compositing rule"):
        TorchSplatBackend(rule="gsplat")
