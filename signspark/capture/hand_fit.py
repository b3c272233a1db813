"""MANO finger angles from 21 hand landmarks: a start per frame, then a short batched optimisation.

Every hand is fitted as a **right** hand in its wrist's rest frame (the T-pose frame of the
body model: fingers along -x, palm towards -y, thumb towards +z; finger flexion about +z,
spread towards the thumb about +y); a left hand is mirrored (x -> -x) before and after, the
same conjugation by diag(-1, 1, 1) as :func:`signspark.pose.rotations.flip_axis_angle`.

The model is ``target ~ s * R @ hand(theta) + t`` per frame, with ``hand(theta)`` the 21 points
(MediaPipe order) of the body model's right hand for the 15 MANO joint rotations ``theta``.

1. ``R, s, t`` from a weighted similarity fit of the palm (wrist and the four knuckles).
2. The start ``theta0``, either

   * from a handshape inventory (:mod:`signspark.capture.inventory`, the default of the clip
     fit): every inventory hand is aligned to the frame's 21 points by a weighted similarity and the one
     closest to them in the image plane is taken (:func:`nearest_handshape`); or
   * analytic: walking each finger from the palm out, every joint takes the smallest rotation
     that points its bone at the observed next point (the middle and end joints of the four
     fingers keep only their flexion).

   Why an inventory: in the image a finger bent towards the camera and one bent away look
   alike, and MediaPipe's hand depth is too flat and noisy to tell them apart (measured on our
   renders: its depth is about 0.6 times the true one, correlation 0.5-0.7), so the analytic
   start often bends the wrong joint the wrong way. Whole handshapes that explain the picture
   resolve most of that; the optimisation then moves away from the inventory hand as far as
   the image asks (a pull of ``anchor`` towards the start keeps it from wandering along the
   depth ambiguity).
3. A few Adam steps on all of it at once over every frame, with joint limits, a twist
   prior, the pull towards the start and temporal smoothness between consecutive frames of a hand.
"""

from __future__ import annotations

import dataclasses

import torch

from .geometry import similarity_fit, swing
from .skeleton import FitSkeleton, rodrigues

__all__ = ["HandModel", "HandFit", "fit_hand_points", "nearest_handshape", "PALM_POINTS"]

MP_FINGERS = ("thumb", "index", "middle", "ring", "pinky")
_MANO_FINGER = {"index": 0, "middle": 1, "pinky": 2, "ring": 3, "thumb": 4}
_WRIST = 21
_TIP = {"thumb": 71, "index": 72, "middle": 73, "ring": 74, "pinky": 75}  # right fingertips (output ids)
PALM_POINTS = (0, 5, 9, 13, 17)
CM = 0.01  # residuals are scored in centimetres of the body model

# Joint limits for the right-hand convention, radians: (component, low, high) per (finger joint).
_FLEX = (-0.35, 2.0)
_SPREAD_MCP = (-0.55, 0.55)


class HandModel:
    """The body model's right hand as a function of the 15 MANO joint rotations.

    Attributes:
        perm: (15,) MANO row of each (MediaPipe-order finger, joint) pair.
    """

    def __init__(self, skel: FitSkeleton):
        rest = skel.rest
        ids = torch.tensor([[40 + 3 * _MANO_FINGER[f] + k for k in range(3)] for f in MP_FINGERS])
        self.perm = ids.reshape(-1) - 40
        self.bone1 = rest[ids[:, 0]] - rest[_WRIST]  # (5, 3)
        self.bone2 = rest[ids[:, 1]] - rest[ids[:, 0]]
        self.bone3 = rest[ids[:, 2]] - rest[ids[:, 1]]
        self.tip = torch.stack([skel.extra_offset[_TIP[f] - 55] for f in MP_FINGERS])
        self.rest_points = self.forward(torch.zeros(1, 15, 3))[0]

    def forward(self, theta: torch.Tensor) -> torch.Tensor:
        """(N, 15, 3) MANO axis-angle (SMPL-X order) -> (N, 21, 3) points, wrist at the origin."""
        N = theta.shape[0]
        R = rodrigues(theta[:, self.perm]).reshape(N, 5, 3, 3, 3)
        G1 = R[:, :, 0]
        P1 = self.bone1.expand(N, 5, 3)
        G2 = G1 @ R[:, :, 1]
        P2 = P1 + (G1 @ self.bone2[..., None])[..., 0]
        G3 = G2 @ R[:, :, 2]
        P3 = P2 + (G2 @ self.bone3[..., None])[..., 0]
        P4 = P3 + (G3 @ self.tip[..., None])[..., 0]
        fingers = torch.stack([P1, P2, P3, P4], dim=2).reshape(N, 20, 3)
        return torch.cat([torch.zeros(N, 1, 3, dtype=theta.dtype), fingers], dim=1)

    def initial_theta(self, local: torch.Tensor) -> torch.Tensor:
        """Analytic finger angles from (N, 21, 3) points already in the wrist's rest frame and scale."""
        N = local.shape[0]
        theta = torch.zeros(N, 15, 3)
        z = torch.tensor([0.0, 0.0, 1.0])
        for f, name in enumerate(MP_FINGERS):
            p = local[:, 1 + 4 * f:5 + 4 * f]  # joint1, joint2, joint3, tip
            G = torch.eye(3).expand(N, 3, 3)
            rest_bones = (self.bone2[f], self.bone3[f], self.tip[f])
            for k in range(3):
                o = (G.transpose(1, 2) @ (p[:, k + 1] - p[:, k])[..., None])[..., 0]
                r = rest_bones[k].expand(N, 3)
                if name != "thumb" and k > 0:  # middle and end joints: flexion only
                    ang = torch.atan2(torch.cross(r, o, dim=-1) @ z, (r[:, :2] * o[:, :2]).sum(-1))
                    aa = ang[:, None] * z
                else:
                    aa = swing(r, o)
                theta[:, self.perm[3 * f + k]] = aa
                G = G @ rodrigues(aa)
        return theta


