"""SMPL-X upper body + MANO hands fitted to Holistic landmarks, batched over the whole clip.

Camera: a pinhole at the origin looking along -z (world y up, +x the signer's left when
they face the camera), principal point at the image centre, focal length from an assumed
vertical field of view (:attr:`FitOptions.fov_y`; 40 degrees unless known). The body stands
in front of it; its distance comes from the shoulder width of our body model.

Stages (each batched over every frame at once, torch on the CPU):

1. **Hands** (:mod:`.hand_fit`): the 21 points of each seen hand, lifted to 3D with
   MediaPipe's relative depth and turned to the hand's viewing ray, give the MANO finger
   angles and the hand's orientation; each frame starts from the nearest hand of the handshape
   inventory (:attr:`FitOptions.handshape_prior`) or from the landmark directions.
2. **Body, analytic**: distance and position from the shoulders; each arm from its
   shoulder-elbow-wrist directions (depth from our bone lengths, its sign from MediaPipe's
   depth) with the elbow as a hinge; the wrist from the hand's orientation.
3. **Body, optimised**: global orientation, spine, neck, head, collars, shoulders, elbows,
   wrists and the translation by Adam on the 2D reprojection of the pose points and of all
   hand points, the hand orientation from stage 1, MediaPipe's depth of the arms (weak),
   priors (elbow hinge and its limit, small spine and collar rotations) and temporal
   smoothness.
4. **Gaps**: a hand not seen is interpolated over gaps of up to :attr:`FitOptions.max_gap`
   frames and eases to a relaxed rest pose over longer ones; an arm whose wrist is not seen
   either drops to the hands-down rest pose over long gaps. The jaw opening comes from the
   inner-lip gap of the face mesh, calibrated on the body model. Expressions are not fitted.

The output :class:`FitResult` holds a PoseSequence (translation zero: the body is placed at
the origin; the camera-space translation is kept in :attr:`FitResult.camera_transl`), a
per-frame confidence and the parts' confidences. Nothing in it is NaN.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Callable

import numpy as np
import torch

from ..body.joints import JOINT_INDEX
from ..pose.sequence import PoseSequence
from . import layout as L
from .body_landmarks import POSE_FROM_BODY
from .gaps import fill_gaps
from .geometry import frame_from_two, matrix_to_rotvec, swing
from .hand_fit import CM, HandModel, fit_hand_points
from .inventory import inventory_poses
from .landmarks import LandmarkError, Landmarks
from .skeleton import FitSkeleton, SubsetFK, rodrigues, skeleton_for

__all__ = ["FitOptions", "FitResult", "fit_landmarks", "REST_BODY", "RELAXED_HAND"]

ProgressFn = Callable[[str], None]

# Joints the body stage moves (SMPL-X ids): root, spine3, neck, collars, head, shoulders, elbows, wrists.
_BODY_JOINTS = (0, 9, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21)
_CHAIN = (0, 1, 2, 3, 6, 9, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22)  # with their parents, hips and jaw
_POSE_USED = (0, 2, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 23, 24)
_POSE_WEIGHT = {0: 0.5, 2: 0.5, 5: 0.5, 7: 0.3, 8: 0.3, 9: 0.3, 10: 0.3, 11: 1.0, 12: 1.0, 13: 1.0, 14: 1.0,
                15: 0.5, 16: 0.5, 23: 0.2, 24: 0.2}


def _hand_point_weight(opts: "FitOptions") -> torch.Tensor:
    """(21,) hand point weights: MediaPipe's wrist point is less reliable than the rest (it sits lower on the palm)."""
    return torch.tensor([float(opts.wrist_weight)] + [1.0] * 20)
_SIDES = ("left", "right")
_ARM = {"left": (16, 18, 20), "right": (17, 19, 21)}  # shoulder, elbow, wrist
_POSE_ARM = {"left": (11, 13, 15), "right": (12, 14, 16)}
_HAND_COMP = {"left": L.LEFT_HAND, "right": L.RIGHT_HAND}
_MIRROR = torch.tensor([-1.0, 1.0, 1.0])

