"""Hostile-input battery: malicious and absurd inputs through every ``signspark`` command and the demo's API.

Usage::

    python bench/hostile.py                    # the whole battery (about 10-15 minutes on 2 cores)
    python bench/hostile.py --only render      # cases whose name contains "render"
    python bench/hostile.py --no-demo          # the command line only
    python bench/hostile.py --list             # the cases, without running them

Every input is built here, in a temporary folder: pickle payloads (in ``.npz`` members, body-model
``.pkl``/``.npz`` files, avatar bindings) that would create a marker file if they ran, zip bombs,
deep and overflowing JSON, billion-laughs XML, empty, truncated and garbage ``.npz`` / ``.mp4`` /
``.pose`` / ``.ply`` / LMDB files, folders and FIFOs where files are expected, symlink loops,
unwritable and occupied output paths, NaN / infinite / negative / huge values for every numeric
option, unknown languages, views, backends and devices, very long and odd Unicode text, and a
SIGTERM in the middle of a render.

Each command runs in a fresh process (``python -m signspark ...``, this checkout first on the
path) with its own temporary folder, cache and Hugging Face home, under a per-case timeout.
The demo part starts ``signspark demo`` on a free local port and sends about forty requests with
``gradio_client`` and plain HTTP.

Verdicts (one row per case; several may apply):

  ok           refused with a message (or accepted, where both are fine), nothing else wrong
  TRACEBACK    a Python traceback reached the user
  HANG         no answer within --timeout seconds (the process group is killed)
  CODE-RAN     a payload ran (its marker file appeared)
  NO-MESSAGE   a failure without a readable message (empty stderr, a bare "'key'", Gradio's empty error)
  ACCEPTED     a case that must be refused succeeded
  LEFTOVER     after a failure: a new or changed file at the destination, a temporary file, a stray
               entry in $TMPDIR (Gradio's own upload cache, $TMPDIR/gradio, is not counted), or a
               process of the command still running
  PATH         a demo message names a folder of the server
  CRASH        the process died by a signal it did not ask for
  FAILED       a baseline case (valid input) did not succeed

Peak RSS is the command's ``ru_maxrss`` (from ``os.wait4``; it counts from this script's own RSS at
the fork, about 30 MB, as Linux carries it over); for demo cases, the server's peak (VmHWM).
The exit status is 0 when every case is ok, else 1.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import os
import pickle
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
import zlib
from pathlib import Path
from typing import Callable

import numpy as np

ROOT = Path(__file__).resolve().parents[1]  # the commands run with this checkout first on PYTHONPATH

EMPTY_ERROR = "has not enabled verbose error reporting"  # gradio_client's words for {"error": null}
SERVER_PATH = re.compile(r"(?<![\w.:/~-])(?:/[^\s'\"`<>|;,()\[\]{}:/]+){2,}")
FIFO_TIMEOUT_S = 20.0
# Folders under $TMPDIR that belong to a tool, shared by every program using it and kept by design:
# Gradio's upload cache (GRADIO_TEMP_DIR defaults to $TMPDIR/gradio), made when a demo is built.
TOOLS_OWN_TEMP = {"gradio"}
BARE_MESSAGE = re.compile(r"""['"]?[\w.:/\\-]*['"]?""")  # str(KeyError('x')) and the like: names nothing


class Payload:
    """Unpickling it runs ``touch marker``."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


# ---------------------------------------------------------------------------------------------- inputs
def _npy(arr: np.ndarray, allow_pickle: bool = False) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.asanyarray(arr), allow_pickle=allow_pickle)
    return buf.getvalue()


def _npy_header(shape, descr="<f4") -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": False, "shape": tuple(shape)})
    return buf.getvalue()


def _write_zip(path: Path, members: dict[str, bytes], compress=zipfile.ZIP_STORED) -> Path:
    with zipfile.ZipFile(path, "w", compress) as zf:
        for k, v in members.items():
            zf.writestr(k, v)
    return path


def _bomb_member(zf: zipfile.ZipFile, name: str, shape, descr="<f4") -> None:
    """A real .npy of zeros of ``shape``, deflated about 1000:1, streamed in chunks."""
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    left = int(np.prod(shape)) * np.dtype(descr).itemsize
    chunk = bytes(1 << 22)
    with zf.open(info, "w", force_zip64=True) as fh:
        fh.write(_npy_header(shape, descr))
        while left:
            fh.write(chunk[:min(left, len(chunk))])
            left -= min(left, len(chunk))


def _png_header_only(path: Path, width: int, height: int) -> Path:
    """A PNG whose header declares ``width`` x ``height`` pixels, with a few bytes of picture."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(bytes(64)))
                     + chunk(b"IEND", b""))
    return path


def _tiny_video(path: Path, frames: int = 5, size: int = 16) -> Path:
    import imageio_ffmpeg

    writer = imageio_ffmpeg.write_frames(str(path), (size, size), fps=25, codec="libx264", pix_fmt_out="yuv420p",
                                         macro_block_size=1, ffmpeg_log_level="error")
    writer.send(None)
    for i in range(frames):
        writer.send(np.full((size, size, 3), 40 * i, np.uint8).tobytes())
    writer.close()
    return path


def _truncate(src: Path, dst: Path, fraction: float = 0.5) -> Path:
    data = src.read_bytes()
    dst.write_bytes(data[:max(1, int(len(data) * fraction))])
    return dst


