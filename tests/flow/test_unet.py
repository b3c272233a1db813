"""The UNet velocity model: official key layout, parameter counts, and layer behaviour."""

from pathlib import Path

import pytest
import torch

from signspark.flow.blocks import RMSNorm, ResidualTemporalBlock, apply_rope, rope_cos_sin, timestep_sinusoid
from signspark.flow.config import UNetConfig
from signspark.flow.unet import VelocityUNet, count_parameters

DATA = Path(__file__).resolve().parent / "data"  # key lists of the released models (built with random weights)


def _spec_file(stream: str) -> Path:
    return DATA / f"official_state_dict_{stream}.txt"


def _read_layout(stream: str) -> list[tuple[str, tuple[int, ...], str]]:
    rows = []
    for line in _spec_file(stream).read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        key, shape, dtype = line.split("\t")
        rows.append((key, tuple(int(s) for s in shape.strip("()").split(",") if s.strip()), dtype))
    return rows


def _layout(sd, prefix=""):
    return [(prefix + k, tuple(v.shape), str(v.dtype).removeprefix("torch.")) for k, v in sd.items()]


@pytest.mark.parametrize("stream", ["hand", "full"])
def test_official_config_matches_released_state_dict(stream):
    ref = _read_layout(stream)
    with torch.device("meta"):
        model = VelocityUNet(UNetConfig.preset("official", stream=stream))
    ref_unet = [r for r in ref if not r[0].startswith("text_enc_model.")]
    assert _layout(model.state_dict()) == ref_unet  # same keys, same order, same shapes and dtypes


def test_official_layout_with_text_encoder_has_all_859_keys():
    from signspark.flow.official import official_text_encoder_skeleton

    ref = _read_layout("hand")
    with torch.device("meta"):
        model = VelocityUNet(UNetConfig.preset("official", stream="hand"))
        text = official_text_encoder_skeleton()
    mine = _layout(model.state_dict()) + _layout(text.state_dict(), "text_enc_model.")
    mine = [r for r in mine if not r[0].endswith("position_ids")]
    assert len(mine) == len(ref) == 859
    assert sorted(mine) == sorted(ref)


@pytest.mark.parametrize("stream,count", [("hand", 834_782_810), ("full", 836_786_984),
                                          ("body", 834_490_940), ("face", 834_452_024)])
def test_official_parameter_counts(stream, count):
    with torch.device("meta"):
        model = VelocityUNet(UNetConfig.preset("official", stream=stream))
    assert count_parameters(model) == count


def test_small_config_is_small_and_keeps_text_width():
    cfg = UNetConfig.preset("small", stream="full")
    with torch.device("meta"):
        model = VelocityUNet(cfg)
    assert count_parameters(model) <= 20_000_000
    assert cfg.text_dim == 640 and model.embed_text.in_features == 640


def test_config_round_trip_and_errors():
    cfg = UNetConfig.preset("tiny", stream="face")
    assert UNetConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(ValueError, match="unknown UNet preset"):
        UNetConfig.preset("huge")
    with pytest.raises(ValueError, match="unknown stream"):
        UNetConfig.preset("tiny", stream="legs")
    with pytest.raises(ValueError, match="unknown UNet config fields"):
        UNetConfig.from_dict({"widths": 3})


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    model = VelocityUNet(UNetConfig.preset("tiny", stream="hand"))
    # Give the zero-initialised layers weights so the output depends on every input.
    with torch.no_grad():
        for p in model.parameters():
            if p.abs().sum() == 0:
                p.normal_(0, 0.05)
    return model.eval()


def test_forward_shape_and_frame_multiple(tiny):
    x = torch.randn(2, 90, 16)
    v = tiny(x, torch.rand(2), torch.randn(2, 640))
    assert v.shape == x.shape
    with pytest.raises(ValueError, match="multiple of 4"):
        tiny(torch.randn(1, 90, 18), torch.rand(1))
    with pytest.raises(ValueError, match="expected 90 channels"):
        tiny(torch.randn(1, 60, 16), torch.rand(1))


def test_keyframes_are_substituted_before_the_network(tiny):
    x = torch.randn(1, 90, 16)
    obs = torch.randn(1, 90, 16)
    mask = torch.zeros(1, 90, 16, dtype=torch.bool)
    mask[..., [0, 7]] = True
    other = x.clone()
    other[mask] = 123.0  # what x holds at keyframes must not matter
    with torch.no_grad():
        a = tiny(x, torch.tensor([0.3]), None, obs_x0=obs, obs_mask=mask)
        b = tiny(other, torch.tensor([0.3]), None, obs_x0=obs, obs_mask=mask)
        c = tiny(x, torch.tensor([0.3]), None)
    assert torch.allclose(a, b)
    assert not torch.allclose(a, c)


