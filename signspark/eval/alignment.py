"""Per-frame alignment of predicted joints onto reference joints (batched numpy, float64).

Two alignments, both applied to the **prediction** and fitted per frame:

* :func:`align_translation` — shift the prediction so its anchor joint lands on the
  reference's anchor ("joint 0": pelvis for the body, wrist for a hand). Used by JPE.
* :func:`align_procrustes` — the similarity transform ``s R x + t`` (rotation, uniform
  scale, translation; no reflection) minimising the squared distance to the reference
  (Umeyama's closed form). Used by PA-JPE.

Example::

    >>> aligned = align_procrustes(pred, ref)      # pred, ref: (..., J, 3)
    >>> np.linalg.norm(aligned - ref, axis=-1).mean()
"""

from __future__ import annotations

import numpy as np

__all__ = ["as_points", "align_translation", "align_procrustes", "best_rotation", "similarity_scale", "ALIGNMENTS"]

ALIGNMENTS = ("none", "translation", "procrustes")


def as_points(x, what: str = "points") -> np.ndarray:
    """numpy or torch (..., J, 3) -> float64 numpy, with a shape check."""
    if hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    a = np.asarray(x, dtype=np.float64)
    if a.ndim < 2 or a.shape[-1] != 3:
        raise ValueError(f"{what} must have shape (..., J, 3), got {a.shape}")
    return a


def align_translation(pred, ref_anchor, pred_anchor=None) -> np.ndarray:
    """Translate ``pred`` so that its anchor coincides with ``ref_anchor``.

    Args:
        pred: (..., J, 3) predicted joints.
        ref_anchor: (..., 3) the reference anchor position.
        pred_anchor: (..., 3) the prediction's anchor; ``pred[..., 0, :]`` when None.

    Returns:
        (..., J, 3) translated prediction.
    """
    pred = as_points(pred, "pred")
    ref_anchor = np.asarray(ref_anchor, dtype=np.float64)
    pred_anchor = pred[..., 0, :] if pred_anchor is None else np.asarray(pred_anchor, dtype=np.float64)
    return pred + (ref_anchor - pred_anchor)[..., None, :]


def _det3(X: np.ndarray) -> np.ndarray:
    return (X[..., 0, 0] * (X[..., 1, 1] * X[..., 2, 2] - X[..., 1, 2] * X[..., 2, 1])
            - X[..., 0, 1] * (X[..., 1, 0] * X[..., 2, 2] - X[..., 1, 2] * X[..., 2, 0])
            + X[..., 0, 2] * (X[..., 1, 0] * X[..., 2, 1] - X[..., 1, 1] * X[..., 2, 0]))


def _inverse_transpose3(X: np.ndarray) -> np.ndarray:
    """(B, 3, 3) -> (B, 3, 3) inverse transposes, by cofactors (X must be invertible)."""
    a, b, c = X[:, 0, 0], X[:, 0, 1], X[:, 0, 2]
    d, e, f = X[:, 1, 0], X[:, 1, 1], X[:, 1, 2]
    g, h, i = X[:, 2, 0], X[:, 2, 1], X[:, 2, 2]
    C = np.empty_like(X)
    C[:, 0, 0], C[:, 0, 1], C[:, 0, 2] = e * i - f * h, f * g - d * i, d * h - e * g
    C[:, 1, 0], C[:, 1, 1], C[:, 1, 2] = c * h - b * i, a * i - c * g, b * g - a * h
    C[:, 2, 0], C[:, 2, 1], C[:, 2, 2] = b * f - c * e, c * d - a * f, a * e - b * d
    det = a * C[:, 0, 0] + b * C[:, 0, 1] + c * C[:, 0, 2]
    return C / det[:, None, None]


