"""Real signing in: video and ``.pose`` files -> MediaPipe Holistic landmarks -> SMPL-X + MANO.

Public API::

    from signspark.capture import capture, detect_landmarks, read_pose, write_pose, export_pose, fit_landmarks

* :func:`capture` - a video or a ``.pose`` file to a :class:`CaptureResult` (landmarks and fit) (:mod:`.api`).
* :func:`detect_landmarks` - video / image folder -> :class:`Landmarks` with MediaPipe Holistic (:mod:`.landmarks`;
  MediaPipe is the optional ``capture`` extra).
* :func:`read_pose`, :func:`write_pose`, :func:`export_pose` - ``.pose`` files in Holistic layout, both ways
  (:mod:`.pose_format_io`).
* :func:`fit_landmarks` - landmarks -> PoseSequence with per-frame confidence (:mod:`.fit`).
* :func:`landmarks_from_sequence` - the landmarks our own body would give (:mod:`.body_landmarks`).
* :func:`fast_features`, :func:`segment_capture` - a capture as FAST input (unseen hands zeroed) and
  its segmentation (:mod:`.fast_input`).
* :func:`capture_to_lmdb`, :func:`read_text_csv` - a folder of clips to one official-schema LMDB file,
  in parallel, resumable (:mod:`.batch`).
* :func:`correct_hand_landmarks` - the per-landmark correction of MediaPipe's palm points
  (:mod:`.hand_correction`).

Modules load on first use: importing this package does not import torch, MediaPipe or pose-format.
"""

from __future__ import annotations

_LAZY = {
    "capture": "api", "CaptureResult": "api", "save_capture": "api", "CaptureError": "api",
    "Landmarks": "landmarks", "LandmarkError": "landmarks", "NoPersonError": "landmarks",
    "MediaPipeUnavailableError": "landmarks", "detect_landmarks": "landmarks",
    "read_pose": "pose_format_io", "write_pose": "pose_format_io", "export_pose": "pose_format_io",
    "PoseFormatError": "pose_format_io",
    "fit_landmarks": "fit", "FitOptions": "fit", "FitResult": "fit",
    "landmarks_from_sequence": "body_landmarks", "landmarks_from_joints": "body_landmarks",
    "FrameError": "frames",
    "fast_features": "fast_input", "segment_capture": "fast_input",
    "capture_to_lmdb": "batch", "read_text_csv": "batch",
    "correct_hand_landmarks": "hand_correction",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = sorted(_LAZY)
