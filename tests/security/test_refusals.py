"""Inputs that hung, crashed with a traceback or left files behind before (found by ``bench/hostile.py``).

Each test builds its hostile input here and checks the refusal: a message naming the problem, no
traceback, nothing left at the destination. A read that could block (a FIFO) runs in a child
process with a timeout, so that a regression fails instead of hanging the test run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BLOCKING_TIMEOUT_S = 60  # a read that returns at all returns in well under a second


def _in_child(code: str) -> subprocess.CompletedProcess:
    """``code`` in a fresh interpreter with this checkout first on the path; fails the test if it blocks."""
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    try:
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                              timeout=BLOCKING_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        pytest.fail(f"blocked for {BLOCKING_TIMEOUT_S} s: {code}")


# ---------------------------------------------------------------------------------------------- FIFOs, devices
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
@pytest.mark.parametrize("reader, name", [("signspark.npz:read_npz", "clip.npz"),
                                          ("signspark.safe_json:load_json", "keyframes.json"),
                                          ("signspark.pose.sequence:PoseSequence.load", "clip.npz")])
def test_a_named_pipe_is_refused_without_blocking(tmp_path, reader, name):
    fifo = tmp_path / name
    os.mkfifo(fifo)
    module, attr = reader.split(":")
    out = _in_child(f"import {module} as m\n"
                    f"try:\n    m.{attr}({str(fifo)!r})\n"
                    f"except ValueError as e:\n    print('refused:', e)\n")
    assert out.returncode == 0, out.stderr
    assert f"refused: {fifo}: not a regular file (a named pipe, device or socket)" in out.stdout


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_capture_names_a_named_pipe(tmp_path):
    """capture's readers said "no such file" for a FIFO that exists."""
    from signspark.capture.frames import FrameError, open_frames
    from signspark.capture.pose_format_io import PoseFormatError, read_pose

    for name in ("clip.mp4", "clip.pose"):
        os.mkfifo(tmp_path / name)
    with pytest.raises(FrameError, match="not a regular file"):
        open_frames(tmp_path / "clip.mp4")
    with pytest.raises(PoseFormatError, match="not a regular file"):
        read_pose(tmp_path / "clip.pose")
    with pytest.raises(PoseFormatError, match="no such file"):
        read_pose(tmp_path / "missing.pose")


def test_a_device_and_a_folder_are_named(tmp_path):
    from signspark.npz import NpzError, read_npz
    from signspark.safe_json import JsonInputError, load_json

    if Path("/dev/zero").exists():
        with pytest.raises(NpzError, match="not a regular file"):
            read_npz("/dev/zero")
    with pytest.raises(NpzError, match="is a folder, not a .npz file"):
        read_npz(tmp_path)
    with pytest.raises(JsonInputError, match="is a folder, not a JSON file"):
        load_json(tmp_path)
    with pytest.raises(JsonInputError, match="no such file"):
        load_json(tmp_path / "missing.json")


# ---------------------------------------------------------------------------------------------- model folders
@pytest.mark.parametrize("text, expected", [("[" * 100_000 + "]" * 100_000, "nested 100000 levels deep"),
                                            ('{"model_type": NaN}', "NaN is not a valid number"),
                                            ("[1, 2]", "expected a JSON object, got list")])
def test_a_hostile_config_json_is_a_message(tmp_path, text, expected):
    """A deeply nested config.json raised RecursionError (a traceback) from `generate --model` and `segment --model`."""
    from signspark import hub
    from signspark.segment.model import FastConfig

    (tmp_path / "config.json").write_text(text)
    with pytest.raises(ValueError, match=expected):
        hub.load_config(tmp_path)
    with pytest.raises(ValueError, match=expected):
        FastConfig.load(tmp_path / "config.json")


def test_generate_with_a_deep_config_exits_with_a_message(tmp_path, capsys):
    from signspark.cli import main

    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "config.json").write_text("[" * 100_000 + "]" * 100_000)
    assert main(["generate", "hi", "--model", str(tmp_path / "model"), "-o", str(tmp_path / "x.npz")]) == 2
    err = capsys.readouterr().err
    assert "config.json: arrays and objects are nested 100000 levels deep" in err and "Traceback" not in err
    assert not (tmp_path / "x.npz").exists()