def build_inputs(w: Path, marker: Path) -> None:
    """The static hostile files, in ``w`` (those made from a baseline's output come later: :func:`build_derived`)."""
    from signspark.pose.sequence import PoseSequence

    good = PoseSequence.zeros(16, language="ASL", text="hi", keyframes=np.array([0, 8, 15]))
    good.save(w / "zeros.npz")
    members = {f"{k}.npy": _npy(v) for k, v in good.to_arrays().items()}
    arrays = {k: np.asanyarray(v) for k, v in good.to_arrays().items()}

    (w / "empty.npz").write_bytes(b"")
    (w / "garbage.npz").write_bytes(os.urandom(4096))
    (w / "text.npz").write_text("this is not a zip file\n")
    _truncate(w / "zeros.npz", w / "trunc.npz")
    _write_zip(w / "pickle.npz", {**members, "text.npy": _npy(np.array([Payload(marker)], dtype=object), True)})
    np.savez(w / "whole_pickle.npz", body_pose=np.array([Payload(marker)], dtype=object), allow_pickle=True)
    with zipfile.ZipFile(w / "bomb.npz", "w", zipfile.ZIP_DEFLATED) as zf:
        for k, v in members.items():
            if k != "body_pose.npy":
                zf.writestr(k, v)
        _bomb_member(zf, "body_pose.npy", (400_000, 63))  # 100 MB of zeros in about 100 kB
    _write_zip(w / "extra_member.npz", {**members, "padding.npy": _npy(np.zeros(10))})
    _write_zip(w / "lying.npz", {"body_pose.npy": _npy_header((1 << 40, 63)) + bytes(64)})
    _write_zip(w / "many_members.npz", {f"m{i}.npy": b"" for i in range(5000)})

    def variant(name: str, **changes) -> None:
        a = dict(arrays)
        a.update(changes)
        _write_zip(w / name, {f"{k}.npy": _npy(v) for k, v in a.items()})

    T = 16
    variant("nan_pose.npz", body_pose=np.full((T, 63), np.nan, np.float32))
    variant("inf_pose.npz", right_hand_pose=np.full((T, 45), np.inf, np.float32))
    variant("huge_pose.npz", global_orient=np.full((T, 3), 3e38, np.float32), transl=np.full((T, 3), 1e30, np.float32))
    variant("wrong_shape.npz", body_pose=np.zeros((T, 5), np.float32))
    variant("mismatched_T.npz", jaw_pose=np.zeros((T + 7, 3), np.float32))
    variant("fps_nan.npz", fps=np.array(np.nan))
    variant("fps_zero.npz", fps=np.array(0.0))
    variant("fps_huge.npz", fps=np.array(1e300))
    variant("kf_out_of_range.npz", keyframes=np.array([-5, 3, 10 ** 12], np.int64))
    variant("seg_reversed.npz", segments=np.array([[12, 2], [-4, 99999]], np.int64))
    variant("string_pose.npz", body_pose=np.array(["x"] * T))
    variant("long_text.npz", text=np.array("x" * 100_000))
    variant("zero_frames.npz", **{k: np.zeros((0,) + v.shape[1:], v.dtype) for k, v in arrays.items()
                                  if v.ndim == 2 and k not in ("segments",)}, keyframes=np.zeros(0, np.int64))
    _write_zip(w / "features_nan.npz", {"left_features.npy": _npy(np.full((20, 96), np.nan, np.float32)),
                                         "right_features.npy": _npy(np.full((20, 96), np.nan, np.float32))})
    _write_zip(w / "features_shape.npz", {"left_features.npy": _npy(np.zeros((20, 5), np.float32)),
                                           "right_features.npy": _npy(np.zeros((20, 5), np.float32))})
    (w / "dir.npz").mkdir()
    os.symlink(w / "loop_b.npz", w / "loop_a.npz")
    os.symlink(w / "loop_a.npz", w / "loop_b.npz")
    os.mkfifo(w / "fifo.npz")

    # JSON keyframes
    (w / "deep.json").write_text('{"num_frames": 10, "keyframes": ' + "[" * 200_000 + "]" * 200_000 + "}")
    (w / "nan.json").write_text('{"num_frames": NaN, "keyframes": []}')
    (w / "e400.json").write_text('{"num_frames": 1e400, "keyframes": []}')
    (w / "huge_frames.json").write_text('{"num_frames": 1000000000000, "keyframes": [{"frame": 0, '
                                        '"body_pose": [0]}]}')
    (w / "neg_frame.json").write_text(json.dumps({"num_frames": 20, "keyframes": [{"frame": -3,
                                                                                   "features": [0.0] * 296}]}))
    (w / "short_features.json").write_text(json.dumps({"num_frames": 20, "keyframes": [{"frame": 1,
                                                                                        "features": [0.0] * 7}]}))
    (w / "string_features.json").write_text(json.dumps({"num_frames": 20, "keyframes": [{"frame": 1,
                                                                                         "features": "abc"}]}))
    (w / "top_list.json").write_text("[1, 2, 3]")
    (w / "empty.json").write_text("")
    (w / "bad_utf8.json").write_bytes(b'{"num_frames": 5, "\xff\xfe": 1}')
    (w / "long_number.json").write_text('{"num_frames": ' + "9" * 5000 + ', "keyframes": []}')
    with (w / "big.json").open("w") as fh:  # 17 MB
        fh.write('{"num_frames": 10, "keyframes": [], "pad": "')
        fh.write("x" * (17 * 1024 * 1024))
        fh.write('"}')
    (w / "dir.json").mkdir()

    # XML: SiGML, ELAN
    ents = ['<!ENTITY a0 "lol">'] + [f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10)]
    (w / "laughs.sigml").write_text('<?xml version="1.0"?>\n<!DOCTYPE sigml [' + "".join(ents) + ']>\n'
                                    '<sigml><hns_sign gloss="&a9;"><hamnosys_manual/></hns_sign></sigml>\n')
    (w / "deep.sigml").write_text("<sigml>" + "<a>" * 100_000 + "</a>" * 100_000 + "</sigml>")
    (w / "empty.sigml").write_text("")
    (w / "garbage.sigml").write_bytes(os.urandom(2000))
    (w / "external.sigml").write_text('<?xml version="1.0"?>\n<!DOCTYPE sigml [<!ENTITY x SYSTEM '
                                      '"file:///etc/passwd">]>\n<sigml><hns_sign gloss="&x;"/></sigml>\n')
    with (w / "huge.sigml").open("w") as fh:
        fh.write("<sigml>" + "<hns_sign gloss='A'><hamnosys_manual><hamflathand/></hamnosys_manual></hns_sign>"
                 * 200_000 + "</sigml>")
    (w / "garbage.csv").write_bytes(os.urandom(3000))
    (w / "many_rows.csv").write_text("gloss,hamnosys\n" + "A,hamflathand hamchest\n" * 200_000)
    (w / "lexdir").mkdir()
    (w / "lexdir" / "a.sigml").write_text("<sigml><hns_sign")
    (w / "lexdir" / "b.sigml").write_bytes(os.urandom(100))

    # body-model folders
    for name, write in (("smplx_pkl", lambda p: (p / "SMPLX_NEUTRAL.pkl").write_bytes(
                            pickle.dumps({"v_template": Payload(marker)}, protocol=2))),
                        ("smplx_npz", lambda p: np.savez(p / "SMPLX_NEUTRAL.npz",
                                                         v_template=np.array([Payload(marker)], dtype=object),
                                                         allow_pickle=True))):
        (w / name).mkdir()
        write(w / name)
    (w / "smplx_bomb").mkdir()
    with zipfile.ZipFile(w / "smplx_bomb" / "SMPLX_NEUTRAL.npz", "w", zipfile.ZIP_DEFLATED) as zf:
        _bomb_member(zf, "v_template.npy", (10_475 * 3000, 3))
    (w / "loopdir").mkdir()
    os.symlink(w / "loopdir", w / "loopdir" / "self")
    os.symlink(w / "loopdir" / "x.npz", w / "loopdir" / "x.npz")
    (w / "loopdir2").mkdir()  # two links to itself: 2**40 paths for a walk that follows links blindly
    os.symlink(w / "loopdir2", w / "loopdir2" / "a")
    os.symlink(w / "loopdir2", w / "loopdir2" / "b")
    (w / "fifo_dir").mkdir()
    os.mkfifo(w / "fifo_dir" / "clip.npz")

    # model folders
    (w / "model_deep").mkdir()
    (w / "model_deep" / "config.json").write_text("[" * 100_000 + "]" * 100_000)
    (w / "model_pickle").mkdir()
    (w / "model_pickle" / "config.json").write_text("{}")
    (w / "model_pickle" / "pytorch_model.bin").write_bytes(pickle.dumps(Payload(marker)))
    (w / "model_pickle" / "model.safetensors").write_bytes(b"\xff" * 8 + b"{")
    (w / "model_garbage").mkdir()
    (w / "model_garbage" / "config.json").write_text("{{{{ not json")

    # avatars
    (w / "garbage.ply").write_bytes(os.urandom(1000))
    (w / "empty.ply").write_bytes(b"")
    (w / "bomb.ply").write_text("ply\nformat binary_little_endian 1.0\nelement vertex 1000000000000\n"
                                "property float x\nproperty float y\nproperty float z\nend_header\n")
    ply_header = ("ply\nformat binary_little_endian 1.0\nelement vertex 2\n" + "".join(
        f"property float {p}\n" for p in ("x", "y", "z", "f_dc_0", "f_dc_1", "f_dc_2", "opacity", "scale_0",
                                          "scale_1", "scale_2", "rot_0", "rot_1", "rot_2", "rot_3")) + "end_header\n")
    (w / "payload.ply").write_bytes(ply_header.encode() + np.zeros((2, 14), "<f4").tobytes())
    np.savez(w / "payload.binding.npz", face_id=np.array([Payload(marker)], dtype=object), allow_pickle=True)

    # video, frames, .pose
    (w / "empty.mp4").write_bytes(b"")
    (w / "text.mp4").write_text("not a video\n")
    (w / "garbage.mp4").write_bytes(os.urandom(20_000))
    _tiny_video(w / "tiny.mp4")
    shutil.copy(w / "zeros.npz", w / "npz_as.mp4")
    (w / "empty.pose").write_bytes(b"")
    (w / "garbage.pose").write_bytes(os.urandom(5000))
    (w / "frames_empty_png").mkdir()
    (w / "frames_empty_png" / "0001.png").write_bytes(b"")
    (w / "frames_bomb").mkdir()
    _png_header_only(w / "frames_bomb" / "0001.png", 40_000, 40_000)
    (w / "frames_wide").mkdir()
    _png_header_only(w / "frames_wide" / "0001.png", 9000, 9000)
    (w / "clips_loops").mkdir()
    os.symlink(w / "clips_loops" / "b.mp4", w / "clips_loops" / "a.mp4")
    os.symlink(w / "clips_loops" / "a.mp4", w / "clips_loops" / "b.mp4")
    os.symlink(w / "clips_loops", w / "clips_loops" / "sub")
    (w / "clips_broken").mkdir()
    for name in ("a.mp4", "b.pose", "c.webm"):
        (w / "clips_broken" / name).write_bytes(os.urandom(300))
    (w / "empty_dir").mkdir()

    # LMDB, CSV
    (w / "garbage.lmdb").write_bytes(os.urandom(8192))
    (w / "garbage.mdb").write_bytes(os.urandom(8192))
    (w / "empty.lmdb").write_bytes(b"")
    (w / "data_garbage" / "test").mkdir(parents=True)
    (w / "data_garbage" / "test" / "x_test.lmdb").write_bytes(os.urandom(8192))
    (w / "texts_garbage.csv").write_bytes(b"\x00\xff" * 1000)
    (w / "texts_nocols.csv").write_text("a,b\n1,2\n")
    (w / "a_file").write_text("a file, not a folder\n")
    (w / "existing.npz").write_bytes(b"OLD CONTENT")


