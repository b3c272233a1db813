"""Restricted unpickling and .npz reading of untrusted dataset bytes."""

import io
import pickle

import numpy as np
import pytest

from lmdb_fixtures import Evil, single_torch_thread  # noqa: F401
from signspark.data import DataError, load_npz, safe_unpickle
from signspark.data.safe_npz import dump_npz


def test_plain_meta_dict_loads():
    meta = {"clip_ids": ["a", "b", "ü"], "num_clips": 3}
    for protocol in (2, 3, 4, 5):
        assert safe_unpickle(pickle.dumps(meta, protocol=protocol)) == meta


def test_numpy_string_values_in_meta_load():
    meta = {"clip_ids": np.array(["a", "b"], dtype=object), "num_clips": np.int64(2)}
    out = safe_unpickle(pickle.dumps(meta))
    assert out["clip_ids"].tolist() == ["a", "b"] and int(out["num_clips"]) == 2


@pytest.mark.parametrize("protocol", [0, 2, 4])
def test_os_system_reduce_is_refused_without_running(tmp_path, protocol):
    marker = tmp_path / "pwned"
    payload = pickle.dumps({"clip_ids": [Evil(marker)], "num_clips": 1}, protocol=protocol)
    with pytest.raises(DataError, match=r"refusing to unpickle '(posix|os)\.system'"):
        safe_unpickle(payload, where="x.lmdb: __meta__")
    assert not marker.exists()


def test_other_builtins_are_refused():
    class GetAttr:
        def __reduce__(self):
            return (getattr, (object, "__subclasses__"))
    with pytest.raises(DataError, match="builtins.getattr"):
        safe_unpickle(pickle.dumps(GetAttr()))
    with pytest.raises(DataError, match="cannot unpickle"):
        safe_unpickle(b"not a pickle at all")


def _npz(**arrays) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def test_object_text_arrays_read_through_restricted_loader():
    raw = _npz(language=np.array(["CSL"], dtype=object), translation=np.array([np.str_("你好")], dtype=object),
               gloss=np.array([None], dtype=object), segment=np.arange(3))
    out = load_npz(raw)
    assert out["language"].dtype.kind == "U" and out["language"].tolist() == ["CSL"]
    assert out["translation"].tolist() == ["你好"]
    assert out["gloss"].tolist() == [""]
    assert out["segment"].tolist() == [0, 1, 2]


def _object_npy_member(payload: bytes) -> bytes:
    """An .npz whose 'language' member is an object-array .npy holding ``payload`` as its pickle."""
    npy = io.BytesIO()
    np.lib.format.write_array_header_1_0(npy, {"descr": "|O", "fortran_order": False, "shape": (1,)})
    npy.write(payload)
    import zipfile
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("language.npy", npy.getvalue())
    return out.getvalue()


def test_numpy1_module_names_are_accepted():
    # numpy 1.x pickles name numpy.core.multiarray; official files may have been written with it.
    payload = pickle.dumps(np.array(["ASL"], dtype=object), protocol=3)
    assert b"numpy._core.multiarray" in payload
    payload = payload.replace(b"numpy._core.multiarray", b"numpy.core.multiarray")
    assert load_npz(_object_npy_member(payload))["language"].tolist() == ["ASL"]


def test_malicious_object_member_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    raw = _object_npy_member(pickle.dumps(np.array([Evil(marker)], dtype=object), protocol=3))
    with pytest.raises(DataError, match=r"f\.lmdb: clip 'c': field 'language': refusing to unpickle"):
        load_npz(raw, where="f.lmdb: clip 'c'")
    assert not marker.exists()


def test_object_array_of_non_strings_is_refused():
    raw = _npz(language=np.array([{"a": 1}], dtype=object))
    with pytest.raises(DataError, match="may only hold strings"):
        load_npz(raw)


def test_unreadable_bytes_and_truncated_archive():
    with pytest.raises(DataError, match="not a readable .npz"):
        load_npz(b"\x00garbage" * 10, where="w")
    raw = _npz(segment=np.arange(1000))
    with pytest.raises(DataError):
        load_npz(raw[: len(raw) // 2])


def test_dump_npz_refuses_object_arrays_and_round_trips():
    with pytest.raises(DataError, match="object array"):
        dump_npz({"x": np.array(["a"], dtype=object)})
    out = load_npz(dump_npz({"x": np.arange(4, dtype=np.float32), "t": np.array(["é"])}))
    assert out["x"].tolist() == [0, 1, 2, 3] and out["t"].tolist() == ["é"]
