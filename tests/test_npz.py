"""The shared .npz reader: sizes, members and headers are checked before anything is decompressed."""

from __future__ import annotations

import io
import struct
import zipfile

import numpy as np
import pytest

from signspark.npz import NpzError, npz_headers, read_npz
from signspark.pose.sequence import MAX_FRAMES, PoseFileError, PoseSequence


def npy_header(shape, descr="<f4") -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": False, "shape": tuple(shape)})
    return buf.getvalue()


def zip_of(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def savez(**arrays) -> bytes:
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def test_round_trip_of_numeric_text_fortran_and_empty_arrays():
    arrays = {"a": np.arange(12.0).reshape(3, 4), "f": np.asfortranarray(np.arange(6).reshape(2, 3)),
              "t": np.asarray("héllo"), "e": np.zeros((0, 5), np.float32), "s": np.float64(2.5)}
    out = read_npz(savez(**arrays))
    assert out.keys() == arrays.keys()
    for k, v in arrays.items():
        np.testing.assert_array_equal(out[k], v)
        assert out[k].dtype == np.asarray(v).dtype and out[k].flags.writeable
    assert npz_headers(savez(**arrays))["a"] == ((3, 4), np.dtype("<f8"))


def test_unknown_members_are_refused_or_skipped_by_choice():
    raw = savez(a=np.zeros(2), b=np.zeros(3))
    with pytest.raises(NpzError, match=r"x\.npz: unexpected field\(s\) 'b'; this file may hold only: a"):
        read_npz(raw, "x.npz", ["a"])
    assert list(read_npz(raw, "x.npz", ["a"], unknown="skip")) == ["a"]


def test_huge_declared_size_is_refused_from_the_header():
    bomb = npy_header((1 << 40,)) + b"\0" * 16  # header says 4 TB, the member holds 16 bytes
    with pytest.raises(NpzError, match="'a' declares shape"):
        read_npz(zip_of({"a.npy": bomb}), "x.npz")


def test_header_and_zip_sizes_must_agree():
    lying = npy_header((4,)) + b"\0" * 64  # 16 bytes declared, 64 stored
    with pytest.raises(NpzError, match="the file is damaged"):
        read_npz(zip_of({"a.npy": lying}), "x.npz")


def test_zip_directory_limits_are_checked_before_parsing():
    raw = zip_of({f"m{i}.npy": npy_header((0,)) for i in range(300)})
    with pytest.raises(NpzError, match="lists 300 members"):
        read_npz(raw, "x.npz")


@pytest.mark.parametrize("data, message", [
    (b"garbage" * 100, "not a readable .npz archive"),
    (zip_of({"a.txt": b"hello"}), "not a .npy array"),
    (zip_of({"a.npy": b"\x93NUMPY\x01\x00" + b"\xff" * 30}), "no valid .npy header"),
    (zip_of({"a.npy": npy_header((2,), "|O") + b"\x80\x04N."}), "pickled object array"),
])
def test_malformed_archives_get_a_message(data, message):
    with pytest.raises(NpzError, match=message):
        read_npz(data, "x.npz")


def test_check_callback_refuses_before_data_is_read():
    def check(headers):
        if headers["a"][0][0] > 3:
            raise ValueError("a is too long")
    with pytest.raises(NpzError, match="x.npz: a is too long"):
        read_npz(savez(a=np.zeros(10)), "x.npz", check=check)


def _pose_file(tmp_path, **extra):
    path = PoseSequence.zeros(4, text="hi").save(tmp_path / "clip.npz")
    if extra:
        with zipfile.ZipFile(path, "a") as zf:
            for name, data in extra.items():
                zf.writestr(name, data)
    return path


def test_pose_sequence_refuses_members_it_does_not_use(tmp_path):
    path = _pose_file(tmp_path, **{"junk.npy": npy_header((1 << 34,), "<f8")})
    with pytest.raises(PoseFileError, match=r"unexpected field\(s\) 'junk'"):
        PoseSequence.load(path)


def test_pose_sequence_refuses_too_many_frames_from_the_header(tmp_path):
    arrays = PoseSequence.zeros(4).to_arrays()
    members = {f"{k}.npy": _npy(v) for k, v in arrays.items() if k != "body_pose"}
    members["body_pose.npy"] = npy_header((1_000_000, 63)) + b"\0" * (1_000_000 * 63 * 4)
    path = tmp_path / "long.npz"
    path.write_bytes(zip_of(members))
    assert path.stat().st_size < 2_000_000
    with pytest.raises(PoseFileError, match="field .body_pose. declares 240.3 MB uncompressed"):
        PoseSequence.load(path)


def test_pose_sequence_frame_limit_is_checked_from_the_header(tmp_path):
    arrays = PoseSequence.zeros(4).to_arrays()
    arrays["body_pose"] = np.zeros((MAX_FRAMES + 1, 63), np.float16)
    path = tmp_path / "long16.npz"
    np.savez_compressed(path, **arrays)
    with pytest.raises(PoseFileError, match=f"{MAX_FRAMES + 1} frames, more than the limit of {MAX_FRAMES}"):
        PoseSequence.load(path)


def test_pose_sequence_text_size_is_bounded(tmp_path):
    arrays = PoseSequence.zeros(2).to_arrays()
    arrays["text"] = np.asarray("x" * 100_000)
    path = tmp_path / "t.npz"
    np.savez(path, **arrays)
    with pytest.raises(PoseFileError, match="text is 400000 bytes"):
        PoseSequence.load(path)


def _npy(a) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.asanyarray(a), allow_pickle=False)
    return buf.getvalue()


def test_zip64_directory_counts_are_read(tmp_path):
    raw = savez(a=np.arange(3))
    # a zip64 end record is only written for large archives; check that the plain path handles the record
    pos = raw.rfind(b"PK\x05\x06")
    entries = struct.unpack("<H", raw[pos + 10:pos + 12])[0]
    assert entries == 1 and read_npz(raw)["a"].tolist() == [0, 1, 2]