def build_derived(w: Path) -> None:
    """Files cut from the baselines' outputs (a generated clip, its video, its .pose, its .glb)."""
    from signspark.pose.sequence import PoseSequence

    if (w / "good.mp4").exists():
        _truncate(w / "good.mp4", w / "trunc.mp4")
    if (w / "good.pose").exists():
        _truncate(w / "good.pose", w / "trunc.pose")
        _truncate(w / "good.pose", w / "header_only.pose", 0.02)
    if (w / "gen.npz").exists():
        _truncate(w / "gen.npz", w / "trunc_gen.npz", 0.9)
    seq = PoseSequence.zeros(2000, text="long")  # long enough to be stopped while it renders
    rng = np.random.default_rng(0)
    seq.params["body_pose"][:] = rng.normal(0, 0.3, seq.params["body_pose"].shape).astype(np.float32)
    seq.save(w / "long.npz")


# ---------------------------------------------------------------------------------------------- CLI cases
@dataclasses.dataclass
class Case:
    """One command line. ``@W@`` in an argument is the input folder, ``@O@`` the case's own output folder."""

    name: str
    argv: list
    expect: str = "refuse"  # "refuse": must fail with a message; "ok": must succeed; "any": either, cleanly
    env: dict | None = None
    pre: Callable[[Path], None] | None = None  # prepares the output folder
    sigterm_after: float | None = None  # seconds after which the process gets SIGTERM
    keep: str | None = None  # copy this output (relative to @O@) to the input folder, for later cases
    timeout: float | None = None  # seconds before it counts as a HANG (default: --timeout)

    @property
    def command(self) -> str:
        return str(self.argv[0])


def _mkdir(rel: str):
    return lambda o: (o / rel).mkdir(parents=True)


def _old(rel: str):
    return lambda o: (o / rel).write_bytes(b"OLD CONTENT")


def baseline_cases() -> list[Case]:
    return [
        Case("generate: baseline", ["generate", "hi", "--lang", "ASL", "--steps", "1", "--seed", "1",
                                    "-o", "@O@/gen.npz"], "ok", keep="gen.npz"),
        Case("render: baseline", ["render", "@W@/gen.npz", "-o", "@O@/good.mp4", "--backend", "skeleton",
                                  "--size", "64"], "ok", keep="good.mp4"),
        Case("export-pose: baseline", ["export-pose", "@W@/gen.npz", "-o", "@O@/good.pose"], "ok",
             keep="good.pose"),
        Case("export: baseline", ["export", "@W@/gen.npz", "-o", "@O@/good.glb", "--no-expressions"], "ok"),
        Case("segment: baseline", ["segment", "@W@/gen.npz", "-o", "@O@/seg.json", "--no-progress"], "ok"),
        Case("capture: baseline .pose", ["capture", "@W@/good.pose", "-o", "@O@/cap.npz", "--iterations", "0", "0",
                                         "--no-progress"], "ok"),
        Case("corpus: baseline", ["corpus", "--out", "@O@/corpus", "--clips", "8", "--languages", "ASL",
                                  "--splits", "0.5", "0.25", "0.25", "--no-progress"], "ok", keep="corpus"),
        Case("info: baseline", ["info"], "ok"),
        Case("cache: baseline info", ["cache", "info"], "ok"),
    ]