REST_BODY = np.zeros((21, 3), np.float32)
"""(21, 3) hands-down rest body pose: arms by the sides, elbows a little bent."""
REST_BODY[15] = (0, 0, -72 * math.pi / 180)  # left shoulder (SMPL-X joint 16)
REST_BODY[16] = (0, 0, 72 * math.pi / 180)
REST_BODY[17] = (0, -18 * math.pi / 180, 0)  # left elbow
REST_BODY[18] = (0, 18 * math.pi / 180, 0)

_RELAXED_RIGHT = np.zeros((15, 3), np.float32)
for _f, _bend in ((0, 0.2), (1, 0.25), (2, 0.3), (3, 0.28)):  # index, middle, pinky, ring
    _RELAXED_RIGHT[3 * _f:3 * _f + 3, 2] = _bend
_RELAXED_RIGHT[12:15] = ((0.2, 0.1, 0.0), (0.0, 0.0, 0.1), (0.0, 0.0, 0.1))
RELAXED_HAND = {"right": _RELAXED_RIGHT.reshape(45),
                "left": (_RELAXED_RIGHT * np.array([1.0, -1.0, -1.0], np.float32)).reshape(45)}
"""(45,) relaxed, slightly curled MANO hand poses, per side."""


@dataclasses.dataclass
class FitOptions:
    """Settings of :func:`fit_landmarks`.

    Attributes:
        fov_y: vertical field of view of the camera in degrees (40 suits most webcams and phones).
        hand_iterations, body_iterations: Adam steps after the analytic start (0: analytic only).
        max_gap: frames; longer gaps in a hand or arm fall back to the rest pose.
        smooth: weight of temporal smoothness (1 = default; 0 turns it off).
        hand_depth_weight: weight of MediaPipe's hand depth relative to x and y in the optimisation
            (0 by default: measured on our renders, MediaPipe's hand depth helps the analytic start
            but pulls the optimised fingers away).
        hand_depth_scale: factor on MediaPipe's hand depth before the fit.
        hand_anchor: pull of the optimised finger angles towards their start (the inventory hand
            or the analytic angles).
        handshape_prior: start each seen hand that is raised to its elbow or above from the
            nearest hand of the built-in handshape inventory
            (:mod:`signspark.capture.inventory`: the manual alphabets' and other
            common handshapes) rather than from the landmark directions, and pull the fit towards
            it (``hand_anchor``). It settles the finger bends that the picture leaves open; a
            handshape outside the inventory is pulled towards a neighbour. A hand hanging below
            its elbow (resting) always starts from the landmark directions.
        body_depth_weight: weight of MediaPipe's arm depth.
        fit_jaw: open the jaw from the lips of the face mesh.
        hand_correction: move MediaPipe's hand points by the built-in per-landmark correction
            first (:mod:`signspark.capture.hand_correction`).
        wrist_weight: weight of MediaPipe's wrist point relative to the other 20 hand points.
    """

    fov_y: float = 40.0
    hand_iterations: int = 40
    body_iterations: int = 60
    max_gap: int = 12
    smooth: float = 1.0
    hand_depth_weight: float = 0.0
    hand_depth_scale: float = 1.0
    body_depth_weight: float = 0.05
    fit_jaw: bool = True
    hand_anchor: float = 2.0
    hand_correction: bool = True
    wrist_weight: float = 0.3
    handshape_prior: bool = True

    def check(self) -> "FitOptions":
        if not (1.0 <= float(self.fov_y) <= 150.0):
            raise ValueError(f"fov_y must be in [1, 150] degrees, got {self.fov_y}")
        for name in ("hand_iterations", "body_iterations", "max_gap"):
            if int(getattr(self, name)) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
        from ..options import RANGES

        most = RANGES["iterations"].high  # bounded work: a billion steps would run for days
        for name in ("hand_iterations", "body_iterations"):
            if int(getattr(self, name)) > most:
                raise ValueError(f"{name} must be at most {most}, got {getattr(self, name)}")
        if not (self.smooth >= 0 and self.hand_depth_weight >= 0 and self.body_depth_weight >= 0
                and self.wrist_weight >= 0 and self.hand_anchor >= 0):
            raise ValueError("smooth, hand_anchor and the depth and wrist weights must be >= 0")
        return self


