"""The body model's rest skeleton as a fast, differentiable forward kinematics for fitting.

The fit needs the 55 SMPL-X joints plus the points MediaPipe sees (fingertips, eyes, ears,
nose, mouth corners, lips) but not the mesh. Each extra point is rigidly attached to one
joint (the fingertips to the last finger joint, face points to the head or, when the jaw
moves them, to the jaw), which is what linear blend skinning gives for points skinned to a
single bone. Bone lengths are those of the body model with zero shape (``betas = 0``).

Forward kinematics runs level by level down the kinematic tree (twelve batched steps instead
of 55), on any batch of frames.

Example::

    skel = FitSkeleton.from_body(BodyModel.load())
    pts = skel.forward(rotmats, transl)   # (B, 127, 3) metres, same order as BodyModel joints
"""

from __future__ import annotations

import functools

import torch

from ..body.joints import NUM_JOINTS, NUM_OUTPUT_JOINTS, SMPLX_PARENTS

__all__ = ["FitSkeleton", "SubsetFK", "rodrigues", "skeleton_for"]

_HEAD, _JAW = 15, 22


def rodrigues(aa: torch.Tensor) -> torch.Tensor:
    """Axis-angle (..., 3) -> rotation matrices (..., 3, 3); smooth at zero."""
    theta2 = (aa * aa).sum(-1, keepdim=True)
    theta = torch.sqrt(theta2 + 1e-12)
    # sin(t)/t and (1-cos t)/t^2 with Taylor series near zero
    small = theta2 < 1e-6
    a = torch.where(small, 1 - theta2 / 6, torch.sin(theta) / theta)
    b = torch.where(small, 0.5 - theta2 / 24, (1 - torch.cos(theta)) / torch.where(small, torch.ones_like(theta2), theta2))
    x, y, z = aa.unbind(-1)
    zero = torch.zeros_like(x)
    K = torch.stack([zero, -z, y, z, zero, -x, -y, x, zero], -1).reshape(*aa.shape[:-1], 3, 3)
    eye = torch.eye(3, dtype=aa.dtype, device=aa.device).expand_as(K)
    return eye + a[..., None] * K + b[..., None] * (K @ K)