def cli_cases() -> list[Case]:
    C = Case
    cases: list[Case] = []

    def add(command: str, label: str, argv: list, expect: str = "refuse", **kw) -> None:
        if any("fifo" in str(a) for a in argv):
            kw.setdefault("timeout", FIFO_TIMEOUT_S)  # a FIFO nobody writes blocks its reader: no need to wait long
        cases.append(C(f"{command}: {label}", [command, *argv], expect, **kw))

    # ------------------------------------------------------------------ info
    for label, path in (("pickle payload .pkl", "@W@/smplx_pkl"), ("pickle payload .npz", "@W@/smplx_npz"),
                        ("zip-bomb body .npz", "@W@/smplx_bomb"), ("missing", "/nonexistent/smplx"),
                        ("symlink loop", "@W@/loopdir"), ("empty file", "@W@/empty.npz"),
                        ("FIFO", "@W@/fifo.npz")):
        add("info", f"--smplx {label}", ["--smplx", path], "any")
    add("info", "SIGNSPARK_SMPLX_DIR pickle payload", [], "any", env={"SIGNSPARK_SMPLX_DIR": "@W@/smplx_pkl"})

    # ------------------------------------------------------------------ generate
    g = ["hi", "--lang", "ASL", "-o", "@O@/out.npz"]
    for opt, values in (("--steps", ["0", "1001", "10" * 20, "nan"]),
                        ("--guidance", ["nan", "inf", "-1", "1e400"]),
                        ("--seed", ["-1", str(2 ** 32)]),
                        ("--frames", ["0", "1025", "1000000000000"]),
                        ("--speed", ["nan", "0", "0.1", "inf"])):
        for v in values:
            add("generate", f"{opt} {v[:24]}", [*g, opt, v])
    for dev in ("cuda:99", "nonsense", "meta"):
        add("generate", f"--device {dev}", [*g, "--device", dev])
    for lang in ("Klingon", "", "ASL\u202e", "../../etc"):
        add("generate", f"--lang {lang!r}", ["hi", "--lang", lang, "-o", "@O@/out.npz"])
    add("generate", "10000-character text", ["x" * 10_000, "-o", "@O@/out.npz"])
    add("generate", "combining marks (1000 on one letter)", ["a" + "\u0301" * 1000, "-o", "@O@/out.npz"])
    add("generate", "emoji, RTL and zero-width text", ["h\u200bi \U0001F44B \u05e9\u05dc\u05d5\u05dd \u202ex",
                                                     "--steps", "1", "-o", "@O@/out.npz"], "any")
    add("generate", "invalid UTF-8 bytes in argv", [b"h\xff\xfei", "--steps", "1", "-o", "@O@/out.npz"], "any")
    add("generate", "terminal escape codes", ["\x1b[2J\x1b[31mhi", "--steps", "1", "-o", "@O@/out.npz"], "any")
    add("generate", "whitespace-only text", ["   \t ", "-o", "@O@/out.npz"], "any")
    for f in ("deep.json", "nan.json", "e400.json", "huge_frames.json", "neg_frame.json", "short_features.json",
              "top_list.json", "empty.json", "bad_utf8.json", "long_number.json", "big.json", "dir.json",
              "pickle.npz", "bomb.npz", "fifo.npz"):  # more .npz files: render's inputs
        add("generate", f"--keyframes {f}", ["", "--keyframes", f"@W@/{f}", "-o", "@O@/out.npz"])
    add("generate", "--keyframes /dev/zero", ["", "--keyframes", "/dev/zero", "-o", "@O@/out.npz"])
    for f in ("laughs.sigml", "deep.sigml", "garbage.sigml", "external.sigml", "huge.sigml"):
        add("generate", f"--sigml {f}", ["--sigml", f"@W@/{f}", "--lang", "DGS", "-o", "@O@/out.npz"])
    add("generate", "--hamnosys empty", ["--hamnosys", "", "-o", "@O@/out.npz"])
    add("generate", "--hamnosys 10000 symbols", ["--hamnosys", " ".join(["hamflathand"] * 10_000), "-o",
                                                 "@O@/out.npz"])
    add("generate", "--hamnosys 2000 nested brackets", ["--hamnosys", "hamflathand " + "hamparbegin " * 2000,
                                                        "-o", "@O@/out.npz"])
    add("generate", "--hamnosys 200 signs", [a for _ in range(200) for a in ("--hamnosys", "hamflathand hamchest")]
        + ["-o", "@O@/out.npz"])
    for f in ("garbage.csv", "many_rows.csv", "lexdir", "loopdir"):
        add("generate", f"--lexicon {f}", ["hi", "--lexicon", f"@W@/{f}", "--lang", "DGS", "-o", "@O@/out.npz"],
            "any" if f == "lexdir" else "refuse")
    for label, model in (("missing", "/nonexistent/model"), ("deep config.json", "@W@/model_deep"),
                         ("pickle weights", "@W@/model_pickle"), ("garbage config.json", "@W@/model_garbage"),
                         ("Hub id offline", "org/no-such-model")):
        add("generate", f"--model {label}", [*g, "--model", model])
    add("generate", "-o is a folder", ["hi", "-o", "@O@/dir.npz"], pre=_mkdir("dir.npz"))
    add("generate", "-o under a file", ["hi", "--steps", "1", "-o", "@W@/a_file/out.npz"])
    add("generate", "-o in /proc", ["hi", "--steps", "1", "-o", "/proc/out.npz"])
    add("generate", "-o wrong suffix", ["hi", "-o", "@O@/out.txt"])
    add("generate", "existing -o kept on failure", ["hi", "--model", "/nonexistent/model", "-o", "@O@/old.npz"],
        pre=_old("old.npz"))

    # ------------------------------------------------------------------ render
    r = ["@W@/gen.npz", "-o", "@O@/out.mp4", "--backend", "skeleton", "--size", "64"]
    for opt, values in (("--size", ["nan", "0", "4097", "1000000000"]),
                        ("--fps", ["nan", "0", "1e9"]),
                        ("--threads", ["0", "1000000"]),
                        ("--ply-frame", ["-1", "10000"])):
        for v in values:
            add("render", f"{opt} {v}", [*r, opt, v])
    for bg in ("nonsense", "#zzzzzz", "#" + "f" * 100_000):
        add("render", f"--background {bg[:12]!r}", [*r, "--background", bg])
    add("render", "--view up", [*r, "--view", "up"])
    add("render", "--backend vulkan", [*r, "--backend", "vulkan"])
    add("render", "--backend gsplat (no CUDA)", [*r[:3], "--backend", "gsplat", "--size", "64"], "any")
    for f in ("garbage.ply", "bomb.ply", "payload.ply"):
        add("render", f"--avatar {f}", [*r, "--avatar", f"@W@/{f}"])
    add("render", "--ply wrong suffix", [*r, "--ply-frame", "1", "--ply", "@O@/x.txt"])
    add("render", "--ply is a folder", [*r, "--ply-frame", "1", "--ply", "@O@/dir.ply"], pre=_mkdir("dir.ply"))
    for f in ("empty.npz", "trunc_gen.npz", "garbage.npz", "pickle.npz", "whole_pickle.npz", "bomb.npz",
              "extra_member.npz", "lying.npz", "many_members.npz", "dir.npz", "loop_a.npz", "fifo.npz",
              "nan_pose.npz", "huge_pose.npz", "wrong_shape.npz", "mismatched_T.npz", "fps_nan.npz",
              "kf_out_of_range.npz", "seg_reversed.npz", "string_pose.npz", "long_text.npz", "zero_frames.npz",
              "features_nan.npz"):
        expect = "any" if f in ("nan_pose.npz", "inf_pose.npz", "huge_pose.npz", "long_text.npz",
                                "seg_reversed.npz", "kf_out_of_range.npz") else "refuse"
        add("render", f"input {f}", [f"@W@/{f}", "-o", "@O@/out.mp4", "--backend", "skeleton", "--size", "64"],
            expect)
    add("render", "input /dev/zero", ["/dev/zero", "-o", "@O@/out.mp4", "--backend", "skeleton"])
    add("render", "--compare bomb.npz", [*r, "--compare", "@W@/bomb.npz"])
    add("render", "-o is a folder", [*r[:1], "-o", "@O@/dir.mp4", *r[3:]], pre=_mkdir("dir.mp4"))
    add("render", "-o under a file", [*r[:1], "-o", "@W@/a_file/out.mp4", *r[3:]])
    add("render", "-o in /proc", [*r[:1], "-o", "/proc/out.mp4", *r[3:]])
    add("render", "-o wrong suffix", [*r[:1], "-o", "@O@/out.avi", *r[3:]])
    add("render", "SIGTERM while rendering 2000 frames", ["@W@/long.npz", "-o", "@O@/long.mp4", "--backend",
                                                          "skeleton", "--size", "256"], "any", sigterm_after=6.0)

    # ------------------------------------------------------------------ export
    for f in ("trunc_gen.npz", "pickle.npz", "bomb.npz", "nan_pose.npz", "zero_frames.npz", "dir.npz"):
        add("export", f"input {f}", [f"@W@/{f}", "-o", "@O@/out.glb", "--no-expressions"],
            "any" if f == "nan_pose.npz" else "refuse")
    add("export", "-o is a folder", ["@W@/gen.npz", "-o", "@O@/dir.glb"], pre=_mkdir("dir.glb"))
    add("export", "-o in /proc", ["@W@/gen.npz", "-o", "/proc/out.glb"])
    add("export", "-o wrong suffix", ["@W@/gen.npz", "-o", "@O@/out.gltf"])
    add("export", "SIGNSPARK_SMPLX_DIR pickle payload", ["@W@/gen.npz", "-o", "@O@/out.glb"],
        env={"SIGNSPARK_SMPLX_DIR": "@W@/smplx_npz"})

    # ------------------------------------------------------------------ export-pose
    for opt, values in (("--size", ["0", "1000000000"]), ("--fov", ["nan", "inf", "0"])):
        for v in values:
            add("export-pose", f"{opt} {v}", ["@W@/gen.npz", "-o", "@O@/out.pose", opt, v])
    for f in ("bomb.npz", "trunc_gen.npz", "dir.npz", "pickle.npz", "nan_pose.npz"):
        add("export-pose", f"input {f}", [f"@W@/{f}", "-o", "@O@/out.pose"],
            "any" if f == "nan_pose.npz" else "refuse")
    add("export-pose", "-o wrong suffix", ["@W@/gen.npz", "-o", "@O@/out.txt"])
    add("export-pose", "-o is a folder", ["@W@/gen.npz", "-o", "@O@/dir.pose"], pre=_mkdir("dir.pose"))

    # ------------------------------------------------------------------ segment
    s = ["-o", "@O@/out.json", "--no-progress"]
    for f in ("empty.npz", "garbage.npz", "pickle.npz", "bomb.npz", "features_nan.npz",
              "features_shape.npz", "zero_frames.npz", "empty_dir", "clips_loops", "loopdir", "fifo.npz",
              "empty.pose", "trunc.pose", "garbage.pose", "empty.mp4", "trunc.mp4", "text.mp4",
              "npz_as.mp4", "garbage.lmdb", "a_file", "loopdir2", "fifo_dir"):
        add("segment", f"input {f}", [f"@W@/{f}", *s], "any" if f == "features_nan.npz" else "refuse")
    for opt, values in (("--per-segment", ["0", "1000000000"]), ("--seed", ["-1"]),
                        ("--fps", ["nan", "0"]), ("--window", ["0", "1000000000000"]),
                        ("--threads", ["0", "1000000000"]), ("--max-frames", ["0", "-1"])):
        for v in values:
            add("segment", f"{opt} {v}", ["@W@/gen.npz", *s, "--policy", "uniform", opt, v])
    add("segment", "--policy nope", ["@W@/gen.npz", *s, "--policy", "nope"])
    for dev in ("cuda:7", "meta"):
        add("segment", f"--device {dev}", ["@W@/gen.npz", *s, "--device", dev])
    add("segment", "--media missing", ["@W@/gen.npz", "-o", "@O@/out.eaf", "--media", "/nonexistent.mp4"])
    add("segment", "--model missing", ["@W@/gen.npz", *s, "--model", "/nonexistent/fast"])
    add("segment", "--model garbage config", ["@W@/gen.npz", *s, "--model", "@W@/model_garbage"])
    add("segment", "--model deep config", ["@W@/gen.npz", *s, "--model", "@W@/model_deep"])
    add("segment", "-o wrong suffix", ["@W@/gen.npz", "-o", "@O@/out.csv"])
    add("segment", "-o is a folder", ["@W@/gen.npz", "-o", "@O@/dir.json"], pre=_mkdir("dir.json"))
    add("segment", "-o in /proc", ["@W@/gen.npz", "-o", "/proc/out.json"])

    # ------------------------------------------------------------------ capture
    k = ["-o", "@O@/out.npz", "--no-progress", "--iterations", "0", "0"]
    for f in ("empty.mp4", "trunc.mp4", "text.mp4", "npz_as.mp4", "tiny.mp4", "empty.pose",
              "header_only.pose", "garbage.pose", "frames_empty_png", "frames_bomb", "frames_wide",
              "empty_dir", "fifo.npz", "/dev/zero"):
        add("capture", f"input {f}", [f if f.startswith("/") else f"@W@/{f}", *k])
    add("capture", "folder of symlink loops", ["@W@/clips_loops", "-o", "@O@/outdir", "--no-progress"])
    add("capture", "folder of broken clips", ["@W@/clips_broken", "-o", "@O@/outdir", "--no-progress",
                                              "--iterations", "0", "0"])
    for opt, values in (("--fov", ["nan", "0", "1e9"]), ("--threads", ["0", "-5", "1000000000"]),
                        ("--max-frames", ["0", "-1"])):
        for v in values:
            add("capture", f"{opt} {v}", ["@W@/good.pose", *k, opt, v])
    add("capture", "--iterations -1 -1", ["@W@/good.pose", "-o", "@O@/out.npz", "--iterations", "-1", "-1"])
    add("capture", "--iterations 1e9", ["@W@/good.pose", "-o", "@O@/out.npz", "--iterations", "1000000000",
                                        "1000000000"])
    lm = ["@W@/clips_broken", "--lmdb", "@O@/x.lmdb", "--no-progress"]
    add("capture", "--lmdb without --language", lm)
    add("capture", "--lmdb --language Klingon", [*lm, "--language", "Klingon"])
    add("capture", "--lmdb wrong suffix", ["@W@/clips_broken", "--lmdb", "@O@/x.db", "--language", "ASL"])
    for v in ("0", "1000000"):
        add("capture", f"--lmdb --workers {v}", [*lm, "--language", "ASL", "--workers", v])
    for f in ("texts_garbage.csv", "texts_nocols.csv", "dir.json"):
        add("capture", f"--lmdb --text-from {f}", [*lm, "--language", "ASL", "--text-from", f"@W@/{f}"])
    add("capture", "--lmdb --fast missing", [*lm, "--language", "ASL", "--fast", "/nonexistent/fast"])
    add("capture", "--lmdb of broken clips", [*lm, "--language", "ASL", "--workers", "1"])
    add("capture", "-o wrong suffix", ["@W@/good.pose", "-o", "@O@/out.txt"])
    add("capture", "-o is a folder", ["@W@/good.pose", "-o", "@O@/dir.npz", "--iterations", "0", "0"],
        pre=_mkdir("dir.npz"))
    add("capture", "-o in /proc", ["@W@/good.pose", "-o", "/proc/out.npz", "--iterations", "0", "0"])
    add("capture", "--landmarks in /proc", ["@W@/good.pose", *k, "--landmarks", "/proc/x.pose"])

    # ------------------------------------------------------------------ corpus
    cp = ["--out", "@O@/c", "--no-progress", "--languages", "ASL"]
    for opt, values in (("--clips", ["0", "-1", "10000000"]), ("--seed", ["-1"])):
        for v in values:
            add("corpus", f"{opt} {v}", [*cp, opt, v])
    for splits in (("0.5", "0.5", "0.5"), ("nan", "nan", "nan"), ("-1", "1", "1"), ("inf", "0", "0")):
        add("corpus", f"--splits {' '.join(splits)}", [*cp, "--clips", "4", "--splits", *splits])
    add("corpus", "--languages Klingon", ["--out", "@O@/c", "--languages", "Klingon", "--clips", "4"])
    add("corpus", "--languages ''", ["--out", "@O@/c", "--languages", "", "--clips", "4"])
    add("corpus", "--out is a file", ["--out", "@W@/a_file", "--clips", "4", "--languages", "ASL", "--no-progress"])
    add("corpus", "--out in /proc", ["--out", "/proc/corpus", "--clips", "4", "--languages", "ASL",
                                     "--no-progress"])

    # ------------------------------------------------------------------ evaluate
    ev = ["--data", "@W@/corpus", "--max-clips", "1", "--steps", "1", "--quiet", "--no-segmentation",
          "--tasks", "t2p", "-o", "@O@/report"]
    add("evaluate", "--data missing", ["--data", "/nonexistent", "-o", "@O@/report", "--quiet"])
    add("evaluate", "--data is a file", ["--data", "@W@/a_file", "-o", "@O@/report", "--quiet"])
    add("evaluate", "--data empty folder", ["--data", "@W@/empty_dir", "-o", "@O@/report", "--quiet"])
    add("evaluate", "--data garbage LMDB", ["--data", "@W@/data_garbage", "-o", "@O@/report", "--quiet"])
    for opt, v in (("--steps", "0"), ("--max-clips", "0"), ("--guidance", "nan"), ("--device", "bogus")):
        add("evaluate", f"{opt} {v}", [*ev, opt, v])
    add("evaluate", "--smplx pickle payload", [*ev, "--smplx", "@W@/smplx_pkl"])
    add("evaluate", "--smplx zip bomb", [*ev, "--smplx", "@W@/smplx_bomb"])
    for bt in ("json:dumps", "no_such_module:make", "os"):
        add("evaluate", f"--back-translator {bt}", [*ev, "--back-translator", bt])
    add("evaluate", "--fast missing", ["--data", "@W@/corpus", "--max-clips", "1", "--steps", "1", "--quiet",
                                       "--tasks", "t2p", "--fast", "/nonexistent/fast", "-o", "@O@/report"])
    add("evaluate", "-o is a file", [*ev[:-1], "@W@/a_file"])

    # ------------------------------------------------------------------ download (offline)
    add("download", "official --dir in /proc", ["official", "--streams", "hand", "--dir", "/proc/ckpt"])
    add("download", "model ../../etc", ["model", "../../etc"])
    add("download", "model 5000-character id", ["model", "a" * 5000])
    add("download", "model empty id", ["model", ""])
    add("download", "model --revision ../..", ["model", "org/repo", "--revision", "../.."])
    add("download", "mclip --repo with spaces", ["mclip", "--repo", "x y/z"])
    add("download", "official --streams full", ["official", "--streams", "full"])
    add("download", "official --repo org/", ["official", "--repo", "org/"])

    # ------------------------------------------------------------------ cache
    add("cache", "warm --lang Klingon", ["warm", "--lang", "Klingon"])
    add("cache", "warm --lang ASL (no lexicon)", ["warm", "--lang", "ASL"])
    for opt, v in (("--limit", "0"), ("--limit", "-1"), ("--workers", "0"), ("--workers", "1000000")):
        add("cache", f"warm {opt} {v}", ["warm", opt, v, "--signs", "HAUS", "--no-progress"])
    add("cache", "warm --signs NOPE", ["warm", "--signs", "NOPE", "--no-progress"])
    add("cache", "warm 2 signs", ["warm", "--limit", "2", "--no-progress"], "ok")
    for v in ("nan", "-1", "abc", "1e400"):
        add("cache", f"SIGNSPARK_SIGN_CACHE_MB={v}", ["info"], "any", env={"SIGNSPARK_SIGN_CACHE_MB": v})
    add("cache", "SIGNSPARK_CACHE_DIR is a file", ["info"], "any", env={"SIGNSPARK_CACHE_DIR": "@W@/a_file"})
    add("cache", "clear, cache folder is a file", ["clear"], "any", env={"SIGNSPARK_CACHE_DIR": "@W@/a_file"})

    # ------------------------------------------------------------------ demo (the command line; none may start)
    for opt, v in (("--port", "0"), ("--port", "-1"), ("--port", "65536"), ("--port", "abc"),
                   ("--concurrency", "0"), ("--concurrency", "65"), ("--threads", "0"), ("--threads", "257")):
        add("demo", f"{opt} {v}", ["--no-warm-up", opt, v])
    add("demo", "--model missing folder", ["--no-warm-up", "--model", "/nonexistent/model"])
    add("demo", "--model Hub id without --any-model", ["--no-warm-up", "--model", "org/repo"])
    add("demo", "GRADIO_SERVER_PORT=abc", ["--no-warm-up"], env={"GRADIO_SERVER_PORT": "abc"})
    add("demo", "port in use", ["--no-warm-up", "--port", "@BUSY_PORT@"])
    add("demo", "--host unresolvable", ["--no-warm-up", "--host", "no-such-host.invalid", "--port", "@FREE_PORT@"])
    return cases


