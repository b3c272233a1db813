"""The text/keyframes -> PoseSequence pipeline and `signspark generate`."""

import copy
import json

import numpy as np
import pytest
import torch

from signspark.flow.config import UNetConfig
from signspark.flow.unet import VelocityUNet
from signspark.pipeline import Keyframes, KeyframeFileError, SignSparK
from signspark.pose.sequence import PoseSequence


@pytest.fixture(autouse=True)
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    from signspark.text.builtin import BuiltinTextEncoder
    from signspark.text.length import LengthModel

    torch.manual_seed(0)
    model = VelocityUNet(UNetConfig.preset("tiny", stream="full"))
    with torch.no_grad():
        for p in model.parameters():
            if p.abs().sum() == 0:
                p.normal_(0, 0.02)
    pipe = SignSparK({"full": model.eval()}, BuiltinTextEncoder(), LengthModel(), languages=["ASL", "DGS", "CSL"])
    return pipe.save_pretrained(tmp_path_factory.mktemp("models") / "gen")


@pytest.fixture(scope="module")
def pipe(model_dir):
    return SignSparK.from_pretrained(model_dir, device="cpu")


def test_text_to_pose_output(pipe):
    out = pipe.text_to_pose("hello, how are you?", "asl", steps=4, guidance=2.0, seed=3)
    assert isinstance(out.pose, PoseSequence) and out.pose.language == "ASL" and out.pose.text == "hello, how are you?"
    assert out.nfe == 4 and out.steps == 4 and out.guidance == 2.0 and out.seed == 3 and out.seconds > 0
    assert out.features.shape == (out.num_frames, 296) and np.isfinite(out.features).all()
    again = pipe("hello, how are you?", "ASL", steps=4, guidance=2.0, seed=3)
    assert np.array_equal(out.features, again.features)
    other = pipe("hello, how are you?", "ASL", steps=4, guidance=2.0, seed=4)
    assert not np.array_equal(out.features, other.features)


def test_one_text_encoding_per_request(pipe, monkeypatch):
    calls = []
    original = pipe.text_encoder.encode
    monkeypatch.setattr(pipe.text_encoder, "encode", lambda texts: calls.append(list(texts)) or original(texts))
    out = pipe("guten Morgen", "DGS", steps=6, sampler="midpoint", seed=0)
    assert calls == [["<DGS> guten Morgen"]] and out.nfe == 12


def test_length_options(pipe):
    assert pipe("hello", "ASL", num_frames=37, steps=1, seed=0).num_frames == 37
    slow = pipe("hello", "ASL", speed=0.5, steps=1, seed=0).num_frames
    fast = pipe("hello", "ASL", speed=2.0, steps=1, seed=0).num_frames
    assert slow > fast


@pytest.mark.parametrize("text,lang,match", [
    ("", "ASL", "empty"), ("   ", "ASL", "empty"), ("x" * 201, "ASL", "limit is 200"),
    ("hello", "BSL", "unknown sign language"), ("hello", "XYZ", "unknown sign language"),
])
def test_bad_requests(pipe, text, lang, match):
    with pytest.raises(ValueError, match=match):
        pipe(text, lang, steps=1)


def test_keyframes_npz_and_json(pipe, tmp_path):
    rng = np.random.default_rng(0)
    seq = PoseSequence.zeros(30, keyframes=[0, 12, 29])
    seq.params["right_hand_pose"][:] = rng.normal(0, 0.3, (30, 45))
    seq.params["body_pose"][:, 33:] = rng.normal(0, 0.3, (30, 30))
    seq.save(tmp_path / "kf.npz")
    out = pipe.keyframes_to_pose(tmp_path / "kf.npz", steps=3, seed=0)
    assert out.num_frames == 30 and out.pose.keyframes.tolist() == [0, 12, 29]
    for k in ("right_hand_pose", "body_pose"):
        assert np.allclose(out.pose.params[k][[0, 12, 29]], seq.params[k][[0, 12, 29]], atol=1e-4)

    feats = Keyframes.from_pose_sequence(seq).features
    doc = {"fps": 25, "num_frames": 16, "keyframes": [
        {"frame": 2, "features": feats[12].tolist()},
        {"frame": 9, "right_hand_pose": seq.params["right_hand_pose"][5].tolist()}]}
    (tmp_path / "kf.json").write_text(json.dumps(doc))
    out = pipe.keyframes_to_pose(tmp_path / "kf.json", text="hello", steps=2, seed=0)
    assert out.num_frames == 16 and np.allclose(out.features[2], feats[12], atol=1e-6)
    assert np.allclose(out.pose.params["right_hand_pose"][9], seq.params["right_hand_pose"][5], atol=1e-4)


