"""A hand's global wrist rotation from a HamNoSys extended-finger direction and palm orientation.

Directions and the palm rule are those of :mod:`.directions` (body frame: metres, +x the signer's left,
+y up, +z forward). The rotation is built on :func:`signspark.signs.arms.hand_rotation` and corrected for
the few degrees by which the skeleton's real wrist -> middle-knuckle line differs from its x axis.
"""

from __future__ import annotations

import numpy as np

from ..arms import hand_rotation as _nominal_hand_rotation
from ..kinematics import FINGER_JOINTS, WRIST, Skeleton, skeleton
from .directions import direction, palm_normal

__all__ = ["hand_frame", "hand_rotation"]


def hand_frame(extended_finger, palm) -> tuple[np.ndarray, np.ndarray]:
    """(finger axis, palm normal): two perpendicular (3,) unit vectors in the body frame.

    ``palm`` is a label relative to the fingers (``"d"``, ``"hampalmdl"``; see
    :func:`.directions.palm_normal`) or an absolute (3,) normal, which is only made perpendicular."""
    f = direction(extended_finger)
    if isinstance(palm, str):
        return f, palm_normal(palm, f)
    p = direction(palm)
    p = p - f * (p @ f)
    n = float(np.linalg.norm(p))
    if n < 1e-6:
        raise ValueError(f"palm direction {palm!r} is parallel to the finger direction {extended_finger!r}")
    return f, p / n


def _rest_correction(side: str, skel: Skeleton) -> np.ndarray:
    """(3, 3) rotation taking the skeleton's real rest hand frame onto the nominal one of ``arms``."""
    J = skel.rest
    axis = J[FINGER_JOINTS(side, "middle")[0]] - J[WRIST[side]]
    axis /= np.linalg.norm(axis)
    palm = np.array([0, -1.0, 0]) - axis * -axis[1]
    palm /= np.linalg.norm(palm)
    true = np.stack([axis, palm, np.cross(axis, palm)], axis=1)
    nominal_axis = np.array([-1.0, 0, 0]) if side == "right" else np.array([1.0, 0, 0])
    nominal = np.stack([nominal_axis, [0, -1.0, 0], np.cross(nominal_axis, [0, -1.0, 0])], axis=1)
    return nominal @ true.T


def hand_rotation(side: str, extended_finger, palm, skel: Skeleton | None = None) -> np.ndarray:
    """(3, 3) global wrist rotation so that the hand's metacarpus (wrist -> middle knuckle of the actual
    skeleton) points along ``extended_finger`` and the palm faces ``palm`` (see :func:`hand_frame`)."""
    f, p = hand_frame(extended_finger, palm)
    return _nominal_hand_rotation(side, f, p) @ _rest_correction(side, skel or skeleton())
