import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from signspark.eval.alignment import align_procrustes, align_translation


def test_procrustes_recovers_similarity_transforms_batched():
    rng = np.random.default_rng(1)
    ref = rng.normal(size=(8, 12, 3))
    R = Rotation.random(8, random_state=2).as_matrix()
    s = rng.uniform(0.5, 2.0, size=8)
    t = rng.normal(size=(8, 1, 3))
    pred = s[:, None, None] * ref @ np.swapaxes(R, 1, 2) + t
    aligned = align_procrustes(pred, ref)
    np.testing.assert_allclose(aligned, ref, atol=1e-9)
    # Without scale, a scaled copy cannot be matched exactly.
    assert np.abs(align_procrustes(pred, ref, scale=False) - ref).max() > 1e-3


def test_procrustes_never_reflects():
    rng = np.random.default_rng(3)
    ref = rng.normal(size=(10, 3))
    mirrored = ref * np.array([-1.0, 1.0, 1.0])
    aligned = align_procrustes(mirrored, ref)
    assert np.linalg.norm(aligned - ref, axis=-1).mean() > 0.1
    # The fitted map is a proper similarity: recover it and check det > 0.
    A, *_ = np.linalg.lstsq(np.c_[mirrored, np.ones(10)], aligned, rcond=None)
    assert np.linalg.det(A[:3]) > 0


def test_procrustes_is_optimal_against_perturbations():
    rng = np.random.default_rng(4)
    ref, pred = rng.normal(size=(21, 3)), rng.normal(size=(21, 3))
    best = ((align_procrustes(pred, ref) - ref) ** 2).sum()
    for k in range(20):
        R = Rotation.from_rotvec(rng.normal(scale=0.05, size=3)).as_matrix()
        moved = 1.02 * (align_procrustes(pred, ref) @ R.T) + rng.normal(scale=0.01, size=3)
        assert ((moved - ref) ** 2).sum() >= best - 1e-9


def test_degenerate_point_set_is_only_translated():
    pred = np.ones((5, 3))
    ref = np.random.default_rng(0).normal(size=(5, 3))
    out = align_procrustes(pred, ref)
    assert np.isfinite(out).all()
    np.testing.assert_allclose(out, np.broadcast_to(ref.mean(0), (5, 3)))


def test_translation_uses_anchor():
    pred = np.zeros((2, 4, 3))
    pred[:, 0] = [1.0, 2.0, 3.0]
    out = align_translation(pred, ref_anchor=np.zeros((2, 3)))
    np.testing.assert_allclose(out[:, 0], 0.0)
    np.testing.assert_allclose(out[:, 1], [[-1, -2, -3]] * 2)
    out2 = align_translation(pred, ref_anchor=np.zeros((2, 3)), pred_anchor=np.ones((2, 3)))
    np.testing.assert_allclose(out2[:, 1], -1.0)


def test_shape_errors():
    with pytest.raises(ValueError, match=r"\(\.\.\., J, 3\)"):
        align_procrustes(np.zeros((4, 2)), np.zeros((4, 2)))


def test_best_rotation_matches_svd_kabsch_on_all_paths():
    from signspark.eval.alignment import _rotation_svd, best_rotation

    rng = np.random.default_rng(5)
    H = rng.normal(size=(400, 3, 3))  # about half with det < 0 (SVD path), half fast path
    H[:50, :, 2] = 0.0  # rank 2: a flat point set
    H[50:60] *= 1e-9  # tiny but well conditioned
    R = best_rotation(H)
    np.testing.assert_allclose(R, _rotation_svd(H), atol=1e-9)
    np.testing.assert_allclose(np.linalg.det(R), 1.0, atol=1e-9)
    np.testing.assert_allclose(R @ np.swapaxes(R, 1, 2), np.broadcast_to(np.eye(3), R.shape), atol=1e-9)
    assert best_rotation(H.reshape(20, 20, 3, 3)).shape == (20, 20, 3, 3)
