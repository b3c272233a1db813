"""The generated built-in body: what smplx reads, and whether the geometry is right."""

import numpy as np
import pytest
import torch

from signspark.body import REGIONS
from signspark.body.builtin import SMPLX_VERTEX_IDS, rest_joints
from signspark.body.joints import SMPLX_JOINT_NAMES, SMPLX_PARENTS

J = {n: i for i, n in enumerate(SMPLX_JOINT_NAMES)}


def test_loads_through_smplx_api(builtin_file, capsys):
    import smplx

    m = smplx.SMPLX(model_path=str(builtin_file), use_pca=False, flat_hand_mean=True, num_expression_coeffs=50)
    assert m.num_expression_coeffs == 50 and m.num_betas == 10
    assert "WARNING" not in capsys.readouterr().out  # 400 shape columns: no capped-expression warning
    with torch.no_grad():
        out = m(expression=torch.randn(1, 50) * 0.5)
    assert out.vertices.shape == (1, m.get_num_verts(), 3)
    assert out.joints.shape == (1, 127, 3)


def test_smplx_create_with_folder(builtin_file):
    import smplx

    folder = builtin_file.parent.parent  # folder/smplx/SMPLX_NEUTRAL.npz
    m = smplx.create(str(folder), model_type="smplx", gender="neutral", use_pca=True, num_pca_comps=6,
                     num_expression_coeffs=50)
    with torch.no_grad():
        out = m(left_hand_pose=torch.ones(1, 6) * 0.3)
    assert torch.isfinite(out.vertices).all()


def test_array_shapes(builtin_arrays):
    a = builtin_arrays
    V = a["v_template"].shape[0]
    assert V >= 10475
    assert a["f"].max() < V and a["f"].min() >= 0
    assert a["shapedirs"].shape == (V, 3, 400)
    assert a["posedirs"].shape == (V, 3, 486) and not a["posedirs"].any()
    assert a["weights"].shape == (V, 55) and a["J_regressor"].shape == (55, V)
    assert list(a["kintree_table"][0][1:]) == list(SMPLX_PARENTS[1:])
    assert a["hands_componentsl"].shape == (45, 45)
    np.testing.assert_allclose(a["hands_componentsl"] @ a["hands_componentsl"].T, np.eye(45), atol=1e-5)
    assert a["lmk_faces_idx"].shape == (51,) and a["dynamic_lmk_faces_idx"].shape == (79, 17)
    assert a["vertex_regions"].shape == (V,)
    assert set(np.unique(a["vertex_regions"])) >= {REGIONS[k] for k in
                                                   ("skin", "hair", "shirt", "trousers", "shoes", "eye_white",
                                                    "iris", "lips", "brows")}
    # every vertex the faces use is used; unused ones would be invisible padding
    assert len(np.unique(a["f"])) == V


def test_rest_joints_from_regressor(builtin_arrays):
    a = builtin_arrays
    reg = a["J_regressor"]
    assert (reg >= 0).all()
    np.testing.assert_allclose(reg.sum(1), 1.0, atol=1e-5)
    np.testing.assert_allclose(reg @ a["v_template"], rest_joints(), atol=1e-5)
    height = a["v_template"][:, 1].max() - a["v_template"][:, 1].min()
    assert 1.6 < height < 1.85


def test_skinning_weights_are_convex_and_blended(builtin_arrays):
    w = builtin_arrays["weights"]
    assert (w >= -1e-7).all()
    np.testing.assert_allclose(w.sum(1), 1.0, atol=1e-5)
    # smooth: every joint that moves something is shared with its parent on some vertices (a blend zone)
    for j in range(1, 55):
        if SMPLX_JOINT_NAMES[j].endswith("_smplhf"):
            continue  # eyeballs are rigid
        p = SMPLX_PARENTS[j]
        both = (w[:, j] > 0.2) & (w[:, j] < 0.8) & (w[:, p] > 0.1)
        assert both.any(), f"no blend between {SMPLX_JOINT_NAMES[j]} and its parent"


