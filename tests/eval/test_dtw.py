import numpy as np
import pytest

from signspark.eval.dtw import accumulated_cost, dtw


def reference_dtw(C):
    """Plain double loop, the textbook recurrence."""
    N, M = C.shape
    D = np.full((N, M), np.inf)
    for i in range(N):
        for j in range(M):
            prev = 0.0 if i == j == 0 else min(
                D[i - 1, j - 1] if i and j else np.inf, D[i - 1, j] if i else np.inf, D[i, j - 1] if j else np.inf)
            D[i, j] = C[i, j] + prev
    return D


@pytest.mark.parametrize("shape", [(1, 1), (1, 7), (6, 1), (5, 9), (13, 4), (20, 20)])
def test_accumulated_cost_matches_double_loop(shape):
    C = np.random.default_rng(sum(shape)).random(shape)
    np.testing.assert_allclose(accumulated_cost(C), reference_dtw(C))


def test_cost_is_sum_not_mean_and_path_is_valid():
    rng = np.random.default_rng(0)
    a, b = rng.random(15), rng.random(22)
    C = np.abs(a[:, None] - b[None, :])
    r = dtw(C)
    p = r.path
    assert tuple(p[0]) == (0, 0) and tuple(p[-1]) == (14, 21)
    steps = np.diff(p, axis=0)
    assert ((steps >= 0) & (steps <= 1)).all() and (steps.sum(axis=1) >= 1).all()
    # The accumulated cost is the sum of the costs along the returned path.
    assert r.cost == pytest.approx(C[p[:, 0], p[:, 1]].sum())
    assert r.mean_cost == pytest.approx(r.cost / len(p))
    assert len(p) >= 22


def test_time_warped_copy_costs_zero():
    x = np.sin(np.linspace(0, 6, 30))
    warp = np.sort(np.concatenate([np.arange(30), [3, 3, 10, 20, 20, 20]]))
    C = np.abs(x[warp][:, None] - x[None, :])
    r = dtw(C)
    assert r.cost == pytest.approx(0.0, abs=1e-12)
    assert r.path_length == len(warp)


def test_constant_offset_gives_length_times_offset():
    C = np.full((10, 10), 5.0) + 100 * (1 - np.eye(10))  # off-diagonal pairs are expensive
    r = dtw(C)
    assert r.cost == pytest.approx(50.0)
    assert r.path_length == 10 and r.mean_cost == pytest.approx(5.0)


@pytest.mark.parametrize("bad", [np.zeros((0, 3)), np.zeros(4), np.array([[1.0, np.nan]])])
def test_bad_cost_matrix_is_refused(bad):
    with pytest.raises(ValueError):
        dtw(bad)