# ---------------------------------------------------------------------------------------------- running
@dataclasses.dataclass
class Row:
    case: str
    where: str
    status: str
    seconds: float
    rss_mb: float | None
    verdicts: list
    note: str = ""


def _expand(arg, w: Path, o: Path, ports: dict) -> str | bytes:
    if isinstance(arg, bytes):
        return arg
    arg = arg.replace("@W@", str(w)).replace("@O@", str(o))
    for key, value in ports.items():
        arg = arg.replace(key, str(value))
    return arg


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    out = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in filenames + dirnames:
            p = Path(dirpath) / name
            try:
                st = p.lstat()
            except OSError:
                continue
            out[str(p.relative_to(folder))] = (st.st_size, st.st_mtime_ns)
    return out


_NOISE = re.compile(r"%\||it/s]|^(INFO|WARNING|W0000|I0000|E0000)\b|inference_feedback_manager|XNNPACK|absl")


def _message(stderr: str) -> str:
    """The line of stderr that says what went wrong: the last one that is not a progress bar, a
    warning, a log line of MediaPipe or a summary ("nothing was written", "N clip(s) failed:")."""
    lines, skip = [], False
    for raw in (ln for part in stderr.splitlines() for ln in part.split("\r")):
        ln = raw.strip()
        if skip:  # the source line Python prints under a warning
            skip = False
            continue
        if re.search(r":\d+: \w*Warning:", ln):
            skip = True
            continue
        if ln and not _NOISE.search(ln) and ln != "nothing was written" and not re.fullmatch(r".*\bfailed.*:", ln):
            lines.append(ln)
    return lines[-1] if lines else ""


