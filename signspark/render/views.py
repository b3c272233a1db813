"""Camera presets that frame a whole sequence: front, three-quarter, side (profile), and a close-up on the hands.

The camera is fixed for the whole clip (no jitter): it frames the joints of
interest over all frames, seen from the preset's direction.

=============  ===============================================================
view           framing
=============  ===============================================================
front          facing the subject (camera on +z), head to hips and both hands
three_quarter  35 degrees towards the subject's right side, same framing
side           the profile from the subject's right (90 degrees), same framing: how far the
               hands reach forward, and movements towards and away from the body
hands          facing the subject, the signing hands: wrists and every finger joint of each hand
               in the frames where it is raised (wrist above elbow), both hands in all frames
               when neither is raised; and the head, whose face (mouth, eyes) is part of signing
=============  ===============================================================
"""

from __future__ import annotations

import math

import numpy as np
import torch

from ..body.joints import JOINT_INDEX, UPPER_BODY_JOINTS, hand_joint_indices
from .camera import Camera

__all__ = ["VIEWS", "camera_for_view"]

VIEWS = ("front", "three_quarter", "side", "hands")
_AZIMUTH = {"front": 0.0, "three_quarter": -35.0, "side": -90.0, "hands": 0.0}  # degrees about +y; negative: towards the subject's right
_ELEVATION = {"front": 4.0, "three_quarter": 6.0, "side": 4.0, "hands": 10.0}
_MIN_EXTENT = {"front": 0.6, "three_quarter": 0.6, "side": 0.6, "hands": 0.28}  # metres across, at least
_MARGIN = {"front": 1.12, "three_quarter": 1.12, "side": 1.12, "hands": 1.15}


def _head_points(joints: np.ndarray) -> list[np.ndarray]:
    """Points around the head (top of the hair, chin, both cheeks): the head and chin are not joints."""
    head = joints[:, JOINT_INDEX["head"]]
    neck = joints[:, JOINT_INDEX["neck"]]
    up = head - neck
    up = up / np.linalg.norm(up, axis=-1, keepdims=True).clip(1e-6)
    side = np.cross(up, [0.0, 0.0, 1.0])
    side = side / np.linalg.norm(side, axis=-1, keepdims=True).clip(1e-6)
    return [head + 0.21 * up, head - 0.09 * up, head + 0.1 * side, head - 0.1 * side]


def _points_of_interest(view: str, joints: np.ndarray) -> np.ndarray:
    hands = list(hand_joint_indices("left")) + list(hand_joint_indices("right"))
    J = joints.shape[1]
    if view == "hands":
        # A hand at rest by the side does not sign: frame each hand in the frames where its wrist is
        # above its elbow (raising and lowering it then happen at the edge of the close-up). The
        # head stays in the picture: mouth and eyes carry part of the signing.
        parts = []
        for side in ("left", "right"):
            raised = joints[:, JOINT_INDEX[f"{side}_wrist"], 1] > joints[:, JOINT_INDEX[f"{side}_elbow"], 1]
            idx = [i for i in hand_joint_indices(side) if i < J]
            if raised.any() and idx:
                parts.append(joints[raised][:, idx].reshape(-1, 3))
        if not parts:
            idx = [i for i in hands if i < J] or [20, 21]
            parts.append(joints[:, idx].reshape(-1, 3))
        return np.concatenate(parts + _head_points(joints), 0)
    idx = [i for i in list(UPPER_BODY_JOINTS) + hands if i < J]
    pts = joints[:, idx].reshape(-1, 3)
    return np.concatenate([pts] + _head_points(joints), 0)


def camera_for_view(view: str, joints, width: int = 512, height: int = 512, fov_y: float = 25.0) -> Camera:
    """A fixed camera that frames a clip.

    Args:
        view: one of :data:`VIEWS`.
        joints: (T, J, 3) posed joints (J >= 55; 127 gives fingertips), metres.
        width, height: image size in pixels.
        fov_y: vertical field of view, degrees.
    """
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}; choose one of {', '.join(VIEWS)}")
    j = joints.detach().cpu().numpy() if isinstance(joints, torch.Tensor) else np.asarray(joints)
    if j.ndim == 2:
        j = j[None]
    if j.ndim != 3 or j.shape[-1] != 3 or j.shape[1] < 55:
        raise ValueError(f"joints must have shape (T, J, 3) with J >= 55, got {j.shape}")
    pts = _points_of_interest(view, j.astype(np.float64))
    az, el = math.radians(_AZIMUTH[view]), math.radians(_ELEVATION[view])
    direction = np.array([math.sin(az) * math.cos(el), math.sin(el), math.cos(az) * math.cos(el)])  # towards the camera
    up = np.array([0.0, 1.0, 0.0])
    right = np.cross(up, direction)
    right /= np.linalg.norm(right)
    cam_up = np.cross(direction, right)
    x, y, d = pts @ right, pts @ cam_up, pts @ direction
    cx, cy = 0.5 * (x.min() + x.max()), 0.5 * (y.min() + y.max())
    aspect = width / height
    half_h = max(0.5 * (y.max() - y.min()), 0.5 * (x.max() - x.min()) / aspect, 0.5 * _MIN_EXTENT[view])
    half_h *= _MARGIN[view]
    t = math.tan(math.radians(fov_y) / 2)
    dist = half_h / t + (d.max() - (d.max() + d.min()) / 2)  # the nearest points must fit too
    centre = cx * right + cy * cam_up + 0.5 * (d.max() + d.min()) * direction
    eye = centre + dist * direction
    return Camera.look_at(eye=eye, target=centre, width=width, height=height, fov_y=fov_y)
