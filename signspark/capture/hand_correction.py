"""A fixed per-landmark correction of MediaPipe's hand points, in each hand's own frame.

MediaPipe places some hand landmarks systematically differently from where the body model
has its joints (its wrist point sits lower on the palm; the knuckles and the thumb's base sit a
little off the skeleton's joint centres). The correction moves the palm's points
(:data:`CORRECTED_POINTS`) by constant offsets expressed in the hand's local frame and in units
of the hand's size, so it follows the hand as it turns and scales:

* origin: the wrist point (0); scale ``s``: the distance wrist -> middle knuckle (9), pixels;
* axes: ``e1`` along wrist -> middle knuckle, ``e2`` across the palm (pinky knuckle 17 ->
  index knuckle 5, made orthogonal to ``e1``), ``e3 = e1 x e2``;
* a left hand is mirrored (``x -> -x``) first, so one table serves both hands.

``corrected[k] = p[k] + s * R @ offset[k]`` with ``R = [e1 e2 e3]`` (pixels; ``z`` in MediaPipe's
pixel-scaled relative depth).

The table shipped in :mod:`signspark.capture.hand_correction_table` was fitted by
``python scripts/fit_hand_correction.py`` on renders of our own avatar (fingerspelled words and
simulated signers held out from the benchmark's). It corrects the difference between MediaPipe's
landmark convention and our body model's joints as seen on our stylised hand; on real people
part of that difference is the same (joint centres versus MediaPipe's surface-like points) and
part is not (the stylised hand): it is on by default (:attr:`FitOptions.hand_correction`) and
can be switched off (``signspark capture --no-hand-correction``).

Example::

    lm2 = correct_hand_landmarks(lm)              # the built-in table
    table = fit_correction(detected, ideal)       # (21, 3) from (N, 21, 3) point arrays
"""

from __future__ import annotations

import dataclasses

import numpy as np

from . import layout as L
from .landmarks import Landmarks

__all__ = ["hand_frames", "fit_correction", "apply_correction", "correct_hand_landmarks", "default_table",
           "CORRECTED_POINTS"]

CORRECTED_POINTS = (0, 1, 5, 9, 13, 17)
"""The landmarks that get an offset: the wrist, the thumb's base and the four knuckles. They are
rigid in the palm's frame, so a fixed offset there is meaningful; a finger joint's offset would
depend on how its finger is bent (measured: correcting the finger joints too lowers their 2D
error but raises the signing hand's 3D error, 11.9 -> 12.6 mm)."""

_WRIST, _INDEX_MCP, _MIDDLE_MCP, _PINKY_MCP = 0, 5, 9, 17
_MIN_SCALE = 1.0  # pixels: a hand smaller than this has no usable frame


