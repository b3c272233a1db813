"""BodyModel: SMPL-X parameters per frame -> mesh vertices and 127 joints, through the ``smplx`` package.

Usage::

    from signspark.body import BodyModel
    body = BodyModel.load()                 # $SIGNSPARK_SMPLX_DIR if set, else the built-in body
    out = body(pose_sequence)               # or a mapping of (T, D) arrays with SMPL-X keys
    out.vertices                            # (T, V, 3) float32 metres
    out.joints                              # (T, 127, 3), see signspark.body.joints

The model file is read by our own reader (:mod:`signspark.body.smplx_file`: numeric arrays
only, nothing unpickled or run, sizes checked first) and the arrays are handed to
``smplx.SMPLX`` (``use_pca=False, flat_hand_mean=True``: hand poses are 45-D axis-angle
relative to a flat hand). The forward pass reuses
smplx's own building blocks (``batch_rodrigues``, ``batch_rigid_transform``) on
the loaded buffers, chunked over frames, and skips work that cannot change the
result: the pose-corrective matmul when ``posedirs`` is all zeros (the built-in
body), expression blend shapes on vertices they do not move, and the joint
regression, which is linear and done once per clip. It matches
``smplx.SMPLX.forward`` to float precision.
"""

from __future__ import annotations

import dataclasses
import os
import threading
from pathlib import Path
from typing import Mapping

import numpy as np
import torch

from .joints import NUM_JOINTS, NUM_OUTPUT_JOINTS

ENV_SMPLX_DIR = "SIGNSPARK_SMPLX_DIR"
_FRAME_KEYS = {
    "global_orient": 3, "body_pose": 63, "jaw_pose": 3, "leye_pose": 3, "reye_pose": 3,
    "left_hand_pose": 45, "right_hand_pose": 45, "expression": 50, "transl": 3,
}
_POSE_ORDER = ("global_orient", "body_pose", "jaw_pose", "leye_pose", "reye_pose", "left_hand_pose", "right_hand_pose")
_GENDERS = ("neutral", "male", "female")


class BodyModelError(ValueError):
    """A body model file or folder is missing, unreadable or not SMPL-X; the message says what to do."""


@dataclasses.dataclass
class BodyOutput:
    """Posed body, frame-first.

    Attributes:
        vertices: (T, V, 3) float32, metres.
        joints: (T, 127, 3) float32, metres; order in :data:`signspark.body.joints.OUTPUT_JOINT_NAMES`.
    """

    vertices: torch.Tensor
    joints: torch.Tensor


def resolve_model_path(model_path: str | os.PathLike | None = None, gender: str = "neutral") -> Path | None:
    """The SMPL-X file to load, or None for the built-in body.

    Args:
        model_path: a file (``SMPLX_*.npz`` / ``.pkl``) or a folder holding
            ``smplx/SMPLX_<GENDER>.npz`` or ``SMPLX_<GENDER>.npz`` (``.pkl`` also accepted).
            None: ``$SIGNSPARK_SMPLX_DIR`` when set, else the built-in body.
        gender: "neutral", "male" or "female" (picks the file inside a folder).

    Raises:
        BodyModelError: the path does not exist, holds no SMPL-X file, or has the wrong suffix.
    """
    gender = gender.lower()
    if gender not in _GENDERS:
        raise BodyModelError(f"unknown gender {gender!r}; expected one of {', '.join(_GENDERS)}")
    if model_path is None:
        env = os.environ.get(ENV_SMPLX_DIR, "").strip()
        if not env:
            return None
        model_path, origin = env, f" (from ${ENV_SMPLX_DIR})"
    else:
        origin = ""
    p = Path(model_path).expanduser()
    if p.is_dir():
        names = [f"SMPLX_{gender.upper()}.npz", f"SMPLX_{gender.upper()}.pkl"]
        tried = [p / "smplx" / n for n in names] + [p / n for n in names]
        for cand in tried:
            if cand.is_file():
                return cand
        raise BodyModelError(
            f"no SMPL-X model in folder {p}{origin}; looked for "
            + ", ".join(str(t.relative_to(p)) for t in tried)
            + ". Download SMPL-X from https://smpl-x.is.tue.mpg.de (licence required) or unset the path "
            "to use the built-in body."
        )
    if p.is_file():
        if p.suffix.lower() not in (".npz", ".pkl"):
            raise BodyModelError(f"{p}{origin} is not an SMPL-X model file; expected an .npz or .pkl file")
        return p
    raise BodyModelError(
        f"SMPL-X model path {p}{origin} does not exist; give an SMPLX_*.npz file or a folder containing one, "
        "or leave it unset to use the built-in body."
    )


