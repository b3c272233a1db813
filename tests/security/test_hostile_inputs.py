"""Hostile inputs, built here in a temporary folder: no code runs, memory stays bounded, the error names the problem.

Each load runs in a fresh Python process that reports the growth of its peak resident memory
(``ru_maxrss`` after the load minus before it, imports done) and the error it got, so one test's
allocations cannot hide another's. Pickle payloads create a marker file when they run; the tests
check that the marker is absent.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="uses the resource module")

MEMORY_BOUND_MB = 64  # peak RSS growth allowed while refusing a hostile file

_HARNESS = """
import json, os, resource, sys, traceback
{imports}
def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
before = peak_mb()
error = None
try:
{body}
except BaseException as e:
    error = {{"type": type(e).__name__, "message": str(e), "trace": traceback.format_exc()}}
print(json.dumps({{"error": error, "growth_mb": peak_mb() - before}}))
"""


def run_isolated(imports: str, body: str, env: dict | None = None) -> dict:
    code = _HARNESS.format(imports=textwrap.dedent(imports), body=textwrap.indent(textwrap.dedent(body), "    "))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


class Payload:
    """Unpickling it runs ``touch marker``."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def npy_header(shape, descr="<f4") -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": False, "shape": tuple(shape)})
    return buf.getvalue()


def write_bomb_member(zf: zipfile.ZipFile, name: str, shape, descr="<f4") -> None:
    """A genuine bomb: a real .npy of zeros of ``shape`` deflated (about 1000:1), streamed in chunks."""
    header = npy_header(shape, descr)
    nbytes = int(np.prod(shape)) * np.dtype(descr).itemsize
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    chunk = bytes(1 << 22)
    with zf.open(info, "w", force_zip64=True) as fh:
        fh.write(header)
        left = nbytes
        while left:
            fh.write(chunk[:min(left, len(chunk))])
            left -= min(left, len(chunk))


def pose_members() -> dict[str, bytes]:
    from signspark.pose.sequence import PoseSequence

    out = {}
    for k, v in PoseSequence.zeros(8, text="hi").to_arrays().items():
        buf = io.BytesIO()
        np.lib.format.write_array(buf, np.asanyarray(v), allow_pickle=False)
        out[f"{k}.npy"] = buf.getvalue()
    return out


def assert_refused(result: dict, *needles: str) -> None:
    err = result["error"]
    assert err is not None, "the hostile file was accepted"
    assert err["type"] not in ("MemoryError", "RecursionError", "OverflowError", "AssertionError"), err["trace"]
    for n in needles:
        assert n in err["message"], err["message"]
    assert result["growth_mb"] < MEMORY_BOUND_MB, f"peak RSS grew by {result['growth_mb']:.0f} MB"


# ---------------------------------------------------------------------------------------------- pickles
@pytest.mark.parametrize("suffix", ["pkl", "npz"])
def test_body_model_file_with_a_pickle_payload_runs_nothing(tmp_path, suffix):
    marker = tmp_path / "pwned"
    folder = tmp_path / "smplx"
    folder.mkdir()
    if suffix == "pkl":
        (folder / "SMPLX_NEUTRAL.pkl").write_bytes(pickle.dumps({"v_template": Payload(marker)}, protocol=2))
    else:
        np.savez(folder / "SMPLX_NEUTRAL.npz", v_template=np.array([Payload(marker)], dtype=object),
                 allow_pickle=True)
    result = run_isolated("from signspark.body import BodyModel", "BodyModel.load()",
                          env={"SIGNSPARK_SMPLX_DIR": str(tmp_path)})
    assert_refused(result, "SMPLX_NEUTRAL")
    assert not marker.exists()


def test_cli_with_a_hostile_body_model_exits_with_an_error(tmp_path):
    marker = tmp_path / "pwned"
    (tmp_path / "SMPLX_NEUTRAL.pkl").write_bytes(pickle.dumps({"f": Payload(marker)}, protocol=0))
    from signspark.pose.sequence import PoseSequence

    seq = PoseSequence.zeros(2).save(tmp_path / "clip.npz")
    proc = subprocess.run([sys.executable, "-m", "signspark", "render", str(seq), "-o", str(tmp_path / "x.mp4"),
                           "--backend", "skeleton", "--size", "32"], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "SIGNSPARK_SMPLX_DIR": str(tmp_path)})
    assert proc.returncode == 2 and "refusing to unpickle" in proc.stderr and "Traceback" not in proc.stderr
    assert not marker.exists() and not (tmp_path / "x.mp4").exists()


