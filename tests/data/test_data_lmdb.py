"""LMDB writer and reader: schema, round trips, atomic writes, hostile and broken files, finding files."""

import io
import os
import pickle

import lmdb
import numpy as np
import pytest

from lmdb_fixtures import (  # noqa: F401
    Evil, make_record, official_fields, random_sequence, record_bytes, single_torch_thread, write_raw_lmdb)
from signspark.data import DataError, LmdbClipStore, LmdbWriter, find_lmdb_files, write_lmdb
from signspark.data.features import FEATURE_WIDTHS


def _raw_get(path, key: bytes) -> bytes:
    env = lmdb.open(str(path), readonly=True, lock=False)
    try:
        with env.begin() as txn:
            return txn.get(key)
    finally:
        env.close()


def test_written_file_matches_official_schema(tmp_path):
    path = tmp_path / "train" / "demo_train.lmdb"
    seq = random_sequence(T=20, seed=0, segments=[(2, 6)])
    assert write_lmdb(path, [("b", seq), ("a", seq)]) == path
    assert path.is_dir() and (path / "data.mdb").exists()
    meta = pickle.loads(_raw_get(path, b"__meta__"))
    assert type(meta) is dict and meta == {"clip_ids": ["b", "a"], "num_clips": 2}
    with np.load(io.BytesIO(_raw_get(path, b"a")), allow_pickle=False) as z:
        assert sorted(z.files) == sorted(["language", "translation", "gloss", "segment", *FEATURE_WIDTHS])
        assert z["language"].shape == (1,) and z["language"].dtype.kind == "U" and z["language"][0] == "ASL"
        assert z["translation"][0] == seq.text and z["gloss"][0] == seq.gloss
        assert z["segment"].dtype == np.int64 and z["segment"].tolist()[:8] == [0, 0, 2, 1, 1, 1, 1, 0]
        assert z["body_features"].shape == (20, 126) and z["body_features"].dtype == np.float32


def test_pose_sequence_round_trip_through_lmdb(tmp_path):
    path = tmp_path / "x.lmdb"
    seqs = {f"clip{i}": random_sequence(T=15 + i, seed=i, segments=[(1, 4), (7, 12)]) for i in range(3)}
    write_lmdb(path, seqs.items())
    store = LmdbClipStore(path)
    assert store.clip_ids == list(seqs) and len(store) == 3 and "clip1" in store and "nope" not in store
    assert [r.clip_id for r in store] == list(seqs)
    for cid, seq in seqs.items():
        back = store.read_pose_sequence(cid, fps=30.0)
        assert back.num_frames == seq.num_frames and back.text == seq.text
        for key in ("body_pose", "left_hand_pose", "right_hand_pose", "jaw_pose", "expression"):
            np.testing.assert_allclose(back.params[key], seq.params[key], atol=2e-5, err_msg=key)
        assert not back.params["global_orient"].any() and not back.params["transl"].any()
        assert back.segments.tolist() == [[1, 4], [7, 12]]


def test_writer_accepts_records_and_labels(tmp_path):
    path = tmp_path / "r.lmdb"
    rec = make_record("ignored-id", T=10, seed=3)
    seq = random_sequence(T=10, seed=1, segments=[])
    labels = np.array([0, 2, 1, 1, 0, 0, 2, 1, 0, 0])
    with LmdbWriter(path) as w:
        w.add("rec", rec)
        w.add("seq", seq, labels=labels)
        with pytest.raises(ValueError, match="added twice"):
            w.add("rec", rec)
        with pytest.raises(ValueError, match="__meta__"):
            w.add("__meta__", rec)
        with pytest.raises(ValueError, match="labels apply only"):
            w.add("x", rec, labels=labels)
    store = LmdbClipStore(path)
    got = store.read("rec")
    assert got.clip_id == "rec"
    np.testing.assert_array_equal(got.left_features, rec.left_features)
    np.testing.assert_array_equal(got.face_features, rec.face_features)
    assert store.read("seq").segment.tolist() == labels.tolist()


