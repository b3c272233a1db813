"""Training / evaluation dataset over official LMDB files, and its collate function.

:class:`SignDataset` reproduces the official loader: it finds
``<base>/<split>/**/*.lmdb`` files whose path contains one of ``names``, reads
each clip, flips the left hand (decode 6D with Gram-Schmidt, conjugate by
``diag(1,-1,-1)``, re-encode), selects a stream, computes keyframes on the
full-length tags, then edge-pads or truncates to ``seq_len`` frames.

Streams (channels per frame): ``hand`` 90 (one hand; ``hand="both"`` gives 180 =
``[L | R]``), ``body`` 60 (= ``body_features[:, 66:]``), ``face`` 56,
``full`` 296 = ``[left 90 | right 90 | body 60 | face 56]``.

Example::

    ds = SignDataset("data", "train", names=["How2Sign"], stream="hand")
    loader = torch.utils.data.DataLoader(ds, batch_size=64, shuffle=True, collate_fn=ds.collate)
    x, y = next(iter(loader))   # x (B, 90, 304); y["mask"] (B, 1, 304), y["obs_mask"] (B, 90, 304)
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Sequence

import numpy as np
import torch
from torch.utils.data import ConcatDataset, Dataset

from ..keyframes import keyframe_mask, keyframes_from_tags
from ..pose.rotations import flip_rot6d
from ..pose.streams import HAND_DIM, STREAM_DIMS
from ..signs.languages import tag_text
from .features import ClipRecord
from .lmdb_store import LmdbClipStore, find_lmdb_files
from .safe_npz import DataError

__all__ = ["SignDataset", "collate_batch", "flip_left_features", "pad_or_truncate", "load_custom_keyframes",
           "KEYFRAME_MODES", "HAND_CHOICES"]

KEYFRAME_MODES = (3, 999)  # 3: onset/middle/offset of each segment; 999: custom keyframe file
HAND_CHOICES = ("random", "left", "right", "both")
_BODY_START = 66  # body_features[:, 66:] = body_pose joints 11..20 (SMPL-X ids 12..21)


def flip_left_features(left: np.ndarray) -> np.ndarray:
    """Official left-hand flip of (T, 96) features: dims 0-89 decoded, conjugated and re-encoded; 90-95 unchanged."""
    out = np.array(left, dtype=np.float32, copy=True)
    fingers = torch.from_numpy(out[:, :HAND_DIM].reshape(-1, 15, 6))
    out[:, :HAND_DIM] = flip_rot6d(fingers).reshape(-1, HAND_DIM).numpy()
    return out


def pad_or_truncate(features: np.ndarray, keyframes: Sequence[int], seq_len: int) -> tuple[np.ndarray, int, list[int]]:
    """Fit (T, J) features to ``seq_len`` frames as the official loader does.

    T < seq_len: repeat the last frame; length = T. T > seq_len: keep the first
    ``seq_len`` frames; length = seq_len. Keyframes >= seq_len are dropped.

    Returns:
        (features (seq_len, J), length, keyframes).
    """
    T = features.shape[0]
    if T < seq_len:
        features = np.concatenate([features, np.repeat(features[-1:], seq_len - T, axis=0)], axis=0)
    else:
        features = features[:seq_len]
    return features, min(T, seq_len), [int(k) for k in keyframes if k < seq_len]


def load_custom_keyframes(path: str | os.PathLike, split: str) -> dict[str, list[int]]:
    """Read a custom keyframe file: ``torch.save`` of ``{split: {clip_name: indices}}``.

    Loaded with ``weights_only=True``; indices are sorted and deduplicated.

    Raises:
        DataError: unreadable file, missing split, or indices that are not non-negative integers.
    """
    path = Path(path)
    try:
        data = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:
        raise DataError(f"{path}: cannot read custom keyframe file ({type(e).__name__}: {e})") from None
    if not isinstance(data, dict) or split not in data or not isinstance(data[split], dict):
        keys = sorted(map(str, data)) if isinstance(data, dict) else type(data).__name__
        raise DataError(f"{path}: expected {{split: {{clip_name: indices}}}} with split {split!r}, found {keys}")
    out: dict[str, list[int]] = {}
    for name, idx in data[split].items():
        a = idx.detach().cpu().numpy() if isinstance(idx, torch.Tensor) else np.asarray(idx)
        a = a.reshape(-1)
        if a.size and (a.dtype.kind not in "iu" or (a < 0).any()):
            raise DataError(f"{path}: keyframes of {name!r} must be non-negative integers, got {a[:10].tolist()}")
        out[str(name)] = sorted(set(int(k) for k in a.tolist()))
    return out


class _FileClips(Dataset):
    """Items of one LMDB file, built by the owning :class:`SignDataset`."""

    def __init__(self, owner: "SignDataset", store: LmdbClipStore):
        self.owner, self.store = owner, store

    def __len__(self) -> int:
        return len(self.store)

    def __getitem__(self, i: int) -> dict:
        return self.owner.make_item(self.store.read(self.store.clip_ids[i]))


class SignDataset(ConcatDataset):
    """Official-format clips of one split as generator training items.

    Args:
        base_path: folder holding ``train/``, ``dev/``, ``test/``.
        split: ``train``, ``dev`` or ``test``.
        names: keep files whose path contains one of these substrings (``None``: all).
        stream: ``hand``, ``body``, ``face`` or ``full``.
        seq_len: frames per item (304 in the official configs; the UNet needs a multiple of 8).
        flip_left_hand: flip the left hand into the right-hand convention (official training: True).
        specify_lang: prefix the text with its language tag, ``"<ASL> hello"``.
        keyframe_mode: 3 (onset/middle/offset per segment) or 999 (custom file).
        custom_keyframe_file: ``{split: {clip_name: indices}}`` file; used automatically when it exists.
        joint_mask_prob: channel masking of keyframes in :meth:`collate` (0: all channels).
        hand: for the hand stream, ``random`` (official training: left or right with
            probability 0.5 per item, name suffixed ``_left``/``_right``), ``left``,
            ``right``, or ``both`` (180 channels ``[L | R]``).
        seed: seeds the hand choice and the channel masks (per DataLoader worker).
        keyframe_at_cut: a clip longer than ``seq_len`` (cut there) gets its last kept frame as a
            keyframe too: it does not end at rest there (for models whose path ends at rest,
            ``anchor="keyframes+rest"``).

    Each item is a dict: ``features`` (seq_len, J) float32 tensor, ``length`` int,
    ``text`` str, ``keyframes`` list[int], ``name`` str.
    """

    def __init__(self, base_path: str | os.PathLike, split: str, names: Sequence[str] | None = None,
                 stream: str = "full", seq_len: int = 304, flip_left_hand: bool = True, specify_lang: bool = True,
                 keyframe_mode: int = 3, custom_keyframe_file: str | os.PathLike | None = None,
                 joint_mask_prob: float = 0.0, hand: str = "random", seed: int = 0, keyframe_at_cut: bool = False):
        self.keyframe_at_cut = bool(keyframe_at_cut)
        if stream not in STREAM_DIMS:
            raise ValueError(f"unknown stream {stream!r}; expected one of {sorted(STREAM_DIMS)}")
        if hand not in HAND_CHOICES:
            raise ValueError(f"hand must be one of {HAND_CHOICES}, got {hand!r}")
        if int(seq_len) < 1:
            raise ValueError(f"seq_len must be >= 1, got {seq_len}")
        if not 0.0 <= float(joint_mask_prob) <= 1.0:
            raise ValueError(f"joint_mask_prob must be in [0, 1], got {joint_mask_prob}")
        self.split, self.stream, self.seq_len, self.hand = split, stream, int(seq_len), hand
        self.flip_left_hand, self.specify_lang = bool(flip_left_hand), bool(specify_lang)
        self.joint_mask_prob, self.seed = float(joint_mask_prob), int(seed)
        self.custom_keyframes: dict[str, list[int]] | None = None
        self.custom_keyframe_file = Path(custom_keyframe_file) if custom_keyframe_file else None
        if self.custom_keyframe_file is not None and self.custom_keyframe_file.exists():
            self.custom_keyframes = load_custom_keyframes(self.custom_keyframe_file, split)
            keyframe_mode = 999
        elif keyframe_mode == 999:
            raise DataError(f"keyframe_mode 999 needs a custom keyframe file, but {custom_keyframe_file!r} does not exist")
        elif self.custom_keyframe_file is not None:
            warnings.warn(f"custom keyframe file {self.custom_keyframe_file} does not exist; using keyframe mode "
                          f"{keyframe_mode}", stacklevel=2)
        if keyframe_mode not in KEYFRAME_MODES:
            raise ValueError(f"unknown keyframe_mode {keyframe_mode!r}; expected 3 (onset/middle/offset) "
                             f"or 999 (custom keyframe file)")
        self.keyframe_mode = keyframe_mode
        self.files = find_lmdb_files(base_path, split, names)
        self.stores = [LmdbClipStore(f) for f in self.files]
        self._rng_state: tuple[int, np.random.Generator, torch.Generator] | None = None
        super().__init__([_FileClips(self, s) for s in self.stores])

    @property
    def num_channels(self) -> int:
        """J, the channel count of each item's features."""
        if self.stream == "hand" and self.hand == "both":
            return 2 * HAND_DIM
        return STREAM_DIMS[self.stream]

    # -------------------------------------------------------------- randomness
    def _rngs(self) -> tuple[np.random.Generator, torch.Generator]:
        """Per-process generators seeded by (seed, DataLoader worker id)."""
        pid = os.getpid()
        if self._rng_state is None or self._rng_state[0] != pid:
            info = torch.utils.data.get_worker_info()
            worker = info.id if info is not None else -1
            np_rng = np.random.default_rng([self.seed, worker + 1])
            gen = torch.Generator().manual_seed(int(np_rng.integers(2**62)))
            self._rng_state = (pid, np_rng, gen)
        return self._rng_state[1], self._rng_state[2]

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_rng_state"] = None
        return state

    # -------------------------------------------------------------- items
    def keyframes_of(self, record: ClipRecord) -> list[int]:
        """Keyframes of the full-length clip (before truncation)."""
        if self.custom_keyframes is not None:
            try:
                return list(self.custom_keyframes[record.clip_id])
            except KeyError:
                raise DataError(f"{self.custom_keyframe_file}: no keyframes for clip {record.clip_id!r} "
                                f"in split {self.split!r}") from None
        return keyframes_from_tags(record.segment)

    def stream_features(self, record: ClipRecord, side: str | None = None) -> np.ndarray:
        """(T, J) features of the configured stream; ``side`` picks the hand for the hand stream."""
        def left() -> np.ndarray:
            f = flip_left_features(record.left_features) if self.flip_left_hand else record.left_features
            return f[:, :HAND_DIM]

        if self.stream == "body":
            return record.body_features[:, _BODY_START:]
        if self.stream == "face":
            return record.face_features
        if self.stream == "full":
            return np.concatenate([left(), record.right_features[:, :HAND_DIM],
                                   record.body_features[:, _BODY_START:], record.face_features], axis=1)
        if side == "left":
            return left()
        if side == "right":
            return record.right_features[:, :HAND_DIM]
        return np.concatenate([left(), record.right_features[:, :HAND_DIM]], axis=1)

    def make_item(self, record: ClipRecord) -> dict:
        """Build one item from a record."""
        name = record.clip_id
        side = None
        if self.stream == "hand" and self.hand != "both":
            side = self.hand
            if side == "random":
                side = "left" if self._rngs()[0].random() < 0.5 else "right"
            name = f"{name}_{side}"
        raw = self.stream_features(record, side)
        features, length, keyframes = pad_or_truncate(raw, self.keyframes_of(record), self.seq_len)
        if self.keyframe_at_cut and raw.shape[0] > self.seq_len and self.seq_len - 1 not in keyframes:
            keyframes.append(self.seq_len - 1)
        text = tag_text(record.translation, record.language) if self.specify_lang else record.translation
        return {
            "features": torch.from_numpy(np.ascontiguousarray(features, dtype=np.float32)),
            "length": int(length),
            "text": text,
            "keyframes": keyframes,
            "name": name,
        }

    def collate(self, items: Sequence[dict]) -> tuple[torch.Tensor, dict]:
        """:func:`collate_batch` with this dataset's ``joint_mask_prob`` and seeded generator."""
        return collate_batch(items, joint_mask_prob=self.joint_mask_prob, generator=self._rngs()[1])