def test_pose_file_with_a_pickled_member_runs_nothing(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "clip.npz"
    members = pose_members()
    buf = io.BytesIO()
    np.save(buf, np.array([Payload(marker)], dtype=object), allow_pickle=True)
    members["text.npy"] = buf.getvalue()
    with zipfile.ZipFile(path, "w") as zf:
        for k, v in members.items():
            zf.writestr(k, v)
    result = run_isolated("from signspark.pose.sequence import PoseSequence", f"PoseSequence.load({str(path)!r})")
    assert_refused(result, "'text' is a pickled object array")
    assert not marker.exists()


# ---------------------------------------------------------------------------------------------- zip bombs
def test_pose_file_with_a_decompression_bomb_is_refused_before_decompressing(tmp_path):
    path = tmp_path / "bomb.npz"
    members = pose_members()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for k, v in members.items():
            if k != "body_pose.npy":
                zf.writestr(k, v)
        write_bomb_member(zf, "body_pose.npy", (400_000, 63))  # 100 MB of zeros
    assert path.stat().st_size < 1_000_000
    result = run_isolated("from signspark.pose.sequence import PoseSequence", f"PoseSequence.load({str(path)!r})")
    assert_refused(result, "bomb.npz", "body_pose")


def test_unused_bomb_member_is_refused_without_decompressing(tmp_path):
    path = tmp_path / "extra.npz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for k, v in pose_members().items():
            zf.writestr(k, v)
        write_bomb_member(zf, "padding.npy", (1 << 25,))  # 128 MB of zeros nobody reads
    result = run_isolated("from signspark.pose.sequence import PoseSequence", f"PoseSequence.load({str(path)!r})")
    assert_refused(result, "unexpected field(s) 'padding'")


def test_million_frame_pose_file_is_refused_from_its_headers(tmp_path):
    path = tmp_path / "long.npz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for k, v in pose_members().items():
            if k[:-4] in ("global_orient", "jaw_pose", "leye_pose", "reye_pose", "transl"):
                write_bomb_member(zf, k, (1_000_000, 3))
            elif k != "body_pose.npy":
                zf.writestr(k, v)
        write_bomb_member(zf, "body_pose.npy", (1_000_000, 63), "<f2")
    result = run_isolated("from signspark.pose.sequence import PoseSequence", f"PoseSequence.load({str(path)!r})")
    assert_refused(result, "long.npz: field 'body_pose' declares")


def test_lying_declared_size_and_huge_member_count(tmp_path):
    lying = tmp_path / "lying.npz"
    with zipfile.ZipFile(lying, "w") as zf:
        zf.writestr("body_pose.npy", npy_header((1 << 40, 63)) + b"\0" * 64)
    result = run_isolated("from signspark.npz import read_npz", f"read_npz({str(lying)!r})")
    assert_refused(result, "'body_pose' declares shape")
    many = tmp_path / "many.npz"
    with zipfile.ZipFile(many, "w") as zf:
        for i in range(5000):
            zf.writestr(f"m{i}.npy", b"")
    result = run_isolated("from signspark.npz import read_npz", f"read_npz({str(many)!r})")
    assert_refused(result, "lists 5000 members")


def test_lmdb_record_bomb_is_refused(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        write_bomb_member(zf, "left_features.npy", (100_000, 96 * 8))  # 300 MB of zeros
    raw = tmp_path / "record.bin"
    raw.write_bytes(buf.getvalue())
    result = run_isolated("from signspark.data import load_npz",
                          f"load_npz(open({str(raw)!r}, 'rb').read(), 'x.lmdb: clip 1')")
    assert_refused(result, "x.lmdb: clip 1", "left_features")


# ---------------------------------------------------------------------------------------------- JSON
def test_deeply_nested_json_is_a_message(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text('{"num_frames": 10, "keyframes": ' + "[" * 500_000 + "]" * 500_000 + "}")
    result = run_isolated("from signspark.safe_json import load_json", f"load_json({str(path)!r})")
    assert_refused(result, "deep.json", "nested 500001 levels deep")


def test_overflowing_number_in_json_is_a_message(tmp_path):
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"num_frames": 1, "keyframes": []}).replace("1,", "1e400,"))
    result = run_isolated("from signspark.safe_json import load_json", f"load_json({str(path)!r})")
    assert_refused(result, "big.json", "1e400 is out of range")


# ---------------------------------------------------------------------------------------------- XML
def test_billion_laughs_in_an_elan_file_is_refused(tmp_path):
    """ELAN files are XML (read with pympi / ElementTree); entity expansion must not explode."""
    entities = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">'
                                            for i in range(1, 10)]
    path = tmp_path / "laughs.eaf"
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE lolz [' + "".join(entities) + ']>\n'
                    '<ANNOTATION_DOCUMENT AUTHOR="&lol9;"><HEADER/></ANNOTATION_DOCUMENT>\n')
    result = run_isolated("from signspark.segment.export import read_eaf_segments",
                          f"read_eaf_segments({str(path)!r})")
    assert result["error"] is not None and result["growth_mb"] < MEMORY_BOUND_MB, result