def _readable(message: str) -> bool:
    text = message.split("error:", 1)[1].strip() if "error:" in message else message.strip()
    return len(text) >= 8 and not BARE_MESSAGE.fullmatch(text)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def run_case(case: Case, w: Path, out_root: Path, env: dict, timeout: float, marker: Path, ports: dict,
             python: str) -> Row:
    slug = re.sub(r"[^\w.-]+", "_", case.name)[:80]
    o = out_root / slug
    o.mkdir(parents=True, exist_ok=True)
    if case.pre:
        case.pre(o)
    tmp = Path(env["TMPDIR"])
    before = _snapshot(o)
    argv = [_expand(a, w, o, ports) for a in case.argv]
    case_env = dict(env)
    for key, value in (case.env or {}).items():
        case_env[key] = _expand(value, w, o, ports)
    log_out, log_err = o.parent / f"{slug}.stdout", o.parent / f"{slug}.stderr"
    t0 = time.monotonic()
    with log_out.open("wb") as fo, log_err.open("wb") as fe:
        proc = subprocess.Popen([python, "-m", "signspark", *argv], cwd=str(w), env=case_env, stdout=fo, stderr=fe,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    timed_out = termed = False
    timeout = case.timeout or timeout
    rusage = None
    status = 0
    while True:
        pid, wstatus, rusage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            status = os.waitstatus_to_exitcode(wstatus)
            break
        elapsed = time.monotonic() - t0
        if case.sigterm_after is not None and not termed and elapsed >= case.sigterm_after:
            os.kill(proc.pid, signal.SIGTERM)
            termed = True
        if elapsed > timeout:
            timed_out = True
            os.killpg(proc.pid, signal.SIGKILL)
            _, wstatus, rusage = os.wait4(proc.pid, 0)
            status = os.waitstatus_to_exitcode(wstatus)
            break
        time.sleep(0.05)
    proc.returncode = status
    seconds = time.monotonic() - t0
    time.sleep(0.2)
    stray_process = _group_alive(proc.pid)
    if stray_process:
        os.killpg(proc.pid, signal.SIGKILL)
    stdout = log_out.read_text(errors="replace")
    stderr = log_err.read_text(errors="replace")
    verdicts: list[str] = []
    notes: list[str] = []
    if timed_out:
        verdicts.append("HANG")
    if marker.exists():
        verdicts.append("CODE-RAN")
        marker.unlink()
    if "Traceback (most recent call last)" in stdout + stderr:
        verdicts.append("TRACEBACK")
        notes.append(_message(stderr)[:120])
    if status < 0 and not termed and not timed_out:
        verdicts.append("CRASH")
        notes.append(f"signal {-status}")
    message = _message(stderr)
    failed = status != 0
    if failed and not timed_out and not termed and not _readable(message):
        verdicts.append("NO-MESSAGE")
    if case.expect == "refuse" and not failed:
        verdicts.append("ACCEPTED")
    if case.expect == "ok" and failed and not timed_out:
        verdicts.append("FAILED")
    left = []
    if failed or termed:
        after = _snapshot(o)
        left += [k for k, v in after.items() if before.get(k) != v]
        left += [f"{k} (removed)" for k in before if k not in after]
    stray = sorted(p.name for p in tmp.iterdir() if p.name not in TOOLS_OWN_TEMP)
    if stray:
        left += [f"$TMPDIR/{n}" for n in stray]
        for p in tmp.iterdir():
            shutil.rmtree(p, ignore_errors=True) if p.is_dir() and not p.is_symlink() else p.unlink()
    if stray_process:
        left.append("a process of the command still ran")
    if left:
        verdicts.append("LEFTOVER")
        notes.append("left: " + ", ".join(left[:4]) + (" ..." if len(left) > 4 else ""))
    if not notes and message:
        notes.append(message[:160])
    if case.keep and not failed:
        src = o / case.keep
        dst = w / Path(case.keep).name
        shutil.copytree(src, dst) if src.is_dir() else shutil.copy(src, dst)
    rss = rusage.ru_maxrss / 1024.0 if rusage is not None else None
    return Row(case.name, "signspark " + case.command, "timeout" if timed_out else str(status), seconds, rss,
               verdicts or ["ok"], " | ".join(notes))


# ---------------------------------------------------------------------------------------------- demo cases
@dataclasses.dataclass
class DemoCase:
    name: str
    endpoint: str
    args: list | dict | str  # for gradio_client ("@FILE:name@": an upload of that input); raw HTTP: a body
    expect: str = "refuse"
    raw: bool = False  # send over plain HTTP (what gradio_client cannot send)


T2S = dict(text="hi", language="ASL", model="built-in", steps=1, guidance=1.0, seed=0, speed=2.0, view="front",
           backend="skeleton", ply_frame=-1, left_handed=False, notation="", motion="default")
KF = dict(kf_file=None, word="", language="ASL", table={"headers": ["frame", "source"], "data": []}, total_frames=0,
          model="built-in", steps=1, guidance=1.0, seed=0, view="front", backend="skeleton", left_handed=False)


def demo_cases() -> list[DemoCase]:
    D = DemoCase
    t = "/text_to_sign"
    cases = []

    def t2s(label, expect="refuse", raw=False, **changes):
        cases.append(D(f"text_to_sign: {label}", t, list({**T2S, **changes}.values()), expect, raw))

    def kf(label, expect="refuse", raw=False, **changes):
        cases.append(D(f"keyframes_to_sign: {label}", "/keyframes_to_sign", list({**KF, **changes}.values()),
                       expect, raw))

    t2s("baseline", "ok")
    t2s("zero-width-only text", text="\u200b\u200c\u200d\ufeff")
    t2s("NUL and control characters", "any", text="h\x00i\x07")
    t2s("lone surrogate", "any", raw=True, text="\ud800hi")
    t2s("200 combining marks", "any", text="a" + "\u0301" * 199)
    t2s("RTL override and emoji", "any", text="\u202ehi \U0001F44B")
    t2s("language empty", language="")
    t2s("language null", raw=True, language=None)
    t2s("model null (the default model)", "any", raw=True, model=None)
    t2s("steps 0", steps=0)
    t2s("steps 51", steps=51)
    t2s("steps true", raw=True, steps=True)
    t2s("steps 1.5", steps=1.5)
    t2s("speed 0.1", speed=0.1)
    t2s("speed null", raw=True, speed=None)
    t2s("view ../", view="../")
    t2s("backend gsplat (no CUDA)", "any", backend="gsplat")
    t2s("3D frame -2", ply_frame=-2)
    t2s("3D frame 1e9 as text", ply_frame="1e9")
    t2s("left_handed null (false)", "any", raw=True, left_handed=None)
    t2s("notation: billion laughs SiGML", notation=open_laughs())
    t2s("notation: 100000 nested tags", notation="<sigml>" + "<a>" * 100_000 + "</a>" * 100_000 + "</sigml>")
    t2s("notation: garbage", notation="GLOSS: \x00\x01 not-a-symbol {{{")
    t2s("motion unknown", motion="teleport")
    t2s("motion null (the default)", "any", raw=True, motion=None)
    kf("file: truncated .npz", kf_file="@FILE:trunc.npz@")
    kf("file: empty .npz", kf_file="@FILE:empty.npz@")
    kf("file: NaN .json", kf_file="@FILE:nan.json@")
    kf("file: 1e400 .json", kf_file="@FILE:e400.json@")
    kf("file: num_frames 1e12 .json", kf_file="@FILE:huge_frames.json@")
    kf("table: frame 'x'", word="hi", table={"headers": ["frame", "source"], "data": [["x", "lexicon:H"]]})
    kf("table: frame -1", word="hi", table={"headers": ["frame", "source"], "data": [[-1, "lexicon:H"]]})
    kf("table: frame 1e9", word="hi", table={"headers": ["frame", "source"], "data": [[1e9, "lexicon:H"]]})
    kf("table: source file:99999", kf_file="@FILE:zeros.npz@",
       table={"headers": ["frame", "source"], "data": [[1, "file:99999"]]})
    kf("table: source ../etc", word="hi", table={"headers": ["frame", "source"], "data": [[1, "../etc/passwd"]]})
    kf("table: source lexicon:€", word="hi", table={"headers": ["frame", "source"], "data": [[1, "lexicon:€"]]})
    kf("table: 100000 rows", word="hi", table={"headers": ["frame", "source"],
                                               "data": [[i, "lexicon:H"] for i in range(100_000)]})
    kf("table: rows of the wrong width", word="hi", table={"headers": ["frame", "source"], "data": [[1, 2, 3, 4]]})
    kf("total frames 751", word="hi", total_frames=751)
    kf("total frames 0.5 (rounded by Gradio)", "any", word="hi", total_frames=0.5)
    kf("word: emoji", "any", word="\U0001F44B\U0001F44B")

    def v2s(label, video, policy="onset_middle_offset", per_sign=3, mirrored=False, raw=False):
        """A /video_to_sign request (front view, skeleton renderer) that must be refused."""
        return D(f"video_to_sign: {label}", "/video_to_sign",
                 [video, "front", "skeleton", mirrored, policy, per_sign], raw=raw)

    cases += [
        D("load_keyframes: garbage .npz", "/load_keyframes", ["@FILE:garbage.npz@", "", "ASL"]),
        D("load_keyframes: top-level list .json", "/load_keyframes", ["@FILE:top_list.json@", "", "ASL"]),
        D("load_keyframes: bad UTF-8 .json", "/load_keyframes", ["@FILE:bad_utf8.json@", "", "ASL"]),
        D("load_keyframes: language null", "/load_keyframes", [None, "hi", None], raw=True),
        v2s("empty .mp4", "@FILE:empty.mp4@"),
        v2s("truncated .mp4", "@FILE:trunc.mp4@"),
        v2s("text as .mp4", "@FILE:text.mp4@"),
        v2s(".npz as .mp4", "@FILE:npz_as.mp4@"),
        v2s("no person (16x16)", "@FILE:tiny.mp4@"),
        v2s("per sign 0", "@FILE:tiny.mp4@", policy="uniform", per_sign=0),
        v2s("per sign NaN", None, policy="uniform", per_sign=float("nan"), raw=True),
        v2s("policy unknown", "@FILE:tiny.mp4@", policy="everything"),
        v2s("mirrored 'x'", "@FILE:tiny.mp4@", mirrored="x"),
        v2s("no video", None),
        D("practice_new: language Klingon", "/practice_new", ["Klingon", "short", 1.0, "hands", False]),
        D("practice_new: speed 0", "/practice_new", ["ASL", "short", 0, "hands", False]),
        D("practice_new: speed NaN", "/practice_new", ["ASL", "short", float("nan"), "hands", False], raw=True),
        D("practice_new: view null (the default)", "/practice_new", ["ASL", "short", 1.0, None, False], "any",
          raw=True),
        D("practice_check: null answer", "/practice_check", [None], raw=True),
        D("practice_check: unicode answer", "/practice_check", ["\u202e\U0001F44B\u0301"], "any"),
        D("segment: empty .npz", "/segment", ["@FILE:empty.npz@", "", "onset_middle_offset"]),
        D("segment: truncated .npz", "/segment", ["@FILE:trunc.npz@", "", "onset_middle_offset"]),
        D("segment: garbage .mdb", "/segment", ["@FILE:garbage.mdb@", "", "onset_middle_offset"]),
        D("segment: features NaN", "/segment", ["@FILE:features_nan.npz@", "", "onset_middle_offset"], "any"),
        D("segment: clip id ../../x", "/segment", ["@FILE:zeros.npz@", "../../x", "onset_middle_offset"], "any"),
        D("segment: policy unknown", "/segment", ["@FILE:zeros.npz@", "", "nope"]),
        D("raw: data is not a list", "/segment", {"data": "x"}, raw=True),
        D("raw: 100000-deep nested input", t, '{"data": [' + "[" * 100_000 + "]" * 100_000 + ", "
          + json.dumps(list(T2S.values())[1:])[1:] + "}", raw=True),
        D("raw: 20 MB body", t, '{"data": ["' + "x" * 20_000_000 + '"' + ", "
          + json.dumps(list(T2S.values())[1:])[1:] + "}", raw=True),
        D("raw: unknown endpoint", "/no_such_endpoint", ["x"], raw=True),
        D("raw: 5 MB text", t, ["x" * 5_000_000] + list(T2S.values())[1:], raw=True),
    ]
    return cases


def open_laughs() -> str:
    ents = ['<!ENTITY a0 "lol">'] + [f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10)]
    return ('<?xml version="1.0"?>\n<!DOCTYPE sigml [' + "".join(ents) + ']>\n'
            '<sigml><hns_sign gloss="&a9;"><hamnosys_manual/></hns_sign></sigml>\n')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        return None
    return None


