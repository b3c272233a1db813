"""SignDataset and collate_batch against the official loader's behaviour."""

import numpy as np
import pytest
import torch
from torch.utils.data import ConcatDataset, DataLoader

from lmdb_fixtures import Evil, make_record, single_torch_thread  # noqa: F401
from signspark.data import DataError, SignDataset, collate_batch, write_lmdb
from signspark.data.dataset import flip_left_features
from signspark.pose.rotations import flip_rot6d

FLIP_SIGNS = np.tile([1, -1, -1, -1, 1, 1], 15).astype(np.float32)


def _segment(T, spans=((1, None),)):
    seg = np.zeros(T, np.int64)
    for s, e in spans:
        e = T - 2 if e is None else e
        seg[s:e + 1] = 1
        seg[s] = 2
    return seg


@pytest.fixture
def base(tmp_path):
    """train/A_train.lmdb (a0, a1) and train/B/B_train.lmdb (b0, b1, b2), CSL text in B."""
    write_lmdb(tmp_path / "train" / "A_train.lmdb",
               [(f"a{i}", make_record(f"a{i}", T=10 + i, seed=i)) for i in range(2)])
    write_lmdb(tmp_path / "train" / "B" / "B_train.lmdb",
               [(f"b{i}", make_record(f"b{i}", T=20, seed=10 + i, language="CSL", translation="你好")) for i in range(3)])
    return tmp_path


def _records(base):
    from signspark.data import LmdbClipStore, find_lmdb_files
    return {r.clip_id: r for f in find_lmdb_files(base, "train") for r in LmdbClipStore(f)}


def test_names_select_files_and_concatenate(base):
    ds = SignDataset(base, "train", names=None, stream="body", seq_len=24)
    assert isinstance(ds, ConcatDataset) and len(ds) == 5 and len(ds.files) == 2
    assert [ds[i]["name"] for i in range(5)] == ["a0", "a1", "b0", "b1", "b2"]
    only_b = SignDataset(base, "train", names=["B_train"], stream="body", seq_len=24)
    assert len(only_b) == 3 and only_b[0]["name"] == "b0"
    with pytest.raises(DataError, match="found no .lmdb file"):
        SignDataset(base, "train", names=["How2Sign"])


def test_stream_selection(base):
    recs = _records(base)
    r = recs["b1"]
    get = lambda **kw: SignDataset(base, "train", names=["B"], seq_len=20, **kw)[1]["features"].numpy()  # noqa: E731
    body = get(stream="body")
    assert body.shape == (20, 60)
    np.testing.assert_array_equal(body, r.body_features[:, 66:])
    np.testing.assert_array_equal(get(stream="face"), r.face_features)
    left = flip_left_features(r.left_features)[:, :90]
    full = get(stream="full")
    assert full.shape == (20, 296)
    np.testing.assert_array_equal(full, np.concatenate(
        [left, r.right_features[:, :90], r.body_features[:, 66:], r.face_features], axis=1))
    np.testing.assert_array_equal(get(stream="hand", hand="left"), left)
    np.testing.assert_array_equal(get(stream="hand", hand="right"), r.right_features[:, :90])
    both = SignDataset(base, "train", names=["B"], seq_len=20, stream="hand", hand="both")
    item = both[1]
    assert item["name"] == "b1" and both.num_channels == 180
    np.testing.assert_array_equal(item["features"].numpy(), np.concatenate([left, r.right_features[:, :90]], axis=1))


def test_flip_left_hand(base):
    r = _records(base)["a0"]
    flipped = SignDataset(base, "train", names=["A"], stream="hand", hand="left", seq_len=10)[0]["features"].numpy()
    np.testing.assert_allclose(flipped, r.left_features[:, :90] * FLIP_SIGNS, atol=1e-6)
    raw = SignDataset(base, "train", names=["A"], stream="hand", hand="left", seq_len=10,
                      flip_left_hand=False)[0]["features"].numpy()
    np.testing.assert_array_equal(raw, r.left_features[:, :90])
    right = SignDataset(base, "train", names=["A"], stream="full", seq_len=10)[0]["features"].numpy()[:, 90:180]
    np.testing.assert_array_equal(right, r.right_features[:, :90])


