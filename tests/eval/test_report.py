import json

import numpy as np
import pytest

from signspark.eval.report import Clip, evaluate, render_markdown, write_report

from .standins import linear_to_joints, noisy_generator, random_clip


@pytest.fixture(scope="module")
def clips():
    specs = [("ASL", "hello there", 24), ("ASL", "good morning", 30), ("DGS", "guten tag", 20)]
    return [Clip(f"c{i}", random_clip(T, lang, text, seed=i)) for i, (lang, text, T) in enumerate(specs)]


@pytest.fixture(scope="module")
def result(clips):
    log = []
    out = evaluate(clips, noisy_generator({c.clip_id: c.sequence for c in clips}, log=log), steps=[4, 1],
                   to_joints=linear_to_joints(), seed=7, progress=False)
    out["_log"] = log
    return out


def row(result, task, steps, lang):
    (r,) = [r for r in result["results"] if (r["task"], r["steps"], r["language"]) == (task, steps, lang)]
    return r


def test_perfect_generator_scores_zero(clips):
    truth = {c.clip_id: c.sequence for c in clips}
    res = evaluate(clips, lambda req: truth[req.clip_id], steps=[2], to_joints=linear_to_joints(), progress=False)
    for r in res["results"]:
        for k, v in r["metrics"].items():
            if "/" in k:
                assert v == pytest.approx(0.0, abs=1e-6), k


