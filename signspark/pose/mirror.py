"""Left-handed signing: mirror a PoseSequence across the body's sagittal plane.

A right-handed signer's clip becomes the same signing by a left-handed signer: the
dominant hand of a one-handed sign becomes the left hand, and the two hands swap roles
in two-handed signs. This is done on the SMPL-X parameters, never on video.

The maths. The body's sagittal plane is ``x = 0`` (``+x`` is the subject's left, y up,
``+z`` in front; see :mod:`signspark.body.joints`). The reflection is ``M = diag(-1, 1, 1)``.

* A joint rotation ``R`` becomes ``M R M``. In axis-angle terms (an axial vector,
  which picks up ``det M = -1``) that is ``(x, y, z) -> (x, -y, -z)``: the same
  conjugation as the project's left-hand flip (:func:`signspark.pose.rotations.flip_axis_angle`).
* Every joint takes its twin's (mirrored) rotation: left and right hips, knees,
  ankles, feet, collars, shoulders, elbows, wrists and eyes swap, and so do the two
  hands' MANO poses (both hands store their 15 finger joints in the same order,
  the left hand being the mirror image of the right). Joints on the plane
  (pelvis, spine, neck, head, jaw) keep their own rotation, mirrored.
* Global orientation is mirrored like any joint; the translation's x is negated
  around the pelvis: ``tx' = -tx - 2 * pelvis_x`` (pelvis_x is the rest pelvis of
  the body's shape, 0 for the built-in body).
* Expressions are kept as they are (the blend shapes have no left/right pairing to
  swap); shape, fps, text, segments and keyframes are unchanged.

For a left-right symmetric body (the built-in body; SMPL-X's mean shape to within
millimetres) every posed joint of the mirrored clip is the original joint's twin with
x negated, which the tests check to 1e-4 m. Mirroring twice gives the clip back.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..body.joints import NUM_JOINTS, mirror_joint_map
from .sequence import PoseSequence

__all__ = ["mirror_sequence", "mirror_full_pose", "MIRROR_AXIS_SIGNS"]

MIRROR_AXIS_SIGNS = np.array([1.0, -1.0, -1.0], np.float32)
"""Axis-angle sign pattern of a rotation reflected across the x = 0 plane."""

# The SMPL-X pose vector in joint order 0..54 (what smplx concatenates): global orient, 21 body
# joints, jaw, left eye, right eye, 15 left-hand joints, 15 right-hand joints.
_POSE_KEYS = (("global_orient", 1), ("body_pose", 21), ("jaw_pose", 1), ("leye_pose", 1), ("reye_pose", 1),
              ("left_hand_pose", 15), ("right_hand_pose", 15))


def mirror_full_pose(full_pose: np.ndarray) -> np.ndarray:
    """Mirror per-joint axis-angle rotations of the 55 SMPL-X joints.

    Args:
        full_pose: (..., 55, 3) axis-angle, radians, in SMPL-X joint order
            (:data:`signspark.body.joints.SMPLX_JOINT_NAMES`).

    Returns:
        (..., 55, 3) float32: joint ``i`` takes its left/right twin's rotation with the
        y and z components negated.
    """
    full_pose = np.asarray(full_pose, np.float32)
    if full_pose.shape[-2:] != (NUM_JOINTS, 3):
        raise ValueError(f"full_pose must have shape (..., {NUM_JOINTS}, 3), got {full_pose.shape}")
    return full_pose[..., mirror_joint_map(), :] * MIRROR_AXIS_SIGNS


def _pelvis_x(seq: PoseSequence, body) -> float:
    """x of the rest pelvis (metres) of ``body`` with the clip's shape; 0 without a body."""
    if body is None:
        return 0.0
    import torch

    with torch.no_grad():
        betas = torch.as_tensor(seq.betas[None], dtype=torch.float32, device=body.device)
        _, joints = body._shaped(betas)
    return float(joints[0, 0, 0])


def mirror_sequence(seq: PoseSequence, body=None) -> PoseSequence:
    """The clip signed by a mirror-image (left-handed) signer.

    Args:
        seq: a :class:`PoseSequence` (T frames).
        body: optional :class:`signspark.body.BodyModel` whose rest pelvis (for the clip's
            shape) the translation is mirrored around. None assumes the pelvis lies on the
            plane x = 0, which is exact for the built-in body and within a few millimetres
            for SMPL-X.

    Returns:
        A new PoseSequence (the input is not changed) with swapped, reflected joint
        rotations, swapped hands and eyes, mirrored global orientation and translation.
        ``mirror_sequence(mirror_sequence(s))`` equals ``s`` to float precision.
    """
    if not isinstance(seq, PoseSequence):
        raise TypeError(f"mirror_sequence takes a PoseSequence, got {type(seq).__name__}")
    T = seq.num_frames
    full = np.concatenate([seq.params[k].reshape(T, n, 3) for k, n in _POSE_KEYS], axis=1)
    mirrored = mirror_full_pose(full)
    params = dict(seq.params)
    start = 0
    for k, n in _POSE_KEYS:
        params[k] = mirrored[:, start:start + n].reshape(T, n * 3).copy()
        start += n
    transl = seq.params["transl"].copy()
    transl[:, 0] = -transl[:, 0] - 2.0 * _pelvis_x(seq, body)
    params["transl"] = transl
    params["expression"] = seq.params["expression"].copy()
    return dataclasses.replace(seq, params=params, segments=seq.segments.copy(), keyframes=seq.keyframes.copy(),
                               betas=seq.betas.copy())
