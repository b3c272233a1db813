"""`signspark export`: PoseSequence .npz -> animated .glb from the command line."""

import numpy as np
import pytest

from signspark.cli import main
from signspark.pose.mirror import mirror_sequence


@pytest.fixture
def seq_file(clip, tmp_path):
    return clip.save(tmp_path / "clip.npz")


def test_export_writes_a_glb(seq_file, tmp_path, capsys, glb_module):
    out = tmp_path / "out" / "clip.glb"
    assert main(["export", str(seq_file), "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "wrote" in text and "12 frames" in text and "50 expression targets" in text
    g = glb_module.Glb(out.read_bytes())
    assert len(g.json["meshes"][0]["weights"]) == 50


def test_no_expressions_and_vertex_colours(seq_file, tmp_path, glb_module):
    out = tmp_path / "small.glb"
    assert main(["export", str(seq_file), "-o", str(out), "--no-expressions", "--colors", "vertex"]) == 0
    g = glb_module.Glb(out.read_bytes())
    (prim,) = g.json["meshes"][0]["primitives"]
    assert "COLOR_0" in prim["attributes"] and "targets" not in prim
    assert out.stat().st_size < 1.5e6


def test_left_handed_exports_the_mirrored_pose(seq_file, clip, body, tmp_path):
    a, b = tmp_path / "a.glb", tmp_path / "b.glb"
    mirrored = mirror_sequence(clip, body).save(tmp_path / "mirrored.npz")
    assert main(["export", str(seq_file), "-o", str(a), "--left-handed", "--no-expressions"]) == 0
    assert main(["export", str(mirrored), "-o", str(b), "--no-expressions"]) == 0
    assert a.read_bytes() == b.read_bytes()


@pytest.mark.parametrize("args, message", [
    (["-o", "{tmp}/x.gltf"], "must end in .glb"),
    (["-o", "{tmp}/x.glb", "--colors", "vertex"], None),
])
def test_errors(seq_file, tmp_path, capsys, args, message):
    args = [a.format(tmp=tmp_path) for a in args]
    rc = main(["export", str(seq_file)] + args)
    if message is None:
        assert rc == 0
    else:
        assert rc == 2 and message in capsys.readouterr().err


def test_bad_input_files(tmp_path, capsys):
    assert main(["export", str(tmp_path / "missing.npz"), "-o", str(tmp_path / "x.glb")]) == 2
    assert "no such file" in capsys.readouterr().err
    bad = tmp_path / "bad.npz"
    np.savez(bad, body_pose=np.zeros((3, 10), np.float32))
    assert main(["export", str(bad), "-o", str(tmp_path / "x.glb")]) == 2
    assert "missing SMPL-X keys" in capsys.readouterr().err
    assert not (tmp_path / "x.glb").exists()


def test_help_lists_the_command(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "export" in capsys.readouterr().out