def test_bad_keyframe_files(tmp_path):
    (tmp_path / "wide.json").write_text(json.dumps({"num_frames": 5, "keyframes": [{"frame": 1, "features": [0.0] * 10}]}))
    with pytest.raises(KeyframeFileError, match="296"):
        Keyframes.load(tmp_path / "wide.json")
    (tmp_path / "nan.json").write_text('{"num_frames": 5, "keyframes": [{"frame": 1, "body_pose": [NaN]}]}')
    with pytest.raises(KeyframeFileError, match="NaN"):
        Keyframes.load(tmp_path / "nan.json")
    (tmp_path / "late.json").write_text(json.dumps({"num_frames": 5, "keyframes": [{"frame": 7, "features": [0.0] * 296}]}))
    with pytest.raises(KeyframeFileError, match="outside"):
        Keyframes.load(tmp_path / "late.json")
    PoseSequence.zeros(4).save(tmp_path / "none.npz")
    with pytest.raises(KeyframeFileError, match="empty `keyframes`"):
        Keyframes.load(tmp_path / "none.npz")
    arrays = PoseSequence.zeros(4, keyframes=[1]).to_arrays()
    arrays["body_pose"][2, 5] = np.nan
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(KeyframeFileError, match="NaN"):
        Keyframes.load(tmp_path / "bad.npz")
    with pytest.raises(KeyframeFileError, match=".npz .PoseSequence. or .json"):
        (tmp_path / "kf.txt").write_text("0")
        Keyframes.load(tmp_path / "kf.txt")


def test_builtin_model_missing_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("SIGNSPARK_ASSETS", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="built-in generator is not installed"):
        SignSparK.from_pretrained(None, device="cpu")


def test_cli_generate(model_dir, tmp_path, capsys):
    from signspark.cli import main

    out = tmp_path / "hello.npz"
    rc = main(["generate", "hello", "--lang", "ASL", "-o", str(out), "--steps", "2", "--guidance", "1",
               "--seed", "5", "--frames", "21", "--sampler", "heun", "--model", str(model_dir)])
    assert rc == 0 and "3 model evaluations" in capsys.readouterr().out
    seq = PoseSequence.load(out)
    assert seq.num_frames == 21 and seq.text == "hello"
    assert main(["generate", "", "-o", str(out), "--model", str(model_dir)]) == 2
    assert "empty" in capsys.readouterr().err
    assert main(["generate", "hi", "--lang", "FSL", "-o", str(out), "--model", str(model_dir)]) == 2
    assert main(["generate", "hi", "-o", str(tmp_path / "x.json"), "--model", str(model_dir)]) == 2
    (tmp_path / "k.json").write_text("{")
    assert main(["generate", "hi", "--keyframes", str(tmp_path / "k.json"), "-o", str(out), "--model", str(model_dir)]) == 2
    assert "not valid JSON" in capsys.readouterr().err
    assert main(["generate", "hallo", "--lang", "DGS", "-o", str(out), "--motion", "lexicon", "--model",
                 str(model_dir)]) == 0
    assert "the lexicon's motion (no model evaluation)" in capsys.readouterr().out
    assert PoseSequence.load(out).gloss == "H A L L O"


def test_fingerspelling_retrieval_holds_lexicon_keyframes(pipe):
    from signspark.signs.fingerspelling import spell
    from signspark.pose.streams import params_to_full

    out = pipe("hallo", "DGS", steps=2, guidance=1.5, seed=5, retrieval=True)
    lex = spell("hallo", "DGS", seed=5)
    assert out.num_frames == lex.num_frames
    assert out.pose.segments.tolist() == lex.segments.tolist() and out.pose.gloss == lex.gloss
    # the take's keyframes and its first and last frame (at rest) are held
    held = np.union1d(lex.keyframes, [0, lex.num_frames - 1])
    assert out.pose.keyframes.tolist() == held.tolist() and len(lex.keyframes) >= len(lex.segments) == 5
    expected = params_to_full(lex.params).numpy()[held]
    assert np.allclose(out.features[held], expected, atol=1e-5)
    plain = pipe("hallo", "DGS", steps=2, seed=5, retrieval=False)
    assert len(plain.pose.segments) == 0


