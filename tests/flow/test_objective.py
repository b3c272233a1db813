"""The flow-matching objective: weights, masking, keyframe replacement, dropout."""

import pytest
import torch

from signspark.flow.config import UNetConfig
from signspark.flow.objective import FlowObjective, LossWeights, masked_mse
from signspark.flow.unet import VelocityUNet


class Spy(torch.nn.Module):
    """Returns a fixed velocity and records what it was given."""

    def __init__(self, value=0.0):
        super().__init__()
        self.value = value
        self.seen = {}

    def forward(self, x, t, text_emb, obs_x0=None, obs_mask=None, length_mask=None):
        self.seen = dict(x=x, t=t, text=text_emb, obs_x0=obs_x0, obs_mask=obs_mask)
        return torch.full_like(x, self.value)


def _batch(B=4, J=6, T=12):
    g = torch.Generator().manual_seed(0)
    x1 = torch.randn(B, J, T, generator=g)
    lengths = torch.tensor([12, 8, 5, 12])[:B]
    mask = (torch.arange(T)[None] < lengths[:, None])[:, None]
    obs = torch.zeros(B, J, T, dtype=torch.bool)
    obs[:, :, [0, 4]] = True
    return x1, torch.randn(B, 640, generator=g), obs, mask


def test_total_is_weighted_sum_and_time_range():
    x1, text, obs, mask = _batch()
    obj = FlowObjective(text_drop_prob=0.0, keyframe_drop_prob=0.0)
    out = obj(Spy(0.3), x1, text, obs, mask, generator=torch.Generator().manual_seed(1))
    w = LossWeights()
    assert (w.flow, w.recon, w.vel, w.acc) == (0.5, 1.0, 0.5, 0.1)
    # recompute per sample then average
    spy = Spy(0.3)
    out2 = FlowObjective(text_drop_prob=0.0, keyframe_drop_prob=0.0)(spy, x1, text, obs, mask,
                                                                     generator=torch.Generator().manual_seed(1))
    t = spy.seen["t"]
    assert ((t >= 1e-3) & (t < 1)).all()
    assert torch.allclose(out["loss"], out2["loss"])
    assert out["loss"] > 0 and torch.isfinite(out["loss"])


def test_interpolant_holds_keyframes_and_target_is_zero_there():
    x1, text, obs, mask = _batch()
    spy = Spy(0.0)
    FlowObjective(text_drop_prob=0.0, keyframe_drop_prob=0.0)(spy, x1, text, obs, mask,
                                                              generator=torch.Generator().manual_seed(2))
    xt = spy.seen["x"]
    assert torch.equal(xt[obs], x1[obs])
    assert torch.equal(spy.seen["obs_x0"], x1)
    # a model predicting the true target everywhere has zero flow loss; the target is zero at keyframes
    t = spy.seen["t"][:, None, None]
    x0 = (xt - t * x1) / (1 - t)

    class Oracle(torch.nn.Module):
        def forward(self, x, t, *a, **k):
            return torch.where(obs, torch.zeros_like(x1), x1 - x0)

    out = FlowObjective(text_drop_prob=0.0, keyframe_drop_prob=0.0)(
        Oracle(), x1, text, obs, mask, generator=torch.Generator().manual_seed(2))
    assert out["flow"] < 1e-8 and out["recon"] < 1e-8


def test_padding_frames_do_not_count():
    x1, text, obs, mask = _batch()
    x1b = x1.clone()
    x1b[~mask.expand_as(x1b)] = 99.0
    obj = FlowObjective(text_drop_prob=0.0, keyframe_drop_prob=0.0)
    a = obj(Spy(0.1), x1, text, obs, mask, generator=torch.Generator().manual_seed(3))
    b = obj(Spy(0.1), x1b, text, obs, mask, generator=torch.Generator().manual_seed(3))
    for k in ("flow", "recon", "vel", "acc"):
        assert torch.allclose(a[k], b[k]), k


def test_masked_mse_counts_channels_and_valid_frames():
    a = torch.ones(1, 3, 4)
    b = torch.zeros(1, 3, 4)
    m = torch.tensor([[[True, True, False, False]]])
    assert masked_mse(a, b, m).item() == pytest.approx(1.0)
    a[..., 2:] = 5.0  # padding: ignored
    assert masked_mse(a, b, m).item() == pytest.approx(1.0)


def test_text_and_keyframe_dropout():
    x1, text, obs, mask = _batch()
    spy = Spy()
    FlowObjective(text_drop_prob=1.0, keyframe_drop_prob=1.0)(spy, x1, text, obs, mask,
                                                              generator=torch.Generator().manual_seed(0))
    assert torch.count_nonzero(spy.seen["text"]) == 0
    assert not spy.seen["obs_mask"].any()
    spy = Spy()
    FlowObjective(text_drop_prob=0.0, keyframe_drop_prob=0.0)(spy, x1, text, obs, mask,
                                                              generator=torch.Generator().manual_seed(0))
    assert torch.equal(spy.seen["text"], text) and torch.equal(spy.seen["obs_mask"], obs)


def test_gradients_flow_into_every_parameter():
    torch.manual_seed(0)
    model = VelocityUNet(UNetConfig.preset("tiny", stream="face"))
    x1 = torch.randn(2, 56, 8)
    obs = torch.zeros(2, 56, 8, dtype=torch.bool)
    obs[..., 3] = True
    out = FlowObjective()(model, x1, torch.randn(2, 640), obs, torch.ones(2, 1, 8, dtype=torch.bool),
                          generator=torch.Generator().manual_seed(0))
    out["loss"].backward()
    assert all(p.grad is not None for p in model.parameters())