def _load_smplx(path: Path, gender: str):
    """``(smplx.SMPLX, vertex_regions or None)`` from a model file read by our own safe reader
    (:mod:`signspark.body.smplx_file`): nothing in the file is unpickled or run."""
    from .smplx_file import SmplxFileError, read_smplx_arrays, smplx_model_from_arrays

    try:
        arrays = read_smplx_arrays(path)
    except FileNotFoundError:
        raise BodyModelError(f"SMPL-X model file {path} does not exist") from None
    except (SmplxFileError, OSError) as exc:
        raise BodyModelError(
            f"could not read an SMPL-X model from {path}: {exc}. Expected an SMPLX_*.npz (or .pkl) file from "
            "https://smpl-x.is.tue.mpg.de; leave the path unset to use the built-in body.") from exc
    regions = arrays.get("vertex_regions")
    if regions is not None:
        regions = np.asarray(regions, np.uint8) if regions.shape == (arrays["v_template"].shape[0],) else None
    try:
        model = smplx_model_from_arrays(arrays, gender, use_pca=False, flat_hand_mean=True,
                                        num_expression_coeffs=50, num_betas=10, batch_size=1)
    except (ValueError, KeyError, AttributeError, TypeError, IndexError, RuntimeError, OSError) as exc:
        raise BodyModelError(
            f"could not build an SMPL-X body from {path}: {type(exc).__name__}: {exc}. Expected an SMPLX_*.npz "
            "(or .pkl) file from https://smpl-x.is.tue.mpg.de; leave the path unset to use the built-in body."
        ) from exc
    return model, regions


