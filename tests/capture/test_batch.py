"""``signspark capture DIR --lmdb``: a folder of clips -> one official-schema LMDB that training reads.

One rendered video, one ``.pose`` file (our own body's landmarks), one broken file and one clip the
CSV does not name; two worker processes. Then: the records, resuming from the work folder, and the
two training scripts reading the file through ``find_lmdb_files`` / ``SignDataset``.
"""

import importlib.util
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from signspark.cli import main

from .conftest import needs_mediapipe

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "train" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def clips(rendered, ideal_landmarks, tmp_path_factory):
    from signspark.capture import write_pose

    folder = tmp_path_factory.mktemp("batch") / "clips"
    folder.mkdir()
    shutil.copy(rendered, folder / "spelled.mp4")
    write_pose(ideal_landmarks, folder / "ideal.pose")
    (folder / "broken.mp4").write_bytes(b"not a video")
    shutil.copy(rendered, folder / "unlisted.mp4")
    csv = folder.parent / "texts.csv"
    csv.write_text('file,text\nspelled.mp4,"b, l"\nideal,the same letters\nbroken.mp4,nothing\n', encoding="utf-8")
    return folder, csv


@pytest.fixture(scope="module")
def batch(clips):
    """The batch run once with two workers: (base folder, lmdb path, exit code, stderr)."""
    import contextlib
    import io

    folder, csv = clips
    base = folder.parent / "data"
    out = base / "train" / "captured_train.lmdb"
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["capture", str(folder), "--lmdb", str(out), "--language", "asl", "--text-from", str(csv),
                     "--workers", "2", "--iterations", "5", "5", "--fov", "25", "--no-progress"])
    return base, out, code, err.getvalue()


@needs_mediapipe
def test_batch_writes_official_records_and_reports_bad_files(batch, rendered):
    from signspark.data import LmdbClipStore

    base, out, code, err = batch
    assert code == 1, err
    assert "broken.mp4" in err and "unlisted.mp4: not in the text CSV; skipped" in err
    assert "2 of 4 clips failed or were skipped" in err
    with LmdbClipStore(out) as store:
        assert store.clip_ids == ["ideal", "spelled"]
        rec = store.read("spelled")
        assert (rec.language, rec.translation, rec.gloss) == ("ASL", "b, l", "")
        assert rec.num_frames == 12 and set(np.unique(rec.segment)) <= {0, 1, 2}
        assert np.abs(rec.right_features).sum() > 0
        assert store.read("ideal").translation == "the same letters"
    parts = out.with_name(out.name + ".parts")
    assert sorted(p.name for p in parts.iterdir()) == ["ideal.npz", "spelled.npz"]


@needs_mediapipe
def test_batch_resumes_from_its_work_folder(batch, clips):
    from signspark.capture import FitOptions
    from signspark.capture.batch import capture_to_lmdb, read_text_csv

    base, out, _, _ = batch
    folder, csv = clips
    inputs = sorted(folder.iterdir())
    options = FitOptions(fov_y=25.0, hand_iterations=5, body_iterations=5)
    texts = read_text_csv(csv)
    texts["ideal"] = "corrected text"
    report = capture_to_lmdb(inputs, out, language="ASL", texts=texts, workers=1, options=options, progress=False)
    assert report.captured == []  # both good clips come from the work folder; the broken one fails again
    assert [name for name, _ in report.failures] == ["unlisted.mp4", "broken.mp4"]
    from signspark.data import LmdbClipStore

    with LmdbClipStore(out) as store:
        assert store.read("ideal").translation == "corrected text"  # text applied at write time
    # other fit settings: the parts are stale and the clip is captured again
    report = capture_to_lmdb([folder / "ideal.pose"], out.with_name("other_train.lmdb"), language="ASL", workers=1,
                             options=FitOptions(fov_y=25.0, hand_iterations=4, body_iterations=4), progress=False,
                             parts=out.with_name(out.name + ".parts"))
    assert report.captured == ["ideal"] and report.failures == []


@needs_mediapipe
def test_training_scripts_read_the_captured_lmdb(batch, tmp_path):
    from signspark.data import SignDataset, find_lmdb_files

    base, out, _, _ = batch
    assert find_lmdb_files(base, "train", ["captured"]) == [out]
    ds = SignDataset(base, "train", names=["captured"], stream="hand", seq_len=16)
    x, y = ds.collate([ds[i] for i in range(len(ds))])
    assert x.shape[0] == 2 and y["text"][0].startswith("<ASL> ")

    fast = _load("train_fast")
    result = fast.main(["--data", str(base), "--train-names", "captured", "--out", str(tmp_path / "fast"),
                        "--hidden", "16", "--layers", "1", "--heads", "2", "--ff-dim", "16", "--window", "16",
                        "--epochs", "1", "--batch-size", "2", "--train-window", "12", "--threads", "1",
                        "--no-progress"])
    assert (tmp_path / "fast" / "model.safetensors").is_file() and result["history"]

    gen = _load("train_generator")
    cfg = tmp_path / "micro.json"
    cfg.write_text(json.dumps({"level_dims": [16, 16, 16], "blocks_per_level": 1, "cond_dim": 16, "time_freqs": 8,
                               "time_hidden": 16, "cond_hidden": 16, "mid_dim": 16, "mid_depth": 1, "heads": 2,
                               "ff_dim": 16}))
    gen.main(["--data", str(base), "--names", "captured", "--preset", "tiny", "--model-config", str(cfg),
              "--seq-len", "16", "--batch-size", "2", "--steps", "2", "--out", str(tmp_path / "gen"),
              "--no-progress"])
    assert any((tmp_path / "gen").iterdir())


def test_batch_argument_errors(tmp_path, capsys):
    folder = tmp_path / "clips"
    folder.mkdir()
    (folder / "a.pose").write_bytes(b"x")
    lmdb = str(tmp_path / "out.lmdb")
    assert main(["capture", str(folder), "--lmdb", lmdb, "--no-progress"]) == 2
    assert "--language" in capsys.readouterr().err
    assert main(["capture", str(folder), "--lmdb", lmdb, "--language", "XYZ"]) == 2
    assert "unknown sign language" in capsys.readouterr().err
    assert main(["capture", str(folder), "--lmdb", str(tmp_path / "out.db"), "--language", "ASL"]) == 2
    assert main(["capture", str(folder), "--lmdb", lmdb, "--language", "ASL", "--workers", "0"]) == 2
    bad_csv = tmp_path / "t.csv"
    bad_csv.write_text("name,words\na,b\n")
    assert main(["capture", str(folder), "--lmdb", lmdb, "--language", "ASL", "--text-from", str(bad_csv)]) == 2
    assert "t.csv" in capsys.readouterr().err
    assert main(["capture", str(folder), "-o", str(tmp_path / "x"), "--workers", "2"]) == 2
    assert not (tmp_path / "out.lmdb").exists()


def test_a_dying_worker_is_replaced_and_its_clip_fails_after_two_tries(tmp_path):
    from signspark.capture.batch import _run_pool

    from .pool_jobs import crash_or_echo

    jobs = [(name, tmp_path / f"{name}.mp4", tmp_path / f"{name}.npz") for name in ("a", "crash", "bb", "ccc")]
    results = {}
    _run_pool(jobs, "{}", 2, None, lambda cid, res: results.__setitem__(cid, res), work=crash_or_echo)
    assert set(results) == {"a", "crash", "bb", "ccc"}
    assert "died twice" in results["crash"]["error"] and "crash.mp4" in results["crash"]["error"]
    assert [results[c].get("frames") for c in ("a", "bb", "ccc")] == [5, 6, 7]