def test_official_style_object_text_fields_are_read(tmp_path):
    rec = make_record("c", T=8, translation="你好", language="CSL")
    path = write_raw_lmdb(tmp_path / "csl.lmdb", {"c": record_bytes(official_fields(rec), object_text=True)})
    got = LmdbClipStore(path).read("c")
    assert (got.language, got.translation, got.gloss) == ("CSL", "你好", "HELLO")
    np.testing.assert_array_equal(got.body_features, rec.body_features)


def test_writer_is_atomic_and_cleans_up_on_error(tmp_path):
    path = tmp_path / "a.lmdb"
    with pytest.raises(RuntimeError, match="boom"):
        with LmdbWriter(path) as w:
            w.add("c", make_record(T=5))
            raise RuntimeError("boom")
    assert os.listdir(tmp_path) == []
    write_lmdb(path, [("old", make_record(T=5))])
    with pytest.raises(RuntimeError):
        with LmdbWriter(path) as w:
            w.add("new", make_record(T=5))
            raise RuntimeError("boom")
    assert LmdbClipStore(path).clip_ids == ["old"]  # the existing file survives a failed rewrite
    write_lmdb(path, [("new", make_record(T=5))])
    assert LmdbClipStore(path).clip_ids == ["new"]
    assert sorted(os.listdir(tmp_path)) == ["a.lmdb"]
    with pytest.raises(FileExistsError):
        LmdbWriter(path, overwrite=False)
    with pytest.raises(ValueError, match=r"end in \.lmdb"):
        LmdbWriter(tmp_path / "b.db")


def test_map_grows_when_full(tmp_path):
    path = tmp_path / "small.lmdb"
    with LmdbWriter(path, map_size=1 << 16, batch_size=3) as w:
        for i in range(8):
            w.add(f"c{i}", make_record(T=120, seed=i))
    store = LmdbClipStore(path)
    assert len(store) == 8 and store.verify() == 8


def test_two_stores_of_one_file_and_pickling(tmp_path):
    path = write_lmdb(tmp_path / "p.lmdb", [("c", make_record(T=6))])
    a, b = LmdbClipStore(path), LmdbClipStore(path)
    a.close()
    assert b.read("c").num_frames == 6
    c = pickle.loads(pickle.dumps(b))
    assert c.read("c").num_frames == 6 and c.clip_ids == ["c"]


def test_malicious_meta_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    path = write_raw_lmdb(tmp_path / "evil.lmdb", {}, meta_bytes=pickle.dumps({"clip_ids": Evil(marker)}))
    with pytest.raises(DataError, match=r"evil\.lmdb: __meta__: refusing to unpickle"):
        LmdbClipStore(path)
    assert not marker.exists()


def test_malicious_record_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    fields = official_fields(make_record(T=4))
    fields["translation"] = np.array([Evil(marker)], dtype=object)
    path = write_raw_lmdb(tmp_path / "evil.lmdb", {"clip7": record_bytes(fields)})
    with pytest.raises(DataError, match=r"evil\.lmdb: clip 'clip7': field 'translation': refusing to unpickle"):
        LmdbClipStore(path).read("clip7")
    assert not marker.exists()


def _broken(field, value):
    def make():
        fields = official_fields(make_record(T=6))
        if value is None:
            del fields[field]
        else:
            fields[field] = value
        return record_bytes(fields)
    return make


