"""Import of released checkpoints, with random-weight state dicts in the official key layout
(scaled-down widths) written to a temporary folder."""

import numpy as np
import pytest
import torch

from signspark.flow.config import UNetConfig
from signspark.flow.official import (
    OfficialCheckpointError, config_from_state_dict, find_official_checkpoints, load_official,
    velocity_from_state_dict,
)
from signspark.flow.unet import VelocityUNet



def _random_unet(stream: str, seed: int) -> VelocityUNet:
    torch.manual_seed(seed)
    model = VelocityUNet(UNetConfig.preset("tiny", stream=stream, heads=4))  # head width 16
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.05)
    return model


@pytest.fixture(scope="module")
def official_folder(tmp_path_factory, tiny_mclip):
    """``<root>/{hand,body,face}/ema_0.9999_<iter>.pt`` with UNet + M-CLIP weights and a stale position_ids."""
    tiny = tiny_mclip
    root = tmp_path_factory.mktemp("official")
    mclip = tiny.build_tiny_mclip(root / "mclip")
    text = {k: v for k, v in tiny.tiny_official_state_dict(mclip).items() if k.startswith("text_enc_model.")}
    models = {}
    for i, stream in enumerate(["hand", "body", "face"]):
        models[stream] = _random_unet(stream, i)
        (root / stream).mkdir()
        torch.save({**models[stream].state_dict(), **text}, root / stream / "ema_0.9999_200.pt")
    torch.save({}, root / "hand" / "ema_0.9999_100.pt")  # an older iteration is skipped
    return root, mclip, models


def test_find_checkpoints_picks_the_latest(official_folder, tmp_path):
    root, _, _ = official_folder
    found = find_official_checkpoints(root)
    assert {s: p.name for s, p in found.items()} == {s: "ema_0.9999_200.pt" for s in ("hand", "body", "face")}
    with pytest.raises(OfficialCheckpointError, match="no official checkpoints"):
        find_official_checkpoints(tmp_path)


def test_load_official_streams_and_shared_text_encoder(official_folder):
    root, mclip, models = official_folder
    bundle = load_official(root, device="cpu", tokenizer=str(mclip), head_dim=16)
    assert set(bundle.models) == {"hand", "body", "face"} and bundle.steps["hand"] == 200
    for stream, model in bundle.models.items():
        ref = models[stream].state_dict()
        got = model.state_dict()
        assert got.keys() == ref.keys()
        assert all(torch.equal(got[k], ref[k]) for k in ref)
        assert model.config.heads == 4 and model.config.in_channels == ref["unet.final_conv.1.weight"].shape[0]
    emb = bundle.text_encoder.encode(["<ASL> hello", "<DGS> hallo"])
    assert emb.shape == (2, 640) and torch.isfinite(emb).all()
    x = torch.randn(1, 90, 16)
    with torch.no_grad():
        assert torch.allclose(bundle.models["hand"](x, torch.tensor([0.5]), emb[:1]),
                              models["hand"](x, torch.tensor([0.5]), emb[:1]), atol=1e-6)


def test_pipeline_on_official_streams_runs_the_hand_model_on_both_hands(official_folder):
    from signspark.flow.samplers import GuidedField
    from signspark.pipeline import Keyframes, SignSparK

    root, mclip, _ = official_folder
    bundle = load_official(root, device="cpu", tokenizer=str(mclip), head_dim=16)
    calls = []
    hand = bundle.models["hand"]
    original = hand.forward

    def spy(x, t, text_emb=None, **kw):
        calls.append(x.shape)
        return original(x, t, text_emb, **kw)

    hand.forward = spy
    pipe = SignSparK(bundle.models, bundle.text_encoder)
    seq = pipe("hello", "ASL", num_frames=18, steps=3, guidance=2.0, seed=0).pose
    assert calls and all(s == (4, 90, 20) for s in calls)  # (L, R) x (cond, uncond), 18 frames padded to 20
    assert seq.num_frames == 18
    assert not np.allclose(seq.params["left_hand_pose"], 0) and not np.allclose(seq.params["right_hand_pose"], 0)

    # keyframes in the full layout are held in every stream, the left hand through the flip
    rng = np.random.default_rng(0)
    params = {k: np.resize(v, (20, v.shape[1])) for k, v in seq.params.items()}
    params["left_hand_pose"] = rng.normal(0, 0.3, (20, 45)).astype(np.float32)
    params["right_hand_pose"] = rng.normal(0, 0.3, (20, 45)).astype(np.float32)
    from signspark.pose.sequence import PoseSequence

    src = PoseSequence.from_params(params, keyframes=[0, 10, 19])
    out = pipe.keyframes_to_pose(src, text="", steps=2, seed=1)
    kf = Keyframes.from_pose_sequence(src)
    assert np.allclose(out.features[[0, 10, 19]], kf.features[[0, 10, 19]])
    for key in ("left_hand_pose", "right_hand_pose", "jaw_pose"):
        assert np.allclose(out.pose.params[key][[0, 10, 19]], src.params[key][[0, 10, 19]], atol=1e-4), key


def test_mismatched_state_dict_is_refused():
    model = _random_unet("face", 0)
    sd = model.state_dict()
    sd["unet.proj_out.weight"] = torch.zeros(3, 3, 1)
    with pytest.raises(OfficialCheckpointError, match="wrong shapes"):
        velocity_from_state_dict(sd, model.config)
    del sd["unet.proj_out.weight"]
    with pytest.raises(OfficialCheckpointError, match="missing"):
        velocity_from_state_dict(sd, model.config)


def test_config_inferred_from_official_shapes_on_meta():
    with torch.device("meta"):
        sd = VelocityUNet(UNetConfig.preset("official", stream="hand")).state_dict()
    cfg = config_from_state_dict(sd)
    assert cfg == UNetConfig.preset("official", stream="hand")
