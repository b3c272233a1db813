"""The built-in SMPL-X-compatible body: assembly, model arrays, and the cached ``.npz`` file.

:func:`build_builtin_arrays` turns the parts (torso, limbs, hands, head) into every
array ``smplx.SMPLX`` reads, with the same 55-joint tree and the SMPL-X vertex
ids of the nose, eyes, ears, fingertips, toes and heels (the vertex order is
permuted so those ids land on the right places). :func:`builtin_body_path`
writes it once to ``$SIGNSPARK_CACHE_DIR`` (default ``~/.cache/signspark``)
under a name that carries :data:`GENERATOR_VERSION`, so a change to the
generator produces a fresh file.

Extra keys that ``smplx`` ignores: ``vertex_regions`` ((V,) uint8, see
:data:`signspark.body.regions.REGIONS`) and ``signspark_generator`` (a version string).
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np
from scipy.optimize import nnls

from ..atomic import atomic_file
from .builtin_face import expression_directions, landmarks
from .builtin_geometry import Part
from .builtin_hands import build_left_hand, left_hand_joints
from .builtin_head import EYE_L, EYE_R, build_head
from .builtin_limbs import TRUNK_JOINTS, build_left_arm, build_left_foot, build_left_leg, build_neck, build_torso
from .joints import NUM_JOINTS, SMPLX_JOINT_NAMES, SMPLX_PARENTS, mirror_joint_map

GENERATOR_VERSION = "2"
NUM_SHAPEDIRS = 400  # >= 400 makes smplx read expressions from columns 300:350
EXPRESSION_OFFSET = 300
NUM_POSE_BASIS = (NUM_JOINTS - 1) * 9
MIN_VERTICES = 10475

# smplx's hard-coded SMPL-X vertex ids (vertex_ids.py) of the points it turns into extra joints
SMPLX_VERTEX_IDS = {
    "nose": 9120, "reye": 9929, "leye": 9448, "rear": 616, "lear": 6,
    "rthumb": 8079, "rindex": 7669, "rmiddle": 7794, "rring": 7905, "rpinky": 8022,
    "lthumb": 5361, "lindex": 4933, "lmiddle": 5058, "lring": 5169, "lpinky": 5286,
    "LBigToe": 5770, "LSmallToe": 5780, "LHeel": 8846, "RBigToe": 8463, "RSmallToe": 8474, "RHeel": 8635,
}
_TAG_TO_ID = {
    **{f"{s}_{f}_tip": f"{s[0]}{f}" for s in ("left", "right") for f in ("thumb", "index", "middle", "ring", "pinky")},
    "nose": "nose", "leye": "leye", "reye": "reye", "lear": "lear", "rear": "rear",
    "LBigToe": "LBigToe", "LSmallToe": "LSmallToe", "LHeel": "LHeel",
    "RBigToe": "RBigToe", "RSmallToe": "RSmallToe", "RHeel": "RHeel",
}

_J = {name: i for i, name in enumerate(SMPLX_JOINT_NAMES)}


class BuiltinBodyError(RuntimeError):
    """The built-in body could not be generated or cached."""


def rest_joints() -> np.ndarray:
    """(55, 3) rest joint positions of the built-in body (metres, T-pose)."""
    j = np.zeros((NUM_JOINTS, 3))
    left = {**{k: np.array(p) for k, p in TRUNK_JOINTS.items()}, **left_hand_joints(),
            "left_eye_smplhf": EYE_L, "right_eye_smplhf": EYE_R}
    mirror = mirror_joint_map()
    for name, p in left.items():
        j[_J[name]] = p
        twin = mirror[_J[name]]
        if twin != _J[name] and not name.endswith("_smplhf"):
            j[twin] = np.asarray(p) * [-1, 1, 1]
    return j


def _mirror(part: Part) -> Part:
    perm = mirror_joint_map()
    tags = {}
    for k, i in part.tags.items():
        k2 = k.replace("left_", "right_").replace("LBig", "RBig").replace("LSmall", "RSmall").replace("LHeel", "RHeel")
        tags[k2] = i
    return Part(part.name.replace("left_", "right_"), part.v * [-1, 1, 1], np.ascontiguousarray(part.f[:, ::-1]),
                part.w[:, perm], part.region.copy(), part.axis * [-1, 1, 1], tags, part.face_mask.copy())


def _assemble() -> dict:
    head, head_info = build_head()
    left = [build_left_arm(), build_left_leg(), build_left_foot(), *build_left_hand()]
    parts = [build_torso(), build_neck(), head] + left + [_mirror(p) for p in left]
    v, f, w, reg, axis, fmask, kind = [], [], [], [], [], [], []
    tags: dict[str, int] = {}
    off = 0
    extra = {k: [] for k in head_info}
    for p in parts:
        v.append(p.v); f.append(p.f + off); w.append(p.w); reg.append(p.region); axis.append(p.axis)
        fmask.append(p.face_mask)
        kind.append(np.full(len(p.v), p.name, dtype=object))
        for k, i in p.tags.items():
            tags[k] = i + off
        for k in extra:
            extra[k].append(head_info[k] if p is head else np.full(len(p.v), np.nan if k == "theta" else 0,
                                                                    dtype=head_info[k].dtype))
        off += len(p.v)
    out = {"v": np.concatenate(v), "f": np.concatenate(f), "w": np.concatenate(w), "region": np.concatenate(reg),
           "axis": np.concatenate(axis), "face_mask": np.concatenate(fmask), "part": np.concatenate(kind),
           "tags": tags}
    for k in extra:
        out[k] = np.concatenate(extra[k])
    return out


def _pad_and_permute(m: dict) -> dict:
    """Pad to the SMPL-X vertex count if needed and move the special vertices to smplx's ids."""
    n = len(m["v"])
    if n < MIN_VERTICES:
        pad = MIN_VERTICES - n
        m["v"] = np.vstack([m["v"], np.repeat(m["v"][:1], pad, 0)])
        m["w"] = np.vstack([m["w"], np.repeat(m["w"][:1], pad, 0)])
        for k in ("region", "axis", "face_mask", "part", "jaw", "theta", "skin"):
            m[k] = np.concatenate([m[k], np.repeat(m[k][:1], pad, 0)])
        n = MIN_VERTICES
    order = np.full(n, -1, np.int64)
    used = np.zeros(n, bool)
    for tag, key in _TAG_TO_ID.items():
        old = m["tags"][tag]
        order[SMPLX_VERTEX_IDS[key]] = old
        used[old] = True
    order[order < 0] = np.where(~used)[0]
    inverse = np.empty(n, np.int64)
    inverse[order] = np.arange(n)
    for k in ("v", "w", "region", "axis", "face_mask", "part", "jaw", "theta", "skin"):
        m[k] = m[k][order]
    m["f"] = inverse[m["f"]]
    m["tags"] = {k: int(inverse[i]) for k, i in m["tags"].items()}
    return m