def test_a_model_whose_path_ends_at_rest_holds_only_the_takes_keyframes(tmp_path):
    """anchor="keyframes+rest": the model draws the rise from rest and the return itself, so generated
    retrieval T2P holds the take's keyframes only (not its first and last frame)."""
    from signspark.signs.fingerspelling import spell
    from signspark.text.builtin import BuiltinTextEncoder

    torch.manual_seed(0)
    cfg = UNetConfig.preset("tiny", stream="full", prediction="data", anchor="keyframes+rest")
    model = VelocityUNet(cfg).eval()
    model.rest_anchor.copy_(torch.linspace(-0.5, 0.5, cfg.in_channels))
    folder = SignSparK({"full": model}, BuiltinTextEncoder(), languages=["DGS"]).save_pretrained(tmp_path / "gen")
    pipe = SignSparK.from_pretrained(folder, device="cpu")
    assert torch.equal(pipe.models["full"].rest_anchor, model.rest_anchor)
    out = pipe("hallo", "DGS", steps=2, seed=5, retrieval=True, motion="generated")
    lex = spell("hallo", "DGS", seed=5)
    assert out.pose.keyframes.tolist() == lex.keyframes.tolist() and lex.keyframes[0] > 0
    # untrained, the model's pose is its path: the first frame (not a keyframe) is the rest anchor
    assert np.allclose(out.features[0, :60], model.rest_anchor[:60].numpy(), atol=1e-4)


def test_retrieval_setting_is_saved_with_the_model(tmp_path, pipe):
    pipe.retrieval = "fingerspelling"
    try:
        folder = pipe.save_pretrained(tmp_path / "gen")
    finally:
        pipe.retrieval = None
    again = SignSparK.from_pretrained(folder, device="cpu")
    assert again.retrieval == "fingerspelling"
    out = again("hi", "ASL", steps=1, seed=0)  # text-only request now takes lexicon keyframes
    assert len(out.pose.segments) == 2
    with pytest.raises(ValueError, match="retrieval source"):
        SignSparK(again.models, again.text_encoder, retrieval="dictionary")