def test_requests_follow_the_protocol(result, clips):
    log = result["_log"]
    assert len(log) == 2 * 2 * len(clips)  # tasks x steps x clips
    t2p = [r for r in log if r.task == "t2p"]
    kf2p = [r for r in log if r.task == "kf2p"]
    for req in t2p:
        assert req.keyframes.size == 0 and req.keyframe_poses is None
    by_id = {c.clip_id: c for c in clips}
    for req in kf2p:
        clip = by_id[req.clip_id]
        T = clip.sequence.num_frames
        (s0, e0), (s1, e1) = clip.sequence.segments.tolist()
        assert req.keyframes.tolist() == sorted({s0, (s0 + e0) // 2, e0, s1, (s1 + e1) // 2, e1})
        assert req.num_frames == T and req.text == clip.sequence.text and req.language == clip.sequence.language
        np.testing.assert_array_equal(req.keyframe_poses.params["right_hand_pose"],
                                      clip.sequence.params["right_hand_pose"][req.keyframes])
    # Same seed for a clip at every step count; different clips, different seeds.
    seeds = {(r.clip_id, r.num_steps): r.seed for r in log}
    assert seeds[("c0", 1)] == seeds[("c0", 4)] == 7 and seeds[("c2", 1)] == 9


def test_results_per_language_and_steps(result):
    assert result["settings"]["steps"] == [1, 4]
    assert result["settings"]["clips_per_language"] == {"ASL": 2, "DGS": 1}
    keys = {(r["task"], r["steps"], r["language"]) for r in result["results"]}
    assert keys == {(t, s, lang) for t in ("t2p", "kf2p") for s in (1, 4) for lang in ("ASL", "DGS", "all")}
    assert row(result, "t2p", 1, "ASL")["num_clips"] == 2 and row(result, "t2p", 1, "all")["num_clips"] == 3
    for task in ("t2p", "kf2p"):
        for metric in ("body/dtw_pa_jpe_mean_mm", "hand/mpjpe_mm", "body/dtw_jpe"):
            noisy, clean = row(result, task, 1, "all")["metrics"][metric], row(result, task, 4, "all")["metrics"][metric]
            assert noisy > clean > 0, (task, metric)
    # KF2P keeps the keyframes exact; T2P has no keyframe metric.
    assert row(result, "kf2p", 1, "DGS")["metrics"]["body/keyframe_mpjpe_mm"] == pytest.approx(0.0, abs=1e-6)
    assert "body/keyframe_mpjpe_mm" not in row(result, "t2p", 1, "DGS")["metrics"]


def test_language_mean_is_the_mean_of_its_clips(result):
    per_clip = [c["metrics"]["hand/pa_mpjpe_mm"] for c in result["clips"]
                if c["task"] == "t2p" and c["steps"] == 4 and c["language"] == "ASL"]
    assert len(per_clip) == 2
    assert row(result, "t2p", 4, "ASL")["metrics"]["hand/pa_mpjpe_mm"] == pytest.approx(np.mean(per_clip))


def test_write_report_files(result, tmp_path):
    res = {k: v for k, v in result.items() if k != "_log"}
    paths = write_report(res, tmp_path / "rep")
    assert sorted(p.name for p in (tmp_path / "rep").iterdir()) == ["metrics_vs_steps.png", "report.json", "report.md"]
    loaded = json.loads(paths["json"].read_text())
    assert loaded["results"] == json.loads(json.dumps(res["results"]))
    md = paths["markdown"].read_text()
    assert "SOKE-code convention" in md and "| DGS | 4 |" in md and "keyframe body" in md
    assert "metrics_vs_steps.png" in md
    assert paths["plot"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_segmentation_and_back_translation_hooks(clips):
    truth = {c.clip_id: c.sequence for c in clips}
    from signspark.keyframes import segments_to_tags

    def segmenter(clip):
        return segments_to_tags(clip.sequence.segments.tolist(), clip.sequence.num_frames)

    def echo(sequences, language):
        return [s.text for s in sequences]

    res = evaluate(clips, noisy_generator(truth), steps=[1], tasks=["t2p"], to_joints=linear_to_joints(),
                   segmenter=segmenter, back_translator=echo, progress=False)
    assert res["segmentation"]["all"]["frame_accuracy"] == pytest.approx(1.0)
    assert res["segmentation"]["all"]["segment_f1"] == pytest.approx(1.0)
    assert res["segmentation"]["ASL"]["num_clips"] == 2
    assert res["back_translation"]["ground_truth"]["DGS"]["bleu4"] == pytest.approx(100.0)
    gen = res["back_translation"]["generated"]
    assert {(g["task"], g["language"]) for g in gen} == {("t2p", "ASL"), ("t2p", "DGS")}
    assert all(g["chrf"] == pytest.approx(100.0) for g in gen)
    md = render_markdown(res, plot_name=None)
    assert "## Segmentation" in md and "## Back-translation" in md


def test_bad_arguments(clips):
    gen = noisy_generator({c.clip_id: c.sequence for c in clips})
    with pytest.raises(ValueError, match="no clips"):
        evaluate([], gen, to_joints=linear_to_joints())
    with pytest.raises(ValueError, match="tasks"):
        evaluate(clips, gen, tasks=["p2t"], to_joints=linear_to_joints())
    with pytest.raises(ValueError, match="steps"):
        evaluate(clips, gen, steps=[0], to_joints=linear_to_joints())
    with pytest.raises(TypeError, match="PoseSequence"):
        evaluate(clips, lambda req: None, steps=[1], to_joints=linear_to_joints(), progress=False)


def test_a_refused_clip_is_noted_not_fatal(clips):
    truth = {c.clip_id: c.sequence for c in clips}
    inner = noisy_generator(truth)

    def picky(req):
        if req.clip_id == "c1":
            raise ValueError("the text is too long")
        return inner(req)

    res = evaluate(clips, picky, steps=[1], tasks=["t2p"], to_joints=linear_to_joints(), progress=False)
    assert row(res, "t2p", 1, "ASL")["num_clips"] == 1
    assert any("1 generation(s) failed" in n and "too long" in n for n in res["notes"])

    def refuse(req):
        raise ValueError("nope")

    with pytest.raises(ValueError, match="every generation failed.*nope"):
        evaluate(clips, refuse, steps=[1], tasks=["t2p"], to_joints=linear_to_joints(), progress=False)


def test_pipeline_generator_passes_the_motion_to_text_to_pose():
    from types import SimpleNamespace

    from signspark.eval.report import pipeline_generator

    seen = []

    class Pipe:
        def text_to_pose(self, text, **kw):
            seen.append(kw)
            return SimpleNamespace(pose="pose")

    req = SimpleNamespace(task="t2p", text="hello", language="ASL", num_frames=10, num_steps=4, seed=0)
    for motion in (None, "generated", "lexicon"):
        assert pipeline_generator(Pipe(), motion=motion)(req) == "pose"
    assert "motion" not in seen[0] and seen[1]["motion"] == "generated" and seen[2]["motion"] == "lexicon"


def test_evaluate_refuses_lexicon_motion_without_retrieval(tmp_path, capsys):
    from signspark.cli import main

    assert main(["evaluate", "--data", str(tmp_path), "--no-retrieval", "--motion", "lexicon",
                 "-o", str(tmp_path / "r")]) == 2
    assert "--no-retrieval" in capsys.readouterr().err
