"""The shared validation layer of numeric options, and the CLI commands that use it."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from signspark.atomic import OutputError, atomic_file
from signspark.cli import main
from signspark.keyframes import uniform_per_segment
from signspark.options import RANGES, OptionError, check, check_device, describe


@pytest.mark.parametrize("name, value, expected", [
    ("steps", 8, 8), ("steps", "4", 4), ("steps", 3.0, 3), ("guidance", 2, 2.0), ("guidance", "1.5", 1.5),
    ("seed", 0, 0), ("seed", 2**32 - 1, 2**32 - 1), ("speed", 0.25, 0.25), ("fps", 240, 240.0),
    ("frames", None, None), ("threads", np.int64(2), 2),
])
def test_values_in_range_are_returned_converted(name, value, expected):
    out = check(name, value)
    assert out == expected and type(out) is type(expected)


@pytest.mark.parametrize("name, value, message", [
    ("guidance", -1e30, r"--guidance must be a number in \[0, 20\], got -1e\+30"),
    ("guidance", 1e6, r"--guidance must be a number in \[0, 20\], got 1e\+06"),
    ("guidance", math.nan, r"--guidance must be a number in \[0, 20\], got nan"),
    ("guidance", "inf", "--guidance .* got inf"),
    ("seed", -1, r"--seed must be an integer in \[0, 4294967295\], got -1"),
    ("seed", 10**30, r"--seed must be an integer .* got 1000000000000000000000000000000"),
    ("seed", 10**100, r"\(101 digits\)"),
    ("steps", 2.5, "--steps must be an integer"), ("steps", True, "--steps"), ("steps", "many", "--steps"),
    ("speed", 0.01, r"--speed must be a number in \[0.25, 4\], got 0.01"),
    ("fps", 0, r"--fps must be a number in \(0, 240\]"),
    ("threads", -3, r"--threads must be an integer in \[1, 256\], got -3"),
    ("per_segment", 10**9, "--per-segment"), ("clips", 10**12, "--clips"),
])
def test_bad_values_name_the_option(name, value, message):
    with pytest.raises(OptionError, match=message):
        check(name, value)


def test_callers_may_narrow_a_range_and_give_a_default():
    assert check("steps", "", label="Sampling steps", high=50, default=8) == 8
    with pytest.raises(OptionError, match=r"^Sampling steps must be an integer in \[1, 50\], got 51"):
        check("steps", 51, label="Sampling steps", high=50)
    with pytest.raises(ValueError, match="not within"):
        check("steps", 5, high=5000)


def test_label_and_description():
    with pytest.raises(OptionError, match=r"^Seed must be"):
        check("seed", -5, label="Seed")
    assert describe("steps") == "an integer in [1, 1000]" and set(RANGES) >= {"steps", "guidance", "seed", "speed"}


def test_devices():
    assert check_device(None) is None and check_device("cpu") == "cpu"
    with pytest.raises(OptionError, match=r"--device 'tpu9' is not a device; use cpu, cuda, cuda:N or mps"):
        check_device("tpu9")
    if not torch.cuda.is_available():
        with pytest.raises(OptionError, match="--device cuda: CUDA is not available"):
            check_device("cuda")
    with pytest.raises(OptionError, match="--device"):
        check_device("cuda:99")


@pytest.mark.parametrize("argv, message", [
    (["generate", "hi", "-o", "x.npz", "--guidance=-1e30"], "--guidance must be a number in [0, 20]"),
    (["generate", "hi", "-o", "x.npz", "--guidance", "nan"], "--guidance must be a number in [0, 20], got nan"),
    (["generate", "hi", "-o", "x.npz", "--seed", "-1"], "--seed must be an integer"),
    (["generate", "hi", "-o", "x.npz", "--seed", "99999999999999999999999"], "--seed must be an integer"),
    (["generate", "hi", "-o", "x.npz", "--speed", "0.0001"], "--speed must be a number in [0.25, 4]"),
    (["generate", "hi", "-o", "x.npz", "--speed", "0.01"], "--speed must be a number in [0.25, 4]"),
    (["generate", "hi", "-o", "x.npz", "--frames", "5000"], "--frames must be an integer in [1, 1024]"),
    (["generate", "hi", "-o", "x.npz", "--device", "tpu9"], "--device 'tpu9' is not a device"),
    (["render", "x.npz", "-o", "x.mp4", "--threads", "-3"], "--threads must be an integer in [1, 256], got -3"),
    (["render", "x.npz", "-o", "x.mp4", "--size", "100000"], "--size must be an integer in [16, 4096]"),
    (["segment", "x.npz", "-o", "x.json", "--policy", "uniform", "--per-segment", "1000000000"],
     "--per-segment must be an integer in [1, 1000]"),
    (["evaluate", "--data", "d", "-o", "r", "--steps", "0"], "--steps must be an integer in [1, 1000], got 0"),
    (["evaluate", "--data", "d", "-o", "r", "--guidance", "inf"], "--guidance must be a number"),
])
def test_cli_refuses_before_any_work(tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("extra, message", [
    (["--seed", "-1"], "--seed must be an integer"), (["--clips", "1000000000000"], "--clips must be an integer"),
    (["--splits", "2", "-1", "0"], "--splits must be a number in [0, 1]"),
])
def test_corpus_refuses_before_creating_its_folder(tmp_path, capsys, extra, message):
    out = tmp_path / "corpus"
    assert main(["corpus", "--out", str(out), *extra]) == 2
    assert message in capsys.readouterr().err and not out.exists()


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message shown without CUDA")
def test_cuda_without_cuda_is_a_message(tmp_path, capsys):
    assert main(["generate", "hi", "-o", str(tmp_path / "x.npz"), "--device", "cuda"]) == 2
    assert "CUDA is not available" in capsys.readouterr().err


def test_uniform_policy_work_is_bounded_by_the_segment():
    assert uniform_per_segment([(0, 9), (20, 22)], k=10**9) == list(range(10)) + [20, 21, 22]
    assert uniform_per_segment([(0, 9)], k=10) == list(range(10))  # k == length: the same result as before
    assert uniform_per_segment([(0, 9)], k=4) == [0, 3, 6, 9]


def test_unwritable_output_names_the_output_not_the_temporary_file(tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    target = blocker / "out.npz"
    with pytest.raises(OutputError) as e:
        with atomic_file(target) as fh:
            fh.write(b"x")
    assert str(e.value).startswith(f"cannot write {target}: cannot create the folder {blocker}")
    assert ".tmp" not in str(e.value)


def test_demo_fields_narrow_the_shared_ranges_under_their_labels():
    from signspark.options import FIELDS, MAX_DEMO_FRAMES, check_field

    for name in FIELDS:  # every field lies within its option's range (check raises ValueError if not)
        assert check_field(name, None, default="unset") == "unset"
    assert check_field("steps", "8") == 8 and check_field("ply_frame", -1) == -1
    assert check_field("total_frames", 0) == 0 and check_field("total_frames", MAX_DEMO_FRAMES) == MAX_DEMO_FRAMES
    for name, value, message in [
        ("steps", 51, r"^Sampling steps must be an integer in \[1, 50\], got 51$"),
        ("guidance", "nan", r"^Guidance must be a number in \[0, 10\], got nan$"),
        ("practice_speed", 3, r"^Signing speed must be a number in \[0.25, 2\], got 3"),
        ("ply_frame", -2, r"^3D frame must be an integer in \[-1, 750\], got -2$"),
        ("total_frames", 751, r"^Total frames must be an integer in \[0, 750\], got 751$"),
        ("seed", "x" * 10_000, r"^Seed must be .* got 'x{39}\.\.\.x{9}' \(10002 characters\)$"),
    ]:
        with pytest.raises(OptionError, match=message):
            check_field(name, value)