# ---------------------------------------------------------------------------------------------- destinations
def test_check_writable_names_the_problem_and_creates_nothing(tmp_path):
    from signspark.atomic import OutputError, check_writable

    (tmp_path / "folder.mp4").mkdir()
    (tmp_path / "a_file").write_text("x")
    with pytest.raises(OutputError, match="folder.mp4: it is a folder"):
        check_writable(tmp_path / "folder.mp4")
    with pytest.raises(OutputError, match="a_file is not a folder"):
        check_writable(tmp_path / "a_file" / "deeper" / "out.mp4")
    if Path("/proc/self").is_dir():  # a virtual file system that takes no new files, even from root
        with pytest.raises(OutputError, match="cannot create a file in /proc"):
            check_writable("/proc/out.npz")
    assert check_writable(tmp_path / "new" / "deeper" / "out.mp4") == tmp_path / "new" / "deeper" / "out.mp4"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file", "folder.mp4"]  # nothing made, nothing left


def test_a_video_whose_name_is_taken_by_a_folder_leaves_no_temporary(tmp_path):
    import numpy as np

    from signspark.atomic import OutputError
    from signspark.render.video import Mp4Writer

    (tmp_path / "clip.mp4").mkdir()
    writer = Mp4Writer(tmp_path / "clip.mp4", fps=25)
    for _ in range(2):
        writer.write(np.zeros((16, 16, 3), np.uint8))
    with pytest.raises(OutputError, match="cannot write .*clip.mp4"):
        writer.close()
    assert [p.name for p in tmp_path.iterdir()] == ["clip.mp4"]


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    from signspark.pose.sequence import PoseSequence

    return PoseSequence.zeros(4, text="hi").save(tmp_path_factory.mktemp("clip") / "clip.npz")


def test_render_refuses_an_unwritable_ply_before_rendering(tmp_path, clip, capsys):
    """The video was rendered and written, then the .ply failed: exit 2 with the video left behind."""
    from signspark.cli import main

    (tmp_path / "frame.ply").mkdir()
    argv = ["render", str(clip), "-o", str(tmp_path / "out.mp4"), "--backend", "skeleton", "--size", "32",
            "--ply-frame", "1", "--ply", str(tmp_path / "frame.ply")]
    assert main(argv) == 2
    assert "frame.ply: it is a folder" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["frame.ply"]


def test_capture_refuses_unwritable_landmarks_before_capturing(tmp_path, capsys):
    """The .npz was written, then the .pose failed: exit 2 with the .npz left behind."""
    from signspark.cli import main

    (tmp_path / "in.pose").write_bytes(b"not read: the outputs are checked first")
    (tmp_path / "a_file").write_text("x")
    argv = ["capture", str(tmp_path / "in.pose"), "-o", str(tmp_path / "out.npz"), "--landmarks",
            str(tmp_path / "a_file" / "out.pose"), "--no-progress"]
    assert main(argv) == 2
    assert "a_file is not a folder" in capsys.readouterr().err
    assert not (tmp_path / "out.npz").exists()


# ---------------------------------------------------------------------------------------------- numeric options
@pytest.mark.parametrize("option, expected", [
    (["--threads", "0"], "--threads must be an integer in [1, 256], got 0"),  # was taken as 1
    (["--threads", "-5"], "--threads must be an integer in [1, 256], got -5"),
    (["--threads", "1000000000"], "--threads must be an integer in [1, 256]"),  # libgomp ran out of memory
    (["--iterations", "1000000000", "1000000000"], "--iterations must be an integer in [0, 2000]"),  # ran for days
    (["--iterations", "-1", "0"], "--iterations must be an integer in [0, 2000], got -1"),
])
def test_capture_numbers_are_checked_before_any_work(tmp_path, capsys, option, expected):
    from signspark.cli import main

    (tmp_path / "in.pose").write_bytes(b"not read: the options are checked first")
    assert main(["capture", str(tmp_path / "in.pose"), "-o", str(tmp_path / "out.npz"), "--no-progress",
                 *option]) == 2
    assert expected in capsys.readouterr().err
    assert not (tmp_path / "out.npz").exists()


