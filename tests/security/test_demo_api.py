"""Hostile requests through the demo's API, against a running server (`signspark demo`, one per module).

Each bad request must be answered with a readable message that names the problem: not Gradio's
empty error, no traceback, no path of the server's folders. Uploads carrying a pickle payload
must run nothing (the payload would create a marker file), bombs must be refused from their
headers (the server's peak memory barely moves), and the server must still answer afterwards.

Requests go through ``gradio_client`` as an API user would; what it cannot send (a wrong number
of inputs, NaN in JSON, a file that was never uploaded) goes over plain HTTP.
"""

from __future__ import annotations

import io
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import numpy as np
import pytest
from test_hostile_inputs import (
    pose_members,  # the same directory: a PoseSequence's .npz members, built here
)

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the server's memory from /proc")

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 240
T2S = dict(text="hi", language="ASL", model="built-in", steps=1, guidance=1.0, seed=0, speed=2.0, view="front",
           backend="skeleton", ply_frame=-1, left_handed=False, notation="", motion="default")
KF = dict(kf_file=None, word="", language="ASL", table={"headers": ["frame", "source"], "data": []}, total_frames=0,
          model="built-in", steps=1, guidance=1.0, seed=0, view="front", backend="skeleton", left_handed=False)
EMPTY_ERROR = "has not enabled verbose error reporting"  # gradio_client's words for {"error": null}
# An absolute path of two or more parts, as a server folder would appear in a message
SERVER_PATH = re.compile(r"(?<![\w.:/~-])(?:/[^\s'\"`<>|;,()\[\]{}:/]+){2,}")
PEAK_GROWTH_MB = 64  # the server's peak RSS may grow this much while refusing the bombs