@dataclasses.dataclass
class HandFit:
    """Per-frame result of :func:`fit_hand_points` (right-hand convention).

    Attributes:
        theta: (N, 15, 3) MANO axis-angle relative to a flat hand.
        rotation: (N, 3, 3) the hand's orientation in the target frame.
        scale: (N,) target units per metre of the body model's hand.
        translation: (N, 3) the wrist in target units.
        rms: (N,) root-mean-square point error in metres of the model hand (x and y only).
    """

    theta: torch.Tensor
    rotation: torch.Tensor
    scale: torch.Tensor
    translation: torch.Tensor
    rms: torch.Tensor


_CHUNK = 256  # frames per batch of inventory comparisons: bounds memory to about 60 MB


def nearest_handshape(model: HandModel, target: torch.Tensor, weights: torch.Tensor,
                      inventory: torch.Tensor) -> torch.Tensor:
    """Per frame, the inventory hand that best explains the points in the image plane.

    Each inventory hand's 21 points are aligned to the frame's by a weighted similarity (depth
    included, so that a hand turned away is not mistaken for a smaller one); the residual is
    scored in x and y only (MediaPipe's hand depth is the least reliable coordinate).

    Args:
        model: the :class:`HandModel`.
        target: (N, 21, 3) points, as for :func:`fit_hand_points`.
        weights: (N, 21) non-negative point weights.
        inventory: (K, 15, 3) MANO hand poses (right hand).

    Returns:
        (N,) int64 row of ``inventory`` per frame.
    """
    N, K = target.shape[0], inventory.shape[0]
    with torch.no_grad():
        hands = model.forward(inventory.float())  # (K, 21, 3)
        best = torch.zeros(N, dtype=torch.int64)
        for a in range(0, N, _CHUNK):
            tgt = target[a:a + _CHUNK].float()
            n = tgt.shape[0]
            w = (weights[a:a + _CHUNK].float() + 1e-6)[:, None].expand(n, K, 21).reshape(n * K, 21)
            src = hands[None].expand(n, K, 21, 3).reshape(n * K, 21, 3)
            dst = tgt[:, None].expand(n, K, 21, 3).reshape(n * K, 21, 3)
            R, s, t = similarity_fit(src, dst, w)
            pred = s[:, None, None] * src @ R.transpose(1, 2) + t[:, None]
            err = (((pred - dst)[..., :2] ** 2).sum(-1) * w).sum(-1).view(n, K)
            best[a:a + n] = err.argmin(1)
    return best


def _limit_penalty(theta: torch.Tensor, thumb_row: int) -> torch.Tensor:
    fingers = torch.cat([theta[:, :thumb_row], theta[:, thumb_row + 3:]], dim=1).reshape(-1, 4, 3, 3)
    flex = fingers[..., 2]
    pen = torch.relu(flex - _FLEX[1]) ** 2 + torch.relu(_FLEX[0] - flex) ** 2
    spread = fingers[:, :, 0, 1]
    pen = pen.sum((1, 2)) + (torch.relu(spread - _SPREAD_MCP[1]) ** 2 + torch.relu(_SPREAD_MCP[0] - spread) ** 2).sum(1)
    side = (fingers[:, :, 1:, :2] ** 2).sum((1, 2, 3)) + 0.3 * (fingers[:, :, 0, 0] ** 2).sum(1)  # twist, side bend
    thumb = theta[:, thumb_row:thumb_row + 3]
    pen = pen + (torch.relu(thumb.norm(dim=-1) - 1.6) ** 2).sum(1)
    return 10.0 * pen + side