def hand_frames(points: np.ndarray, side: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Local frames of hands.

    Args:
        points: (N, 21, 3) hand landmarks, pixels (MediaPipe order).
        side: ``"left"`` or ``"right"`` (a left hand is mirrored x -> -x first).

    Returns:
        ``(origin (N, 3), R (N, 3, 3) with the axes as columns, scale (N,) pixels)``, in the
        mirrored coordinates for a left hand.
    """
    p = np.asarray(points, np.float64).copy()
    if side == "left":
        p[..., 0] *= -1
    origin = p[:, _WRIST]
    a = p[:, _MIDDLE_MCP] - origin
    scale = np.linalg.norm(a, axis=-1)
    e1 = a / np.maximum(scale, 1e-9)[:, None]
    b = p[:, _INDEX_MCP] - p[:, _PINKY_MCP]
    b = b - (b * e1).sum(-1, keepdims=True) * e1
    e2 = b / np.maximum(np.linalg.norm(b, axis=-1), 1e-9)[:, None]
    e3 = np.cross(e1, e2)
    return origin, np.stack([e1, e2, e3], axis=-1), scale


def _image_jacobian(points: np.ndarray, side: str) -> np.ndarray:
    """(N, 2, 3): how a local offset (hand-size units) moves a point in the image (x, y pixels)."""
    _, R, scale = hand_frames(points, side)
    M = R * scale[:, None, None]
    if side == "left":
        M = M * np.array([-1.0, 1.0, 1.0])[None, :, None]  # back from the mirrored coordinates
    M[scale <= _MIN_SCALE] = 0.0
    return M[:, :2, :]


def fit_correction(detected: np.ndarray, ideal: np.ndarray, side: str | np.ndarray = "right",
                   trim: float = 3.0, points: tuple[int, ...] = CORRECTED_POINTS) -> np.ndarray:
    """The (21, 3) offsets that bring detected points closest to ideal ones in the image.

    Per landmark, a linear least-squares fit of the offset ``d`` minimising
    ``sum |(p + s R d)_xy - ideal_xy|^2`` over every sample (only x and y count: the fit uses
    MediaPipe's hand depth for its start only).

    Args:
        detected: (N, 21, 3) MediaPipe hand points, pixels.
        ideal: (N, 21, 3) where those points should be (our joints projected), pixels.
        side: ``"left"``, ``"right"`` or an (N,) array of them.
        trim: samples whose 2D residual is more than ``trim`` times the median (per landmark) are
            left out (a missed or swapped detection).
        points: the landmarks to correct (the others get zero offsets).

    Returns:
        (21, 3) float32 offsets in units of hand size, local frame (see the module docstring).
    """
    det, ide = np.asarray(detected, np.float64), np.asarray(ideal, np.float64)
    sides = np.broadcast_to(np.asarray(side), (len(det),))
    J = np.zeros((len(det), 2, 3))
    for s in ("left", "right"):
        m = sides == s
        if m.any():
            J[m] = _image_jacobian(det[m], s)
    usable = np.abs(J).sum((1, 2)) > 0
    if not usable.any():
        raise ValueError("no usable hand samples to fit a correction")
    J, det, ide = J[usable], det[usable], ide[usable]
    resid = (ide - det)[..., :2]  # (N, 21, 2)
    out = np.zeros((21, 3))
    for k in points:
        e = np.linalg.norm(resid[:, k], axis=-1)
        keep = e <= trim * max(float(np.median(e)), 1e-9)
        A = J[keep].reshape(-1, 3)
        b = resid[keep, k].reshape(-1)
        out[k] = np.linalg.lstsq(A, b, rcond=None)[0]
    return out.astype(np.float32)


def apply_correction(points: np.ndarray, table: np.ndarray, side: str) -> np.ndarray:
    """(N, 21, 3) hand points, pixels -> corrected points (same shape; hands too small stay as they are)."""
    p = np.asarray(points, np.float64)
    _, R, scale = hand_frames(p, side)
    shift = np.einsum("nij,kj->nki", R, np.asarray(table, np.float64)) * scale[:, None, None]
    if side == "left":
        shift[..., 0] *= -1
    shift[scale <= _MIN_SCALE] = 0.0
    return (p + shift).astype(np.float32)


def default_table() -> np.ndarray:
    """The built-in (21, 3) table (:mod:`signspark.capture.hand_correction_table`)."""
    from .hand_correction_table import OFFSETS

    return np.asarray(OFFSETS, np.float32).reshape(21, 3)


def correct_hand_landmarks(lm: Landmarks, table: np.ndarray | None = None) -> Landmarks:
    """Landmarks with both hands corrected where they were seen (other components unchanged).

    Args:
        lm: :class:`Landmarks` (pixels).
        table: (21, 3) offsets; None = :func:`default_table`.
    """
    table = default_table() if table is None else np.asarray(table, np.float32)
    if table.shape != (21, 3) or not np.isfinite(table).all():
        raise ValueError(f"a hand correction table has shape (21, 3) and finite values, got {table.shape}")
    points = dict(lm.points)
    for side, comp in (("left", L.LEFT_HAND), ("right", L.RIGHT_HAND)):
        seen = lm.present(comp)
        if seen.any():
            p = lm.points[comp].copy()
            p[seen] = apply_correction(p[seen], table, side)
            points[comp] = p
    return dataclasses.replace(lm, points=points)
