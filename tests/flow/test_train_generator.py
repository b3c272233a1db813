"""Training: the loss falls on a tiny synthetic corpus; resuming continues exactly; the final
model folder loads in the pipeline; --push-to-hub goes through signspark.hub."""

import importlib.util
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

ROOT = Path(__file__).resolve().parents[2]
WORDS = ["hello", "thank you", "good morning", "goodbye", "please", "friend"]


def _load_trainer():
    spec = importlib.util.spec_from_file_location("train_generator", ROOT / "train" / "train_generator.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _clip(i: int, rng: np.random.Generator):
    """A clip whose arm/hand motion depends on its word: learnable from text."""
    from signspark.pose.sequence import PoseSequence

    w = i % len(WORDS)
    T = int(rng.integers(20, 33))
    t = np.linspace(0, 1, T, dtype=np.float32)[:, None]
    seq = PoseSequence.zeros(T, language="ASL", text=WORDS[w], segments=np.array([[2, T - 3]]))
    amp = 0.3 + 0.15 * w
    seq.params["body_pose"][:, 45:63] = amp * np.sin(2 * np.pi * (t + 0.1 * w) * np.arange(1, 19)[None] / 6)
    seq.params["right_hand_pose"][:] = amp * np.cos(2 * np.pi * t * np.arange(1, 46)[None] / 20)
    seq.params["left_hand_pose"][:] = -0.5 * seq.params["right_hand_pose"]
    return seq


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    from signspark.data import write_lmdb

    base = tmp_path_factory.mktemp("corpus")
    rng = np.random.default_rng(0)
    write_lmdb(base / "train" / "synthetic_train.lmdb", [(f"clip{i:03d}", _clip(i, rng)) for i in range(36)])
    return base


MICRO = {"level_dims": [24, 32, 48], "blocks_per_level": 1, "cond_dim": 32, "time_freqs": 16, "time_hidden": 64,
         "cond_hidden": 64, "mid_dim": 32, "mid_depth": 1, "heads": 2, "ff_dim": 64}


def _args(corpus, out, steps, extra=()):
    cfg = Path(out).parent / "micro.json"
    cfg.write_text(json.dumps(MICRO))
    return ["--data", str(corpus), "--preset", "tiny", "--model-config", str(cfg), "--seq-len", "32",
            "--batch-size", "6", "--lr", "1e-2", "--ema-decay", "0.9", "--out", str(out), "--steps", str(steps),
            "--no-progress", "--log-every", "5", *extra]


def _eval_loss(model, corpus) -> float:
    """The objective on the whole corpus with fixed noise (averaged over 4 draws)."""
    from signspark.data import SignDataset
    from signspark.flow.objective import FlowObjective
    from signspark.text.builtin import BuiltinTextEncoder

    ds = SignDataset(corpus, "train", seq_len=32)
    x, y = ds.collate([ds[i] for i in range(len(ds))])
    emb = BuiltinTextEncoder().encode(y["text"])
    obj = FlowObjective(text_drop_prob=0.0, keyframe_drop_prob=0.0)
    g = torch.Generator().manual_seed(123)
    with torch.no_grad():
        return float(np.mean([obj(model, x, emb, y["obs_mask"], y["mask"], generator=g)["loss"] for _ in range(4)]))


def test_loss_falls_and_model_loads(corpus, tmp_path, monkeypatch):
    trainer = _load_trainer()
    pushed = {}

    def fake_push(folder, repo_id, **kw):  # the Hub stand-in: a local folder
        dest = tmp_path / "hub" / repo_id
        shutil.copytree(folder, dest)
        pushed["repo"], pushed["dest"] = repo_id, dest

    import signspark.hub

    monkeypatch.setattr(signspark.hub, "push_to_hub", fake_push)
    out = tmp_path / "run"
    final = trainer.main(_args(corpus, out, 100, ["--save-every", "50", "--decay-steps", "1000", "--push-to-hub", "me/tiny-gen"]))
    log = [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]
    assert len(log) == 20 and all(np.isfinite(r["loss"]) for r in log)
    assert np.mean([r["length"] for r in log[-4:]]) < np.mean([r["length"] for r in log[:4]])

    from signspark.flow.config import UNetConfig
    from signspark.flow.unet import VelocityUNet
    from signspark.pipeline import SignSparK

    untrained = VelocityUNet(UNetConfig.preset("tiny", stream="full", **MICRO))
    pipe = SignSparK.from_pretrained(final, device="cpu")
    before, after = _eval_loss(untrained, corpus), _eval_loss(pipe.models["full"], corpus)
    assert after < 0.92 * before, (before, after)  # the tiny model cannot pass per-frame noise through (level-0 skip unused)
    assert (final / "config.json").is_file() and (final / "model.safetensors").is_file()
    assert (final / "length_model" / "model.safetensors").is_file() and (final / "README.md").is_file()
    assert sorted(p.name for p in out.glob("checkpoint-*")) == ["checkpoint-00000050", "checkpoint-00000100"]
    assert not list(out.glob(".*tmp"))
    assert pushed["repo"] == "me/tiny-gen" and (pushed["dest"] / "model.safetensors").is_file()

    res = pipe("hello", "ASL", steps=2, seed=0)
    assert res.nfe == 2 and 8 <= res.num_frames <= 1024
    assert np.isfinite(res.features).all()


def test_resume_continues_exactly(corpus, tmp_path):
    trainer = _load_trainer()
    extra = ["--decay-steps", "12", "--save-every", "6"]
    trainer.main(_args(corpus, tmp_path / "straight", 12, extra))
    trainer.main(_args(corpus, tmp_path / "split", 6, extra))
    trainer.main(_args(corpus, tmp_path / "split", 12, extra + ["--resume"]))
    a = tmp_path / "straight" / "checkpoint-00000012"
    b = tmp_path / "split" / "checkpoint-00000012"
    for name in ("train_weights.safetensors", "ema.safetensors", "model.safetensors", "length_model/model.safetensors"):
        wa, wb = load_file(str(a / name)), load_file(str(b / name))
        assert wa.keys() == wb.keys()
        for k in wa:
            assert torch.equal(wa[k], wb[k]), (name, k)
    sa = torch.load(a / "trainer_state.pt", weights_only=True)
    sb = torch.load(b / "trainer_state.pt", weights_only=True)
    assert sa["step"] == sb["step"] == 12 and sa["data_position"] == sb["data_position"]


def test_resume_trims_the_stopped_runs_log_records(corpus, tmp_path):
    """A run stopped after its checkpoint at step 5 logged steps 5 and 10 (and half a line); resuming from
    step 5 must not keep the old step-10 record beside the new one."""
    trainer = _load_trainer()
    out = tmp_path / "run"
    extra = ["--decay-steps", "10", "--save-every", "5"]
    trainer.main(_args(corpus, out, 5, extra))
    with (out / "log.jsonl").open("a") as fh:
        fh.write(json.dumps({"step": 10, "loss": 123.0}) + "\n" + '{"step": 1')
    trainer.main(_args(corpus, out, 10, extra + ["--resume"]))
    log = [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in log] == [5, 10] and log[1]["loss"] != 123.0


def test_resume_from_a_malicious_trainer_state_is_a_message(corpus, tmp_path):
    import os

    class Payload:
        def __reduce__(self):
            return os.system, (f"touch {tmp_path / 'pwned'}",)

    trainer = _load_trainer()
    out = tmp_path / "run"
    trainer.main(_args(corpus, out, 5, ["--save-every", "5"]))
    ck = out / "checkpoint-00000005"
    torch.save({"step": Payload()}, ck / "trainer_state.pt")
    with pytest.raises(SystemExit) as e:
        trainer.main(_args(corpus, out, 10, ["--resume"]))
    msg = str(e.value.code)
    assert "refusing" in msg and "trainer_state.pt" in msg and "system" in msg and "Nothing in it was run" in msg
    assert not (tmp_path / "pwned").exists()
    (ck / "trainer_state.pt").write_bytes(b"garbage")
    with pytest.raises(SystemExit, match="refusing .*trainer_state.pt"):
        trainer.main(_args(corpus, out, 10, ["--resume"]))


def test_resume_without_checkpoint_is_an_error(corpus, tmp_path):
    trainer = _load_trainer()
    with pytest.raises(SystemExit, match="nothing to resume"):
        trainer.main(_args(corpus, tmp_path / "empty", 4, ["--resume"]))


def test_atomic_text_leaves_no_temporary_file_on_failure(tmp_path, monkeypatch):
    trainer = _load_trainer()
    (tmp_path / "latest").write_text("checkpoint-1")

    def fail(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)  # what atomic_file renames with
    with pytest.raises(OSError, match="disk full"):
        trainer._atomic_text(tmp_path / "latest", "checkpoint-2")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest"]
    assert (tmp_path / "latest").read_text() == "checkpoint-1"


def test_a_rest_anchored_model_learns_its_rest_pose_from_the_clips_ends(corpus, tmp_path):
    from signspark.data import SignDataset
    from signspark.pipeline import SignSparK

    trainer = _load_trainer()
    cfg = tmp_path / "rest.json"
    cfg.write_text(json.dumps({**MICRO, "prediction": "data", "anchor": "keyframes+rest"}))
    args = _args(corpus, tmp_path / "run", 4)
    args[args.index("--model-config") + 1] = str(cfg)
    final = trainer.main(args)
    ds = SignDataset(corpus, "train", seq_len=32)
    ends = []
    for i in range(len(ds)):
        it = ds[i]
        ends.append(it["features"][0])
        if it["length"] < 32:
            ends.append(it["features"][it["length"] - 1])
    want = torch.stack(ends).mean(0)
    rest = SignSparK.from_pretrained(final, device="cpu").models["full"].rest_anchor
    torch.testing.assert_close(rest, want, atol=1e-5, rtol=0)  # a buffer: the EMA keeps it as set


def test_a_clip_cut_at_seq_len_keeps_its_last_frame_as_a_keyframe(corpus):
    from signspark.data import SignDataset

    plain, marked = (SignDataset(corpus, "train", seq_len=24, keyframe_at_cut=k) for k in (False, True))
    whole = [SignDataset(corpus, "train", seq_len=40, keyframe_at_cut=k) for k in (False, True)]  # none cut
    cut = [i for i in range(len(plain)) if whole[0][i]["length"] > 24]
    assert any(23 not in plain[i]["keyframes"] for i in cut)
    for i in range(len(plain)):
        extra = [23] if i in cut and 23 not in plain[i]["keyframes"] else []
        assert marked[i]["keyframes"] == plain[i]["keyframes"] + extra
        assert whole[0][i]["keyframes"] == whole[1][i]["keyframes"]
