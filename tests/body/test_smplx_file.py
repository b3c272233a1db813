"""SMPL-X model files are read without running code: hostile .pkl / .npz files, and genuine-looking legacy pickles."""

from __future__ import annotations

import io
import os
import pickle
import sys
import types
import zipfile

import numpy as np
import pytest
import scipy.sparse
import torch

from signspark.body import BodyModel, BodyModelError
from signspark.body.builtin import builtin_body_path
from signspark.body.smplx_file import SMPLX_KEYS, SmplxFileError, read_smplx_arrays


class Payload:
    """Pickles to a call of os.system that creates ``marker``."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


@pytest.fixture(scope="module")
def builtin_arrays():
    with np.load(builtin_body_path(), allow_pickle=False) as z:
        return {k: z[k] for k in z.files if k in SMPLX_KEYS}


def _folder_with(tmp_path, name: str, write) -> os.PathLike:
    folder = tmp_path / "models"
    folder.mkdir()
    write(folder / name)
    return folder


@pytest.mark.parametrize("protocol", [0, 2, 4])
def test_pickle_payload_in_pkl_is_refused_and_not_run(tmp_path, monkeypatch, builtin_arrays, protocol):
    marker = tmp_path / "pwned"
    data = {**builtin_arrays, "v_template": Payload(marker)}
    folder = _folder_with(tmp_path, "SMPLX_NEUTRAL.pkl", lambda p: p.write_bytes(pickle.dumps(data, protocol=protocol)))
    monkeypatch.setenv("SIGNSPARK_SMPLX_DIR", str(folder))
    with pytest.raises(BodyModelError, match=r"refusing to unpickle '(posix|os)\.system'"):
        BodyModel.load()
    assert not marker.exists()


def test_pickled_member_in_npz_is_refused_and_not_run(tmp_path, monkeypatch, builtin_arrays):
    marker = tmp_path / "pwned"

    def write(path):
        np.savez(path, **{**builtin_arrays, "shapedirs": np.array([Payload(marker)], dtype=object)}, allow_pickle=True)

    monkeypatch.setenv("SIGNSPARK_SMPLX_DIR", str(_folder_with(tmp_path, "SMPLX_NEUTRAL.npz", write)))
    with pytest.raises(BodyModelError, match="'shapedirs' is a pickled object array"):
        BodyModel.load()
    assert not marker.exists()


def test_unused_pickled_members_of_official_npz_files_are_skipped(tmp_path, builtin_arrays):
    """Official SMPL-X .npz files carry pickled dicts (joint2num, part2num) that smplx does not need."""
    marker = tmp_path / "pwned"
    path = tmp_path / "SMPLX_NEUTRAL.npz"
    np.savez(path, **builtin_arrays, joint2num=np.array([Payload(marker)], dtype=object), allow_pickle=True)
    body = BodyModel.load(path)
    assert not marker.exists()
    assert body.num_vertices == builtin_arrays["v_template"].shape[0] and body.vertex_regions is not None


def test_declared_sizes_are_checked_before_reading(tmp_path, builtin_arrays):
    path = tmp_path / "SMPLX_NEUTRAL.npz"
    np.savez(path, **{**builtin_arrays, "v_template": np.zeros((200_000, 3), np.float32)})
    with pytest.raises(BodyModelError, match=r"v_template must have shape \(V, 3\) with V <= 100000"):
        BodyModel.load(path)


def test_legacy_pkl_with_sparse_regressor_and_chumpy_shapes_loads_like_the_npz(tmp_path, monkeypatch, builtin_arrays):
    """A stand-in for the official chumpy .pkl: J_regressor a scipy csc matrix, shapedirs a chumpy `Ch`."""
    ch = types.ModuleType("chumpy.ch")

    class Ch:
        def __init__(self, x):
            self.x = x

    Ch.__module__, Ch.__qualname__ = "chumpy.ch", "Ch"
    ch.Ch = Ch
    monkeypatch.setitem(sys.modules, "chumpy", types.ModuleType("chumpy"))
    monkeypatch.setitem(sys.modules, "chumpy.ch", ch)
    data = {**builtin_arrays, "J_regressor": scipy.sparse.csc_matrix(builtin_arrays["J_regressor"]),
            "shapedirs": Ch(builtin_arrays["shapedirs"]), "bs_style": "lbs"}
    pkl = tmp_path / "SMPLX_NEUTRAL.pkl"
    pkl.write_bytes(pickle.dumps(data, protocol=2))
    monkeypatch.delitem(sys.modules, "chumpy.ch")
    monkeypatch.delitem(sys.modules, "chumpy")

    arrays = read_smplx_arrays(pkl)
    np.testing.assert_allclose(arrays["J_regressor"], builtin_arrays["J_regressor"], atol=1e-7)
    np.testing.assert_array_equal(arrays["shapedirs"], builtin_arrays["shapedirs"])
    a, b = BodyModel.load(pkl), BodyModel.load(builtin_body_path())
    pose = {"body_pose": torch.full((2, 63), 0.1), "right_hand_pose": torch.full((2, 45), 0.2)}
    torch.testing.assert_close(a(pose).vertices, b(pose).vertices, atol=1e-5, rtol=0)


def test_chumpy_graph_objects_are_refused(tmp_path, monkeypatch, builtin_arrays):
    ch = types.ModuleType("chumpy.ch_ops")

    class add:  # a derived chumpy node: its value would have to be computed by chumpy
        def __init__(self):
            self.a, self.b = np.zeros(3), np.ones(3)

    add.__module__, add.__qualname__ = "chumpy.ch_ops", "add"
    ch.add = add
    monkeypatch.setitem(sys.modules, "chumpy", types.ModuleType("chumpy"))
    monkeypatch.setitem(sys.modules, "chumpy.ch_ops", ch)
    pkl = tmp_path / "SMPLX_NEUTRAL.pkl"
    pkl.write_bytes(pickle.dumps({**builtin_arrays, "shapedirs": add()}, protocol=2))
    with pytest.raises(SmplxFileError, match=r"refusing to unpickle 'chumpy\.ch_ops\.add'"):
        read_smplx_arrays(pkl)


def test_npz_with_a_bomb_member_is_refused_quickly(tmp_path, builtin_arrays):
    path = tmp_path / "SMPLX_NEUTRAL.npz"
    np.savez(path, **builtin_arrays)
    with zipfile.ZipFile(path, "a") as zf:  # a member declaring 8 GB of data in a few bytes of header
        hdr = io.BytesIO()
        np.lib.format.write_array_header_1_0(hdr, {"descr": "<f8", "fortran_order": False, "shape": (1 << 30,)})
        zf.writestr("posedirs_extra.npy", hdr.getvalue())
    assert read_smplx_arrays(path).keys() >= {"v_template", "posedirs"}  # unused: never decompressed
    with zipfile.ZipFile(path, "w") as zf:
        for k, v in builtin_arrays.items():
            buf = io.BytesIO()
            if k == "posedirs":
                np.lib.format.write_array_header_1_0(buf, {"descr": "<f8", "fortran_order": False,
                                                            "shape": (16894, 3, 1 << 20)})
            else:
                np.lib.format.write_array(buf, v)
            zf.writestr(k + ".npy", buf.getvalue())
    with pytest.raises(SmplxFileError, match="posedirs"):
        read_smplx_arrays(path)
