"""Stream layouts of the generator and their mapping to SMPL-X parameters.

Per frame, the official streams are (channels):

==========  =====  =====================================================
stream      width  content
==========  =====  =====================================================
hand        90     15 MANO finger joints x 6D, relative to a flat hand
body        60     SMPL-X ``body_pose`` joints 11..20 x 6D (SMPL-X joint
                   ids 12..21: neck, collars, head, shoulders, elbows, wrists)
face        56     jaw 6D followed by 50 expression coefficients
full        296    ``[left 90 | right 90 | body 60 | face 56]``
==========  =====  =====================================================

In the official data the **left** hand is stored in the flipped convention
(conjugated by diag(1,-1,-1), see :func:`signspark.pose.rotations.flip_rot6d`),
so that one hand model serves both hands. ``flip_left=True`` (the default)
follows that convention.

All functions take frame-first tensors ``(T, ...)`` (any leading batch shape
works) and are exact inverses of each other on the channels a stream holds;
the channels a stream does not hold (legs, spine, global orientation) come back
as zeros, as in the official visualiser.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import torch

from .rotations import (
    axis_angle_to_rot6d,
    flip_axis_angle,
    rot6d_to_axis_angle,
)

HAND_DIM = 90
BODY_DIM = 60
FACE_DIM = 56
FULL_DIM = 296
NUM_EXPRESSION = 50
NUM_BODY_JOINTS = 21  # SMPL-X body_pose joints (ids 1..21)
BODY_STREAM_JOINTS = tuple(range(11, 21))  # indices into body_pose (SMPL-X ids 12..21)
OFFICIAL_BODY_WIDTH = NUM_BODY_JOINTS * 6  # 126, the LMDB ``body_features`` width
OFFICIAL_HAND_WIDTH = 96  # 15 x 6D fingers + 6D global orientation

STREAM_DIMS = {"hand": HAND_DIM, "body": BODY_DIM, "face": FACE_DIM, "full": FULL_DIM}
FULL_SLICES = {
    "left": slice(0, 90),
    "right": slice(90, 180),
    "body": slice(180, 240),
    "face": slice(240, 296),
}

# SMPL-X parameter names and widths per frame (betas are per clip).
SMPLX_FRAME_KEYS = {
    "global_orient": 3,
    "body_pose": 63,
    "jaw_pose": 3,
    "leye_pose": 3,
    "reye_pose": 3,
    "left_hand_pose": 45,
    "right_hand_pose": 45,
    "expression": NUM_EXPRESSION,
    "transl": 3,
}

__all__ = [
    "HAND_DIM", "BODY_DIM", "FACE_DIM", "FULL_DIM", "STREAM_DIMS", "FULL_SLICES",
    "SMPLX_FRAME_KEYS", "BODY_STREAM_JOINTS", "NUM_EXPRESSION",
    "hand_to_features", "features_to_hand", "body_to_features", "features_to_body",
    "body_pose_to_official", "official_to_body_pose",
    "face_to_features", "features_to_face", "params_to_full", "full_to_params",
    "params_to_stream", "stream_dim",
]


def _t(x) -> torch.Tensor:
    if isinstance(x, torch.Tensor):
        return x if x.is_floating_point() else x.float()
    return torch.as_tensor(np.asarray(x), dtype=torch.float32)


def _check_width(x: torch.Tensor, width: int, what: str) -> None:
    if x.shape[-1] != width:
        raise ValueError(f"{what}: expected last dimension {width}, got shape {tuple(x.shape)}")


def stream_dim(stream: str) -> int:
    """Channel count of a stream name (``hand``, ``body``, ``face``, ``full``)."""
    try:
        return STREAM_DIMS[stream]
    except KeyError:
        raise ValueError(f"unknown stream {stream!r}; expected one of {sorted(STREAM_DIMS)}") from None


def hand_to_features(hand_pose, flip: bool = False) -> torch.Tensor:
    """MANO hand pose (..., 45) axis-angle, relative to a flat hand -> (..., 90) 6D.

    ``flip=True`` applies the left-hand flip (use it for a left hand in the
    official convention).
    """
    aa = _t(hand_pose)
    _check_width(aa, 45, "hand pose")
    aa = aa.reshape(*aa.shape[:-1], 15, 3)
    if flip:
        aa = flip_axis_angle(aa)
    return axis_angle_to_rot6d(aa).reshape(*aa.shape[:-2], HAND_DIM)


def features_to_hand(features, flip: bool = False) -> torch.Tensor:
    """(..., 90) 6D hand features -> (..., 45) axis-angle; ``flip`` undoes the left-hand flip."""
    f = _t(features)
    _check_width(f, HAND_DIM, "hand features")
    aa = rot6d_to_axis_angle(f.reshape(*f.shape[:-1], 15, 6))
    if flip:
        aa = flip_axis_angle(aa)
    return aa.reshape(*aa.shape[:-2], 45)


def body_pose_to_official(body_pose) -> torch.Tensor:
    """SMPL-X ``body_pose`` (..., 63) -> official ``body_features`` (..., 126), all 21 joints in 6D."""
    aa = _t(body_pose)
    _check_width(aa, 63, "body_pose")
    return axis_angle_to_rot6d(aa.reshape(*aa.shape[:-1], 21, 3)).reshape(*aa.shape[:-1], OFFICIAL_BODY_WIDTH)


def official_to_body_pose(body_features) -> torch.Tensor:
    """Official ``body_features`` (..., 126) -> ``body_pose`` (..., 63)."""
    f = _t(body_features)
    _check_width(f, OFFICIAL_BODY_WIDTH, "body_features")
    return rot6d_to_axis_angle(f.reshape(*f.shape[:-1], 21, 6)).reshape(*f.shape[:-1], 63)


def body_to_features(body_pose) -> torch.Tensor:
    """``body_pose`` (..., 63) -> body stream (..., 60): joints 11..20 in 6D."""
    return body_pose_to_official(body_pose)[..., 66:]


def features_to_body(features) -> torch.Tensor:
    """Body stream (..., 60) -> ``body_pose`` (..., 63) with legs and spine (joints 0..10) zero."""
    f = _t(features)
    _check_width(f, BODY_DIM, "body features")
    upper = rot6d_to_axis_angle(f.reshape(*f.shape[:-1], 10, 6)).reshape(*f.shape[:-1], 30)
    lower = torch.zeros(*f.shape[:-1], 33, dtype=upper.dtype, device=upper.device)
    return torch.cat([lower, upper], dim=-1)


def face_to_features(jaw_pose, expression) -> torch.Tensor:
    """Jaw (..., 3) axis-angle and expression (..., E) -> face stream (..., 56).

    Expressions with fewer than 50 coefficients are zero-padded; more is an error.
    """
    jaw = _t(jaw_pose)
    _check_width(jaw, 3, "jaw_pose")
    expr = _t(expression)
    if expr.shape[-1] > NUM_EXPRESSION:
        raise ValueError(f"expression: at most {NUM_EXPRESSION} coefficients, got {expr.shape[-1]}")
    if expr.shape[-1] < NUM_EXPRESSION:
        pad = torch.zeros(*expr.shape[:-1], NUM_EXPRESSION - expr.shape[-1], dtype=expr.dtype, device=expr.device)
        expr = torch.cat([expr, pad], dim=-1)
    return torch.cat([axis_angle_to_rot6d(jaw), expr.to(jaw.dtype)], dim=-1)


def features_to_face(features) -> tuple[torch.Tensor, torch.Tensor]:
    """Face stream (..., 56) -> (jaw_pose (..., 3), expression (..., 50))."""
    f = _t(features)
    _check_width(f, FACE_DIM, "face features")
    return rot6d_to_axis_angle(f[..., :6]), f[..., 6:]


def params_to_full(params: Mapping[str, object], flip_left: bool = True) -> torch.Tensor:
    """SMPL-X parameters (each (T, D)) -> full stream (T, 296).

    Reads ``left_hand_pose``, ``right_hand_pose``, ``body_pose``, ``jaw_pose``
    and ``expression``; other keys are ignored (the full stream does not hold them).
    """
    missing = [k for k in ("left_hand_pose", "right_hand_pose", "body_pose", "jaw_pose", "expression") if k not in params]
    if missing:
        raise KeyError(f"SMPL-X parameters lack {missing}")
    return torch.cat([
        hand_to_features(params["left_hand_pose"], flip=flip_left),
        hand_to_features(params["right_hand_pose"]),
        body_to_features(params["body_pose"]),
        face_to_features(params["jaw_pose"], params["expression"]),
    ], dim=-1)


def full_to_params(features, flip_left: bool = True) -> dict[str, torch.Tensor]:
    """Full stream (..., 296) -> SMPL-X parameters (``global_orient``, eyes and ``transl`` zero)."""
    f = _t(features)
    _check_width(f, FULL_DIM, "full features")
    jaw, expr = features_to_face(f[..., FULL_SLICES["face"]])
    lead = f.shape[:-1]
    zeros3 = torch.zeros(*lead, 3, dtype=f.dtype, device=f.device)
    return {
        "global_orient": zeros3.clone(),
        "body_pose": features_to_body(f[..., FULL_SLICES["body"]]),
        "jaw_pose": jaw,
        "leye_pose": zeros3.clone(),
        "reye_pose": zeros3.clone(),
        "left_hand_pose": features_to_hand(f[..., FULL_SLICES["left"]], flip=flip_left),
        "right_hand_pose": features_to_hand(f[..., FULL_SLICES["right"]]),
        "expression": expr,
        "transl": zeros3.clone(),
    }


def params_to_stream(params: Mapping[str, object], stream: str, hand: str = "right", flip_left: bool = True) -> torch.Tensor:
    """SMPL-X parameters -> one stream's features (T, J).

    ``hand`` picks ``"left"`` or ``"right"`` for the hand stream, or ``"both"``
    for the 180-channel ``[L | R]`` layout used at sampling time.
    """
    stream_dim(stream)
    if stream == "full":
        return params_to_full(params, flip_left=flip_left)
    if stream == "body":
        return body_to_features(params["body_pose"])
    if stream == "face":
        return face_to_features(params["jaw_pose"], params["expression"])
    left = lambda: hand_to_features(params["left_hand_pose"], flip=flip_left)  # noqa: E731
    right = lambda: hand_to_features(params["right_hand_pose"])  # noqa: E731
    if hand == "left":
        return left()
    if hand == "right":
        return right()
    if hand == "both":
        return torch.cat([left(), right()], dim=-1)
    raise ValueError(f"hand must be 'left', 'right' or 'both', got {hand!r}")
