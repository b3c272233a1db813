"""Filling frames where a part was not seen: interpolate short gaps, fall back to a rest pose over long ones.

Example::

    filled, weight = fill_gaps(values, observed, max_gap=12, rest=np.zeros(45))
    # values (T, D); observed (T,) bool; filled (T, D) finite; weight (T,) in [0, 1]:
    # 1 observed, falling towards 0 in the middle of an interpolated gap, 0 at rest
"""

from __future__ import annotations

import numpy as np

__all__ = ["fill_gaps", "runs"]


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Half-open ``[start, stop)`` ranges where ``mask`` (T,) is True."""
    m = np.concatenate([[False], np.asarray(mask, bool), [False]])
    d = np.diff(m.astype(np.int8))
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist()))


def fill_gaps(values: np.ndarray, observed: np.ndarray, max_gap: int, rest: np.ndarray,
              ramp: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Fill the unobserved frames of a per-frame parameter track.

    Args:
        values: (T, D) parameters; rows of unobserved frames are ignored (may be NaN).
        observed: (T,) bool.
        max_gap: gaps of at most this many frames are filled by linear interpolation between
            the frames either side (or by holding the one neighbour at the clip's ends).
        rest: (D,) the rest value used inside longer gaps (and for a clip never observed).
        ramp: frames over which a long gap moves from its neighbour to the rest value and
            back (default ``max(1, max_gap // 2)``, at most a third of the gap).

    Returns:
        (filled (T, D) finite float32, weight (T,) float32): weight is 1 on observed frames,
        ``1 - distance / (max_gap + 1)`` on interpolated ones and 0 at rest.
    """
    v = np.array(values, np.float64, copy=True)
    obs = np.asarray(observed, bool)
    rest = np.asarray(rest, np.float64).reshape(-1)
    T = v.shape[0]
    weight = obs.astype(np.float64)
    if not obs.any():
        return np.tile(rest, (T, 1)).astype(np.float32), np.zeros(T, np.float32)
    ramp = max(1, max_gap // 2) if ramp is None else max(1, int(ramp))
    for a, b in runs(~obs):
        n = b - a
        left = v[a - 1] if a > 0 else None
        right = v[b] if b < T else None
        dist = np.minimum(np.arange(n) + 1 if left is not None else np.full(n, 10 ** 9),
                          (n - np.arange(n)) if right is not None else np.full(n, 10 ** 9))
        if n <= max_gap:
            if left is not None and right is not None:
                s = (np.arange(n) + 1)[:, None] / (n + 1)
                v[a:b] = (1 - s) * left + s * right
            else:
                v[a:b] = left if left is not None else right
            weight[a:b] = np.clip(1 - dist / (max_gap + 1), 0, 1)
            continue
        r = min(ramp, n // 3)
        v[a:b] = rest
        if left is not None and r > 0:
            s = (np.arange(r) + 1)[:, None] / (r + 1)
            v[a:a + r] = (1 - s) * left + s * rest
        if right is not None and r > 0:
            s = (np.arange(r) + 1)[::-1][:, None] / (r + 1)
            v[b - r:b] = (1 - s) * right + s * rest
        weight[a:b] = 0.0
    v = np.nan_to_num(v, nan=0.0, posinf=0.0, neginf=0.0)
    return v.astype(np.float32), weight.astype(np.float32)
