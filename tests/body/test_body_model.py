"""BodyModel: loading, path resolution, errors, and posing (fingers, jaw, chunking)."""

import numpy as np
import pytest
import torch

from signspark.body import BodyModel, BodyModelError, body_model_info, joints
from signspark.body.joints import JOINT_INDEX, hand_joint_indices
from signspark.pose import PoseSequence

KEYS = dict(global_orient=3, body_pose=63, jaw_pose=3, leye_pose=3, reye_pose=3, left_hand_pose=45,
            right_hand_pose=45, expression=50, transl=3)


def _random_params(T, seed=0, scale=0.3):
    g = np.random.default_rng(seed)
    return {k: (scale * g.standard_normal((T, d))).astype(np.float32) for k, d in KEYS.items()}


def test_builtin_properties(body):
    assert body.is_builtin and body.source == "built-in"
    assert body.num_vertices >= 10475
    assert body.faces.dtype == np.int64 and body.faces.shape[1] == 3
    assert body.vertex_regions.shape == (body.num_vertices,) and body.vertex_regions.dtype == np.uint8
    assert body.rest_joints.shape == (55, 3)
    assert tuple(body.parents[1:]) == joints.SMPLX_PARENTS[1:]


def test_matches_smplx_forward(body, builtin_file):
    import smplx

    T = 6
    p = _random_params(T, seed=1)
    betas = np.random.default_rng(2).standard_normal(10).astype(np.float32)
    m = smplx.SMPLX(model_path=str(builtin_file), use_pca=False, flat_hand_mean=True, num_expression_coeffs=50,
                    batch_size=T)
    with torch.no_grad():
        ref = m(betas=torch.tensor(betas).expand(T, -1), **{k: torch.tensor(v) for k, v in p.items()})
    out = body({**p, "betas": betas})
    torch.testing.assert_close(out.vertices, ref.vertices, atol=2e-6, rtol=0)
    torch.testing.assert_close(out.joints, ref.joints, atol=2e-6, rtol=0)


def test_chunked_equals_one_batch(body):
    p = _random_params(13, seed=3)
    p["betas"] = np.random.default_rng(4).standard_normal((13, 10)).astype(np.float32)  # per-frame betas
    a = body(p, chunk_size=13)
    b = body(p, chunk_size=4)
    torch.testing.assert_close(a.vertices, b.vertices, atol=1e-6, rtol=0)
    torch.testing.assert_close(a.joints, b.joints, atol=1e-6, rtol=0)
    assert not a.vertices.requires_grad


def test_accepts_pose_sequence_and_partial_mappings(body):
    seq = PoseSequence.zeros(3)
    out = body(seq)
    assert out.vertices.shape == (3, body.num_vertices, 3) and out.joints.shape == (3, 127, 3)
    torch.testing.assert_close(out.joints[0, :55], torch.tensor(body.rest_joints, dtype=torch.float32), atol=1e-5, rtol=0)
    out2 = body({"body_pose": torch.zeros(3, 63), "transl": np.ones((3, 3), np.float32)})
    torch.testing.assert_close(out2.vertices, out.vertices + 1.0)


@pytest.mark.parametrize("bad, msg", [
    ({"body_pose": np.zeros((3, 60))}, "63"),
    ({"body_pose": np.zeros((3, 63)), "jaw_pose": np.zeros((2, 3))}, "frames"),
    ({"fps": 25}, "no SMPL-X parameters"),
    ({"body_pose": np.zeros((3, 63)), "betas": np.zeros((2, 10))}, "betas"),
])
def test_bad_parameters_raise_clear_errors(body, bad, msg):
    with pytest.raises(ValueError, match=msg):
        body(bad)


def _tip(out, side, finger):
    return out.joints[0, JOINT_INDEX[f"{side}_{finger}"]].numpy()


@pytest.mark.parametrize("side, sign", [("left", -1.0), ("right", 1.0)])
def test_finger_curl_moves_tip_towards_palm(body, side, sign):
    pose = np.zeros((1, 45), np.float32)
    for k in range(3):  # index finger: joints 0..2 of the hand pose, flex about the hinge axis (z)
        pose[0, 3 * k + 2] = sign * 0.9
    flat = body({f"{side}_hand_pose": np.zeros((1, 45), np.float32)})
    curled = body({f"{side}_hand_pose": pose})
    wrist = flat.joints[0, JOINT_INDEX[f"{side}_wrist"]].numpy()
    palm = flat.joints[0, JOINT_INDEX[f"{side}_middle1"]].numpy() * 0.6 + wrist * 0.4 - [0, 0.02, 0]
    t0, t1 = _tip(flat, side, "index"), _tip(curled, side, "index")
    assert np.linalg.norm(t1 - palm) < np.linalg.norm(t0 - palm) - 0.03
    assert t1[1] < t0[1] - 0.03  # palms face down in the rest pose: the tip goes down
    # other fingers stay put
    np.testing.assert_allclose(_tip(curled, side, "pinky"), _tip(flat, side, "pinky"), atol=1e-6)