def _polar_newton(H: np.ndarray, max_iter: int = 30, tol: float = 1e-12) -> tuple[np.ndarray, np.ndarray]:
    """Orthogonal polar factor of invertible (B, 3, 3) matrices by scaled Newton iteration.

    ``X <- (g X + X^-T / g) / 2`` with ``g = (|X^-1|_F / |X|_F)^(1/2)`` converges quadratically
    to ``U V^T`` (``H = U S V^T``). Returns the factors and a (B,) converged mask.
    """
    X = H / np.sqrt((H ** 2).sum(axis=(-1, -2)))[:, None, None]
    for _ in range(max_iter):
        Y = _inverse_transpose3(X)
        g = np.sqrt(np.sqrt((Y ** 2).sum(axis=(-1, -2)) / (X ** 2).sum(axis=(-1, -2))))[:, None, None]
        X_new = 0.5 * (g * X + Y / g)
        change = np.abs(X_new - X).max(axis=(-1, -2))
        X = X_new
        if (change < tol).all():
            break
    ortho = np.abs(np.swapaxes(X, -1, -2) @ X - np.eye(3)).max(axis=(-1, -2))
    return X, np.isfinite(ortho) & (ortho < 1e-9)


def _rotation_svd(H: np.ndarray) -> np.ndarray:
    u, _, vt = np.linalg.svd(H)
    d = np.sign(np.linalg.det(u @ vt))
    d = np.where(d == 0, 1.0, d)
    u = u.copy()
    u[..., :, -1] *= d[..., None]  # reflection guard: flip the weakest axis when det(U V^T) < 0
    return u @ vt


def best_rotation(H) -> np.ndarray:
    """The rotation ``R`` (det +1) maximising ``trace(R^T H)`` for each (..., 3, 3) matrix ``H``.

    With ``H = sum_j r_j p_j^T`` (centred point sets), ``R p_j`` best matches ``r_j`` (Kabsch).
    Well-conditioned ``H`` with positive determinant take a fast vectorised polar iteration
    (its orthogonal polar factor is then the answer); the rest an SVD with a reflection guard.
    """
    H = np.asarray(H, dtype=np.float64)
    shape = H.shape
    H = H.reshape(-1, 3, 3)
    R = np.empty_like(H)
    norm3 = (H ** 2).sum(axis=(-1, -2)) ** 1.5
    fast = _det3(H) > 1e-6 * norm3
    if fast.any():
        idx = np.flatnonzero(fast)
        Q, ok = _polar_newton(H[idx])
        R[idx[ok]] = Q[ok]
        fast[idx[~ok]] = False
    if not fast.all():
        R[~fast] = _rotation_svd(H[~fast])
    return R.reshape(shape)


def align_procrustes(pred, ref, scale: bool = True) -> np.ndarray:
    """Similarity-align each ``pred`` point set onto the matching ``ref`` point set.

    Args:
        pred: (..., J, 3) predicted joints.
        ref: (..., J, 3) reference joints, broadcastable with ``pred``.
        scale: fit a uniform scale as well (True for PA-JPE).

    Returns:
        (..., J, 3) the aligned prediction. Degenerate sets (all points equal)
        are only translated.
    """
    pred = as_points(pred, "pred")
    ref = as_points(ref, "ref")
    pred, ref = np.broadcast_arrays(pred, ref)
    mu_p = pred.mean(axis=-2, keepdims=True)
    mu_r = ref.mean(axis=-2, keepdims=True)
    p = pred - mu_p
    r = ref - mu_r
    H = np.swapaxes(r, -1, -2) @ p  # (..., 3, 3) = sum_j r_j p_j^T
    rot = best_rotation(H)
    s = similarity_scale(rot, H, (p ** 2).sum(axis=(-1, -2))) if scale else np.ones(pred.shape[:-2])
    return s[..., None, None] * (p @ np.swapaxes(rot, -1, -2)) + mu_r


def similarity_scale(rot: np.ndarray, H: np.ndarray, var_p: np.ndarray) -> np.ndarray:
    """Optimal uniform scale ``trace(R^T H) / sum_j |p_j|^2`` (1 where the prediction is a single point)."""
    tr = (rot * H).sum(axis=(-1, -2))
    return np.where(var_p > 0, tr / np.where(var_p > 0, var_p, 1.0), 1.0)
