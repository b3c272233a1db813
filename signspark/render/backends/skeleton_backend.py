"""A 2D skeleton drawing: bones and joints, the hands with every finger bone.

Colours: the subject's **left** side in blues, the **right** side in oranges,
the spine and head in grey; on each hand the five fingers get five shades so
handshapes read at a glance. Bones further from the camera are drawn first.
"""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image, ImageDraw

from ...body.joints import FINGER_NAMES, JOINT_INDEX, NUM_JOINTS, OUTPUT_JOINT_NAMES, skeleton_bones
from ..camera import Camera
from .base import Backend, FrameData

__all__ = ["SkeletonBackend", "LEFT_COLOR", "RIGHT_COLOR"]

LEFT_COLOR = (40, 110, 220)
RIGHT_COLOR = (235, 120, 30)
CENTRE_COLOR = (110, 110, 120)
_FINGER_SHADES = {  # per finger, light to dark
    "left": [(20, 60, 160), (40, 110, 220), (60, 160, 235), (40, 190, 200), (100, 120, 240)],
    "right": [(180, 70, 10), (235, 120, 30), (245, 165, 40), (220, 90, 60), (240, 200, 60)],
}
_LEGS = {"left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle", "left_foot", "right_foot",
         "left_big_toe", "left_small_toe", "left_heel", "right_big_toe", "right_small_toe", "right_heel"}


def _bone_style(child: str) -> tuple[tuple[int, int, int], str]:
    """(colour, kind) for the bone ending at joint ``child``; kind is body, hand or face."""
    for side in ("left", "right"):
        for f, finger in enumerate(FINGER_NAMES):
            if child.startswith(f"{side}_{finger}"):
                return _FINGER_SHADES[side][f], "hand"
        if child.startswith(f"{side}_"):
            return (LEFT_COLOR if side == "left" else RIGHT_COLOR), "body"
    return CENTRE_COLOR, "body"


class SkeletonBackend(Backend):
    """Skeleton drawing with Pillow (fast: no 3D rendering, just projected joints).

    Args:
        draw_legs: also draw hips, knees and feet (off by default: signing framing cuts them).
    """

    name = "skeleton"
    draws = "joints"

    def __init__(self, draw_legs: bool = False):
        self.draw_legs = draw_legs
        self._bones_for: dict[int, list] = {}

    def _bones(self, num_joints: int):
        if num_joints not in self._bones_for:
            out = []
            for p, c in skeleton_bones(num_joints):
                cname = OUTPUT_JOINT_NAMES[c]
                if not self.draw_legs and (cname in _LEGS or OUTPUT_JOINT_NAMES[p] in _LEGS):
                    continue
                if cname in ("jaw", "left_eye_smplhf", "right_eye_smplhf"):
                    continue
                colour, kind = _bone_style(cname)
                out.append((p, c, colour, kind))
            self._bones_for[num_joints] = out
        return self._bones_for[num_joints]

    def render(self, frame: FrameData, camera: Camera, background) -> np.ndarray:
        if frame.joints is None:
            raise ValueError("the skeleton backend needs joints")
        joints = frame.joints.detach().to("cpu", torch.float32)
        if joints.ndim != 2 or joints.shape[1] != 3 or joints.shape[0] < NUM_JOINTS:
            raise ValueError(f"joints must have shape (J, 3) with J >= {NUM_JOINTS}, got {tuple(joints.shape)}")
        W, H = camera.width, camera.height
        uv, z = camera.project(joints)
        uv, z = uv.numpy(), z.numpy()
        bg = tuple(int(round(float(c) * 255)) for c in background)
        img = Image.new("RGB", (W, H), bg)
        draw = ImageDraw.Draw(img)
        s = min(W, H) / 512.0
        body_w, hand_w = max(2, round(7 * s)), max(1, round(3 * s))
        bones = self._bones(joints.shape[0])
        depth = np.array([z[p] + z[c] for p, c, _, _ in bones])
        for i in np.argsort(-depth):
            p, c, colour, kind = bones[i]
            if z[p] <= camera.near or z[c] <= camera.near:
                continue
            draw.line([tuple(uv[p]), tuple(uv[c])], fill=colour, width=hand_w if kind == "hand" else body_w)
        # Joint dots: small on the hands, larger on the body; a face-outline hint from the landmarks.
        dot_hand, dot_body = max(1.5, 2.6 * s), max(2, 5 * s)
        seen = set()
        for p, c, colour, kind in bones:
            for j in (p, c):
                if j in seen or z[j] <= camera.near:
                    continue
                seen.add(j)
                r = dot_hand if kind == "hand" else dot_body
                x, y = uv[j]
                draw.ellipse([x - r, y - r, x + r, y + r], fill=colour if kind == "hand" else (60, 60, 70))
        if joints.shape[0] >= 76:
            fc = (90, 90, 100)
            r = max(1.5, 2.5 * s)
            for name in ("nose", "left_eye", "right_eye", "left_ear", "right_ear"):
                j = JOINT_INDEX[name]
                if z[j] > camera.near:
                    x, y = uv[j]
                    draw.ellipse([x - r, y - r, x + r, y + r], fill=fc)
            r = max(1.0, 1.4 * s)
            for j in range(76, min(joints.shape[0], 127)):  # face landmarks: brows, nose, eyes, mouth
                if z[j] > camera.near:
                    x, y = uv[j]
                    draw.ellipse([x - r, y - r, x + r, y + r], fill=fc)
        return np.asarray(img)
