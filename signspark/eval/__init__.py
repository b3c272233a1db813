"""Evaluation: pose metrics (DTW-JPE, DTW-PA-JPE, MPJPE, PA-MPJPE, keyframe adherence),
back-translation scores and the evaluation report (segmentation scores come from
:mod:`signspark.segment.metrics`).

* :mod:`.joints` — PoseSequence -> scored joint groups (body 12, each hand 21) via the body model.
* :mod:`.alignment` — per-frame translation and similarity-Procrustes alignment.
* :mod:`.dtw` — classic DTW returning the accumulated path cost (SOKE-code convention).
* :mod:`.pose_metrics` — the metrics of one clip.
* :mod:`.back_translation` — BLEU / chrF / ROUGE-L and the back-translator hook.
* :mod:`.report` — :func:`evaluate` (the protocol) and :func:`write_report`.
"""

from .alignment import align_procrustes, align_translation
from .dtw import DTWResult, dtw
from .joints import BODY_JOINTS, GROUPS, GroupJoints, JointGroup, PoseToJoints, evaluation_params, hand_joint_names, select_groups
from .pose_metrics import (
    DTWScore, clip_metrics, dtw_error, dtw_jpe, dtw_pa_jpe, frame_errors, keyframe_error, mpjpe, pa_mpjpe,
    pairwise_errors,
)

__all__ = [
    "align_procrustes", "align_translation", "DTWResult", "dtw",
    "BODY_JOINTS", "GROUPS", "GroupJoints", "JointGroup", "PoseToJoints", "evaluation_params", "hand_joint_names",
    "select_groups",
    "DTWScore", "clip_metrics", "dtw_error", "dtw_jpe", "dtw_pa_jpe", "frame_errors", "keyframe_error", "mpjpe",
    "pa_mpjpe", "pairwise_errors",
]