@dataclasses.dataclass
class FitResult:
    """The fit of one clip.

    Attributes:
        sequence: the :class:`PoseSequence` (translation zero, ``betas`` zero).
        confidence: (T,) float32 in [0, 1]: body confidence times the better hand's.
        part_confidence: (T, 3) float32 in [0, 1]: body, left hand, right hand. 1 = seen and fitted
            closely; lower for larger residuals; falling towards 0 through interpolated gaps;
            0 at rest over long gaps.
        camera_transl: (T, 3) float32 metres: the body's translation in the camera frame of the module docstring.
        focal: focal length in pixels used for the fit.
        reprojection_px: (T,) float32 mean 2D distance between landmarks and the fitted points (pixels;
            0 where nothing was seen).
    """

    sequence: PoseSequence
    confidence: np.ndarray
    part_confidence: np.ndarray
    camera_transl: np.ndarray
    focal: float
    reprojection_px: np.ndarray


# ---------------------------------------------------------------------------------------------------- helpers
def _normalised(points: np.ndarray, W: int, H: int, f: float) -> torch.Tensor:
    """Pixels (..., 3) -> camera-normalised units with y up and z towards the camera."""
    p = torch.as_tensor(points, dtype=torch.float32)
    return torch.stack([(p[..., 0] - W / 2) / f, -(p[..., 1] - H / 2) / f, -p[..., 2] / f], dim=-1)


def _project(X: torch.Tensor, f: float, W: int, H: int) -> torch.Tensor:
    """World points (..., 3) (camera at the origin looking along -z) -> pixels (..., 2)."""
    depth = (-X[..., 2]).clamp_min(1e-3)
    return torch.stack([W / 2 + f * X[..., 0] / depth, H / 2 - f * X[..., 1] / depth], dim=-1)


def _jaw_table(skel: FitSkeleton) -> tuple[np.ndarray, np.ndarray]:
    """Inner-lip gap over eye-corner distance for jaw openings 0..0.5 rad (the body model's own mouth)."""
    angles = torch.linspace(0, 0.5, 11)
    rot = torch.zeros(11, 55, 3)
    rot[:, 22, 0] = angles
    pts = skel.forward(rodrigues(rot))
    J = JOINT_INDEX
    gap = (pts[:, J["lip_top"]] - pts[:, J["lip_bottom"]]).norm(dim=-1)
    eyes = (pts[:, J["right_eye1"]] - pts[:, J["left_eye1"]]).norm(dim=-1)
    ratio = (gap / eyes).numpy()
    if ratio[-1] < ratio[0]:  # the jaw opens the other way on this body
        return -angles.numpy(), ratio
    return angles.numpy(), ratio


def _jaw(lm: Landmarks, skel: FitSkeleton) -> np.ndarray:
    """(T, 3) jaw axis-angle from the face mesh (zeros where no face was seen)."""
    T = lm.num_frames
    face, present = lm.points[L.FACE], lm.present(L.FACE)
    out = np.zeros((T, 3), np.float32)
    if not present.any():
        return out
    F = L.FACE_INDEX
    gap = np.linalg.norm(face[:, F["inner_lip_top"], :2] - face[:, F["inner_lip_bottom"], :2], axis=-1)
    eyes = np.linalg.norm(face[:, F["right_eye_outer"], :2] - face[:, F["left_eye_outer"], :2], axis=-1)
    ratio = np.where(eyes > 1e-3, gap / np.maximum(eyes, 1e-3), 0.0)
    angles, table = _jaw_table(skel)
    order = np.argsort(table)
    open_ = np.interp(ratio, table[order], np.abs(angles)[order]) * np.sign(angles[-1] or 1.0)
    out[:, 0] = np.where(present, open_, 0.0)
    filled, _ = fill_gaps(out, present, 12, np.zeros(3))
    return filled


