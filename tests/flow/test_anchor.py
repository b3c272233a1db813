"""The keyframe path and the keyframe-anchored data prediction."""

import pytest
import torch

from signspark.flow import UNetConfig, VelocityUNet
from signspark.flow.anchor import keyframe_path
from signspark.flow.samplers import GuidedField, sample


def test_path_is_linear_between_keyframes_and_held_outside():
    x = torch.tensor([[[7.0, 1.0, 7.0, 7.0, 4.0, 7.0, 7.0]]])
    m = torch.tensor([[[False, True, False, False, True, False, False]]])
    assert keyframe_path(x, m).tolist() == [[[1.0, 1.0, 2.0, 3.0, 4.0, 4.0, 4.0]]]


def test_channels_are_joined_separately_and_unobserved_ones_are_zero():
    x = torch.arange(2 * 3 * 5, dtype=torch.float32).view(2, 3, 5)
    m = torch.zeros(2, 3, 5, dtype=torch.bool)
    m[0, 0, 0] = m[0, 0, 4] = True  # 0 ... 4
    m[0, 1, 2] = True               # one keyframe: held everywhere
    m[1, 2, :] = True               # every frame observed: the path is the data
    path = keyframe_path(x, m)
    assert path[0, 0].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert path[0, 1].tolist() == [7.0] * 5
    assert path[0, 2].tolist() == [0.0] * 5 and path[1, :2].abs().sum() == 0
    assert torch.equal(path[1, 2], x[1, 2])


def _anchored_tiny():
    cfg = UNetConfig.preset("tiny", stream="hand", prediction="data", anchor="keyframes")
    return VelocityUNet(cfg).eval()


def test_an_untrained_anchored_model_samples_the_straight_path():
    """The last layer starts at zero, so the predicted pose is the keyframe path itself."""
    model = _anchored_tiny()
    T = 16
    kf = torch.randn(1, 90, T)
    mask = torch.zeros(1, 90, T, dtype=torch.bool)
    mask[..., [2, 9, 13]] = True
    field = GuidedField(model, torch.zeros(1, 640), obs_x0=kf, obs_mask=mask)
    out = sample(field, (1, 90, T), steps=4, generator=torch.Generator().manual_seed(0)).x
    assert torch.allclose(out, keyframe_path(kf, mask), atol=1e-5)
    # the same network without the anchor returns the mean pose (zeros) between keyframes instead
    plain = VelocityUNet(UNetConfig.preset("tiny", stream="hand", prediction="data"))
    plain.load_state_dict(model.state_dict())
    field = GuidedField(plain.eval(), torch.zeros(1, 640), obs_x0=kf, obs_mask=mask)
    out = sample(field, (1, 90, T), steps=4, generator=torch.Generator().manual_seed(0)).x
    assert out[..., 5].abs().max() < 1e-5


def test_with_ends_the_path_rises_from_rest_and_returns_to_it():
    x = torch.tensor([[[7.0, 7.0, 4.0, 7.0, 6.0, 7.0, 7.0, 7.0]], [[7.0, 7.0, 4.0, 7.0, 6.0, 7.0, 7.0, 7.0]]])
    m = torch.zeros(2, 1, 8, dtype=torch.bool)
    m[:, :, [2, 4]] = True
    m[1, :, 0] = True  # a keyframe on the first frame stays a keyframe
    length = torch.ones(2, 1, 8, dtype=torch.bool)
    length[0, :, 6:] = False  # 6 real frames: the last real one is frame 5
    path = keyframe_path(x, m, ends=torch.tensor([1.0]), length_mask=length)
    assert path[0, 0].tolist() == [1.0, 2.5, 4.0, 5.0, 6.0, 1.0, 1.0, 1.0]
    assert path[1, 0].tolist() == pytest.approx([7.0, 5.5, 4.0, 5.0, 6.0, 6 - 5 / 3, 6 - 10 / 3, 1.0])
    # no keyframes at all: rest throughout
    assert keyframe_path(x, torch.zeros_like(m), ends=torch.tensor([2.0])).unique().tolist() == [2.0]


def test_a_rest_anchored_model_starts_and_ends_at_its_rest_pose():
    cfg = UNetConfig.preset("tiny", stream="hand", prediction="data", anchor="keyframes+rest")
    model = VelocityUNet(cfg).eval()
    assert "rest_anchor" in model.state_dict()
    model.rest_anchor.fill_(0.5)
    T = 16
    kf = torch.randn(1, 90, T)
    mask = torch.zeros(1, 90, T, dtype=torch.bool)
    mask[..., [4, 9]] = True
    length = torch.zeros(1, 1, T, dtype=torch.bool)
    length[..., :14] = True
    field = GuidedField(model, torch.zeros(1, 640), obs_x0=kf, obs_mask=mask, length_mask=length)
    out = sample(field, (1, 90, T), steps=4, generator=torch.Generator().manual_seed(0)).x
    assert torch.allclose(out[..., 0], torch.full((1, 90), 0.5), atol=1e-5)
    assert torch.allclose(out[..., 13], torch.full((1, 90), 0.5), atol=1e-5)
    assert torch.allclose(out[..., 2], 0.5 + (kf[..., 4] - 0.5) / 2, atol=1e-5)
    assert torch.equal(out[mask], kf[mask])
    with pytest.raises(RuntimeError, match="rest_anchor"):  # not loadable into a model without the buffer
        _anchored_tiny().load_state_dict(model.state_dict())


def test_anchor_is_validated():
    with pytest.raises(ValueError, match="anchor"):
        UNetConfig.preset("tiny", stream="hand", prediction="data", anchor="lines")
    with pytest.raises(ValueError, match="prediction='data'"):
        UNetConfig.preset("tiny", stream="hand", anchor="keyframes+rest")
    with pytest.raises(ValueError, match="prediction='data'"):
        UNetConfig.preset("tiny", stream="hand", anchor="keyframes")


def test_smoothing_keeps_keyframes_and_removes_jitter():
    from signspark.flow.anchor import smooth_between_keyframes

    g = torch.Generator().manual_seed(0)
    T = 60
    t = torch.linspace(0, 1, T)
    clean = torch.sin(2 * torch.pi * t).expand(1, 3, T).clone()
    noisy = clean + 0.05 * torch.randn(1, 3, T, generator=g)
    mask = torch.zeros(1, 3, T, dtype=torch.bool)
    mask[..., [0, 20, 41, 59]] = True
    out = smooth_between_keyframes(noisy, mask, sigma=1.5)
    assert torch.equal(out[mask], noisy[mask])
    jerk = lambda x: x.diff(n=2, dim=-1).abs().mean()
    assert jerk(out) < 0.3 * jerk(noisy)
    assert (out - clean).abs().mean() < (noisy - clean).abs().mean()
    assert torch.equal(smooth_between_keyframes(noisy, mask, 0.0), noisy)


@pytest.mark.parametrize("bad", [float("nan"), -1.0, 11.0, None, "2", True])
def test_the_pipeline_refuses_a_bad_smoothing_setting(bad):
    from signspark.pipeline import SignSparK

    with pytest.raises(ValueError, match="smoothing"):
        SignSparK({"full": VelocityUNet(UNetConfig.preset("tiny"))}, None, smoothing=bad)
