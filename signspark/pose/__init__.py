"""Pose representation: rotations, stream layouts and the PoseSequence clip format."""

from .rotations import (
    axis_angle_to_matrix, axis_angle_to_rot6d, flip_axis_angle, flip_matrix, flip_rot6d,
    matrix_to_axis_angle, matrix_to_rot6d, rot6d_to_axis_angle, rot6d_to_matrix,
)
from .mirror import mirror_sequence
from .sequence import NUM_BETAS, PoseFileError, PoseSequence
from .streams import (
    FULL_DIM, FULL_SLICES, STREAM_DIMS, features_to_body, features_to_face, features_to_hand,
    full_to_params, params_to_full, params_to_stream, stream_dim,
)

__all__ = [
    "axis_angle_to_matrix", "axis_angle_to_rot6d", "flip_axis_angle", "flip_matrix", "flip_rot6d",
    "matrix_to_axis_angle", "matrix_to_rot6d", "rot6d_to_axis_angle", "rot6d_to_matrix",
    "PoseSequence", "PoseFileError", "NUM_BETAS", "mirror_sequence",
    "FULL_DIM", "FULL_SLICES", "STREAM_DIMS", "features_to_body", "features_to_face", "features_to_hand",
    "full_to_params", "params_to_full", "params_to_stream", "stream_dim",
]
