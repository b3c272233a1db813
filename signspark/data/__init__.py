"""Official-schema SignSparK data: LMDB reader and writer, per-clip records, and the training dataset.

Typical use::

    from signspark.data import SignDataset, write_lmdb, LmdbClipStore

    write_lmdb("data/train/mine_train.lmdb", [("clip0", pose_sequence)])
    store = LmdbClipStore("data/train/mine_train.lmdb")
    ds = SignDataset("data", "train", names=["mine"], stream="full")
"""

from .dataset import SignDataset, collate_batch, flip_left_features, load_custom_keyframes, pad_or_truncate
from .features import ClipRecord, hand_features, record_from_sequence
from .lmdb_store import LmdbClipStore, LmdbWriter, find_lmdb_files, write_lmdb
from .safe_npz import DataError, load_npz, safe_unpickle

__all__ = [
    "SignDataset", "collate_batch", "flip_left_features", "load_custom_keyframes", "pad_or_truncate",
    "ClipRecord", "hand_features", "record_from_sequence",
    "LmdbClipStore", "LmdbWriter", "find_lmdb_files", "write_lmdb",
    "DataError", "load_npz", "safe_unpickle",
]
