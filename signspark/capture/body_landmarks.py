"""Holistic landmarks computed from our own body: PoseSequence -> :class:`Landmarks`.

Which body point stands for which MediaPipe point (``left`` = the signer's left):

* pose (33): nose, eyes and ears are the body model's face points, eye corners and mouth
  corners its iBUG face landmarks, shoulders / elbows / wrists / hips / knees / ankles its
  skeleton joints, the pose "pinky", "index" and "thumb" points the pinky and index knuckles
  and the thumb's middle joint, heels and foot tips its foot points;
* hands (21 each): wrist, then per finger the three skeleton joints from the palm outwards
  and the fingertip (:func:`signspark.body.joints.hand_joint_indices`);
* face (468/478): the points with a clear counterpart among the body's 51 face landmarks
  (eye and mouth corners, lips, brows, nose; :data:`FACE_FROM_BODY`); every other face
  point has confidence 0 (absent).

Coordinates: the points are projected with a stated pinhole :class:`~signspark.render.Camera`
(by default the renderer's ``front`` view of the clip, so the landmarks lie on the pixels of
``signspark render --view front`` at the same size). ``z`` follows MediaPipe: camera depth
relative to the hips' midpoint (body), the wrist (hands) or the nose tip (face), in pixels at
the point's distance, negative = nearer the camera. The optional world landmarks are metres
in the camera's axes (x right, y down, z away), origin between the hips.
"""

from __future__ import annotations

import numpy as np
import torch

from ..body.joints import JOINT_INDEX, hand_joint_indices
from . import layout as L
from .landmarks import Landmarks

__all__ = ["POSE_FROM_BODY", "FACE_FROM_BODY", "landmarks_from_joints", "landmarks_from_sequence"]

POSE_FROM_BODY: tuple[str, ...] = (
    "nose", "left_eye4", "left_eye", "left_eye1", "right_eye4", "right_eye", "right_eye1",
    "left_ear", "right_ear", "left_mouth_1", "right_mouth_1", "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_pinky1", "right_pinky1",
    "left_index1", "right_index1", "left_thumb2", "right_thumb2", "left_hip", "right_hip",
    "left_knee", "right_knee", "left_ankle", "right_ankle", "left_heel", "right_heel",
    "left_big_toe", "right_big_toe",
)
"""Body output joint name for each of the 33 pose points, in MediaPipe order."""

FACE_FROM_BODY: dict[int, str] = {
    1: "nose4", 168: "nose1", 2: "nose_middle", 98: "right_nose_2", 327: "left_nose_2",
    33: "right_eye1", 133: "right_eye4", 263: "left_eye1", 362: "left_eye4",
    61: "right_mouth_1", 291: "left_mouth_1", 0: "mouth_top", 17: "mouth_bottom",
    78: "right_lip_1", 308: "left_lip_1", 13: "lip_top", 14: "lip_bottom",
    70: "right_eye_brow1", 105: "right_eye_brow3", 107: "right_eye_brow5",
    300: "left_eye_brow1", 334: "left_eye_brow3", 336: "left_eye_brow5",
}
"""Face-mesh index -> body output joint name, for the face points that have a counterpart."""

_POSE_IDS = np.array([JOINT_INDEX[n] for n in POSE_FROM_BODY])
_FACE_MESH_IDS = np.array(sorted(FACE_FROM_BODY))
_FACE_BODY_IDS = np.array([JOINT_INDEX[FACE_FROM_BODY[i]] for i in _FACE_MESH_IDS])


def landmarks_from_joints(joints, camera, fps: float = 25.0, face_points: int = L.NUM_FACE,
                          source: str = "") -> Landmarks:
    """Project posed body joints to Holistic landmarks.

    Args:
        joints: (T, 127, 3) body output joints in metres (:class:`signspark.body.BodyOutput`).
        camera: a :class:`signspark.render.Camera`; landmarks are in its pixels.
        fps: frame rate to record.
        face_points: 468 or 478.

    Returns:
        :class:`Landmarks` with every pose and hand point present (confidence 1), the face
        points of :data:`FACE_FROM_BODY` present and the others absent, and world landmarks.
    """
    j = torch.as_tensor(joints, dtype=torch.float32)
    if j.ndim != 3 or j.shape[1] < 127 or j.shape[2] != 3:
        raise ValueError(f"joints must have shape (T, 127, 3), got {tuple(j.shape)}")
    T = j.shape[0]
    uv, depth = camera.project(j)
    uv, depth = uv.numpy(), depth.numpy()
    f = camera.focal
    lm = Landmarks.empty(T, camera.width, camera.height, fps=fps, face_points=face_points, source=source)

    def put(comp: str, body_ids: np.ndarray, ref_depth: np.ndarray, dest=slice(None)) -> None:
        pts = lm.points[comp]
        pts[:, dest, :2] = uv[:, body_ids]
        d = depth[:, body_ids]
        pts[:, dest, 2] = (d - ref_depth[:, None]) * f / np.maximum(d, 1e-6)
        lm.confidence[comp][:, dest] = 1.0

    hips = 0.5 * (depth[:, JOINT_INDEX["left_hip"]] + depth[:, JOINT_INDEX["right_hip"]])
    put(L.POSE, _POSE_IDS, hips)
    for side, comp in (("left", L.LEFT_HAND), ("right", L.RIGHT_HAND)):
        ids = np.array(hand_joint_indices(side))
        put(comp, ids, depth[:, ids[0]])
    put(L.FACE, _FACE_BODY_IDS, depth[:, JOINT_INDEX["nose4"]], dest=_FACE_MESH_IDS)
    cam = camera.world_to_camera(j[:, _POSE_IDS]).numpy()
    lm.world = (cam - 0.5 * (cam[:, 23:24] + cam[:, 24:25])).astype(np.float32)
    lm.validate()
    return lm


def landmarks_from_sequence(seq, body_model=None, size: int | tuple[int, int] = 512, camera=None,
                            view: str = "front", fov_y: float = 25.0, face_points: int = L.NUM_FACE) -> tuple[Landmarks, object]:
    """Landmarks of a PoseSequence as MediaPipe would ideally report them.

    Args:
        seq: a :class:`~signspark.pose.PoseSequence`.
        body_model: a :class:`~signspark.body.BodyModel` (default: the built-in body).
        size: image size in pixels, one int (square) or (width, height).
        camera: a :class:`~signspark.render.Camera`; default: the renderer's camera for ``view``,
            which frames the whole clip (so the landmarks match ``signspark render`` pixels).
        view, fov_y: the view preset and vertical field of view (degrees) of the default camera.
        face_points: 468 or 478.

    Returns:
        (:class:`Landmarks`, the camera used).
    """
    from ..body import BodyModel
    from ..render.views import camera_for_view

    bm = body_model if body_model is not None else BodyModel.load()
    w, h = (size, size) if isinstance(size, (int, np.integer)) else (int(size[0]), int(size[1]))
    with torch.no_grad():
        joints = torch.cat([bm(seq.slice(a, a + 64)).joints.cpu() for a in range(0, seq.num_frames, 64)])
    if camera is None:
        camera = camera_for_view(view, joints, w, h, fov_y=fov_y)
    return landmarks_from_joints(joints, camera, fps=seq.fps, face_points=face_points), camera
