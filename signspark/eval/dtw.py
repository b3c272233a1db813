"""Classic dynamic time warping over a precomputed cost matrix.

Recurrence (steps: diagonal, vertical, horizontal; no window, no step weights)::

    D[i, j] = C[i, j] + min(D[i-1, j-1], D[i-1, j], D[i, j-1]),   D[0, 0] = C[0, 0]

**Convention.** :attr:`DTWResult.cost` is the accumulated cost of the optimal path,
``D[N-1, M-1]`` — a *sum* over the path, **not** divided by its length. This is what the
SOKE evaluation code reports as DTW-JPE / DTW-PA-JPE, so it grows with clip length.
:attr:`DTWResult.mean_cost` divides by the number of matched pairs on the path, which is
an average per-pair error and easier to read; report it labelled as such.

The table is filled one anti-diagonal at a time (every cell on an anti-diagonal depends
only on the two before), so the Python loop runs ``N + M`` times over vectorised numpy.

Example::

    >>> r = dtw(np.abs(np.subtract.outer(a, b)))
    >>> r.cost, r.path_length, r.mean_cost
"""

from __future__ import annotations

import dataclasses

import numpy as np

__all__ = ["DTWResult", "accumulated_cost", "dtw"]


@dataclasses.dataclass
class DTWResult:
    """Attributes:
        cost: accumulated cost ``D[-1, -1]`` of the optimal path (sum, not normalised).
        path: (L, 2) int64 matched index pairs ``(i, j)`` from (0, 0) to (N-1, M-1).
    """

    cost: float
    path: np.ndarray

    @property
    def path_length(self) -> int:
        return int(self.path.shape[0])

    @property
    def mean_cost(self) -> float:
        """``cost / path_length``: the mean cost per matched pair."""
        return self.cost / self.path_length


def accumulated_cost(cost) -> np.ndarray:
    """(N, M) cost matrix -> (N, M) accumulated cost table ``D`` (float64)."""
    C = np.asarray(cost, dtype=np.float64)
    if C.ndim != 2 or 0 in C.shape:
        raise ValueError(f"cost must be a non-empty (N, M) matrix, got shape {C.shape}")
    if not np.isfinite(C).all():
        raise ValueError("cost matrix contains NaN or infinite values")
    N, M = C.shape
    D = np.full((N + 1, M + 1), np.inf)  # padded: D[i+1, j+1] is cell (i, j)
    D[0, 0] = 0.0
    for k in range(2, N + M + 1):  # k = (i+1) + (j+1) over padded indices
        i = np.arange(max(1, k - M), min(N, k - 1) + 1)
        j = k - i
        best = np.minimum(np.minimum(D[i - 1, j - 1], D[i - 1, j]), D[i, j - 1])
        D[i, j] = C[i - 1, j - 1] + best
    return D[1:, 1:]


def _traceback(D: np.ndarray) -> np.ndarray:
    N, M = D.shape
    i, j = N - 1, M - 1
    path = [(i, j)]
    while i > 0 or j > 0:
        if i == 0:
            j -= 1
        elif j == 0:
            i -= 1
        else:
            step = int(np.argmin((D[i - 1, j - 1], D[i - 1, j], D[i, j - 1])))  # ties: diagonal first
            if step == 0:
                i, j = i - 1, j - 1
            elif step == 1:
                i -= 1
            else:
                j -= 1
        path.append((i, j))
    return np.asarray(path[::-1], dtype=np.int64)


def dtw(cost) -> DTWResult:
    """Align two sequences given their (N, M) pairwise cost matrix.

    Returns:
        :class:`DTWResult` with the accumulated cost ``D[-1, -1]`` and the warping path.
    """
    D = accumulated_cost(cost)
    return DTWResult(cost=float(D[-1, -1]), path=_traceback(D))