class BodyModel(torch.nn.Module):
    """An SMPL-X body (licensed file or the built-in one) that poses whole clips.

    Build with :meth:`load`. Calling it returns a :class:`BodyOutput`.
    """

    def __init__(self, smplx_model, source: str, is_builtin: bool, vertex_regions: np.ndarray | None) -> None:
        super().__init__()
        from smplx.lbs import vertices2joints

        m = smplx_model
        self.source = source
        self.is_builtin = is_builtin
        self.vertex_regions = vertex_regions
        self.num_betas = int(m.num_betas)
        self.num_expression_coeffs = int(m.num_expression_coeffs)
        self._faces = np.asarray(m.faces, dtype=np.int64)
        f32 = torch.float32
        self.register_buffer("v_template", m.v_template.to(f32).clone())
        self.register_buffer("shapedirs", m.shapedirs.to(f32).clone())
        self.register_buffer("J_regressor", m.J_regressor.to(f32).clone())
        self.register_buffer("lbs_weights", m.lbs_weights.to(f32).clone())
        self.register_buffer("kintree_parents", m.parents.clone())
        self.register_buffer("pose_mean", m.pose_mean.to(f32).clone().view(-1, 3))
        posedirs = m.posedirs.to(f32)
        self.register_buffer("posedirs", posedirs.clone() if bool(posedirs.any()) else None)
        expr = m.expr_dirs.to(f32)  # (V, 3, E)
        rows = torch.nonzero(expr.abs().amax(dim=(1, 2)) > 0).flatten()
        self.register_buffer("expr_rows", rows)
        self.register_buffer("expr_dirs_rows", expr[rows].reshape(-1, expr.shape[-1]).T.contiguous())  # (E, R*3)
        self.register_buffer("J_exprdirs", torch.einsum("jv,vcn->jcn", self.J_regressor, expr))  # (55, 3, E)
        self.register_buffer("extra_idxs", m.vertex_joint_selector.extra_joints_idxs.clone())
        lmk_v = m.faces_tensor[m.lmk_faces_idx]  # (L, 3) vertex ids
        self.register_buffer("lmk_vertex_ids", lmk_v.clone())
        self.register_buffer("lmk_bary", m.lmk_bary_coords.to(f32).clone())
        self._vertices2joints = vertices2joints

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, model_path: str | os.PathLike | None = None, gender: str = "neutral",
             device: str | torch.device = "cpu") -> "BodyModel":
        """Load a licensed SMPL-X file or the built-in body.

        Args:
            model_path: file or folder (see :func:`resolve_model_path`); None uses
                ``$SIGNSPARK_SMPLX_DIR`` when set, else the built-in body (generated and
                cached on first use; it has one neutral shape, so ``gender`` is ignored).
            gender: "neutral", "male" or "female".
            device: torch device for the buffers and outputs.

        Raises:
            BodyModelError: missing, unreadable or non-SMPL-X files.
        """
        path = resolve_model_path(model_path, gender)
        if path is None:
            from .builtin import builtin_body_path

            file = builtin_body_path()
            try:
                m, regions = _load_smplx(file, "neutral")
            except BodyModelError:
                file = builtin_body_path(regenerate=True)  # a damaged cache file: build it again
                m, regions = _load_smplx(file, "neutral")
            model = cls(m, "built-in", True, regions)
        else:
            m, regions = _load_smplx(path, gender)
            if m.J_regressor.shape[0] != NUM_JOINTS:
                raise BodyModelError(f"{path} has {m.J_regressor.shape[0]} joints; an SMPL-X model has {NUM_JOINTS}")
            model = cls(m, str(path), False, regions)
        return model.to(device)

    # ------------------------------------------------------------------ properties
    @property
    def faces(self) -> np.ndarray:
        """(F, 3) int64 triangle vertex indices."""
        return self._faces

    @property
    def num_vertices(self) -> int:
        return int(self.v_template.shape[0])

    @property
    def parents(self) -> np.ndarray:  # type: ignore[override]
        """(55,) parent joint ids (-1 for the root)."""
        return self.kintree_parents.cpu().numpy()

    @property
    def rest_joints(self) -> np.ndarray:
        """(55, 3) joints of the mean shape in the rest (T-) pose, metres."""
        return (self.J_regressor @ self.v_template).cpu().numpy()

    @property
    def device(self) -> torch.device:
        return self.v_template.device

    # ------------------------------------------------------------------ forward
    def forward(self, seq_or_params, chunk_size: int = 64, requires_grad: bool = False) -> BodyOutput:
        """Pose every frame.

        Args:
            seq_or_params: a :class:`~signspark.pose.PoseSequence`, or a mapping with any of
                the SMPL-X keys (global_orient (T,3), body_pose (T,63), jaw_pose, leye_pose,
                reye_pose (T,3), left/right_hand_pose (T,45), expression (T,<=50),
                transl (T,3)) as numpy arrays or tensors, and betas (10,) or (T,10).
                Missing keys are zeros.
            chunk_size: frames per batch (memory / speed trade-off; results do not depend on it).
            requires_grad: keep the autograd graph (default: no_grad).

        Returns:
            :class:`BodyOutput` with (T, V, 3) vertices and (T, 127, 3) joints on the model's device.
        """
        params, betas = self._collect(seq_or_params)
        T = params["body_pose"].shape[0]
        if chunk_size < 1:
            raise ValueError(f"chunk_size must be >= 1, got {chunk_size}")
        if T == 0:
            return BodyOutput(torch.zeros(0, self.num_vertices, 3, device=self.device),
                              torch.zeros(0, NUM_OUTPUT_JOINTS, 3, device=self.device))
        with torch.set_grad_enabled(requires_grad):
            shared = None
            if betas.shape[0] == 1:
                shared = self._shaped(betas)
            # Without autograd each chunk is written straight into the output (no concatenation).
            out = None if requires_grad else BodyOutput(
                torch.empty(T, self.num_vertices, 3, device=self.device),
                torch.empty(T, NUM_OUTPUT_JOINTS, 3, device=self.device))
            verts, joints = [], []
            for a in range(0, T, chunk_size):
                b = min(T, a + chunk_size)
                chunk = {k: v[a:b] for k, v in params.items()}
                shaped = shared if shared is not None else self._shaped(betas[a:b])
                v, j = self._forward_chunk(chunk, shaped, None if out is None else (out.vertices[a:b], out.joints[a:b]))
                verts.append(v)
                joints.append(j)
            return out if out is not None else BodyOutput(torch.cat(verts), torch.cat(joints))

    def _collect(self, seq_or_params) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
        if hasattr(seq_or_params, "params") and hasattr(seq_or_params, "betas"):
            raw: Mapping = dict(seq_or_params.params)
            raw["betas"] = seq_or_params.betas
        elif isinstance(seq_or_params, Mapping):
            raw = seq_or_params
        else:
            raise TypeError(f"expected a PoseSequence or a mapping of SMPL-X parameters, got {type(seq_or_params).__name__}")
        tensors = {k: torch.as_tensor(np.asarray(v) if not torch.is_tensor(v) else v, dtype=torch.float32,
                                      device=self.device)
                   for k, v in raw.items() if k in _FRAME_KEYS}
        if not tensors:
            raise ValueError(f"no SMPL-X parameters given (got keys {sorted(raw)}); expected some of {list(_FRAME_KEYS)}")
        T = None
        for k, t in tensors.items():
            if t.ndim != 2:
                raise ValueError(f"{k} must be 2-D (frames, {_FRAME_KEYS[k]}), got shape {tuple(t.shape)}")
            if T is None:
                T = t.shape[0]
            if t.shape[0] != T:
                raise ValueError(f"{k} has {t.shape[0]} frames but other parameters have {T}")
            if k == "expression":
                if t.shape[1] > 50:
                    raise ValueError(f"expression has {t.shape[1]} coefficients; at most 50 are supported")
            elif t.shape[1] != _FRAME_KEYS[k]:
                raise ValueError(f"{k} must have {_FRAME_KEYS[k]} values per frame, got {t.shape[1]}")
        params = {k: tensors.get(k, torch.zeros(T, d, device=self.device)) for k, d in _FRAME_KEYS.items()}
        e = params["expression"]
        ne = self.num_expression_coeffs
        params["expression"] = e[:, :ne] if e.shape[1] >= ne else torch.nn.functional.pad(e, (0, ne - e.shape[1]))
        betas = raw.get("betas")
        if betas is None:
            betas = torch.zeros(1, self.num_betas, device=self.device)
        else:
            betas = torch.as_tensor(np.asarray(betas) if not torch.is_tensor(betas) else betas,
                                    dtype=torch.float32, device=self.device)
            if betas.ndim == 1:
                betas = betas[None]
            if betas.ndim != 2 or betas.shape[0] not in (1, T):
                raise ValueError(f"betas must be (B,) or (T, B) with T={T}, got shape {tuple(betas.shape)}")
            nb = self.num_betas
            betas = betas[:, :nb] if betas.shape[1] >= nb else torch.nn.functional.pad(betas, (0, nb - betas.shape[1]))
        return params, betas

    def _shaped(self, betas: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Vertices (B, V, 3) and joints (B, 55, 3) of the shape before expressions and pose."""
        v = self.v_template + torch.einsum("bl,vcl->bvc", betas, self.shapedirs)
        return v, self._vertices2joints(self.J_regressor, v)

    def _forward_chunk(self, p: dict[str, torch.Tensor], shaped, out=None) -> tuple[torch.Tensor, torch.Tensor]:
        """Vertices (B, V, 3) and joints (B, 127, 3) of one chunk; written into ``out`` (two such
        tensors) when given."""
        from smplx.lbs import batch_rigid_transform, batch_rodrigues

        B = p["body_pose"].shape[0]
        V = self.num_vertices
        v_shaped, J = shaped
        expr = p["expression"]
        v = v_shaped.expand(B, V, 3).clone()
        if self.expr_rows.numel():
            v[:, self.expr_rows] += (expr @ self.expr_dirs_rows).view(B, -1, 3)
        J = J + torch.einsum("bn,jcn->bjc", expr, self.J_exprdirs)
        pose = torch.cat([p[k].reshape(B, -1, 3) for k in _POSE_ORDER], dim=1) + self.pose_mean
        rot = batch_rodrigues(pose.reshape(-1, 3)).view(B, -1, 3, 3)
        if self.posedirs is not None:
            ident = torch.eye(3, dtype=rot.dtype, device=rot.device)
            v = v + ((rot[:, 1:] - ident).reshape(B, -1) @ self.posedirs).view(B, V, 3)
        J_posed, A = batch_rigid_transform(rot, J.expand(B, -1, -1).contiguous(), self.kintree_parents,
                                          dtype=rot.dtype)
        # blend the joint transforms with one (V, 55) x (55, B*12) product, vertex-major
        A12 = A[:, :, :3, :].permute(1, 0, 2, 3).reshape(A.shape[1], B * 12)
        Tm = (self.lbs_weights @ A12).view(V, B, 3, 4)
        vt = v.transpose(0, 1).unsqueeze(2)  # (V, B, 1, 3)
        verts = Tm[..., 3].clone()
        verts.addcmul_(Tm[..., 0], vt[..., 0])
        verts.addcmul_(Tm[..., 1], vt[..., 1])
        verts.addcmul_(Tm[..., 2], vt[..., 2])
        verts = verts.transpose(0, 1)  # (B, V, 3) view
        lmk = (verts[:, self.lmk_vertex_ids] * self.lmk_bary[None, :, :, None]).sum(2)
        joints = torch.cat([J_posed, verts[:, self.extra_idxs], lmk], dim=1)
        t = p["transl"][:, None]
        if out is None:
            return verts + t, joints + t
        torch.add(verts, t, out=out[0])  # one pass: translation and the (V, B) -> (B, V) transposition
        torch.add(joints, t, out=out[1])
        return out


_SHARED: dict[str, BodyModel] = {}
_SHARED_LOCK = threading.Lock()


def shared_body_model() -> BodyModel:
    """The body :meth:`BodyModel.load` gives with no arguments (``$SIGNSPARK_SMPLX_DIR`` or the built-in
    body), loaded once per process and model file and shared: the sign animator's surface geometry and
    skeleton, the renderer and the glTF export all use it, instead of loading it once each (about 1 s each).

    Callers only pose it (a forward pass changes nothing in it); it lives on the CPU.
    """
    path = resolve_model_path(None)
    key = str(path) if path is not None else "built-in"
    with _SHARED_LOCK:
        model = _SHARED.get(key)
        if model is None:
            model = _SHARED[key] = BodyModel.load()
        return model


def body_model_info(model_path: str | os.PathLike | None = None, gender: str = "neutral") -> dict:
    """What :meth:`BodyModel.load` would use, without posing anything.

    Returns:
        dict with ``source`` ("built-in" or the file path), ``kind`` ("built-in", "smplx-npz" or
        "smplx-pkl"), ``path`` (str), ``vertices`` and ``faces`` (counts; None when unreadable).
    """
    path = resolve_model_path(model_path, gender)
    if path is None:
        from .builtin import builtin_body_path

        path = builtin_body_path()
        source, kind = "built-in", "built-in"
    else:
        source, kind = str(path), "smplx-" + path.suffix.lower().lstrip(".")
    nv = nf = None
    if path.suffix.lower() == ".npz":
        from ..npz import NpzError, npz_headers

        try:
            headers = npz_headers(path)
            nv, nf = int(headers["v_template"][0][0]), int(headers["f"][0][0])
        except (NpzError, OSError, KeyError, IndexError):
            pass
    return {"source": source, "kind": kind, "path": str(path), "vertices": nv, "faces": nf}
