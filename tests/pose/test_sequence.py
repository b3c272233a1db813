import zipfile

import numpy as np
import pytest
import torch

from signspark.pose import PoseFileError, PoseSequence
from signspark.pose.streams import SMPLX_FRAME_KEYS


def _seq(T=12):
    rng = np.random.default_rng(0)
    params = {k: rng.normal(size=(T, d)).astype(np.float32) * 0.2 for k, d in SMPLX_FRAME_KEYS.items()}
    return PoseSequence(params=params, fps=25.0, language="ASL", text="hello", gloss="H E L L O",
                        segments=[[1, 3], [5, 9]], keyframes=[9, 1, 2, 1])


def test_save_load_round_trip(tmp_path):
    seq = _seq()
    path = seq.save(tmp_path / "clip.npz")
    back = PoseSequence.load(path)
    for k in SMPLX_FRAME_KEYS:
        assert np.array_equal(back.params[k], seq.params[k])
    assert (back.fps, back.language, back.text, back.gloss) == (25.0, "ASL", "hello", "H E L L O")
    assert back.segments.tolist() == [[1, 3], [5, 9]]
    assert back.keyframes.tolist() == [1, 2, 9]
    assert not list(tmp_path.glob("*.tmp"))
    with np.load(path) as z:  # standard SMPL-X key names, readable without pickle
        assert {"global_orient", "body_pose", "left_hand_pose", "betas", "transl", "expression"} <= set(z.files)


def test_from_params_accepts_torch_and_partial():
    seq = PoseSequence.from_params({"body_pose": torch.zeros(4, 63), "right_hand_pose": torch.ones(4, 45),
                                    "expression": torch.zeros(4, 10)})
    assert seq.num_frames == 4 and seq.params["expression"].shape == (4, 50)
    assert seq.params["left_hand_pose"].shape == (4, 45)


def test_slice_shifts_segments_and_keyframes():
    s = _seq().slice(2, 8)
    assert s.num_frames == 6
    assert s.segments.tolist() == [[0, 1], [3, 5]]
    assert s.keyframes.tolist() == [0]


@pytest.mark.parametrize("mutate,match", [
    (lambda d: d.pop("body_pose"), "body_pose"),
    (lambda d: d.__setitem__("right_hand_pose", np.zeros((12, 44), np.float32)), r"right_hand_pose must have shape \(12, 45\)"),
    (lambda d: d["jaw_pose"].__setitem__((3, 1), np.nan), "jaw_pose contains NaN.*frame 3"),
    (lambda d: d.__setitem__("body_pose", np.zeros((12, 63), np.int32)), "floating point"),
    (lambda d: d.__setitem__("segments", np.array([[4, 30]])), "segments"),
    (lambda d: d.__setitem__("keyframes", np.array([-1])), "keyframes"),
    (lambda d: d.__setitem__("fps", np.array(0.0)), "fps"),
])
def test_load_validates(tmp_path, mutate, match):
    data = _seq().to_arrays()
    mutate(data)
    p = tmp_path / "bad.npz"
    np.savez(p, **data)
    with pytest.raises(PoseFileError, match=match):
        PoseSequence.load(p)


def test_load_refuses_pickles_and_garbage(tmp_path):
    data = _seq().to_arrays()
    data["text"] = np.array([{"evil": 1}], dtype=object)
    p = tmp_path / "pickled.npz"
    np.savez(p, **data)
    with pytest.raises(PoseFileError, match="pickled.npz"):
        PoseSequence.load(p)
    g = tmp_path / "garbage.npz"
    g.write_bytes(b"not a zip at all")
    with pytest.raises(PoseFileError, match="garbage.npz"):
        PoseSequence.load(g)
    with pytest.raises(PoseFileError, match="no such file"):
        PoseSequence.load(tmp_path / "missing.npz")
    truncated = tmp_path / "truncated.npz"
    full = (tmp_path / "ok.npz")
    _seq().save(full)
    truncated.write_bytes(full.read_bytes()[:200])
    with pytest.raises(PoseFileError):
        PoseSequence.load(truncated)
    assert zipfile.is_zipfile(full)
