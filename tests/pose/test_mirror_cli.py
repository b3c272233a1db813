"""`--left-handed` on `signspark generate` and `signspark render`."""

import numpy as np

from signspark.cli import build_parser, main
from signspark.pose import PoseSequence
from signspark.pose.mirror import mirror_sequence


def test_generate_left_handed_is_the_mirrored_output(tmp_path):
    common = ["generate", "ab", "--lang", "ASL", "--steps", "1", "--guidance", "1", "--seed", "3", "--frames", "16"]
    right, left = tmp_path / "right.npz", tmp_path / "left.npz"
    assert main(common + ["-o", str(right)]) == 0
    assert main(common + ["-o", str(left), "--left-handed"]) == 0
    a, b = PoseSequence.load(right), PoseSequence.load(left)
    expected = mirror_sequence(a)
    for k in a.params:
        np.testing.assert_allclose(b.params[k], expected.params[k], atol=1e-6, err_msg=k)
    assert b.text == a.text and np.array_equal(b.segments, a.segments)


def test_help_documents_the_flag():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name in ("generate", "render"):
        assert "--left-handed" in sub.choices[name].format_help()


def test_render_left_handed_renders_the_mirrored_pose(tmp_path, monkeypatch):
    import signspark.render as render

    T = 3
    seq = PoseSequence.zeros(T, fps=10)
    seq.params["right_hand_pose"][:] = 0.3
    seq.params["body_pose"][:, 3 * 16 + 2] = 1.0  # right shoulder raised
    path = seq.save(tmp_path / "clip.npz")
    seen = []

    def fake_render_video(s, out, options, compare=None, body_model=None, progress=None):
        seen.append(s)
        return out

    monkeypatch.setattr(render, "render_video", fake_render_video)
    assert main(["render", str(path), "-o", str(tmp_path / "x.mp4"), "--backend", "skeleton", "--left-handed"]) == 0
    expected = mirror_sequence(seq)
    for k in seq.params:
        np.testing.assert_allclose(seen[0].params[k], expected.params[k], err_msg=k)