def _previous_rows(frames: torch.Tensor) -> torch.Tensor:
    """For sorted frame numbers (N,), the row of frame - 1 when present, else -1."""
    prev = torch.full_like(frames, -1)
    if len(frames) > 1:
        consecutive = frames[1:] == frames[:-1] + 1
        prev[1:] = torch.where(consecutive, torch.arange(len(frames) - 1), torch.full_like(frames[1:], -1))
    return prev


# ---------------------------------------------------------------------------------------------------- stages
def _fit_hands(lm: Landmarks, model: HandModel, f: float, opts: FitOptions) -> dict:
    """Stage 1: per side, frames seen, MANO pose (T, 15, 3) and world orientation (T, 3, 3) there, rms."""
    W, H = lm.width, lm.height
    out = {}
    targets, weights, prevs, owners, raised = [], [], [], [], []
    offset = 0
    for side in _SIDES:
        comp = _HAND_COMP[side]
        seen = torch.as_tensor(lm.present(comp))
        frames = torch.nonzero(seen).flatten()
        q = _normalised(lm.points[comp][frames.numpy()], W, H, f)  # (N, 21, 3)
        q[..., 2] *= opts.hand_depth_scale
        if len(frames):
            # turn the hand to its viewing ray (MediaPipe's depth is along the optical axis of the crop)
            ray = torch.cat([q[:, :1, :2], -torch.ones(len(frames), 1, 1)], dim=-1)[:, 0]
            r = rodrigues(swing(torch.tensor([0.0, 0.0, -1.0]).expand_as(ray), ray))
            q = (q - q[:, :1]) @ r.transpose(1, 2) + q[:, :1]
        if side == "left":
            q = q * _MIRROR
        targets.append(q)
        weights.append(torch.as_tensor(lm.confidence[comp][frames.numpy()]) * _hand_point_weight(opts))
        prevs.append(torch.where(_previous_rows(frames) >= 0, _previous_rows(frames) + offset, -1))
        # a hand hanging below its elbow is resting, not signing: no handshape prior for it
        _, e_id, w_id = _POSE_ARM[side]
        pose, vis = lm.points[L.POSE][frames.numpy()], lm.confidence[L.POSE][frames.numpy()]
        low = (pose[:, w_id, 1] > pose[:, e_id, 1]) & (vis[:, w_id] > 0.5) & (vis[:, e_id] > 0.5)
        raised.append(torch.as_tensor(~low))
        owners.append((side, frames, offset))
        offset += len(frames)
    fit = fit_hand_points(model, torch.cat(targets), torch.cat(weights), torch.cat(prevs),
                          iterations=opts.hand_iterations, z_weight=opts.hand_depth_weight, smooth=opts.smooth,
                          anchor=opts.hand_anchor, inventory=inventory_poses() if opts.handshape_prior else None,
                          use_inventory=torch.cat(raised))
    for side, frames, off in owners:
        n = len(frames)
        theta, rot = fit.theta[off:off + n], fit.rotation[off:off + n]
        if side == "left":  # mirror back: conjugation by diag(-1, 1, 1)
            theta = theta * torch.tensor([1.0, -1.0, -1.0])
            rot = rot * torch.tensor([[1.0, -1.0, -1.0], [-1.0, 1.0, 1.0], [-1.0, 1.0, 1.0]])
        out[side] = {"frames": frames, "theta": theta, "rotation": rot, "rms": fit.rms[off:off + n]}
    return out