def test_flip_decodes_with_gram_schmidt_and_keeps_orientation_dims():
    rng = np.random.default_rng(0)
    left = rng.normal(size=(4, 96)).astype(np.float32)  # not orthonormal: the flip re-orthonormalises
    out = flip_left_features(left)
    np.testing.assert_array_equal(out[:, 90:], left[:, 90:])
    expected = flip_rot6d(torch.from_numpy(left[:, :90].reshape(4, 15, 6))).reshape(4, 90).numpy()
    np.testing.assert_allclose(out[:, :90], expected, atol=1e-6)
    assert not np.allclose(out[:, :90], left[:, :90] * FLIP_SIGNS, atol=1e-3)
    np.testing.assert_allclose(flip_left_features(out)[:, :90], flip_rot6d(
        torch.from_numpy(left[:, :90].reshape(4, 15, 6))).reshape(4, 90).numpy() * FLIP_SIGNS, atol=1e-5)


def test_random_hand_is_seeded_and_suffixes_names(base):
    recs = _records(base)

    def names(seed):
        ds = SignDataset(base, "train", names=["A"], stream="hand", seq_len=16, seed=seed)
        out = []
        for _ in range(20):
            item = ds[0]
            side = item["name"].rsplit("_", 1)[1]
            src = flip_left_features(recs["a0"].left_features) if side == "left" else recs["a0"].right_features
            np.testing.assert_array_equal(item["features"].numpy()[:10], src[:, :90])
            out.append(item["name"])
        return out

    first = names(0)
    assert set(first) == {"a0_left", "a0_right"}
    assert names(0) == first and names(1) != first


def test_language_tag(base):
    assert SignDataset(base, "train", names=["B"], stream="face", seq_len=20)[0]["text"] == "<CSL> 你好"
    assert SignDataset(base, "train", names=["B"], stream="face", seq_len=20, specify_lang=False)[0]["text"] == "你好"


def test_padding_repeats_last_frame(base):
    r = _records(base)["a1"]  # 11 frames
    item = SignDataset(base, "train", names=["A"], stream="face", seq_len=16)[1]
    f = item["features"].numpy()
    assert f.shape == (16, 56) and f.dtype == np.float32 and item["length"] == 11
    np.testing.assert_array_equal(f[:11], r.face_features)
    np.testing.assert_array_equal(f[11:], np.repeat(r.face_features[-1:], 5, axis=0))


def test_truncation_computes_keyframes_on_full_length_labels(tmp_path):
    rec = make_record("long", T=40, segment=_segment(40, [(5, 30)]))
    write_lmdb(tmp_path / "train" / "x.lmdb", [("long", rec)])
    item = SignDataset(tmp_path, "train", stream="body", seq_len=16)[0]
    assert item["length"] == 16
    np.testing.assert_array_equal(item["features"].numpy(), rec.body_features[:16, 66:])
    # full-length segment (5, 30) -> [5, 17, 30]; >= 16 dropped. Truncating first would give [5, 10, 15].
    assert item["keyframes"] == [5]
    assert SignDataset(tmp_path, "train", stream="body", seq_len=32)[0]["keyframes"] == [5, 17, 30]


@pytest.mark.parametrize("tags, keyframes", [
    ([0, 2, 1, 1, 1, 0], [1, 2, 4]),
    ([1, 1, 0, 0, 2], [0, 1, 4]),
    ([0, 1, 0, 2, 0], [1, 3]),
    ([2, 1, 1, 2, 1, 1, 0], [0, 2, 5]),  # a BEGIN inside a run does not split it
    ([0, 0, 0, 0], []),
])
def test_mode3_keyframes(tmp_path, tags, keyframes):
    write_lmdb(tmp_path / "train" / "k.lmdb", [("c", make_record("c", T=len(tags), segment=np.array(tags)))])
    assert SignDataset(tmp_path, "train", stream="face", seq_len=8)[0]["keyframes"] == keyframes