def collate_batch(items: Sequence[dict], joint_mask_prob: float = 0.0,
                  generator: torch.Generator | None = None) -> tuple[torch.Tensor, dict]:
    """Stack items into the generator's batch.

    Returns:
        x: (B, J, T) float32.
        y: dict with ``mask`` (B, 1, T) bool (frame < length), ``lengths`` (B,) long,
        ``text`` list[str], ``keyframes`` list[list[int]], ``video_names`` list[str],
        ``obs_mask`` (B, J, T) bool from :func:`signspark.keyframes.keyframe_mask`.
    """
    if not items:
        raise ValueError("cannot collate an empty batch")
    feats = [torch.as_tensor(it["features"], dtype=torch.float32) for it in items]
    shapes = {tuple(f.shape) for f in feats}
    if len(shapes) != 1:
        raise ValueError(f"items must share one (T, J) shape to be batched, got {sorted(shapes)}")
    x = torch.stack(feats).permute(0, 2, 1).contiguous()
    B, J, T = x.shape
    lengths = torch.tensor([int(it["length"]) for it in items], dtype=torch.long)
    mask = (torch.arange(T)[None, :] < lengths[:, None])[:, None, :]
    keyframes = [[int(k) for k in it["keyframes"]] for it in items]
    y = {
        "mask": mask,
        "lengths": lengths,
        "text": [it["text"] for it in items],
        "keyframes": keyframes,
        "video_names": [it["name"] for it in items],
        "obs_mask": keyframe_mask(keyframes, J, T, joint_mask_prob=joint_mask_prob, generator=generator),
    }
    return x, y
