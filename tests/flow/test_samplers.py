"""Samplers: keyframes held exactly, determinism, evaluation counts, batched guidance."""

import pytest
import torch

from signspark.flow.config import UNetConfig
from signspark.flow.samplers import GuidedField, expected_nfe, sample
from signspark.flow.unet import VelocityUNet


class Recorder(torch.nn.Module):
    """Wraps a model and records every call's batch size and times."""

    def __init__(self, model):
        super().__init__()
        self.model = model
        self.calls = []

    def forward(self, x, t, text_emb=None, **kw):
        self.calls.append((x.shape[0], t.tolist()))
        return self.model(x, t, text_emb, **kw)


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    m = VelocityUNet(UNetConfig.preset("tiny", stream="body"))
    with torch.no_grad():
        for p in m.parameters():
            if p.abs().sum() == 0:
                p.normal_(0, 0.05)
    return m.eval()


def _keyframes(B=2, J=60, T=16):
    g = torch.Generator().manual_seed(5)
    obs = torch.randn(B, J, T, generator=g)
    mask = torch.zeros(B, J, T, dtype=torch.bool)
    mask[:, :, [0, 5, 15]] = True
    mask[1, :30, 9] = True  # a partial keyframe
    return obs, mask


@pytest.mark.parametrize("sampler", ["euler", "heun", "midpoint"])
@pytest.mark.parametrize("guidance", [None, 2.5])
def test_keyframes_exact_and_nfe_counted(model, sampler, guidance):
    obs, mask = _keyframes()
    rec = Recorder(model)
    field = GuidedField(rec, torch.randn(2, 640), guidance=guidance, obs_x0=obs, obs_mask=mask)
    out = sample(field, (2, 60, 16), steps=4, sampler=sampler, generator=torch.Generator().manual_seed(0))
    assert torch.equal(out.x[mask], obs[mask])
    assert out.nfe == len(rec.calls) == expected_nfe(sampler, 4)
    assert {b for b, _ in rec.calls} == {4 if guidance else 2}  # guidance: one batched forward of 2B
    assert not torch.allclose(out.x[~mask], obs[~mask])


def test_euler_evaluates_at_k_over_n(model):
    rec = Recorder(model)
    sample(GuidedField(rec, torch.zeros(1, 640)), (1, 60, 8), steps=5, sampler="euler",
           generator=torch.Generator().manual_seed(0))
    assert [round(ts[0], 6) for _, ts in rec.calls] == [0.0, 0.2, 0.4, 0.6, 0.8]


def test_heun_grid_matches_released_semantics(model):
    rec = Recorder(model)
    sample(GuidedField(rec, torch.zeros(1, 640)), (1, 60, 8), steps=3, sampler="heun",
           generator=torch.Generator().manual_seed(0))
    times = [round(ts[0], 6) for _, ts in rec.calls]
    assert times == [0.0, round(1 / 3, 6), round(1 / 3, 6), round(2 / 3, 6), round(2 / 3, 6)]


def test_same_seed_same_output_different_seed_differs(model):
    text = torch.randn(1, 640)

    def run(seed):
        return sample(GuidedField(model, text, guidance=2.0), (1, 60, 16), steps=3,
                      generator=torch.Generator().manual_seed(seed)).x

    assert torch.equal(run(7), run(7))
    assert not torch.allclose(run(7), run(8))


def test_guidance_combines_conditional_and_unconditional():
    class Linear(torch.nn.Module):
        def forward(self, x, t, text_emb=None, **kw):
            return x * 0 + text_emb[:, :1, None] + 1.0  # c = text[0] + 1, u = 1

    text = torch.full((1, 640), 2.0)
    field = GuidedField(Linear(), text, guidance=3.0)
    v = field(torch.zeros(1, 4, 8), 0.0)
    assert torch.allclose(v, torch.full_like(v, 1.0 + 3.0 * 2.0))
    assert GuidedField(Linear(), text, guidance=1.0).guidance is None  # s = 1 is the conditional pass alone


def test_guidance_in_two_passes_gives_the_batched_result(model):
    """``batched_guidance=False``: two forwards of B (conditional, then unconditional) per evaluation,
    the same velocities as one forward of 2B."""
    obs, mask = _keyframes()
    text = torch.randn(2, 640)
    runs = {}
    for batched in (True, False):
        rec = Recorder(model)
        field = GuidedField(rec, text, guidance=2.5, obs_x0=obs, obs_mask=mask, batched_guidance=batched)
        runs[batched] = sample(field, (2, 60, 16), steps=3, generator=torch.Generator().manual_seed(0))
        assert [b for b, _ in rec.calls] == ([4] * 3 if batched else [2] * 6)
        assert runs[batched].nfe == 3  # one evaluation, whether one forward or two
    torch.testing.assert_close(runs[False].x, runs[True].x, atol=1e-5, rtol=1e-5)
    unguided = sample(GuidedField(model, text, obs_x0=obs, obs_mask=mask), (2, 60, 16), steps=3,
                      generator=torch.Generator().manual_seed(0)).x
    assert not torch.allclose(unguided, runs[False].x, atol=1e-3)


def test_euler_is_exact_for_a_constant_field():
    class Const(torch.nn.Module):
        def forward(self, x, t, text_emb=None, **kw):
            return torch.ones_like(x)

    noise = torch.zeros(1, 2, 4)
    out = sample(GuidedField(Const(), torch.zeros(1, 640)), (1, 2, 4), steps=7, noise=noise)
    assert torch.allclose(out.x, torch.ones(1, 2, 4))


def test_bad_arguments(model):
    field = GuidedField(model, torch.zeros(1, 640))
    with pytest.raises(ValueError, match="unknown sampler"):
        sample(field, (1, 60, 8), sampler="rk45")
    with pytest.raises(ValueError, match="steps must be"):
        sample(field, (1, 60, 8), steps=0)