class Payload:
    """Unpickling it runs ``touch marker``."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024.0
    raise AssertionError("no VmHWM in /proc")


class Server:
    def __init__(self, proc: subprocess.Popen, url: str, scratch: Path, log: Path):
        self.proc, self.url, self.scratch, self.log = proc, url, scratch, log
        from gradio_client import Client

        self.client = Client(url, verbose=False, download_files=str(scratch / "downloads"))

    def refused(self, *args, api_name: str, **kwargs) -> str:
        """The message of a request that must fail, checked for what every refusal must be."""
        from gradio_client.exceptions import AppError

        with pytest.raises(AppError) as e:
            self.client.predict(*args, api_name=api_name, **kwargs)
        return self.check_message(str(e.value))

    def raw(self, api_name: str, data) -> str:
        """A request over plain HTTP (``/gradio_api/call``); the error message it got."""
        body = json.dumps({"data": data}).encode()  # json allows NaN, as a hand-written client might send
        req = urllib.request.Request(f"{self.url}gradio_api/call{api_name}", data=body,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            event_id = json.loads(r.read())["event_id"]
        with urllib.request.urlopen(f"{self.url}gradio_api/call{api_name}/{event_id}", timeout=120) as r:
            stream = r.read().decode()
        assert "event: error" in stream, stream[:500]
        data = stream.split("event: error", 1)[1].split("data:", 1)[1].strip().splitlines()[0]
        return self.check_message(json.loads(data)["error"])

    def check_message(self, message: str | None) -> str:
        assert message and EMPTY_ERROR not in message, "an empty error: the client learns nothing"
        assert "Traceback" not in message and 'File "' not in message, message
        assert str(self.scratch) not in message and str(ROOT) not in message, message
        assert not SERVER_PATH.search(message), f"a path in the message: {message}"
        assert len(message) < 600, f"an overlong message ({len(message)} characters)"
        return message

    def answers(self) -> bool:
        with urllib.request.urlopen(f"{self.url}gradio_api/info", timeout=30) as r:
            return r.status == 200


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    scratch = tmp_path_factory.mktemp("demo-api")
    (scratch / "gradio").mkdir()
    port = _free_port()
    env = {**os.environ, "GRADIO_TEMP_DIR": str(scratch / "gradio"), "TMPDIR": str(scratch),
           "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    env.pop("SIGNSPARK_ASSETS", None)  # the shipped built-in models
    log = scratch / "server.log"
    with log.open("w") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "signspark", "demo", "--port", str(port), "--no-warm-up",
                                 "--threads", "1"], cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            assert proc.poll() is None, f"the server exited:\n{log.read_text()[-3000:]}"
            try:
                with urllib.request.urlopen(url, timeout=5):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.5)
        yield Server(proc, url, scratch, log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def pose_file(tmp_path_factory) -> Path:
    from signspark.pose.sequence import PoseSequence

    return PoseSequence.zeros(16, language="ASL", keyframes=np.array([0, 8, 15])).save(
        tmp_path_factory.mktemp("upload") / "clip.npz")


# ---------------------------------------------------------------------------------------------- numbers
@pytest.mark.parametrize("field, value, expected", [
    ("steps", "NaN", r"Sampling steps must be a number in \[1, 50\], got 'NaN'"),
    ("steps", "inf", "Sampling steps must be a number"),
    ("steps", 1e308, "Sampling steps must be a number in"),
    ("guidance", -1e308, "Guidance must be a number in"),
    ("speed", "1e400", "Signing speed must be a number"),
    ("seed", 10**40, r"Seed must be an integer in \[0, 4294967295\]"),
    ("seed", -1, "Seed must be an integer in"),
    ("seed", "zero", "Seed must be a number"),
    ("ply_frame", 10**12, "3D frame must be an integer in"),
])
def test_bad_numbers_are_named(server, field, value, expected):
    message = server.refused(**{**T2S, field: value}, api_name="/text_to_sign")
    assert re.search(expected, message), message


def test_nan_and_infinity_in_json_are_named(server):
    data = list({**T2S, "guidance": float("nan")}.values())
    assert "Guidance must be a number" in server.raw("/text_to_sign", data)
    data = list({**T2S, "seed": float("inf")}.values())
    assert "Seed must be a number" in server.raw("/text_to_sign", data)
    assert "Total frames" in server.raw("/keyframes_to_sign", list({**KF, "word": "hi",
                                                                      "total_frames": float("-inf")}.values()))


# ---------------------------------------------------------------------------------------------- types, counts
@pytest.mark.parametrize("field, value, expected", [
    ("text", {"a": 1}, "Text must be text"),
    ("text", 12, "Text must be text"),
    ("language", ["ASL"], "Sign language must be one value"),
    ("language", "Klingon", "Sign language must be one of ASL"),
    ("view", 3, "View must be one of front"),
    ("backend", "../../bin/sh", "Renderer must be one of"),
    ("left_handed", "yes", "Left-handed signer must be true or false"),
    ("steps", [1, 2], "Sampling steps must be a number"),
    ("notation", ["x"], "must be text"),
])
def test_wrong_types_are_named(server, field, value, expected):
    assert expected in server.refused(**{**T2S, field: value}, api_name="/text_to_sign")


def test_wrong_types_in_the_other_endpoints(server):
    assert "must be a table" in server.refused(**{**KF, "word": "hi", "table": "rows"}, api_name="/keyframes_to_sign")
    assert "must be a table" in server.refused(**{**KF, "word": "hi", "table": None}, api_name="/keyframes_to_sign")
    assert "must be an uploaded file" in server.refused("clip.npz", "", "onset_middle_offset", api_name="/segment")
    assert "Word length must be one of short, medium, long" in server.refused(
        "ASL", 5, 1.0, "hands", False, api_name="/practice_new")
    assert "must be text" in server.refused({"word": "x"}, api_name="/practice_check")


def test_wrong_input_counts_are_named(server):
    message = server.raw("/text_to_sign", ["hi", "ASL"])
    assert message.startswith("/text_to_sign takes 13 input(s) (Text, Sign language, Model") and "got 2" in message
    assert "got 14" in server.raw("/text_to_sign", list(T2S.values()) + ["extra"])
    assert "/segment takes 3 input(s)" in server.raw("/segment", [])


# ---------------------------------------------------------------------------------------------- text, models
def test_empty_and_huge_text(server):
    assert "Type a word or a short sentence" in server.refused(**{**T2S, "text": "   "}, api_name="/text_to_sign")
    message = server.refused(**{**T2S, "text": "x" * 1_000_000}, api_name="/text_to_sign")
    assert "1000000 characters; the limit is 200" in message
    assert "limit is 200" in server.refused(**{**KF, "word": "y" * 100_000}, api_name="/keyframes_to_sign")
    assert "Press New word first" in server.refused("z", api_name="/practice_check")
    server.client.predict("ASL", "short", 1.5, "hands", False, api_name="/practice_new")
    assert "100000 characters; the limit is 200" in server.refused("z" * 100_000, api_name="/practice_check")


def test_huge_notation_is_refused(server):
    message = server.refused(**{**T2S, "notation": "hamflathand " * 200_000}, api_name="/text_to_sign")
    assert re.search(r"(?i)limit|too long|at most|larger than", message), message


@pytest.mark.parametrize("model", ["/etc", "/no/such/folder", "/", "../..", "org/any-repo", "official/../..",
                                   "https://huggingface.co/org/repo", "C:\\Windows"])
def test_models_off_the_menu_get_one_message(server, model):
    message = server.refused(**{**T2S, "model": model}, api_name="/text_to_sign")
    assert message == "Model must be one of built-in, official."
    assert server.refused(**{**KF, "word": "hi", "model": model}, api_name="/keyframes_to_sign") == message


# ---------------------------------------------------------------------------------------------- uploads
def test_pickle_payload_npz_runs_nothing(server, tmp_path):
    from gradio_client import handle_file

    marker = tmp_path / "pwned"
    members = pose_members()
    buf = io.BytesIO()
    np.save(buf, np.array([Payload(marker)], dtype=object), allow_pickle=True)
    members["text.npy"] = buf.getvalue()
    path = tmp_path / "payload.npz"
    with zipfile.ZipFile(path, "w") as zf:
        for k, v in members.items():
            zf.writestr(k, v)
    whole = tmp_path / "whole.npz"
    np.savez(whole, body_pose=np.array([Payload(marker)], dtype=object), allow_pickle=True)
    for f in (path, whole):
        for message in (server.refused(handle_file(str(f)), "", "ASL", api_name="/load_keyframes"),
                        server.refused(handle_file(str(f)), "", "onset_middle_offset", api_name="/segment"),
                        server.refused(**{**KF, "kf_file": handle_file(str(f))}, api_name="/keyframes_to_sign")):
            assert f.name in message and re.search(r"(?i)pickle", message), message
    assert not marker.exists()


def test_bombs_are_refused_from_their_headers(server, tmp_path, pose_file):
    from gradio_client import handle_file

    server.client.predict(handle_file(str(pose_file)), "", "onset_middle_offset", api_name="/segment")  # warm
    peak = _peak_rss_mb(server.proc.pid)
    bomb = tmp_path / "bomb.npz"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        for k, v in pose_members().items():
            if k != "body_pose.npy":
                zf.writestr(k, v)
        header = io.BytesIO()
        np.lib.format.write_array_header_1_0(header, {"descr": "<f4", "fortran_order": False,
                                                      "shape": (400_000, 63)})
        info = zipfile.ZipInfo("body_pose.npy")
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w", force_zip64=True) as fh:  # 100 MB of zeros, deflated to about 100 kB
            fh.write(header.getvalue())
            for _ in range(25):
                fh.write(bytes(400_000 * 63 * 4 // 25))
    assert bomb.stat().st_size < 1_000_000
    deep = tmp_path / "deep.json"
    deep.write_text('{"num_frames": 10, "keyframes": ' + "[" * 200_000 + "]" * 200_000 + "}")
    for message in (server.refused(handle_file(str(bomb)), "", "ASL", api_name="/load_keyframes"),
                    server.refused(handle_file(str(bomb)), "", "onset_middle_offset", api_name="/segment")):
        assert "bomb.npz" in message and "body_pose" in message, message
    message = server.refused(handle_file(str(deep)), "", "ASL", api_name="/load_keyframes")
    assert "deep.json" in message and "nested" in message, message
    assert _peak_rss_mb(server.proc.pid) - peak < PEAK_GROWTH_MB


def test_files_not_uploaded_are_refused(server, pose_file):
    """A FileData naming a file of the server (or the caller's own path) is not read."""
    for path in (str(pose_file), "/etc/passwd.npz", f"{server.scratch}/gradio/../server.npz", "x.npz"):
        file_data = {"path": path, "meta": {"_type": "gradio.FileData"}}
        message = server.raw("/segment", [file_data, "", "onset_middle_offset"])
        assert "was not uploaded to this server" in message, message
    assert "must be a .npz or .mdb file" in server.raw(
        "/segment", [{"path": "/etc/passwd", "meta": {"_type": "gradio.FileData"}}, "", "onset_middle_offset"])


def test_a_broken_upload_is_named_by_its_base_name(server, tmp_path):
    from gradio_client import handle_file

    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    message = server.refused(handle_file(str(broken)), "", "onset_middle_offset", api_name="/segment")
    assert "broken.npz" in message


def test_an_unknown_endpoint_is_named(server):
    """Gradio answered 500 Internal Server Error (no message) and logged a traceback."""
    for route in ("call", "run"):
        req = urllib.request.Request(f"{server.url}gradio_api/{route}/no_such_endpoint",
                                     data=json.dumps({"data": ["x"]}).encode(),
                                     headers={"Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(req, timeout=30)
        assert e.value.code == 404
        message = server.check_message(json.loads(e.value.read())["detail"])
        assert message.startswith("There is no API endpoint /no_such_endpoint"), message


# ---------------------------------------------------------------------------------------------- afterwards
def test_server_still_answers(server, pose_file):
    from gradio_client import handle_file

    assert server.proc.poll() is None and server.answers()
    video, *_, status, _, _ = server.client.predict(**T2S, api_name="/text_to_sign")
    assert Path(video).stat().st_size > 1000 and "rendered (skeleton)" in status
    table, total, _ = server.client.predict(handle_file(str(pose_file)), "", "ASL", api_name="/load_keyframes")
    assert total == 16 and [r[0] for r in table["data"]] == [0, 8, 15]
    assert "Traceback" not in server.log.read_text()  # refusals are logged as messages, not as crashes