def test_jaw_pose_opens_the_mouth(body):
    top, bottom = JOINT_INDEX["lip_top"], JOINT_INDEX["lip_bottom"]
    closed = body({"jaw_pose": np.zeros((1, 3), np.float32)}).joints[0]
    opened = body({"jaw_pose": np.array([[0.3, 0, 0]], np.float32)}).joints[0]
    gap0 = (closed[top, 1] - closed[bottom, 1]).item()
    gap1 = (opened[top, 1] - opened[bottom, 1]).item()
    assert abs(gap0) < 0.004 and gap1 > 0.015
    # the nose does not move
    torch.testing.assert_close(opened[JOINT_INDEX["nose"]], closed[JOINT_INDEX["nose"]])


def test_expressions_move_the_face_only(body):
    p0 = body({"expression": np.zeros((1, 50), np.float32)}).vertices[0]
    for k in (0, 1, 2, 49):
        e = np.zeros((1, 50), np.float32)
        e[0, k] = 2.0
        d = (body({"expression": e}).vertices[0] - p0).norm(dim=1)
        assert d.max() > (1e-3 if k < 10 else 2e-4), f"expression {k} does nothing"
        moved = p0[d > 1e-6]
        assert moved[:, 1].min() > 0.17  # the head only


def test_betas_change_height(body):
    tall = body({"body_pose": np.zeros((1, 63), np.float32), "betas": np.r_[2.0, np.zeros(9)].astype(np.float32)})
    base = body({"body_pose": np.zeros((1, 63), np.float32)})
    h = lambda o: (o.vertices[0, :, 1].max() - o.vertices[0, :, 1].min()).item()  # noqa: E731
    assert h(tall) > h(base) * 1.05


def test_hand_indices_order():
    idx = hand_joint_indices("left")
    assert len(idx) == 21 and idx[0] == JOINT_INDEX["left_wrist"]
    assert [joints.OUTPUT_JOINT_NAMES[i] for i in idx[1:5]] == ["left_thumb1", "left_thumb2", "left_thumb3", "left_thumb"]
    assert joints.OUTPUT_JOINT_NAMES[idx[-1]] == "left_pinky"
    with pytest.raises(ValueError):
        hand_joint_indices("middle")


def test_joint_names_match_smplx():
    from smplx.joint_names import JOINT_NAMES

    assert list(joints.OUTPUT_JOINT_NAMES) == list(JOINT_NAMES[:127])


# ---------------------------------------------------------------- paths and errors

def test_licensed_path_via_env(builtin_file, tmp_path, monkeypatch):
    folder = tmp_path / "models" / "smplx"
    folder.mkdir(parents=True)
    (folder / "SMPLX_NEUTRAL.npz").write_bytes(builtin_file.read_bytes())
    monkeypatch.setenv("SIGNSPARK_SMPLX_DIR", str(tmp_path / "models"))
    m = BodyModel.load()
    assert not m.is_builtin and m.source == str(folder / "SMPLX_NEUTRAL.npz")
    info = body_model_info()
    assert info["kind"] == "smplx-npz" and info["vertices"] == m.num_vertices and info["faces"] == len(m.faces)
    # a flat folder and a direct file work too
    flat = tmp_path / "flat"
    flat.mkdir()
    (flat / "SMPLX_FEMALE.npz").write_bytes(builtin_file.read_bytes())
    assert BodyModel.load(flat, gender="female").source.endswith("SMPLX_FEMALE.npz")
    assert BodyModel.load(flat / "SMPLX_FEMALE.npz").num_vertices == m.num_vertices


def test_builtin_info(body_cache):
    info = body_model_info()
    assert info["source"] == "built-in" and info["kind"] == "built-in" and info["vertices"] >= 10475


def test_missing_paths_raise(tmp_path, monkeypatch):
    with pytest.raises(BodyModelError, match="does not exist"):
        BodyModel.load(tmp_path / "nope.npz")
    with pytest.raises(BodyModelError, match="SMPLX_NEUTRAL.npz"):
        BodyModel.load(tmp_path)
    monkeypatch.setenv("SIGNSPARK_SMPLX_DIR", str(tmp_path / "absent"))
    with pytest.raises(BodyModelError, match="SIGNSPARK_SMPLX_DIR"):
        BodyModel.load()
    with pytest.raises(BodyModelError, match="gender"):
        BodyModel.load(tmp_path, gender="robot")


def test_garbage_files_raise(tmp_path):
    junk = tmp_path / "SMPLX_NEUTRAL.npz"
    junk.write_bytes(b"this is not a zip file")
    with pytest.raises(BodyModelError, match="could not read"):
        BodyModel.load(junk)
    partial = tmp_path / "SMPLX_MALE.npz"
    np.savez(partial, v_template=np.zeros((10, 3)))
    with pytest.raises(BodyModelError, match="could not read"):
        BodyModel.load(partial)
    other = tmp_path / "model.obj"
    other.write_text("v 0 0 0")
    with pytest.raises(BodyModelError, match=".npz or .pkl"):
        BodyModel.load(other)


def test_one_shared_body_for_signs_renderer_and_export(monkeypatch):
    """The animator's surface and skeleton, the renderer and the glTF export pose one model, loaded once."""
    from signspark.body import shared_body_model
    from signspark.render.api import _builtin_body
    from signspark.signs.hamnosys.surface import body_model

    body = shared_body_model()
    assert shared_body_model() is body and _builtin_body() is body and body_model() is body
    assert body.is_builtin