def fit_hand_points(model: HandModel, target: torch.Tensor, weights: torch.Tensor, previous: torch.Tensor,
                    iterations: int = 40, z_weight: float = 0.1, smooth: float = 1.0, lr: float = 0.03,
                    anchor: float = 0.0, inventory: torch.Tensor | None = None,
                    use_inventory: torch.Tensor | None = None) -> HandFit:
    """Fit the right-hand model to landmark points.

    Args:
        model: the :class:`HandModel`.
        target: (N, 21, 3) points in a right-handed frame with y up and z towards the camera
            (any unit; scale is fitted), mirrored already for left hands.
        weights: (N, 21) non-negative point weights.
        previous: (N,) int64 row of the previous frame of the same hand, -1 where none
            (temporal smoothness links only those pairs).
        iterations: Adam steps after the analytic start (0: analytic only).
        z_weight: weight of depth residuals relative to image-plane ones (MediaPipe's hand depth
            is flatter and noisier than x and y).
        smooth: weight of the frame-to-frame smoothness of the finger angles.
        lr: Adam step size (radians for the angles).
        anchor: weight of a pull towards the starting finger angles (per radian squared).
        inventory: (K, 15, 3) hand poses (:func:`~signspark.capture.inventory.inventory_poses`); when
            given, each frame starts from its :func:`nearest_handshape` instead of the analytic angles.
        use_inventory: (N,) bool, the frames that start from the inventory (default: all).

    Returns:
        a :class:`HandFit`.
    """
    N = target.shape[0]
    if N == 0:
        e = torch.zeros(0)
        return HandFit(torch.zeros(0, 15, 3), torch.zeros(0, 3, 3), e, torch.zeros(0, 3), e)
    target = target.float()
    rest = model.rest_points.expand(N, 21, 3)
    palm = list(PALM_POINTS)
    R0, s0, t0 = similarity_fit(rest[:, palm], target[:, palm], weights[:, palm] + 1e-6)
    s0 = s0.clamp_min(1e-6)
    local = ((R0.transpose(1, 2) @ (target - t0[:, None]).transpose(1, 2)) / s0[:, None, None]).transpose(1, 2)
    theta0 = model.initial_theta(local)
    if inventory is not None and len(inventory):
        rows = torch.arange(N) if use_inventory is None else torch.nonzero(use_inventory).flatten()
        if len(rows):
            theta0[rows] = inventory.float()[nearest_handshape(model, target[rows], weights[rows], inventory)]
    # re-fit the similarity with every point, the fingers now bent
    R0, s0, t0 = similarity_fit(model.forward(theta0), target, weights + 1e-6)
    s0 = s0.clamp_min(1e-6)
    with torch.no_grad():
        R0, s0, t0 = R0.detach(), s0.detach(), t0.detach()
    theta = theta0.clone().requires_grad_(True)
    omega = torch.zeros(N, 3, requires_grad=True)
    log_s = torch.zeros(N, requires_grad=True)
    dt = torch.zeros(N, 3, requires_grad=True)  # wrist shift in centimetres of the model hand
    zw = torch.tensor([1.0, 1.0, z_weight])
    wsum = weights.sum(1).clamp_min(1e-6)
    has_prev = previous >= 0
    prev = previous.clamp_min(0)
    thumb_row = 12

    def residual():
        R = R0 @ rodrigues(omega)
        t = t0 + dt * (s0 * CM)[:, None]
        pred = (s0 * log_s.exp())[:, None, None] * (model.forward(theta) @ R.transpose(1, 2)) + t[:, None]
        return (pred - target) / s0[:, None, None] / CM, R, t

    if iterations > 0:
        opt = torch.optim.Adam([{"params": [theta, omega, log_s]}, {"params": [dt], "lr": 3 * lr}], lr=lr)
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda i: 1.0 - 0.9 * i / iterations)
        for _ in range(iterations):
            opt.zero_grad(set_to_none=True)
            e, _, _ = residual()
            data = ((e * e * zw).sum(-1) * weights).sum(1) / wsum
            loss = data + 0.05 * _limit_penalty(theta, thumb_row)
            d = (theta - theta[prev]) * has_prev[:, None, None]
            loss = loss + smooth * 0.5 * (d * d).sum((1, 2))
            if anchor > 0:
                loss = loss + anchor * ((theta - theta0) ** 2).sum((1, 2))
            loss.sum().backward()
            opt.step()
            sched.step()
    with torch.no_grad():
        e, R, t = residual()
        rms = ((e[..., :2] ** 2).sum(-1) * weights).sum(1).div(wsum).sqrt() * CM
        return HandFit(theta.detach(), R, (s0 * log_s.exp()).detach(), t, rms)