def test_fit_options_bound_the_iterations():
    from signspark.capture import FitOptions

    with pytest.raises(ValueError, match="hand_iterations must be at most 2000"):
        FitOptions(hand_iterations=10**9).check()
    assert FitOptions(hand_iterations=2000, body_iterations=0).check().hand_iterations == 2000


# ---------------------------------------------------------------------------------------------- leftovers
def test_a_dataset_capture_where_every_clip_fails_leaves_no_work_folder(tmp_path):
    from signspark.capture import FitOptions
    from signspark.capture.batch import capture_to_lmdb

    clips = []
    for name in ("a.pose", "b.pose"):
        clips.append(tmp_path / name)
        clips[-1].write_bytes(os.urandom(300))
    out = tmp_path / "out" / "x_train.lmdb"
    report = capture_to_lmdb(clips, out, language="ASL", workers=1, progress=False,
                             options=FitOptions(hand_iterations=0, body_iterations=0))
    assert report.lmdb is None and [name for name, _ in report.failures] == ["a.pose", "b.pose"]
    assert not (tmp_path / "out").exists()  # neither the LMDB, nor its work folder, nor the folder made for them
    kept = tmp_path / "kept.parts"  # a work folder that was there before is the user's: kept
    kept.mkdir()
    capture_to_lmdb(clips, out, language="ASL", workers=1, progress=False, parts=kept,
                    options=FitOptions(hand_iterations=0, body_iterations=0))
    assert kept.is_dir()


# ---------------------------------------------------------------------------------------------- download
@pytest.mark.parametrize("argv, expected", [
    (["model", "../../etc"], "the model '../../etc' is not a Hub repo id"),  # printed the folder, exit 0
    (["model", ""], "the model '' is not a Hub repo id"),  # printed ".", exit 0
    (["model", "a" * 5000], "(5000 characters) is not a Hub repo id"),  # "File name too long"
    (["mclip", "--repo", "/etc"], "--repo '/etc' is not a Hub repo id"),
    (["official", "--repo", "org/"], "--repo 'org/' is not a Hub repo id"),
])
def test_download_takes_only_hub_repo_ids(monkeypatch, tmp_path, capsys, argv, expected):
    from signspark.cli import main

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    assert main(["download", *argv]) == 2
    assert expected in capsys.readouterr().err


@pytest.mark.parametrize("workers", ["1000000", "0"])
def test_cache_warm_bounds_its_workers(monkeypatch, tmp_path, capsys, workers):
    """--workers 1000000 was taken: one process per batch of signs, each loading the lexicon and torch."""
    from signspark.cli import main

    monkeypatch.setenv("SIGNSPARK_CACHE_DIR", str(tmp_path))
    assert main(["cache", "warm", "--workers", workers, "--signs", "HAUS", "--no-progress"]) == 2
    assert f"--workers must be an integer in [1, 64], got {workers}" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------- folders
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs symlinks and named pipes")
def test_segment_walks_a_folder_with_links_to_itself_once(tmp_path):
    """Two links back to the folder made 2**40 paths to walk (a hang); a FIFO among the clips blocked the reader."""
    folder = tmp_path / "clips"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "clip.npz").write_bytes(b"")
    for name in ("a", "b"):
        os.symlink(folder, folder / name)
    os.symlink(folder, folder / "sub" / "up")
    os.mkfifo(folder / "pipe.npz")
    out = _in_child(f"from signspark.segment.sources import find_inputs\n"
                    f"print([str(p) for p in find_inputs({str(folder)!r})])")
    assert out.returncode == 0, out.stderr
    assert eval(out.stdout) == [str(folder / "sub" / "clip.npz")]