def _initial_body(lm: Landmarks, skel: FitSkeleton, f: float, hands: dict, opts: FitOptions):
    """Stage 2: analytic per-frame body pose (T, 55, 3), translation (T, 3), arm-seen masks."""
    T, W, H = lm.num_frames, lm.width, lm.height
    pose_pts, vis = lm.points[L.POSE], lm.confidence[L.POSE]
    rest = skel.rest
    n = _normalised(pose_pts, W, H, f)  # (T, 33, 3)
    ls, rs = L.PoseIndex.LEFT_SHOULDER, L.PoseIndex.RIGHT_SHOULDER
    seen = (vis[:, ls] > 0.3) & (vis[:, rs] > 0.3)
    if not seen.any():
        raise LandmarkError(f"{lm.source or 'landmarks'}: the shoulders are never visible; a fit needs the upper body")
    width_n = (n[:, ls, :2] - n[:, rs, :2]).norm(dim=-1).numpy()
    model_width = float((rest[16] - rest[17]).norm())
    depth = np.where(seen, model_width / np.maximum(width_n, 1e-4), np.nan)
    depth = np.nan_to_num(fill_gaps(depth[:, None], seen, 10 ** 6, np.array([np.nanmedian(depth)]))[0][:, 0],
                          nan=float(np.nanmedian(depth)))
    D = torch.as_tensor(depth, dtype=torch.float32)
    mid = 0.5 * (n[:, ls, :2] + n[:, rs, :2])
    mid_f, _ = fill_gaps(mid.numpy(), seen, 10 ** 6, np.zeros(2))
    shoulder_mid_rest = 0.5 * (rest[16] + rest[17])
    transl = torch.cat([torch.as_tensor(mid_f) * D[:, None], -D[:, None]], dim=1) - shoulder_mid_rest
    aa = torch.zeros(T, 55, 3)
    arm_seen = {}
    for side, sign in (("left", -1.0), ("right", 1.0)):
        s_id, e_id, w_id = _ARM[side]
        ps, pe, pw = _POSE_ARM[side]
        hand_seen = np.zeros(T, bool)
        hand_seen[hands[side]["frames"].numpy()] = True
        ok = (vis[:, pe] > 0.5) & ((vis[:, pw] > 0.5) | hand_seen) & seen
        arm_seen[side] = ok
        L1 = float((rest[e_id] - rest[s_id]).norm())
        L2 = float((rest[w_id] - rest[e_id]).norm())

        def lift(a, b, length):  # 3D bone from 2D, depth sign from MediaPipe (smaller z = nearer)
            dxy = (n[:, b, :2] - n[:, a, :2]) * D[:, None]
            dz = (length ** 2 - (dxy ** 2).sum(-1)).clamp_min(0).sqrt()
            nearer = (pose_pts[:, b, 2] < pose_pts[:, a, 2])
            dz = torch.where(torch.as_tensor(nearer), dz, -dz)
            return torch.cat([dxy, dz[:, None]], dim=-1)

        u = lift(ps, pe, L1)
        v = lift(pe, pw, L2)
        u0 = rest[e_id] - rest[s_id]
        v0 = rest[w_id] - rest[e_id]
        cosang = (u * v).sum(-1) / (u.norm(dim=-1) * v.norm(dim=-1)).clamp_min(1e-9)
        bend = torch.acos(cosang.clamp(-1, 1))
        elbow = torch.zeros(T, 3)
        elbow[:, 1] = sign * bend
        v0_bent = (rodrigues(elbow) @ v0[:, None])[..., 0]
        F0 = frame_from_two(u0.expand(T, 3), v0_bent)
        F = frame_from_two(u, v)
        R_sh = F @ F0.transpose(1, 2)
        straight = bend < 0.15
        sh = torch.where(straight[:, None], swing(u0.expand(T, 3), u), matrix_to_rotvec(R_sh))
        rest_arm = torch.as_tensor(REST_BODY)
        okt = torch.as_tensor(ok)[:, None]
        aa[:, s_id] = torch.where(okt, sh, rest_arm[s_id - 1])
        aa[:, e_id] = torch.where(okt, elbow, rest_arm[e_id - 1])
    # wrists: the hand's orientation relative to the forearm
    _, G = skel.globals(rodrigues(aa))
    for side in _SIDES:
        w_id = _ARM[side][2]
        h = hands[side]
        fr = h["frames"]
        local = torch.zeros(T, 3)
        if len(fr):
            local[fr] = matrix_to_rotvec(G[fr, _ARM[side][1]].transpose(1, 2) @ h["rotation"])
        filled, _ = fill_gaps(local.numpy(), np.isin(np.arange(T), fr.numpy()), opts.max_gap, np.zeros(3))
        aa[:, w_id] = torch.as_tensor(filled)
    return aa, transl, arm_seen, D