def _joint_regressor(v: np.ndarray, joints: np.ndarray, part: np.ndarray, face_mask: np.ndarray) -> np.ndarray:
    """(55, V) convex vertex weights that reproduce each joint exactly (non-negative, sum 1)."""
    reg = np.zeros((NUM_JOINTS, len(v)))
    eye_parts = {"head"}
    usable = ~face_mask
    for j in range(NUM_JOINTS):
        name = SMPLX_JOINT_NAMES[j]
        if name.endswith("_smplhf"):
            cand = np.where((part == "head") & ~face_mask & (np.linalg.norm(v - joints[j], axis=1) < 0.0125))[0]
        else:
            cand_mask = usable & ~np.isin(part, list(eye_parts))
            cand = np.where(cand_mask)[0]
            cand = cand[np.argsort(np.linalg.norm(v[cand] - joints[j], axis=1))[:48]]
        for k in (len(cand), 160, 400):
            if k > len(cand):
                pool = np.where(usable & (part != "head"))[0]
                cand = pool[np.argsort(np.linalg.norm(v[pool] - joints[j], axis=1))[:k]]
            A = np.vstack([v[cand].T, 50.0 * np.ones(len(cand))])
            b = np.concatenate([joints[j], [50.0]])
            wts, res = nnls(A, b)
            if res < 1e-7:
                break
        else:
            raise BuiltinBodyError(f"cannot regress joint {name} from the mesh (residual {res:.2e})")
        wts /= wts.sum()
        reg[j, cand] = wts
    return reg


def _hand_pca(side: str) -> tuple[np.ndarray, np.ndarray]:
    """(45, 45) orthonormal hand-pose components (curl, thumb, spread first) and a relaxed mean (45,)."""
    curl = np.zeros((15, 3))
    sign = -1.0 if side == "left" else 1.0
    curl[:12, 2] = sign  # index, middle, pinky, ring: flex about the hinge axis
    curl[12:, 1] = 0.6 * sign
    curl[12:, 2] = 0.5 * sign
    thumb = np.zeros((15, 3)); thumb[12:, 1] = sign; thumb[12:, 0] = 0.3
    spread = np.zeros((15, 3))
    for f, s in zip(range(4), (1.0, 0.3, -1.0, -0.5)):  # index, middle, pinky, ring
        spread[3 * f, 1] = s * sign
    rng = np.random.default_rng(11 if side == "left" else 12)
    mat = np.vstack([curl.ravel(), thumb.ravel(), spread.ravel(), rng.standard_normal((42, 45))])
    q, r = np.linalg.qr(mat.T)
    q = q * np.sign(np.diag(r))[None]
    return q.T.astype(np.float32), (0.15 * curl.ravel()).astype(np.float32)