def test_custom_keyframe_file(base, tmp_path):
    kf = tmp_path / "kf.pt"
    torch.save({"train": {"a0": [5, 1, 5, 3, 12], "a1": torch.tensor([2, 2]), "b0": [0], "b1": [], "b2": [19]},
                "dev": {}}, kf)
    ds = SignDataset(base, "train", names=["A"], stream="hand", seq_len=8, custom_keyframe_file=kf)
    assert ds.keyframe_mode == 999
    item = ds[0]
    assert item["name"] in ("a0_left", "a0_right") and item["keyframes"] == [1, 3, 5]  # 12 >= seq_len dropped
    assert ds[1]["keyframes"] == [2]
    torch.save({"train": {"a0": [1]}}, kf)
    with pytest.raises(DataError, match="no keyframes for clip 'a1'"):
        SignDataset(base, "train", names=["A"], custom_keyframe_file=kf)[1]
    with pytest.raises(DataError, match="split 'train'"):
        SignDataset(base, "train", names=["A"], custom_keyframe_file=_save(tmp_path, {"dev": {}}))


def _save(tmp_path, obj):
    path = tmp_path / "other.pt"
    torch.save(obj, path)
    return path


def test_custom_keyframe_file_is_loaded_without_arbitrary_pickles(base, tmp_path):
    marker = tmp_path / "pwned"
    path = _save(tmp_path, {"train": {"a0": Evil(marker)}})
    with pytest.raises(DataError, match="cannot read custom keyframe file"):
        SignDataset(base, "train", custom_keyframe_file=path)
    assert not marker.exists()


def test_keyframe_modes(base, tmp_path):
    with pytest.raises(DataError, match="needs a custom keyframe file"):
        SignDataset(base, "train", keyframe_mode=999, custom_keyframe_file=tmp_path / "none.pt")
    with pytest.raises(ValueError, match="unknown keyframe_mode 5"):
        SignDataset(base, "train", keyframe_mode=5)
    with pytest.warns(UserWarning, match="does not exist"):
        ds = SignDataset(base, "train", custom_keyframe_file=tmp_path / "none.pt")
    assert ds.keyframe_mode == 3
    with pytest.raises(ValueError, match="unknown stream"):
        SignDataset(base, "train", stream="legs")
    with pytest.raises(ValueError, match="hand must be one of"):
        SignDataset(base, "train", stream="hand", hand="middle")


def test_collate_batch(base):
    ds = SignDataset(base, "train", stream="full", seq_len=16)
    items = [ds[0], ds[2], ds[3]]  # lengths 10, 16 (truncated from 20), 16
    x, y = collate_batch(items)
    assert x.shape == (3, 296, 16) and x.dtype == torch.float32
    for b, it in enumerate(items):
        torch.testing.assert_close(x[b], it["features"].T)
    assert y["lengths"].dtype == torch.long and y["lengths"].tolist() == [10, 16, 16]
    assert y["mask"].shape == (3, 1, 16) and y["mask"].dtype == torch.bool
    assert y["mask"][0, 0].tolist() == [True] * 10 + [False] * 6 and bool(y["mask"][1].all())
    assert y["text"] == ["<ASL> hello", "<CSL> 你好", "<CSL> 你好"]
    assert y["video_names"] == ["a0", "b0", "b1"]
    assert y["keyframes"] == [it["keyframes"] for it in items] and y["keyframes"][0] == [1, 4, 8]
    obs = y["obs_mask"]
    assert obs.shape == (3, 296, 16) and obs.dtype == torch.bool
    frames = obs.any(1)
    for b, kfs in enumerate(y["keyframes"]):
        assert torch.nonzero(frames[b]).flatten().tolist() == kfs
        assert bool(obs[b][:, kfs].all())


def test_collate_channel_masking_is_seeded(base):
    def obs(seed):
        ds = SignDataset(base, "train", names=["A"], stream="body", seq_len=16, joint_mask_prob=0.5, seed=seed)
        return ds.collate([ds[0], ds[1]])[1]["obs_mask"]

    m = obs(0)
    counts = m[0].sum(0)
    for f in range(16):
        assert (counts[f] == 0) if f not in (1, 4, 8) else (30 <= counts[f] < 60)
    assert torch.equal(m, obs(0)) and not torch.equal(m, obs(1))


def test_dataloader_workers_after_parent_reads(base):
    ds = SignDataset(base, "train", stream="full", seq_len=24)
    expected = collate_batch([ds[i] for i in range(len(ds))])[0]
    loader = DataLoader(ds, batch_size=5, num_workers=2, collate_fn=ds.collate)
    got = torch.cat([x for x, _ in loader])
    torch.testing.assert_close(got, expected)
