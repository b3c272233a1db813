"""Pose -> the joints that the pose metrics score (SOKE-code convention).

Every frame is posed with the body model under a fixed evaluation convention,
so that only the signing articulators matter:

* the first 36 pose parameters are zeroed: ``global_orient`` (3) and the first
  11 ``body_pose`` joints (33: hips, spine, knees, ankles, feet), so the pelvis
  sits at the origin and the legs stay in rest pose;
* the shape is fixed (``betas``, 10 values, zeros unless given) for prediction
  and reference alike;
* only the first 10 expression coefficients are kept; eye poses are zero;
* no translation: joints are in metres relative to the body's own frame.

The scored joint groups are picked by name from the 127 SMPL-X output joints:

============  ====  ====================================================  =============
group         J     joints                                                anchor (JPE)
============  ====  ====================================================  =============
body          12    neck, shoulders, elbows, wrists, ears, eyes, nose     pelvis
left_hand     21    left wrist, 15 MANO finger joints, 5 fingertips       left wrist
right_hand    21    right wrist, 15 MANO finger joints, 5 fingertips      right wrist
============  ====  ====================================================  =============

The anchor is the joint whose position the translation alignment of DTW-JPE
matches ("joint 0"). For the hands it is the first scored joint; for the body
it is the pelvis, which is not itself scored.

Example::

    >>> to_joints = PoseToJoints.default()       # built-in body model
    >>> groups = to_joints.groups(sequence)      # {"body": GroupJoints, ...}
    >>> groups["body"].points.shape              # (T, 12, 3) metres
"""

from __future__ import annotations

import dataclasses
from typing import Mapping, Sequence

import numpy as np

from ..pose.sequence import NUM_BETAS, PoseSequence

__all__ = [
    "NUM_ZEROED_PARAMS", "NUM_EVAL_EXPRESSION", "BODY_JOINTS", "hand_joint_names", "JointGroup", "GROUPS",
    "GroupJoints", "joint_names", "select_groups", "evaluation_params", "PoseToJoints",
]

NUM_ZEROED_PARAMS = 36  # global_orient (3) + body_pose joints 1..11 (33)
NUM_EVAL_EXPRESSION = 10

BODY_JOINTS = (
    "neck", "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist",
    "left_ear", "right_ear", "left_eye", "right_eye", "nose",
)
_FINGERS = ("index", "middle", "pinky", "ring", "thumb")  # SMPL-X / MANO joint order
_TIPS = ("thumb", "index", "middle", "ring", "pinky")  # order of the fingertip vertices in SMPL-X output


def hand_joint_names(side: str) -> tuple[str, ...]:
    """The 21 scored joints of one hand: wrist, 15 MANO joints, 5 fingertips (SMPL-X names)."""
    if side not in ("left", "right"):
        raise ValueError(f"hand side must be 'left' or 'right', got {side!r}")
    mano = tuple(f"{side}_{f}{k}" for f in _FINGERS for k in (1, 2, 3))
    tips = tuple(f"{side}_{f}" for f in _TIPS)
    return (f"{side}_wrist",) + mano + tips


@dataclasses.dataclass(frozen=True)
class JointGroup:
    """A named set of scored joints and the joint that translation alignment anchors on."""

    name: str
    joints: tuple[str, ...]
    anchor: str


GROUPS: dict[str, JointGroup] = {
    "body": JointGroup("body", BODY_JOINTS, "pelvis"),
    "left_hand": JointGroup("left_hand", hand_joint_names("left"), "left_wrist"),
    "right_hand": JointGroup("right_hand", hand_joint_names("right"), "right_wrist"),
}


@dataclasses.dataclass
class GroupJoints:
    """Joint positions of one group over a clip.

    Attributes:
        points: (T, J, 3) float64 metres, the scored joints.
        anchor: (T, 3) float64 metres, the alignment anchor (pelvis or wrist).
    """

    points: np.ndarray
    anchor: np.ndarray

    def __len__(self) -> int:
        return int(self.points.shape[0])

    def take(self, frames) -> "GroupJoints":
        """The frames at the given indices (or slice)."""
        return GroupJoints(self.points[frames], self.anchor[frames])


def joint_names() -> tuple[str, ...]:
    """Names of the 127 body-model output joints, in SMPL-X order."""
    try:
        from ..body import joints as body_joints  # the body module's own list, when present
        for attr in ("OUTPUT_JOINT_NAMES", "JOINT_NAMES"):
            names = getattr(body_joints, attr, None)
            if names is not None:
                return tuple(names)
    except ImportError:
        pass
    from smplx.joint_names import JOINT_NAMES
    return tuple(JOINT_NAMES[:127])


