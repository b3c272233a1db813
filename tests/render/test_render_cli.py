import subprocess

import imageio_ffmpeg
import numpy as np
import pytest

from signspark.cli import main
from signspark.pose import PoseSequence
from signspark.render import load_ply
from signspark.render.backends.base import backend_status


@pytest.fixture
def clip(tmp_path):
    T = 4
    seq = PoseSequence.zeros(T, text="hi", gloss="HI", segments=[[1, 2]], keyframes=[1], fps=12)
    bp = seq.params["body_pose"].reshape(T, 21, 3)
    bp[:, 15, 2], bp[:, 16, 2] = -1.1, 1.1
    bp[:, 17, 1] = np.linspace(-1.2, -1.8, T)
    seq.params["body_pose"] = bp.reshape(T, 63)
    return seq.save(tmp_path / "clip.npz")


def test_render_skeleton_with_compare_and_caption(clip, tmp_path):
    out = tmp_path / "cmp.mp4"
    rc = main(["render", str(clip), "-o", str(out), "--backend", "skeleton", "--size", "96",
               "--compare", str(clip), "--caption", "--background", "#202020"])
    assert rc == 0
    reader = imageio_ffmpeg.read_frames(str(out))
    meta = next(reader)
    assert meta["size"] == (196, 96) and meta["fps"] == 12
    frames = [np.frombuffer(f, np.uint8).reshape(96, 196, 3) for f in reader]
    assert len(frames) == 4
    # Keyframe 1 has the red border, frame 0 does not.
    assert frames[1][1, 40, 0] > 150 and frames[0][1, 40, 0] < 100


def test_render_splats_and_ply_frame(clip, tmp_path):
    backend = "gl" if backend_status("gl")[0] else "torch"
    out = tmp_path / "video.mp4"
    rc = main(["render", str(clip), "-o", str(out), "--backend", backend, "--size", "64", "--view", "hands",
               "--ply-frame", "2", "--fps", "8"])
    assert rc == 0
    info = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(out)],
                          capture_output=True, text=True).stderr
    assert "h264" in info and "yuv420p" in info
    g = load_ply(tmp_path / "video_frame2.ply")
    assert len(g) > 20_000


@pytest.mark.parametrize("backend", ["gl", "torch"])
def test_render_with_a_users_avatar_file(clip, tmp_path, builtin_body, builtin_avatar, backend):
    """--avatar: a 3DGS .ply with its triangle binding, drawn as it is (no built-in lighting)."""
    if not backend_status(backend)[0]:
        pytest.skip(backend_status(backend)[1])
    from signspark.render import save_avatar

    ply, _ = save_avatar(tmp_path / "me.ply", builtin_avatar, body_model=builtin_body)
    out = tmp_path / "me.mp4"
    assert main(["render", str(clip), "-o", str(out), "--backend", backend, "--size", "64", "--avatar", str(ply)]) == 0
    reader = imageio_ffmpeg.read_frames(str(out))
    meta = next(reader)
    frames = [np.frombuffer(f, np.uint8).reshape(64, 64, 3) for f in reader]
    assert meta["size"] == (64, 64) and len(frames) == 4
    assert (frames[0].astype(int).sum(-1) < 600).mean() > 0.05  # the avatar is drawn over the white background


@pytest.mark.parametrize("extra, message", [
    (["--backend", "vulkan"], "invalid choice"),
])
def test_argparse_rejects_bad_choices(clip, tmp_path, extra, message, capsys):
    with pytest.raises(SystemExit):
        main(["render", str(clip), "-o", str(tmp_path / "x.mp4")] + extra)
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("args, message", [
    (["missing.npz", "-o", "x.mp4"], "no such file"),
    (["{clip}", "-o", "x.avi"], "must end in .mp4"),
    (["{clip}", "-o", "x.mp4", "--background", "#12"], "not a colour"),
    (["{clip}", "-o", "x.mp4", "--ply-frame", "9"], "outside the clip"),
    (["{clip}", "-o", "x.mp4", "--size", "3"], "--size"),
    (["{clip}", "-o", "x.mp4", "--compare", "nope.npz"], "no such file"),
])
def test_cli_errors_are_clear(clip, tmp_path, args, message, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = [a.replace("{clip}", str(clip)) for a in args]
    assert main(["render"] + args) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x.mp4").exists()