class DemoServer:
    def __init__(self, w: Path, env: dict, python: str, start_timeout: float):
        self.scratch = w / "demo"
        (self.scratch / "gradio").mkdir(parents=True)
        (self.scratch / "tmp").mkdir()
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        env = {**env, "GRADIO_TEMP_DIR": str(self.scratch / "gradio"), "TMPDIR": str(self.scratch / "tmp")}
        self.log = self.scratch / "server.log"
        with self.log.open("w") as fh:
            self.proc = subprocess.Popen([python, "-m", "signspark", "demo", "--port", str(self.port),
                                          "--no-warm-up", "--threads", "1"], cwd=str(ROOT), env=env, stdout=fh,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + start_timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the demo server exited:\n{self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url, timeout=5):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("the demo server did not start") from None
                time.sleep(0.5)
        from gradio_client import Client

        self.client = Client(self.url, verbose=False, download_files=str(w / "demo-downloads"))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}gradio_api/info", timeout=30) as r:
                return r.status == 200
        except OSError:
            return False

    def raw(self, endpoint: str, data, timeout: float) -> tuple[bool, str | None]:
        """(succeeded, error message) of a request over plain HTTP."""
        if isinstance(data, str):  # a body written by hand (nesting json.dumps cannot write)
            body = data.encode()
        else:
            body = json.dumps(data if isinstance(data, dict) else {"data": data}).encode()
        req = urllib.request.Request(f"{self.url}gradio_api/call{endpoint}", data=body,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                event_id = json.loads(r.read())["event_id"]
        except urllib.error.HTTPError as e:
            text = e.read().decode(errors="replace")
            try:
                detail = json.loads(text).get("detail")
            except (ValueError, AttributeError):
                detail = text
            return False, f"HTTP {e.code}: {detail}"
        with urllib.request.urlopen(f"{self.url}gradio_api/call{endpoint}/{event_id}", timeout=timeout) as r:
            stream = r.read().decode()
        if "event: error" not in stream:
            return True, None
        data = stream.split("event: error", 1)[1].split("data:", 1)[1].strip().splitlines()[0]
        try:
            return False, json.loads(data)["error"]
        except (ValueError, TypeError, KeyError):
            return False, data

    def call(self, case: DemoCase, w: Path, timeout: float) -> tuple[bool, str | None]:
        from gradio_client import handle_file
        from gradio_client.exceptions import AppError

        def arg(a):
            if isinstance(a, str) and a.startswith("@FILE:") and a.endswith("@"):
                return handle_file(str(w / a[6:-1]))
            return a

        if case.raw:
            return self.raw(case.endpoint, case.args, timeout)
        try:
            job = self.client.submit(*[arg(a) for a in case.args], api_name=case.endpoint)
            job.result(timeout=timeout)
            return True, None
        except AppError as e:
            return False, str(e)


def run_demo(w: Path, env: dict, python: str, timeout: float, marker: Path, only: str | None) -> list[Row]:
    cases = [c for c in demo_cases() if not only or only in c.name]
    if not cases:
        return []
    t0 = time.monotonic()
    try:
        server = DemoServer(w, env, python, start_timeout=300)
    except RuntimeError as e:
        return [Row("demo: server start", "server start", "-", time.monotonic() - t0, None, ["FAILED"], str(e))]
    rows = [Row("demo: server start", "server start", "up", time.monotonic() - t0,
                _peak_rss_mb(server.proc.pid), ["ok"])]
    try:
        for case in cases:
            t1 = time.monotonic()
            verdicts, note = [], ""
            try:
                ok, message = server.call(case, w, timeout)
            except TimeoutError:
                ok, message = False, None
                verdicts.append("HANG")
            except Exception as e:  # noqa: BLE001 - what the client itself raised is a finding to show
                ok, message = False, f"{type(e).__name__}: {e}"
                verdicts.append("NO-MESSAGE")
            if marker.exists():
                verdicts.append("CODE-RAN")
                marker.unlink()
            if not ok and "HANG" not in verdicts:
                text = message or ""
                if not text.strip() or EMPTY_ERROR in text or text.startswith("HTTP 500"):
                    verdicts.append("NO-MESSAGE")
                if "Traceback" in text or 'File "' in text:
                    verdicts.append("TRACEBACK")
                if str(w) in text or str(ROOT) in text or SERVER_PATH.search(text):
                    verdicts.append("PATH")
                note = text.replace("\n", " ")[:160]
            if ok and case.expect == "refuse":
                verdicts.append("ACCEPTED")
            if not ok and case.expect == "ok":
                verdicts.append("FAILED")
            rows.append(Row(f"demo {case.name}", case.endpoint + (" (HTTP)" if case.raw else ""),
                            "done" if ok else "error", time.monotonic() - t1, _peak_rss_mb(server.proc.pid),
                            sorted(set(verdicts)) or ["ok"], note))
        alive = server.proc.poll() is None and server.answers()
        rows.append(Row("demo: server still answers", "/gradio_api/info", "up" if alive else "down", 0.0,
                        _peak_rss_mb(server.proc.pid), ["ok"] if alive else ["FAILED"]))
    finally:
        server.stop()
    log = server.log.read_text(errors="replace")
    n = log.count("Traceback (most recent call last)")
    rows.append(Row("demo: server log", "server.log", str(n), 0.0, None, ["TRACEBACK"] if n else ["ok"],
                    f"{n} traceback(s) in the server's log" if n else ""))
    return rows


# ---------------------------------------------------------------------------------------------- main
def _build(stage: str, w: Path, python: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    subprocess.run([python, str(Path(__file__).resolve()), "--build", stage, str(w)], check=True, env=env)


def _print_table(rows: list[Row], header: bool = False) -> None:
    if not header:
        return _print_rows(rows)
    print(f"| {'case':58s} | {'command / endpoint':24s} | {'exit':7s} | {'s':>6s} | {'RSS MB':>7s} | verdict "
          f"| message |")
    print(f"|{'-' * 60}|{'-' * 26}|{'-' * 9}|{'-' * 8}|{'-' * 9}|---------|---------|")
    _print_rows(rows)


def _print_rows(rows: list[Row]) -> None:
    for r in rows:
        rss = f"{r.rss_mb:7.0f}" if r.rss_mb is not None else f"{'-':>7s}"
        note = r.note.replace("|", "/")
        print(f"| {r.case[:58]:58s} | {r.where[:24]:24s} | {r.status[:7]:7s} | {r.seconds:6.1f} | {rss} | "
              f"{' '.join(r.verdicts)} | {note} |", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0].rstrip(".") + ". Builds its inputs in a temporary folder, runs each through "
                    "`signspark` (and the demo's API) and prints one row per case: exit status, seconds, peak "
                    "RSS and a verdict (ok, TRACEBACK, HANG, CODE-RAN, NO-MESSAGE, ACCEPTED, LEFTOVER, PATH, "
                    "CRASH, FAILED). Exit status 1 when any case is not ok.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Run it niced on a shared machine: nice -n 19 python bench/hostile.py")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per case before it counts as a HANG "
                                                                    "(default %(default)s)")
    parser.add_argument("--only", metavar="TEXT", help="only the cases whose name contains TEXT")
    parser.add_argument("--no-demo", action="store_true", help="skip the demo's API (the server start takes a while)")
    parser.add_argument("--no-cli", action="store_true", help="skip the command line (baselines still run)")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (its path is printed)")
    parser.add_argument("--python", default=sys.executable, help="interpreter for the commands (default: this one)")
    parser.add_argument("--build", nargs=2, metavar=("STAGE", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.build:  # in a child process, so that this one stays small (a child's peak RSS starts at its parent's)
        w = Path(args.build[1])
        build_inputs(w, w / "PWNED") if args.build[0] == "inputs" else build_derived(w)
        return 0
    if not 1 <= args.timeout <= 3600:
        parser.error(f"--timeout must be between 1 and 3600 seconds, got {args.timeout}")

    base = baseline_cases()
    cases = [] if args.no_cli else [c for c in cli_cases() if not args.only or args.only in c.name]
    if args.list:
        for c in base + cases:
            print(f"{c.name}")
        for d in demo_cases():
            print(f"demo {d.name}")
        return 0

    w = Path(tempfile.mkdtemp(prefix="signspark-hostile-"))
    try:
        marker = w / "PWNED"
        (w / "tmp").mkdir()
        out_root = w / "out"
        env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
               "TMPDIR": str(w / "tmp"), "SIGNSPARK_CACHE_DIR": str(w / "cache"), "HF_HOME": str(w / "hf"),
               "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONUNBUFFERED": "1",
               "NO_COLOR": "1"}
        for key in ("SIGNSPARK_SMPLX_DIR", "SIGNSPARK_ASSETS", "SIGNSPARK_SIGN_CACHE_MB"):
            env.pop(key, None)
        t0 = time.monotonic()
        _build("inputs", w, args.python)
        busy = socket.socket()
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        ports = {"@BUSY_PORT@": busy.getsockname()[1], "@FREE_PORT@": _free_port()}
        print(f"inputs built in {time.monotonic() - t0:.1f} s" + (f" in {w}" if args.keep else ""), flush=True)
        rows: list[Row] = []
        _print_table(rows, header=True)
        for case in base:
            rows.append(run_case(case, w, out_root, env, args.timeout, marker, ports, args.python))
            _print_table(rows[-1:])
        _build("derived", w, args.python)
        for case in cases:
            rows.append(run_case(case, w, out_root, env, args.timeout, marker, ports, args.python))
            _print_table(rows[-1:])
        busy.close()
        if not args.no_demo:
            demo_rows = run_demo(w, env, args.python, args.timeout, marker, args.only)
            _print_table(demo_rows)
            rows += demo_rows
        total = time.monotonic() - t0
    finally:
        if not args.keep:
            shutil.rmtree(w, ignore_errors=True)

    print()
    by_where: dict[str, list[Row]] = {}
    for r in rows:
        key = r.where if r.where.startswith("signspark") else "demo API"
        by_where.setdefault(key, []).append(r)
    for key, rs in by_where.items():
        bad = [r for r in rs if r.verdicts != ["ok"]]
        print(f"{key:24s} {len(rs):4d} case(s), {len(bad)} finding(s)")
    counts: dict[str, int] = {}
    for r in rows:
        for v in r.verdicts:
            counts[v] = counts.get(v, 0) + 1
    findings = [r for r in rows if r.verdicts != ["ok"]]
    print(f"{len(rows)} cases in {total / 60:.1f} min: " + ", ".join(f"{v} {n}" for v, n in sorted(counts.items())))
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