def select_groups(joints, names: Sequence[str] | None = None,
                  groups: Mapping[str, JointGroup] | None = None) -> dict[str, GroupJoints]:
    """Pick the scored groups out of body-model joints.

    Args:
        joints: (T, N, 3) joint positions in metres (N >= 127 for SMPL-X output), numpy or torch.
        names: the N joint names (default: :func:`joint_names`).
        groups: which groups (default: :data:`GROUPS`).

    Returns:
        ``{group name: GroupJoints}``.
    """
    if hasattr(joints, "detach"):
        joints = joints.detach().cpu().numpy()
    joints = np.asarray(joints, dtype=np.float64)
    if joints.ndim != 3 or joints.shape[-1] != 3:
        raise ValueError(f"joints must have shape (T, N, 3), got {joints.shape}")
    names = tuple(names) if names is not None else joint_names()
    if len(names) < joints.shape[1]:
        names = names + tuple(f"_unnamed{i}" for i in range(len(names), joints.shape[1]))
    index = {n: i for i, n in enumerate(names[: joints.shape[1]])}
    out = {}
    for key, g in (groups or GROUPS).items():
        missing = [n for n in (*g.joints, g.anchor) if n not in index]
        if missing:
            raise ValueError(f"joint group {key!r} needs joints {missing}, which the body model's "
                             f"{joints.shape[1]} output joints do not include")
        out[key] = GroupJoints(joints[:, [index[n] for n in g.joints]], joints[:, index[g.anchor]])
    return out


def evaluation_params(seq: PoseSequence, betas=None) -> PoseSequence:
    """A copy of ``seq`` under the evaluation convention (see the module docstring).

    Args:
        seq: the clip.
        betas: (10,) fixed shape; zeros when None. The clip's own betas are ignored
            so that prediction and reference are posed on the same body.
    """
    p = {k: v.copy() for k, v in seq.params.items()}
    T = seq.num_frames
    p["global_orient"] = np.zeros((T, 3), np.float32)
    p["body_pose"][:, : NUM_ZEROED_PARAMS - 3] = 0.0
    p["expression"][:, NUM_EVAL_EXPRESSION:] = 0.0
    p["leye_pose"] = np.zeros((T, 3), np.float32)
    p["reye_pose"] = np.zeros((T, 3), np.float32)
    p["transl"] = np.zeros((T, 3), np.float32)
    b = np.zeros(NUM_BETAS, np.float32) if betas is None else np.asarray(betas, np.float32).reshape(NUM_BETAS)
    return PoseSequence(params=p, betas=b, fps=seq.fps, language=seq.language, text=seq.text)


class PoseToJoints:
    """PoseSequence -> scored joint groups through a body model, under the evaluation convention.

    Args:
        body_model: a callable ``body_model(seq, chunk_size=...)`` whose result has
            ``.joints`` of shape (T, N, 3) (e.g. :class:`signspark.body.BodyModel`).
        betas: (10,) fixed shape; zeros when None.
        names: output joint names (default: :func:`joint_names`).
        chunk_size: frames per body-model forward.
    """

    def __init__(self, body_model, betas=None, names: Sequence[str] | None = None, chunk_size: int = 64):
        self.body_model = body_model
        self.betas = betas
        self.names = tuple(names) if names is not None else None
        self.chunk_size = chunk_size

    @classmethod
    def default(cls, model_path=None, device=None, **kwargs) -> "PoseToJoints":
        """Use ``signspark.body.BodyModel.load(model_path)``: a licensed SMPL-X file or folder,
        else ``$SIGNSPARK_SMPLX_DIR``, else the built-in body. ``device``: torch device (CPU default)."""
        from ..body import BodyModel
        return cls(BodyModel.load(model_path=model_path, device=device or "cpu"), **kwargs)

    def joints(self, seq: PoseSequence) -> np.ndarray:
        """(T, N, 3) float64 joint positions in metres under the evaluation convention."""
        import torch
        with torch.no_grad():
            out = self.body_model(evaluation_params(seq, self.betas), chunk_size=self.chunk_size)
        j = out.joints
        if hasattr(j, "detach"):
            j = j.detach().cpu().numpy()
        return np.asarray(j, dtype=np.float64)

    def groups(self, seq: PoseSequence) -> dict[str, GroupJoints]:
        """``{group name: GroupJoints}`` for the clip."""
        return select_groups(self.joints(seq), self.names)

    __call__ = groups