def test_skinning_is_smooth_along_edges(builtin_arrays):
    w, f, v = builtin_arrays["weights"], builtin_arrays["f"], builtin_arrays["v_template"]
    edges = np.concatenate([f[:, [0, 1]], f[:, [1, 2]], f[:, [2, 0]]])
    dw = w[edges[:, 0]] - w[edges[:, 1]]
    jump = np.abs(dw).max(1)
    # where the palm meets the knuckles, neighbouring vertices belong to neighbouring fingers (siblings):
    # that split is wanted; what must not happen is a hard switch between a bone and its parent or child
    parents = np.array(SMPLX_PARENTS)
    up, down = dw.argmax(1), dw.argmin(1)
    siblings = parents[up] == parents[down]
    jump = jump[~siblings]
    assert np.percentile(jump, 99.9) < 0.6, np.percentile(jump, 99.9)


def _vid(name):
    return SMPLX_VERTEX_IDS[name]


def test_extra_joint_vertices_on_the_right_parts(builtin_arrays):
    v = builtin_arrays["v_template"]
    w = builtin_arrays["weights"]
    reg = builtin_arrays["vertex_regions"]
    rest = rest_joints()
    # fingertips: the farthest point of their finger's last segment along the finger
    for side, sgn in (("l", 1), ("r", -1)):
        for finger in ("thumb", "index", "middle", "ring", "pinky"):
            name = f"{'left' if side == 'l' else 'right'}_{finger}3"
            tip = v[_vid(side + finger)]
            j3 = rest[J[name]]
            seg = w[:, J[name]] > 0.99
            d = (v[seg] - j3) @ (tip - j3) / np.linalg.norm(tip - j3)
            assert np.linalg.norm(tip - j3) > 0.012
            assert d.max() <= np.linalg.norm(tip - j3) + 1e-6, f"{side}{finger} tip is not the farthest point"
            assert w[_vid(side + finger), J[name]] > 0.99
            assert np.sign(tip[0]) == sgn
    # nose: in front of the face, on the midline, between eyes and mouth
    nose = v[_vid("nose")]
    face = v[(v[:, 1] > 0.2) & (np.abs(v[:, 0]) < 0.08)]
    assert nose[2] >= face[:, 2].max() - 1e-6 and abs(nose[0]) < 0.005
    for eye, jn, sgn in (("leye", "left_eye_smplhf", 1), ("reye", "right_eye_smplhf", -1)):
        assert reg[_vid(eye)] == REGIONS["pupil"] and np.sign(v[_vid(eye)][0]) == sgn
        assert w[_vid(eye), J[jn]] == 1.0
    assert v[_vid("lear")][0] > 0.07 and v[_vid("rear")][0] < -0.07
    for toe in ("LBigToe", "LSmallToe", "RBigToe", "RSmallToe"):
        assert v[_vid(toe)][2] > 0.1 and v[_vid(toe)][1] < -1.28
        assert reg[_vid(toe)] == REGIONS["shoes"]
    for heel in ("LHeel", "RHeel"):
        assert v[_vid(heel)][2] < -0.08
    assert v[_vid("LBigToe")][0] < v[_vid("LSmallToe")][0]  # big toe on the inside


def test_generation_is_deterministic(builtin_arrays):
    from signspark.body.builtin import build_builtin_arrays

    again = build_builtin_arrays()
    for k in ("v_template", "f", "weights", "J_regressor", "lmk_faces_idx"):
        np.testing.assert_array_equal(again[k], builtin_arrays[k])


def test_cache_is_reused_and_versioned(body_cache, builtin_file):
    from signspark.body.builtin import GENERATOR_VERSION, builtin_body_path

    assert f"v{GENERATOR_VERSION}" in str(builtin_file)
    mtime = builtin_file.stat().st_mtime_ns
    assert builtin_body_path() == builtin_file
    assert builtin_file.stat().st_mtime_ns == mtime
    assert not list(builtin_file.parent.glob(".tmp-*"))


@pytest.mark.parametrize("side", ["left", "right"])
def test_body_is_mirror_symmetric(builtin_arrays, side):
    v = builtin_arrays["v_template"]
    mirrored = v * [-1, 1, 1]
    from scipy.spatial import cKDTree

    d, _ = cKDTree(v).query(mirrored[(v[:, 0] > 0.01) if side == "left" else (v[:, 0] < -0.01)])
    assert np.percentile(d, 99) < 1e-4