class FitSkeleton:
    """Rest joints (55, 3), parents, and the 72 extra output points attached to joints.

    Attributes:
        rest: (55, 3) float32 rest joints, metres.
        parents: (55,) int64, -1 for the root.
        extra_parent: (72,) int64 joint each extra point (output ids 55-126) moves with.
        extra_offset: (72, 3) float32 offset of each extra point from that joint at rest.
    """

    def __init__(self, rest: torch.Tensor, extra_parent: torch.Tensor, extra_offset: torch.Tensor):
        self.rest = rest.float()
        self.parents = torch.tensor(SMPLX_PARENTS, dtype=torch.int64)
        self.extra_parent = extra_parent.long()
        self.extra_offset = extra_offset.float()
        par = self.parents.clone()
        par[0] = 0
        self.offsets = self.rest - self.rest[par]
        self.offsets[0] = self.rest[0]
        depth = [0] * NUM_JOINTS
        for j in range(1, NUM_JOINTS):
            depth[j] = depth[int(SMPLX_PARENTS[j])] + 1
        self.levels = [torch.tensor([j for j in range(NUM_JOINTS) if depth[j] == d]) for d in range(1, max(depth) + 1)]

    @classmethod
    def from_body(cls, body_model) -> "FitSkeleton":
        """Rest geometry of a :class:`~signspark.body.BodyModel` (zero shape)."""
        with torch.no_grad():
            zeros = {"body_pose": torch.zeros(2, 63)}
            rest_out = body_model(zeros).joints[0].cpu()  # (127, 3)
            jaw = {"body_pose": torch.zeros(1, 63), "jaw_pose": torch.tensor([[0.3, 0.0, 0.0]])}
            moved = (body_model(jaw).joints[0].cpu() - rest_out).norm(dim=-1) > 1e-5
        rest = rest_out[:NUM_JOINTS]
        parent = torch.full((NUM_OUTPUT_JOINTS - NUM_JOINTS,), _HEAD, dtype=torch.int64)
        # fingertips (66-75) follow the last joint of their finger: left thumb..pinky, then right
        from ..body.joints import JOINT_INDEX

        for side in ("left", "right"):
            for finger in ("thumb", "index", "middle", "ring", "pinky"):
                parent[JOINT_INDEX[f"{side}_{finger}"] - NUM_JOINTS] = JOINT_INDEX[f"{side}_{finger}3"]
        # foot points (60-65): the ankles (not used by the fit, placed sensibly anyway)
        for k, name in enumerate(("left_ankle",) * 3 + ("right_ankle",) * 3):
            parent[60 - NUM_JOINTS + k] = JOINT_INDEX[name]
        for i in range(NUM_JOINTS, NUM_OUTPUT_JOINTS):
            if bool(moved[i]) and not (66 <= i <= 75) and not (60 <= i <= 65):
                parent[i - NUM_JOINTS] = _JAW
        offset = rest_out[NUM_JOINTS:] - rest[parent]
        return cls(rest, parent, offset)

    def forward(self, rotmats: torch.Tensor, transl: torch.Tensor | None = None) -> torch.Tensor:
        """Posed points.

        Args:
            rotmats: (B, 55, 3, 3) local joint rotations (SMPL-X order).
            transl: optional (B, 3) translation, metres.

        Returns:
            (B, 127, 3) points in metres, the order of :data:`signspark.body.joints.OUTPUT_JOINT_NAMES`.
        """
        pos, glob = self.globals(rotmats)
        extra = pos[:, self.extra_parent] + (glob[:, self.extra_parent] @ self.extra_offset[None, :, :, None])[..., 0]
        out = torch.cat([pos, extra], dim=1)
        return out if transl is None else out + transl[:, None]

    def globals(self, rotmats: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(positions (B, 55, 3), global rotations (B, 55, 3, 3)) of the joints."""
        B = rotmats.shape[0]
        G = [None] * NUM_JOINTS
        P = [None] * NUM_JOINTS
        G[0] = rotmats[:, 0]
        P[0] = self.offsets[0].expand(B, 3)
        for idx in self.levels:
            par = self.parents[idx]
            Gp = torch.stack([G[int(p)] for p in par], dim=1)  # (B, k, 3, 3)
            Pp = torch.stack([P[int(p)] for p in par], dim=1)
            Gi = Gp @ rotmats[:, idx]
            Pi = Pp + (Gp @ self.offsets[idx][None, :, :, None])[..., 0]
            for k, j in enumerate(idx.tolist()):
                G[j] = Gi[:, k]
                P[j] = Pi[:, k]
        return torch.stack(P, dim=1), torch.stack(G, dim=1)


class SubsetFK:
    """Forward kinematics over a subset of joints closed under parents (the joints a fit moves).

    Args:
        skel: the :class:`FitSkeleton`.
        joints: SMPL-X joint ids; every parent of a listed joint must be listed too.
    """

    def __init__(self, skel: FitSkeleton, joints: list[int]):
        self.joints = list(joints)
        pos = {j: i for i, j in enumerate(self.joints)}
        missing = [j for j in self.joints if j and int(skel.parents[j]) not in pos]
        if missing or 0 not in pos:
            raise ValueError(f"joint subset must contain the root and the parents of {missing}")
        self.root = pos[0]
        self.offsets = skel.offsets[self.joints]
        depth = {0: 0}
        for j in sorted(self.joints):
            if j:
                depth[j] = depth[int(skel.parents[j])] + 1
        self.levels = []
        for d in range(1, max(depth.values()) + 1):
            ids = [j for j in self.joints if depth[j] == d]
            self.levels.append(([pos[j] for j in ids], [pos[int(skel.parents[j])] for j in ids]))

    def __call__(self, rotmats: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, K, 3, 3) local rotations of the subset -> (positions (B, K, 3), global rotations (B, K, 3, 3))."""
        B = rotmats.shape[0]
        G = [None] * len(self.joints)
        P = [None] * len(self.joints)
        G[self.root] = rotmats[:, self.root]
        P[self.root] = self.offsets[self.root].expand(B, 3)
        for own, par in self.levels:
            Gp = torch.stack([G[p] for p in par], dim=1)
            Pp = torch.stack([P[p] for p in par], dim=1)
            Gi = Gp @ rotmats[:, own]
            Pi = Pp + (Gp @ self.offsets[own][None, :, :, None])[..., 0]
            for k, j in enumerate(own):
                G[j] = Gi[:, k]
                P[j] = Pi[:, k]
        return torch.stack(P, dim=1), torch.stack(G, dim=1)


@functools.lru_cache(maxsize=2)
def _builtin_skeleton() -> FitSkeleton:
    from ..body import BodyModel

    return FitSkeleton.from_body(BodyModel.load())


def skeleton_for(body_model=None) -> FitSkeleton:
    """The fitting skeleton of ``body_model`` (default: the built-in body, built once)."""
    return _builtin_skeleton() if body_model is None else FitSkeleton.from_body(body_model)