@pytest.mark.parametrize("make_bytes, message", [
    (_broken("right_features", None), r"missing field\(s\) \['right_features'\]"),
    (_broken("body_features", np.zeros((6, 255), np.float32)), r"body_features must have shape \(T, 126\)"),
    (_broken("left_features", np.zeros((5, 96), np.float32)), "left_features has 5 frames but segment has 6"),
    (_broken("face_features", np.full((6, 56), np.nan, np.float32)), "face_features contains NaN"),
    (_broken("language", np.array(["A", "B"])), r"language must hold one string"),
    (lambda: b"\x89garbage bytes that are no zip archive", "not a readable .npz"),
])
def test_corrupt_records_name_file_and_clip(tmp_path, make_bytes, message):
    path = write_raw_lmdb(tmp_path / "bad.lmdb", {"clip9": make_bytes()})
    store = LmdbClipStore(path)
    with pytest.raises(DataError, match=message) as info:
        store.read("clip9")
    assert str(path) in str(info.value) and "clip 'clip9'" in str(info.value)
    with pytest.raises(DataError):
        store.verify()


def test_incomplete_files(tmp_path):
    good = record_bytes(official_fields(make_record(T=4)))
    no_meta = write_raw_lmdb(tmp_path / "nometa.lmdb", {"c": good}, meta_bytes=b"")
    with pytest.raises(DataError, match=r"nometa\.lmdb: missing b'__meta__'"):
        LmdbClipStore(no_meta)
    absent = write_raw_lmdb(tmp_path / "absent.lmdb", {"c": good}, meta={"clip_ids": ["c", "gone"], "num_clips": 2})
    store = LmdbClipStore(absent)
    assert store.read("c").num_frames == 4
    with pytest.raises(DataError, match=r"absent\.lmdb: clip 'gone': listed in __meta__ but its record is absent"):
        store.read("gone")
    with pytest.raises(DataError, match="not listed"):
        store.read("other")
    wrong_count = write_raw_lmdb(tmp_path / "count.lmdb", {"c": good}, meta={"clip_ids": ["c"], "num_clips": 5})
    with pytest.raises(DataError, match="num_clips is 5 but 1 clip ids"):
        LmdbClipStore(wrong_count)
    with pytest.raises(DataError, match="no such LMDB file"):
        LmdbClipStore(tmp_path / "missing.lmdb")


def test_find_lmdb_files(tmp_path):
    for rel in ("train/How2Sign_reopt_train.lmdb", "train/CSL-Daily_reopt_train.lmdb",
                "train/extra/nested/How2Sign_more_train.lmdb", "dev/How2Sign_reopt_dev.lmdb"):
        write_lmdb(tmp_path / rel, [("c", make_record(T=3))])
    names = lambda ps: [p.relative_to(tmp_path).as_posix() for p in ps]  # noqa: E731
    assert names(find_lmdb_files(tmp_path, "train", None)) == [
        "train/CSL-Daily_reopt_train.lmdb", "train/How2Sign_reopt_train.lmdb", "train/extra/nested/How2Sign_more_train.lmdb"]
    assert names(find_lmdb_files(tmp_path, "train", ["How2Sign"])) == [
        "train/How2Sign_reopt_train.lmdb", "train/extra/nested/How2Sign_more_train.lmdb"]
    assert names(find_lmdb_files(tmp_path, "train", ["CSL", "nested"])) == [
        "train/CSL-Daily_reopt_train.lmdb", "train/extra/nested/How2Sign_more_train.lmdb"]
    assert names(find_lmdb_files(tmp_path, "dev", "How2Sign")) == ["dev/How2Sign_reopt_dev.lmdb"]
    with pytest.raises(DataError, match="found no .lmdb file whose path contains one of"):
        find_lmdb_files(tmp_path, "train", ["BOBSL"])
    with pytest.raises(DataError, match="no such folder"):
        find_lmdb_files(tmp_path, "test", None)


def test_store_held_across_an_overwrite_does_not_shadow_the_new_file(tmp_path):
    path = write_lmdb(tmp_path / "o.lmdb", [("old", make_record(T=4))])
    held = LmdbClipStore(path)
    write_lmdb(path, [("new", make_record(T=5))])
    fresh = LmdbClipStore(path)
    assert fresh.clip_ids == ["new"] and fresh.read("new").num_frames == 5
    assert held.clip_ids == ["old"] and held.read("old").num_frames == 4  # still reads its own (unlinked) file