def test_retime_moves_keyframes_and_keeps_their_poses():
    from signspark.signs.fingerspelling import spell
    from signspark.pipeline import retime

    lex = spell("abc", "ASL", seed=1)
    for n in (lex.num_frames // 2, lex.num_frames * 2):
        out = retime(lex, n)
        assert out.num_frames == n and out.keyframes.max() < n and out.segments.max() < n
        scale = (n - 1) / (lex.num_frames - 1)
        assert np.array_equal(out.keyframes, np.unique(np.round(lex.keyframes * scale).astype(int)))
        if n > lex.num_frames:  # no collisions when stretching: every keyframe pose arrives unchanged
            for old, new in zip(lex.keyframes, out.keyframes):
                assert np.array_equal(out.params["right_hand_pose"][new], lex.params["right_hand_pose"][old])


def test_fingerspelling_with_a_given_length(pipe):
    out = pipe("abc", "ASL", steps=1, seed=0, retrieval=True, num_frames=90)
    assert out.num_frames == 90 and len(out.pose.segments) == 3
    with pytest.raises(ValueError, match=r"frames must be an integer in \[1, 1024\], got 0"):
        pipe("abc", "ASL", steps=1, seed=0, retrieval=True, num_frames=0)


@pytest.mark.parametrize("kwargs,match", [
    (dict(speed=0.01), r"speed must be a number in \[0.25, 4\]"),
    (dict(guidance=float("nan")), "guidance must be"),
    (dict(guidance=-1e30), "guidance must be"),
    (dict(seed=-1), r"seed must be an integer in \[0, "),
    (dict(seed=2**80), "seed must be"),
    (dict(steps=0), "steps must be"),
])
def test_options_are_checked_before_any_work(pipe, kwargs, match):
    with pytest.raises(ValueError, match=match):
        pipe("abc", "ASL", **{"steps": 1, **kwargs})


def test_a_slow_long_text_is_refused_naming_the_speed(pipe):
    with pytest.raises(ValueError, match="speed"):
        pipe("abcdefghij " * 18, "ASL", steps=1, seed=0, retrieval=True, speed=0.25)


@pytest.mark.parametrize("change,match", [
    ({"fps": None}, "'fps' must be a number"),
    ({"fps": -1}, "'fps' must be a number"),
    ({"fps": "nan"}, "'fps' must be a number"),
    ({"keyframes": [{"frame": True, "features": [0.0] * 296}]}, "'frame' must be an integer"),
    ({"keyframes": [{"frame": 2, "features": [0.0] * 296}, {"frame": 2, "features": [0.0] * 296}]}, "given twice"),
])
def test_keyframe_json_is_validated(change, match):
    data = {"fps": 25, "num_frames": 10, "keyframes": [{"frame": 1, "features": [0.0] * 296}], **change}
    with pytest.raises(KeyframeFileError, match=match):
        Keyframes.from_json(data)


def test_lexicon_motion_is_the_take_itself(pipe, monkeypatch):
    from signspark.signs.fingerspelling import spell

    forwards = []
    model = pipe.models["full"]
    monkeypatch.setattr(model, "forward", lambda *a, **k: forwards.append(1) or type(model).forward(model, *a, **k))
    out = pipe("hallo", "DGS", seed=5, retrieval=True, motion="lexicon")
    lex = spell("hallo", "DGS", seed=5)
    assert forwards == [] and out.nfe == 0 and out.sampler == "lexicon"
    for key, value in lex.params.items():
        assert np.array_equal(out.pose.params[key], value), key
    assert out.pose.segments.tolist() == lex.segments.tolist() and out.labels == list("HALLO")
    assert out.pose.keyframes.tolist() == lex.keyframes.tolist() and out.segments_from == "lexicon"
    assert out.features.shape == (lex.num_frames, 296) and out.pose.text == "hallo"
    generated = pipe("hallo", "DGS", steps=2, seed=5, retrieval=True, motion="generated")
    assert generated.nfe == 2 and not np.array_equal(generated.features, out.features)


def test_motion_setting_is_saved_and_checked(tmp_path, pipe):
    pipe.retrieval, pipe.retrieval_motion = "fingerspelling", "lexicon"
    try:
        folder = pipe.save_pretrained(tmp_path / "gen")
    finally:
        pipe.retrieval, pipe.retrieval_motion = None, "generated"
    again = SignSparK.from_pretrained(folder, device="cpu")
    assert again.retrieval_motion == "lexicon" and again("hi", "ASL", seed=0).nfe == 0
    assert again("hi", "ASL", seed=0, motion="generated", steps=2).nfe == 2
    kf = again("hi", "ASL", seed=0, motion="generated", steps=1).pose
    assert again("", "ASL", keyframes=kf, steps=1).nfe == 1  # keyframes given: always generated
    with pytest.raises(ValueError, match="unknown motion"):
        again("hi", "ASL", motion="dance")
    with pytest.raises(ValueError, match="needs text or signs"):
        again("", "ASL", keyframes=kf, motion="lexicon")
    with pytest.raises(ValueError, match="retrieval motion"):
        SignSparK(again.models, again.text_encoder, retrieval_motion="dance")


def test_smoothing_from_the_config_keeps_held_frames_and_calms_the_motion(tmp_path, pipe):
    rough = pipe("hallo", "DGS", steps=2, seed=5, retrieval=True)
    smooth_pipe = copy.copy(pipe)
    smooth_pipe.smoothing = 2.0
    smooth = smooth_pipe("hallo", "DGS", steps=2, seed=5, retrieval=True)
    held = rough.pose.keyframes
    assert np.array_equal(smooth.features[held], rough.features[held])
    acc = lambda f: np.abs(np.diff(f, 2, axis=0)).mean()
    assert acc(smooth.features) < 0.8 * acc(rough.features)
    smooth_pipe.save_pretrained(tmp_path / "m")
    assert SignSparK.from_pretrained(tmp_path / "m").smoothing == 2.0