def _optimise_body(lm: Landmarks, skel: FitSkeleton, model: HandModel, f: float, aa: torch.Tensor,
                   transl: torch.Tensor, hands: dict, full_hands: dict, D: torch.Tensor, opts: FitOptions,
                   jaw: torch.Tensor):
    """Stage 3: Adam over the body joints and translation of every frame; returns (aa, transl, residual px)."""
    T, W, H = lm.num_frames, lm.width, lm.height
    fk = SubsetFK(skel, list(_CHAIN))
    at = {j: i for i, j in enumerate(_CHAIN)}
    free = [at[j] for j in _BODY_JOINTS]
    pose_ids = list(_POSE_USED)
    # each pose point as (chain joint, offset in that joint's rest frame)
    out_ids = [JOINT_INDEX[POSE_FROM_BODY[i]] for i in pose_ids]
    anchor = torch.tensor([at[j] if j < 55 else at[int(skel.extra_parent[j - 55])] for j in out_ids])
    offset = torch.stack([torch.zeros(3) if j < 55 else skel.extra_offset[j - 55] for j in out_ids])
    target_pose = torch.as_tensor(lm.points[L.POSE][:, pose_ids, :2])
    w_pose = torch.as_tensor(lm.confidence[L.POSE][:, pose_ids]) * torch.tensor([_POSE_WEIGHT[i] for i in pose_ids])
    with torch.no_grad():  # the fingers are fixed here: hand points in their wrist's rest frame
        local = {"right": model.forward(full_hands["right"]),
                 "left": model.forward(full_hands["left"] * torch.tensor([1.0, -1.0, -1.0])) * _MIRROR}
    target_hand = {s: torch.as_tensor(lm.points[_HAND_COMP[s]][..., :2]) for s in _SIDES}
    w_hand = {s: torch.as_tensor(lm.confidence[_HAND_COMP[s]]) * _hand_point_weight(opts) for s in _SIDES}
    rot_target, w_rot = {}, {}
    for s in _SIDES:
        R = torch.eye(3).repeat(T, 1, 1)
        w = torch.zeros(T)
        fr = hands[s]["frames"]
        R[fr] = hands[s]["rotation"]
        w[fr] = 1.0
        rot_target[s], w_rot[s] = R, w
    # MediaPipe's depth of elbows and wrists relative to the shoulders' midpoint (pixels)
    pz = torch.as_tensor(lm.points[L.POSE][..., 2])
    z_target = pz[:, [13, 14, 15, 16]] - 0.5 * (pz[:, 11:12] + pz[:, 12:13])
    w_z = torch.as_tensor(lm.confidence[L.POSE][:, [13, 14, 15, 16]]) * opts.body_depth_weight
    arm_idx = [at[j] for j in (18, 19, 20, 21)]
    fixed = aa[:, list(_CHAIN)].clone()
    fixed[:, at[22]] = jaw
    params = fixed[:, free].clone().requires_grad_(True)
    dtr = torch.zeros(T, 3, requires_grad=True)  # centimetres
    px_per_cm = (f / D * CM)[:, None]  # pixels per centimetre at the body
    k = {j: i for i, j in enumerate(_BODY_JOINTS)}

    def points():
        full = fixed.clone()
        full[:, free] = params
        P, G = fk(rodrigues(full))
        P = P + (transl + dtr * CM)[:, None]
        pose = P[:, anchor] + (G[:, anchor] @ offset[None, :, :, None])[..., 0]
        hand = {s: P[:, at[w]][:, None] + local[s] @ G[:, at[w]].transpose(1, 2)
                for s, w in (("left", 20), ("right", 21))}
        return P, G, pose, hand

    def residuals(pose, hand):
        uv_pose = _project(pose, f, W, H)
        uv_hand = {s: _project(hand[s], f, W, H) for s in _SIDES}
        e_pose = ((uv_pose - target_pose).norm(dim=-1) / px_per_cm) ** 2 * w_pose
        e_hand = sum(((uv_hand[s] - target_hand[s]).norm(dim=-1) / px_per_cm) ** 2 * w_hand[s] for s in _SIDES)
        return uv_pose, uv_hand, e_pose, e_hand

    if opts.body_iterations > 0:
        smooth = opts.smooth
        opt = torch.optim.Adam([{"params": [params], "lr": 0.03}, {"params": [dtr], "lr": 0.3}])
        iters = opts.body_iterations
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda i: 1.0 - 0.9 * i / iters)
        for _ in range(iters):
            opt.zero_grad(set_to_none=True)
            P, G, pose, hand = points()
            _, _, e_pose, e_hand = residuals(pose, hand)
            loss = e_pose.sum() + 0.3 * e_hand.sum()
            for s, wid in (("left", 20), ("right", 21)):
                loss = loss + 20.0 * (((G[:, at[wid]] - rot_target[s]) ** 2).sum((1, 2)) * w_rot[s]).sum()
            depth_px = -P[:, arm_idx, 2] * (f / D)[:, None]  # nearer = smaller, like MediaPipe
            sh_px = -0.5 * (P[:, at[16], 2] + P[:, at[17], 2]) * (f / D)
            dz = (depth_px - sh_px[:, None] - z_target) / px_per_cm
            loss = loss + (dz ** 2 * w_z).sum()
            p = params
            prior = 5.0 * (p[:, k[13]] ** 2 + p[:, k[14]] ** 2).sum(-1) + 3.0 * (p[:, k[9]] ** 2).sum(-1)
            prior = prior + 0.5 * ((p[:, k[12]] ** 2).sum(-1) + (p[:, k[15]] ** 2).sum(-1))
            prior = prior + 2.0 * (p[:, k[18]][:, [0, 2]] ** 2).sum(-1) + 2.0 * (p[:, k[19]][:, [0, 2]] ** 2).sum(-1)
            prior = prior + 20.0 * (torch.relu(p[:, k[18], 1] - 0.05) ** 2 + torch.relu(-p[:, k[19], 1] - 0.05) ** 2)
            prior = prior + 0.2 * (p[:, k[0]][:, [0, 2]] ** 2).sum(-1)
            prior = prior + 5.0 * (torch.relu(p[:, [k[20], k[21]]].norm(dim=-1) - 1.6) ** 2).sum(-1)
            loss = loss + 10.0 * prior.sum()
            if T > 1 and smooth > 0:
                loss = loss + smooth * 30.0 * ((p[1:] - p[:-1]) ** 2).sum() + smooth * 0.5 * ((dtr[1:] - dtr[:-1]) ** 2).sum()
            loss.backward()
            opt.step()
            sched.step()
    with torch.no_grad():
        _, _, pose, hand = points()
        uv_pose, uv_hand, _, _ = residuals(pose, hand)
        err, cnt = torch.zeros(T), torch.zeros(T)
        for uv, tgt, w in [(uv_pose, target_pose, w_pose)] + [(uv_hand[s], target_hand[s], w_hand[s]) for s in _SIDES]:
            m = (w > 0).float()
            err += ((uv - tgt).norm(dim=-1) * m).sum(1)
            cnt += m.sum(1)
        resid = err / cnt.clamp_min(1)
        out = aa.clone()
        out[:, list(_CHAIN)] = fixed
        out[:, list(_BODY_JOINTS)] = params.detach()
        out[:, 25:40] = full_hands["left"]
        out[:, 40:55] = full_hands["right"]
        return out, (transl + dtr.detach() * CM), resid