def test_text_and_time_condition_the_output(tiny):
    x = torch.randn(1, 90, 16)
    with torch.no_grad():
        base = tiny(x, torch.tensor([0.5]), torch.zeros(1, 640))
        none = tiny(x, torch.tensor([0.5]), None)
        text = tiny(x, torch.tensor([0.5]), torch.randn(1, 640))
        later = tiny(x, torch.tensor([0.6]), torch.zeros(1, 640))
    assert torch.equal(base, none)  # no text == zero text vector
    assert not torch.allclose(base, text)
    assert not torch.allclose(base, later)


def test_zero_initialised_model_predicts_zero_velocity():
    model = VelocityUNet(UNetConfig.preset("tiny", stream="body"))
    v = model(torch.randn(2, 60, 8), torch.rand(2), torch.randn(2, 640))
    assert torch.count_nonzero(v) == 0


def test_residual_block_starts_as_its_residual():
    block = ResidualTemporalBlock(8, 8, cond_dim=4)
    x = torch.randn(2, 8, 10)
    assert torch.allclose(block(x, torch.randn(2, 4)), x)


def test_rmsnorm_epsilon_is_outside_the_root():
    norm = RMSNorm(2, eps=1e-6)
    x = torch.tensor([[1e-6, 0.0]])
    rms = (1e-12 / 2) ** 0.5
    expected = 1e-6 / (rms + 1e-6)  # 0.586..., whereas eps inside the root would give ~1e-3
    assert norm(x)[0, 0].item() == pytest.approx(expected, rel=1e-4)


def test_timestep_sinusoid_is_cos_then_sin_of_unscaled_t():
    t = torch.tensor([0.25, 1.0])
    emb = timestep_sinusoid(t, 4)
    freqs = torch.exp(-torch.log(torch.tensor(1e4)) * torch.arange(4) / 4)
    assert torch.allclose(emb[:, :4], torch.cos(t[:, None] * freqs))
    assert torch.allclose(emb[:, 4:], torch.sin(t[:, None] * freqs))


def test_rope_scores_depend_only_on_relative_position():
    torch.manual_seed(1)
    D, T = 8, 12
    cos, sin = rope_cos_sin(T, D)
    q = torch.randn(D).expand(1, 1, T, D)
    k = torch.randn(D).expand(1, 1, T, D)
    qr, kr = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
    s = (qr[0, 0] @ kr[0, 0].T)
    assert torch.allclose(s[2, 5], s[6, 9], atol=1e-5)
    assert torch.allclose(s[0, 0], (q[0, 0, 0] * k[0, 0, 0]).sum(), atol=1e-5)  # position 0 is unrotated
    # interleaved pairs: position 1 rotates (x0, x1) by 1 radian
    x = torch.zeros(1, 1, T, D)
    x[..., 0] = 1.0
    r = apply_rope(x, cos, sin)
    assert torch.allclose(r[0, 0, 1, :2], torch.tensor([torch.cos(torch.tensor(1.0)), torch.sin(torch.tensor(1.0))]))


def test_adaln_channels_first_equals_frame_first():
    from signspark.flow.blocks import AdaLNZero

    torch.manual_seed(0)
    ada = AdaLNZero(6, 4)
    torch.nn.init.normal_(ada.proj.weight)
    x, c = torch.randn(2, 6, 9), torch.randn(2, 4)
    assert torch.allclose(ada.forward_channels_first(x, c), ada(x.transpose(1, 2), c).transpose(1, 2), atol=1e-6)


def test_data_prediction_turns_the_predicted_pose_into_a_velocity(tiny):
    data = VelocityUNet(UNetConfig.from_dict({**tiny.config.to_dict(), "prediction": "data"}))
    data.load_state_dict(tiny.state_dict())
    data.eval()
    x = torch.randn(2, 90, 16)
    obs = torch.randn(2, 90, 16)
    mask = torch.zeros(2, 90, 16, dtype=torch.bool)
    mask[..., 3] = True
    t = torch.tensor([0.25, 0.999])
    with torch.no_grad():
        x1_hat = tiny(x, t, None, obs_x0=obs, obs_mask=mask)  # same network: its raw output is the pose
        v = data(x, t, None, obs_x0=obs, obs_mask=mask)
    x_sub = torch.where(mask, obs, x)
    one_minus_t = torch.tensor([0.75, 0.02]).view(2, 1, 1)  # 1 - 0.999 is clamped at min_one_minus_t
    assert torch.allclose(v, (x1_hat - x_sub) / one_minus_t, atol=1e-5)
    # an Euler step of size (1 - t) lands exactly on the predicted pose
    assert torch.allclose(x_sub[:1] + 0.75 * v[:1], x1_hat[:1], atol=1e-5)


def test_prediction_setting_is_validated():
    with pytest.raises(ValueError, match="prediction"):
        UNetConfig.preset("tiny", stream="hand", prediction="noise")