def test_segment_names_a_named_pipe_given_as_input(tmp_path):
    from signspark.segment.sources import find_inputs

    os.mkfifo(tmp_path / "pipe.npz")
    with pytest.raises(FileNotFoundError, match="not a regular file or a folder"):
        find_inputs(tmp_path / "pipe.npz")


# ---------------------------------------------------------------------------------------------- text
def test_text_that_is_not_unicode_is_named(tmp_path):
    """Bytes that are not UTF-8 in argv (and lone surrogates from the API) failed with "'utf-8' codec can't encode"."""
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    out = subprocess.run([sys.executable, "-m", "signspark", "generate", b"h\xff\xfei", "--steps", "1", "-o",
                          str(tmp_path / "x.npz")], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 2, out.stderr
    assert "the text is not valid Unicode: character 2 is '\\udcff'" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "x.npz").exists()


def test_keyframes_from_the_lexicon_name_a_missing_language():
    """/load_keyframes with language null answered "Loading keyframes failed (AttributeError: ...)"."""
    from signspark.keyframe_edit import PoseSource

    for language in (None, "", "Klingon"):
        with pytest.raises(ValueError, match=r"unknown sign language .*; known: ASL"):
            PoseSource.from_text("hi", language)
    assert PoseSource.from_text("hi", "asl") is PoseSource.from_text("hi", "ASL")  # one cached take


# ---------------------------------------------------------------------------------------------- the demo
def test_an_unavailable_renderer_is_a_refusal_in_the_server_log(caplog):
    """Choosing gsplat on a server without CUDA logged a traceback, as if the server had failed."""
    import logging

    import gradio as gr

    from demo import handlers as H
    from signspark.render.backends.base import BackendUnavailableError

    with caplog.at_level(logging.INFO), pytest.raises(gr.Error, match="Renderer backend 'gsplat' is not available"):
        with H._readable_errors("Rendering"):
            raise BackendUnavailableError("renderer backend 'gsplat' is not available: needs a CUDA GPU")
    assert [r.exc_info for r in caplog.records] == [None]
    assert "gsplat" in caplog.records[0].getMessage()


# ---------------------------------------------------------------------------------------------- evaluate
@pytest.mark.parametrize("spec, expected", [("json:dumps", r"json:dumps\(\) failed: TypeError"),
                                            ("json:__name__", "json:__name__ is a str, not a factory to call"),
                                            ("os:getcwd", r"os:getcwd\(\) returned str")])
def test_a_back_translator_that_fails_is_named(spec, expected):
    """`evaluate --back-translator json:dumps` ended with a TypeError traceback."""
    from signspark.eval.back_translation import load_back_translator

    with pytest.raises(ValueError, match=expected):
        load_back_translator(spec)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_keyframe_file_that_is_not_a_file_is_named(tmp_path):
    """A folder or a FIFO given as --keyframes was reported as "no such keyframe file"."""
    from signspark.keyframes import KeyframeFileError, Keyframes

    (tmp_path / "dir.json").mkdir()
    os.mkfifo(tmp_path / "pipe.npz")
    with pytest.raises(KeyframeFileError, match="dir.json: is a folder, not a keyframe file"):
        Keyframes.load(tmp_path / "dir.json")
    with pytest.raises(KeyframeFileError, match="pipe.npz: not a regular file"):
        Keyframes.load(tmp_path / "pipe.npz")
    with pytest.raises(KeyframeFileError, match="missing.json: no such keyframe file"):
        Keyframes.load(tmp_path / "missing.json")


def test_corpus_out_that_is_a_file_is_named(tmp_path, capsys):
    """corpus --out FILE ended with a raw '[Errno 20] Not a directory'."""
    from signspark.cli import main

    target = tmp_path / "corpus"
    target.write_text("not a folder")
    assert main(["corpus", "--out", str(target), "--clips", "10", "--no-progress"]) == 2
    assert "exists and is not a folder" in capsys.readouterr().err
    assert target.read_text() == "not a folder"