# ---------------------------------------------------------------------------------------------------- entry
def fit_landmarks(landmarks: Landmarks, options: FitOptions | None = None, body_model=None,
                  progress: ProgressFn | None = None) -> FitResult:
    """Fit SMPL-X (upper body, jaw) and MANO hands to a clip's Holistic landmarks.

    Args:
        landmarks: :class:`Landmarks` of the clip (pixels).
        options: :class:`FitOptions` (defaults when None).
        body_model: the :class:`~signspark.body.BodyModel` whose bone lengths are used (default: built-in).
        progress: called with a stage name ("hands", "body", "done").

    Returns:
        a :class:`FitResult`.

    Raises:
        LandmarkError: no frame shows the shoulders.
    """
    opts = (options or FitOptions()).check()
    lm = landmarks
    lm.validate()
    if opts.hand_correction:
        from .hand_correction import correct_hand_landmarks

        lm = correct_hand_landmarks(lm)
    T, W, H = lm.num_frames, lm.width, lm.height
    skel = skeleton_for(body_model)
    f = 0.5 * H / math.tan(math.radians(opts.fov_y) / 2)
    with torch.no_grad():
        model = HandModel(skel)
    if progress:
        progress("hands")
    hands = _fit_hands(lm, model, f, opts)
    full_hands, hand_conf = {}, {}
    for side in _SIDES:
        h = hands[side]
        seen = np.zeros(T, bool)
        seen[h["frames"].numpy()] = True
        vals = np.zeros((T, 45), np.float32)
        vals[h["frames"].numpy()] = h["theta"].reshape(-1, 45).numpy()
        filled, weight = fill_gaps(vals, seen, opts.max_gap, RELAXED_HAND[side])
        full_hands[side] = torch.as_tensor(filled).view(T, 15, 3)
        quality = np.ones(T, np.float32)
        quality[h["frames"].numpy()] = np.exp(-(h["rms"].numpy() / 0.01) ** 2)
        hand_conf[side] = weight * quality
    if progress:
        progress("body")
    with torch.no_grad():
        aa, transl, arm_seen, D = _initial_body(lm, skel, f, hands, opts)
        jaw = torch.as_tensor(_jaw(lm, skel) if opts.fit_jaw else np.zeros((T, 3), np.float32))
    aa, transl, resid = _optimise_body(lm, skel, model, f, aa, transl, hands, full_hands, D, opts, jaw)
    # long gaps in an arm: back to the rest pose
    body = aa[:, 1:22].reshape(T, 63).numpy()
    for side in _SIDES:
        ids = [j - 1 for j in _ARM[side]]
        cols = np.concatenate([np.arange(3 * j, 3 * j + 3) for j in ids])
        rest = REST_BODY[ids].reshape(-1)
        filled, _ = fill_gaps(body[:, cols], arm_seen[side], opts.max_gap, rest)
        body[:, cols] = filled
    pose_vis = lm.confidence[L.POSE][:, [11, 12, 13, 14, 15, 16]].mean(1)
    shoulder_px = np.maximum(np.linalg.norm(lm.points[L.POSE][:, 11, :2] - lm.points[L.POSE][:, 12, :2], axis=-1), 1.0)
    body_conf = np.clip(pose_vis, 0, 1) * np.exp(-(resid.numpy() / (0.1 * shoulder_px)) ** 2)
    body_conf = np.where(lm.present(L.POSE), body_conf, 0.0).astype(np.float32)
    part = np.stack([body_conf, hand_conf["left"], hand_conf["right"]], axis=1).astype(np.float32)
    params = {
        "global_orient": aa[:, 0].numpy(),
        "body_pose": body,
        "jaw_pose": jaw.numpy(),
        "left_hand_pose": full_hands["left"].reshape(T, 45).numpy(),
        "right_hand_pose": full_hands["right"].reshape(T, 45).numpy(),
    }
    params = {k: np.nan_to_num(np.asarray(v, np.float32), nan=0.0, posinf=0.0, neginf=0.0) for k, v in params.items()}
    seq = PoseSequence.from_params(params, fps=lm.fps)
    if progress:
        progress("done")
    conf = (part[:, 0] * np.maximum(part[:, 1], part[:, 2])).astype(np.float32)
    return FitResult(sequence=seq, confidence=np.nan_to_num(conf), part_confidence=np.nan_to_num(part),
                     camera_transl=np.nan_to_num(transl.numpy().astype(np.float32)), focal=float(f),
                     reprojection_px=np.nan_to_num(resid.numpy().astype(np.float32)))
