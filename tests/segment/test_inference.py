"""Windowed inference: exact across window boundaries, any length, batching; input validation; tag decoding."""

import numpy as np
import pytest
import torch

from signspark.segment import SegmentInputError, Segmenter, clip_features, decode_tags, plan_windows, predict_logits


def _clip(T, seed=0):
    return np.random.default_rng(seed).normal(size=(T, 192)).astype(np.float32)


@pytest.mark.parametrize("T", [1, 5, 16, 17, 33, 100, 257])
@pytest.mark.parametrize("window", [1, 7, 16])
def test_windowed_equals_whole_sequence(tiny_model, T, window):
    x = _clip(T, seed=T)
    whole = predict_logits(tiny_model, [x], window=100_000)[0]
    with torch.no_grad():
        direct = tiny_model(torch.from_numpy(x)[None])[0]
    torch.testing.assert_close(whole, direct, atol=1e-5, rtol=1e-5)
    windowed = predict_logits(tiny_model, [x], window=window)[0]
    assert windowed.shape == (T, 3)
    torch.testing.assert_close(windowed, whole, atol=1e-5, rtol=1e-5)


def test_windows_without_context_would_differ(tiny_model):
    """The equality above is not automatic: cutting windows with no context changes the logits."""
    x = torch.from_numpy(_clip(64))
    with torch.no_grad():
        whole = tiny_model(x[None])[0]
        cut = torch.cat([tiny_model(x[None, s:s + 16])[0] for s in range(0, 64, 16)])
    assert (whole - cut).abs().max() > 1e-3


def test_result_does_not_depend_on_clip_offset(tiny_model):
    """Frames far from the cut see the same context, so prefixing frames does not change their logits."""
    x = _clip(120)
    full = predict_logits(tiny_model, [x], window=16)[0]
    R = tiny_model.config.receptive_radius
    tail = predict_logits(tiny_model, [x[37:]], window=16)[0]
    torch.testing.assert_close(tail[R:], full[37 + R:], atol=1e-5, rtol=1e-5)


def test_batched_clips_equal_single_clips(tiny_model):
    clips = [_clip(T, seed=T) for T in (3, 40, 129, 1)]
    together = predict_logits(tiny_model, clips, window=16, batch_frames=64)
    for c, out in zip(clips, together):
        torch.testing.assert_close(out, predict_logits(tiny_model, [c], window=16)[0], atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("T,window,context", [(1, 4, 2), (10, 4, 2), (11, 4, 3), (100, 7, 5), (8, 4, 2)])
def test_plan_windows_tiles_the_clip(T, window, context):
    pieces = plan_windows(T, window, context)
    kept = [f for _, _, a, b in pieces for f in range(a, b)]
    assert kept == list(range(T))
    for s, e, a, b in pieces:
        assert 0 <= s <= a < b <= e <= T
        assert a - s == min(context, a) and e - b == min(context, T - b)


def test_clip_features_layout_and_missing_hand():
    left = np.ones((4, 96), np.float32)
    f = clip_features(left, None, "c")
    assert f.shape == (4, 192) and (f[:, :96] == 1).all() and (f[:, 96:] == 0).all()


@pytest.mark.parametrize("left,right,match", [
    (np.zeros((5, 90)), np.zeros((5, 96)), r"clip 'bad'.*\(T, 96\)"),
    (np.zeros((0, 96)), np.zeros((0, 96)), r"clip 'bad'.*no frames"),
    (np.zeros((5, 96)), np.zeros((6, 96)), r"clip 'bad'.*different frame counts"),
    (np.full((5, 96), np.nan), np.zeros((5, 96)), r"clip 'bad'.*NaN"),
])
def test_clip_features_errors_name_the_clip(left, right, match):
    with pytest.raises(SegmentInputError, match=match):
        clip_features(left, right, "bad")


def test_decode_tags_gives_valid_bio():
    # argmax: 1 1 1 0 2 2 1 1 2 0 1 0 -> leading short run dropped, repeated BEGIN collapsed,
    # BEGIN on a run's last frame absorbed, isolated 1 dropped
    raw = np.array([1, 1, 1, 0, 2, 2, 1, 1, 2, 0, 1, 0])
    logits = np.eye(3)[raw]
    assert decode_tags(logits).tolist() == [0, 0, 0, 0, 2, 1, 1, 1, 1, 0, 0, 0]
    assert decode_tags(logits, repair=False).tolist() == raw.tolist()


def test_segmenter_segment_clip(tiny_model):
    seg = Segmenter(tiny_model)
    rng = np.random.default_rng(0)
    res = seg.segment_clip(rng.normal(size=(50, 96)), rng.normal(size=(50, 96)), "c1")
    assert res.clip_id == "c1" and res.tags.shape == (50,) and res.tags.dtype == np.int64
    assert set(np.unique(res.tags)) <= {0, 1, 2}
    for s, e in res.segments:
        assert res.tags[s] == 2 and (res.tags[s:e + 1] > 0).all()
    assert res.keyframes() == sorted({f for s, e in res.segments for f in (s, (s + e) // 2, e)})


@pytest.mark.gpu
def test_cuda_matches_cpu(tiny_model):
    x = _clip(300)
    cpu = predict_logits(tiny_model, [x], window=16)[0]
    gpu = predict_logits(tiny_model.to("cuda"), [x], window=16)[0]
    torch.testing.assert_close(gpu, cpu, atol=1e-4, rtol=1e-4)