def _shape_directions(m: dict) -> np.ndarray:
    v, axis, part = m["v"], m["axis"], m["part"]
    sd = np.zeros((len(v), 3, NUM_SHAPEDIRS), np.float32)
    sd[:, :, 0] = 0.04 * (v - [0.0, -0.35, 0.0])  # overall size: +4 % per unit
    limbs = np.isin(part, ["torso", "neck", "left_arm", "right_arm", "left_leg", "right_leg"])
    sd[:, :, 1] = np.where(limbs[:, None], 0.08 * (v - axis), 0.0)  # girth: +8 % per unit
    head = part == "head"
    sd[:, :, 2] = np.where(head[:, None], 0.05 * (v - [0.0, 0.27, 0.0]), 0.0)  # head size
    hands = np.array([p.startswith(("left_palm", "right_palm", "left_index", "right_index", "left_middle",
                                    "right_middle", "left_ring", "right_ring", "left_pinky", "right_pinky",
                                    "left_thumb", "right_thumb")) for p in part])
    wrist = np.where(v[:, 0:1] > 0, m["joints"][_J["left_wrist"]], m["joints"][_J["right_wrist"]])
    sd[:, :, 3] = np.where(hands[:, None], 0.06 * (v - wrist), 0.0)  # hand size
    sd[:, :, EXPRESSION_OFFSET:EXPRESSION_OFFSET + 50] = expression_directions(v, m["face_mask"], m["jaw"])
    return sd


def build_builtin_arrays() -> dict[str, np.ndarray]:
    """Every array of the built-in SMPL-X ``.npz`` (keys as ``smplx`` reads them, plus extras)."""
    m = _pad_and_permute(_assemble())
    joints = rest_joints()
    m["joints"] = joints
    v = m["v"]
    w = m["w"] / m["w"].sum(1, keepdims=True)
    J_reg = _joint_regressor(v, joints, m["part"], m["face_mask"])
    front_head = m["skin"].astype(bool) & (v[:, 2] > 0.02)
    lm = landmarks(v, m["f"], front_head, m["jaw"], m["skin"].astype(bool), np.nan_to_num(m["theta"], nan=9.0))
    hl, ml = _hand_pca("left")
    hr, mr = _hand_pca("right")
    kintree = np.stack([np.array(SMPLX_PARENTS), np.arange(NUM_JOINTS)]).astype(np.int64)
    arrays = {
        "v_template": v.astype(np.float32),
        "f": m["f"].astype(np.int64),
        "J_regressor": J_reg.astype(np.float32),
        "weights": w.astype(np.float32),
        "kintree_table": kintree,
        "shapedirs": _shape_directions(m),
        "posedirs": np.zeros((len(v), 3, NUM_POSE_BASIS), np.float32),
        "hands_componentsl": hl, "hands_componentsr": hr, "hands_meanl": ml, "hands_meanr": mr,
        **lm,
        "vertex_regions": m["region"].astype(np.uint8),
        "signspark_generator": np.array(f"signspark-builtin-{GENERATOR_VERSION}"),
    }
    return arrays


def cache_dir() -> Path:
    """Where generated files live: ``$SIGNSPARK_CACHE_DIR``, else ``$XDG_CACHE_HOME/signspark``, else
    ``~/.cache/signspark`` (a relative ``XDG_CACHE_HOME`` is ignored, as the XDG specification says)."""
    env = os.environ.get("SIGNSPARK_CACHE_DIR", "").strip()
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "signspark"
    return Path.home() / ".cache" / "signspark"


def builtin_body_dir() -> Path:
    """The folder holding ``smplx/SMPLX_NEUTRAL.npz`` (what ``smplx.create`` expects)."""
    return cache_dir() / "body" / f"builtin-v{GENERATOR_VERSION}"


def write_builtin_body(path: str | os.PathLike) -> Path:
    """Generate the built-in body and write it to ``path`` atomically (temporary file, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = build_builtin_arrays()
    # an ordinary .npz; deflate level 1 because most of it is zeros (posedirs, unused shape columns)
    with atomic_file(path) as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for key, arr in arrays.items():
            with zf.open(key + ".npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.asanyarray(arr), allow_pickle=False)
    return path


def builtin_body_path(regenerate: bool = False) -> Path:
    """Path of the built-in ``SMPLX_NEUTRAL.npz``, generating and caching it on first use."""
    path = builtin_body_dir() / "smplx" / "SMPLX_NEUTRAL.npz"
    if regenerate or not path.is_file():
        try:
            write_builtin_body(path)
        except OSError as exc:
            raise BuiltinBodyError(
                f"cannot write the built-in body to {path}: {exc}. Set SIGNSPARK_CACHE_DIR to a writable folder."
            ) from exc
    return path
