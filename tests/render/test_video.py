import queue
import subprocess
import sys
import threading

import imageio_ffmpeg
import numpy as np
import pytest

from signspark.render import Mp4Writer


def probe(path) -> str:
    """ffmpeg's description of the file's streams (stderr of ``ffmpeg -i``)."""
    r = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)],
                       capture_output=True, text=True)
    return r.stderr


def _frames(n, h=48, w=64):
    for i in range(n):
        f = np.zeros((h, w, 3), np.uint8)
        f[:, : (i * 7) % w] = (200, 30, 30)
        yield f


def test_mp4_is_h264_yuv420p_faststart(tmp_path):
    path = tmp_path / "clip.mp4"
    with Mp4Writer(path, fps=25) as w:
        for f in _frames(12):
            w.write(f)
    info = probe(path)
    assert "h264" in info and "yuv420p" in info and "25 fps" in info
    raw = path.read_bytes()
    assert raw.index(b"moov") < raw.index(b"mdat")  # +faststart: index first, browsers start at once
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    assert meta["size"] == (64, 48)
    assert sum(1 for _ in reader) == 12
    assert [p.name for p in tmp_path.iterdir()] == ["clip.mp4"]


def test_odd_sizes_are_padded_to_even(tmp_path):
    path = tmp_path / "odd.mp4"
    with Mp4Writer(path, fps=10) as w:
        for f in _frames(3, 33, 45):
            w.write(f)
    assert "46x34" in probe(path)


def test_failure_leaves_no_file_and_keeps_an_old_one(tmp_path):
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError, match="boom"):
        with Mp4Writer(path, fps=25) as w:
            for i, f in enumerate(_frames(5)):
                w.write(f)
                if i == 2:
                    raise RuntimeError("boom")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["clip.mp4"]


def test_bad_writer_input():
    with pytest.raises(ValueError, match=".mp4"):
        Mp4Writer("x.avi", fps=25)
    with pytest.raises(ValueError, match="fps"):
        Mp4Writer("x.mp4", fps=0)
    w = Mp4Writer("unused.mp4", fps=25)
    with pytest.raises(ValueError, match="uint8"):
        w.write(np.zeros((4, 4, 3), np.float32))


def test_an_encoder_failure_in_the_feeding_thread_is_reported_and_cleans_up(tmp_path):
    from signspark.render import VideoError

    class BrokenPipe:
        def send(self, data):
            raise OSError("broken pipe")

        def close(self):
            pass

    path = tmp_path / "clip.mp4"
    frames = list(_frames(6))
    w = Mp4Writer(path, fps=25)
    w.write(frames[0])
    w._stop_feeder()  # let the first frame through, then break the pipe
    w._gen.close()  # the real encoder ends here
    w._gen = BrokenPipe()
    w._queue = queue.Queue(maxsize=4)
    w._feeder = threading.Thread(target=w._feed, daemon=True)
    w._feeder.start()
    with pytest.raises(VideoError, match="broken pipe"):
        for f in frames[1:]:
            w.write(f)
        w.close()
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []


_SLOW_WRITER = """
import sys, time
import numpy as np
from signspark.render.video import Mp4Writer
w = Mp4Writer(sys.argv[1], fps=25)
frame = np.zeros((64, 64, 3), np.uint8)
w.write(frame)
print(w._gen.proc.pid, flush=True)
for i in range(100000):
    w.write(frame)
    time.sleep(0.01)
"""


def _gone(pid: int, timeout: float = 10.0) -> bool:
    import os
    import time

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            os.kill(pid, 0)
            with open(f"/proc/{pid}/stat") as fh:  # a zombie waiting for its (dead) parent counts as gone
                if fh.read().split(")")[-1].split()[0] == "Z":
                    return True
        except (ProcessLookupError, FileNotFoundError):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the encoder is tied to its parent on Linux")
def test_killed_writer_takes_its_encoder_along_and_its_temporary_file_is_removed_later(tmp_path):
    import signal

    path = tmp_path / "clip.mp4"
    proc = subprocess.Popen([sys.executable, "-c", _SLOW_WRITER, str(path)], stdout=subprocess.PIPE, text=True)
    ffmpeg_pid = int(proc.stdout.readline())
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert _gone(ffmpeg_pid), "ffmpeg outlived the killed writer"
    left = [p.name for p in tmp_path.iterdir()]
    assert len(left) == 1 and left[0].startswith(".clip.mp4.") and left[0].endswith(".tmp.mp4")
    with Mp4Writer(path, fps=25) as w:  # the next write of the same target clears the leftover
        w.write(np.zeros((64, 64, 3), np.uint8))
    assert [p.name for p in tmp_path.iterdir()] == ["clip.mp4"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs /proc")
def test_terminated_render_command_cleans_up(tmp_path):
    """SIGTERM to `signspark render` stops the encoder and removes the temporary video."""
    import signal
    import time

    from signspark.pose.sequence import PoseSequence

    seq = PoseSequence.zeros(20000).save(tmp_path / "long.npz")  # long enough to be stopped on a fast machine
    out = tmp_path / "out" / "long.mp4"
    with open(tmp_path / "stderr.txt", "w") as err:  # a file, not a pipe: progress output never blocks
        proc = subprocess.Popen([sys.executable, "-m", "signspark", "render", str(seq), "-o", str(out),
                                 "--backend", "skeleton", "--size", "64"], stderr=err)
    log = lambda: (tmp_path / "stderr.txt").read_text()[-2000:]  # noqa: E731
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (out.parent.is_dir() and list(out.parent.glob(".*.tmp.mp4"))):
        if proc.poll() is not None:
            pytest.fail(f"render ended before it could be stopped: {log()}")
        time.sleep(0.02)
    children = [int(p) for p in open(f"/proc/{proc.pid}/task/{proc.pid}/children").read().split()]
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 143, log()
    assert all(_gone(pid) for pid in children)
    assert list(out.parent.iterdir()) == []
