"""The evaluation run: generate every test clip, score it, average per language, write a report.

:func:`evaluate` is the whole protocol as a library function. It takes the generator as
a plain callable, so anything can be evaluated — the SignSparK pipeline
(:func:`pipeline_generator`), a baseline, or a stand-in in tests::

    def generate(request: GenerationRequest) -> PoseSequence: ...

For every clip and every number of sampling steps it asks for

* **T2P**: the clip's text and language, at the ground-truth length;
* **KF2P**: the same plus ground-truth keyframes (indices and poses) chosen by the
  keyframe policy (default onset / middle / offset of each ground-truth segment),

then turns prediction and reference into joints (:class:`~signspark.eval.joints.PoseToJoints`)
and computes :func:`~signspark.eval.pose_metrics.clip_metrics`. Optional extras: a
segmenter (frame accuracy and segment F1 on the ground-truth clips) and a back-translator
(BLEU / chrF / ROUGE-L of generated and ground-truth clips).

:func:`write_report` writes ``report.json``, ``report.md`` and ``metrics_vs_steps.png``
(each written to a temporary name, then renamed).

Example::

    >>> clips = load_clips("data", "test", max_clips=50)
    >>> result = evaluate(clips, pipeline_generator(pipe), steps=[1, 4, 50])
    >>> write_report(result, "report/")
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import math
import os
import platform
import time
from collections import defaultdict
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np

from ..atomic import atomic_file
from ..keyframes import segments_to_tags, select_keyframes
from ..pose.sequence import PoseSequence
from .pose_metrics import clip_metrics

__all__ = [
    "Clip", "GenerationRequest", "Generator", "TASKS", "CONVENTIONS", "load_clips", "evaluate",
    "pipeline_generator", "fast_segmenter", "write_report", "render_markdown", "plot_metrics",
]

TASKS = ("t2p", "kf2p")
TASK_TITLES = {"t2p": "Text to pose (T2P)", "kf2p": "Keyframes to pose (KF2P)"}
ALL_LANGUAGES = "all"
REPORT_FORMAT = "signspark-eval/1"

CONVENTIONS = {
    "joints": "Each frame is posed with the body model with global orientation and the 11 lower-body joints "
              "zeroed (the first 36 pose parameters), fixed shape (betas = 0), the first 10 expression "
              "coefficients, eye poses zero and no translation; positions are in metres before scaling. "
              "Absolute values depend on the body model: they are comparable with published SMPL-X numbers only "
              "when the licensed SMPL-X neutral model is used (see 'body_model' in the settings).",
    "body": "12 joints: neck, shoulders, elbows, wrists, ears, eyes, nose. Translation anchor: pelvis.",
    "hand": "21 joints per hand: wrist, 15 MANO finger joints, 5 fingertips. Translation anchor: the wrist. "
            "'hand' is the mean of the left and right hand.",
    "jpe": "Per-frame error = mean Euclidean joint distance after translating the prediction so its anchor "
           "matches the reference's (JPE), or after per-frame similarity Procrustes alignment with scale (PA-JPE).",
    "dtw": "DTW-JPE / DTW-PA-JPE (SOKE-code convention): classic DTW over the per-frame-pair error matrix; the "
           "value is the accumulated path cost D[-1,-1] in metres, summed over the path and NOT divided by its "
           "length, averaged over clips. It grows with clip length. Published tables may differ in convention.",
    "dtw_mean": "DTW ... (mean, mm): the same DTW cost divided by the path length, x1000: the mean error per "
                "matched frame pair in millimetres.",
    "mpjpe": "MPJPE / PA-MPJPE (mm): frame t against frame t, no time warping, same alignments, mean over frames; "
             "clips of unequal length are cropped to the shorter (counted under 'cropped').",
    "keyframes": "Keyframe adherence (mm, KF2P): translation-aligned error at the given keyframe frames only, "
                 "between the output and the ground-truth keyframe poses.",
}


@dataclasses.dataclass
class Clip:
    """One evaluation clip.

    Attributes:
        clip_id: its id in the dataset.
        sequence: ground truth, with ``language``, ``text`` and ``segments`` set.
        tags: (T,) ground-truth BIO tags when known (else derived from the segments).
        source: the LMDB file it came from ("" when built in memory).
    """

    clip_id: str
    sequence: PoseSequence
    tags: np.ndarray | None = None
    source: str = ""

    @property
    def language(self) -> str:
        return self.sequence.language or "unknown"


@dataclasses.dataclass
class GenerationRequest:
    """What the generator is asked for.

    Attributes:
        task: ``"t2p"`` or ``"kf2p"``.
        text, language: the input.
        num_frames: the ground-truth length; the output should have this many frames.
        num_steps: ODE sampling steps.
        seed: the sampling seed (the same for a clip at every step count).
        keyframes: (K,) sorted frame indices (empty for T2P).
        keyframe_poses: for KF2P, a K-frame PoseSequence holding the ground-truth pose at
            each keyframe, in the order of ``keyframes``; None for T2P.
        clip_id: for logging.
    """

    task: str
    text: str
    language: str
    num_frames: int
    num_steps: int
    seed: int
    keyframes: np.ndarray
    keyframe_poses: PoseSequence | None = None
    clip_id: str = ""

    def keyframe_sequence(self) -> PoseSequence:
        """A ``num_frames`` clip holding the keyframe poses at their frames (rest pose elsewhere),
        with ``keyframes`` set: the form :meth:`SignSparK.keyframes_to_pose` takes."""
        if self.keyframe_poses is None:
            raise ValueError(f"a {self.task} request has no keyframe poses")
        seq = PoseSequence.zeros(self.num_frames, betas=self.keyframe_poses.betas, fps=self.keyframe_poses.fps,
                                 language=self.language, text=self.text, keyframes=self.keyframes)
        for k, v in self.keyframe_poses.params.items():
            seq.params[k][self.keyframes] = v
        return seq


Generator = Callable[[GenerationRequest], PoseSequence]


# ---------------------------------------------------------------------------------------------- inputs
def load_clips(data_dir: str | os.PathLike, split: str = "test", names: Sequence[str] | None = None,
               max_clips: int | None = None, languages: Sequence[str] | None = None) -> list[Clip]:
    """Clips of a split from official-schema LMDB files (``<data_dir>/<split>/**/*.lmdb``).

    With several files, clips are taken round-robin across files (so ``max_clips``
    keeps languages balanced), in each file's stored order: the selection is deterministic.

    Args:
        names: keep only files whose path contains one of these substrings.
        max_clips: stop after this many clips.
        languages: keep only clips of these sign languages.
    """
    from ..data.lmdb_store import LmdbClipStore, find_lmdb_files

    if max_clips is not None and max_clips < 1:
        raise ValueError(f"max_clips must be >= 1, got {max_clips}")
    stores = [LmdbClipStore(p) for p in find_lmdb_files(data_dir, split, names)]
    wanted = {lang.upper() for lang in languages} if languages else None
    cursors = [0] * len(stores)
    clips: list[Clip] = []
    while max_clips is None or len(clips) < max_clips:
        progressed = False
        for s, store in enumerate(stores):
            if cursors[s] >= len(store) or (max_clips is not None and len(clips) >= max_clips):
                continue
            clip_id = store.clip_ids[cursors[s]]
            cursors[s] += 1
            progressed = True
            record = store.read(clip_id)
            seq = record.to_pose_sequence()
            if wanted is not None and seq.language.upper() not in wanted:
                continue
            clips.append(Clip(clip_id, seq, tags=np.asarray(record.segment, np.int64), source=str(store.path)))
        if not progressed:
            break
    for store in stores:
        store.close()
    return clips


def _keyframes_for(clip: Clip, policy: str) -> tuple[np.ndarray, bool]:
    """Keyframe indices for KF2P, and whether the clip had no segments (whole clip used as one)."""
    seq = clip.sequence
    segments = [tuple(s) for s in seq.segments.tolist()]
    fallback = not segments
    if fallback:
        segments = [(0, seq.num_frames - 1)]
    return np.asarray(select_keyframes(segments, policy), np.int64), fallback


# ---------------------------------------------------------------------------------------------- evaluation
def evaluate(
    clips: Sequence[Clip],
    generate: Generator,
    *,
    steps: Sequence[int] = (1, 2, 4, 8, 50),
    tasks: Sequence[str] = TASKS,
    to_joints: Callable[[PoseSequence], Mapping[str, object]] | None = None,
    keyframe_policy: str = "onset_middle_offset",
    segmenter: Callable[["Clip"], np.ndarray] | None = None,
    back_translator: Callable[[Sequence[PoseSequence], str], list[str]] | None = None,
    seed: int = 0,
    progress: bool = True,
    settings: Mapping[str, object] | None = None,
) -> dict:
    """Run the evaluation protocol and return the report as a JSON-serialisable dict.

    Args:
        clips: ground-truth clips (see :func:`load_clips`).
        generate: ``generate(GenerationRequest) -> PoseSequence``.
        steps: numbers of sampling steps to evaluate.
        tasks: any of ``"t2p"``, ``"kf2p"``.
        to_joints: PoseSequence -> ``{group: GroupJoints}``; the built-in body model
            under the evaluation convention when None (:meth:`PoseToJoints.default`).
        keyframe_policy: a :data:`signspark.keyframes.POLICIES` name, for KF2P.
        segmenter: Clip -> (T,) BIO tags, run on the ground-truth clips (see :func:`fast_segmenter`);
            adds a ``segmentation`` section (frame accuracy, onset F1, segment F1).
        back_translator: ``(sequences, language) -> sentences``; adds back-translation scores
            of every generated setting and of the ground truth.
        seed: clip ``i`` is generated with seed ``seed + i`` at every step count.
        progress: show tqdm progress bars.
        settings: extra entries for the report's ``settings`` (e.g. the model name).

    Returns:
        dict with ``results`` (one row per task x steps x language, plus language ``"all"``),
        ``clips`` (per-clip metrics), ``segmentation``, ``back_translation``, ``conventions``,
        ``settings``, ``machine``, ``timings`` and ``notes``.
    """
    from tqdm.auto import tqdm

    clips = list(clips)
    if not clips:
        raise ValueError("no clips to evaluate")
    tasks = list(dict.fromkeys(tasks))
    bad = [t for t in tasks if t not in TASKS]
    if bad or not tasks:
        raise ValueError(f"tasks must be a non-empty subset of {TASKS}, got {list(tasks)}")
    steps = sorted({int(s) for s in steps})
    if not steps or steps[0] < 1:
        raise ValueError(f"steps must be positive integers, got {list(steps)}")
    if to_joints is None:
        from .joints import PoseToJoints
        to_joints = PoseToJoints.default()

    t_start = time.perf_counter()
    notes: list[str] = []
    timings: dict[str, float] = {}

    t0 = time.perf_counter()
    refs = [to_joints(c.sequence) for c in tqdm(clips, desc="reference joints", unit="clip", disable=not progress)]
    timings["reference_joints_s"] = time.perf_counter() - t0

    keyframes: list[np.ndarray] = []
    no_segments = 0
    for c in clips:
        k, fallback = _keyframes_for(c, keyframe_policy)
        keyframes.append(k)
        no_segments += fallback
    if "kf2p" in tasks and no_segments:
        notes.append(f"{no_segments} clip(s) have no ground-truth segments; KF2P used the whole clip as one segment.")

    rows: list[dict] = []
    bt_hyps: dict[tuple[str, int], dict[str, list[tuple[str, str]]]] = defaultdict(lambda: defaultdict(list))
    gen_time: dict[tuple[str, int], list[float]] = defaultdict(list)
    metric_time = 0.0
    failures: list[str] = []
    bar = tqdm(total=len(tasks) * len(steps) * len(clips), desc="generating", unit="clip", disable=not progress)
    for task in tasks:
        for n in steps:
            bar.set_postfix_str(f"{task} steps={n}")
            for i, clip in enumerate(clips):
                seq = clip.sequence
                kf = keyframes[i] if task == "kf2p" else np.zeros(0, np.int64)
                request = GenerationRequest(
                    task=task, text=seq.text, language=seq.language, num_frames=seq.num_frames, num_steps=n,
                    seed=seed + i, keyframes=kf.copy(),
                    keyframe_poses=_take_frames(seq, kf) if task == "kf2p" else None, clip_id=clip.clip_id)
                t0 = time.perf_counter()
                try:
                    out = generate(request)
                except ValueError as e:  # one clip the generator refuses (too long a text, say) is noted, not fatal
                    failures.append(f"{clip.clip_id} ({task}, {n} steps): {e}")
                    bar.update(1)
                    continue
                gen_time[(task, n)].append(time.perf_counter() - t0)
                if not isinstance(out, PoseSequence):
                    raise TypeError(f"the generator returned {type(out).__name__}, expected a PoseSequence")
                t0 = time.perf_counter()
                m = clip_metrics(to_joints(out), refs[i], keyframes=kf if task == "kf2p" else None)
                metric_time += time.perf_counter() - t0
                rows.append({"clip_id": clip.clip_id, "language": clip.language, "task": task, "steps": n,
                             "seconds": gen_time[(task, n)][-1], "metrics": m})
                if back_translator is not None:
                    hyp = _translate(back_translator, out, clip.language)
                    bt_hyps[(task, n)][clip.language].append((hyp, seq.text))
                bar.update(1)
    bar.close()
    if failures:
        if not rows:
            raise ValueError(f"every generation failed; the first error was: {failures[0]}")
        notes.append(f"{len(failures)} generation(s) failed and are left out of the averages; "
                     f"first: {failures[0]}")
    timings["metrics_s"] = metric_time
    timings["generation_s"] = float(sum(sum(v) for v in gen_time.values()))

    results = _aggregate(rows)
    cropped = sum(r["metrics"].get("cropped", 0.0) > 0 for r in rows)
    if cropped:
        notes.append(f"{cropped} generated clip(s) differ in length from the reference; MPJPE cropped them "
                     f"to the shorter length (DTW metrics use the full lengths).")

    segmentation = None
    if segmenter is not None:
        t0 = time.perf_counter()
        segmentation = _segmentation(clips, segmenter, progress)
        timings["segmentation_s"] = time.perf_counter() - t0

    back_translation = None
    if back_translator is not None:
        t0 = time.perf_counter()
        back_translation = _back_translation(clips, bt_hyps, back_translator)
        timings["back_translation_s"] = time.perf_counter() - t0
    timings["total_s"] = time.perf_counter() - t_start

    languages = sorted({c.language for c in clips})
    return _jsonable({
        "format": REPORT_FORMAT,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "settings": {"tasks": tasks, "steps": steps, "seed": seed, "keyframe_policy": keyframe_policy,
                     "num_clips": len(clips), "languages": languages,
                     "clips_per_language": {lang: sum(c.language == lang for c in clips) for lang in languages},
                     **dict(settings or {})},
        "conventions": CONVENTIONS,
        "results": results,
        "segmentation": segmentation,
        "back_translation": back_translation,
        "clips": rows,
        "machine": machine_info(),
        "timings": timings,
        "notes": notes,
    })


def _take_frames(seq: PoseSequence, frames: np.ndarray) -> PoseSequence:
    return PoseSequence(params={k: v[frames] for k, v in seq.params.items()}, betas=seq.betas, fps=seq.fps,
                        language=seq.language, text=seq.text, gloss=seq.gloss)


def _translate(translator, seq: PoseSequence, language: str) -> str:
    out = list(translator([seq], language))
    if len(out) != 1:
        raise ValueError(f"back-translator returned {len(out)} sentences for 1 clip")
    return str(out[0])


def _mean(values: Iterable[float]) -> float | None:
    v = np.asarray([x for x in values if x is not None and not math.isnan(x)], np.float64)
    return float(v.mean()) if v.size else None


def _aggregate(rows: list[dict]) -> list[dict]:
    groups: dict[tuple[str, int, str], list[dict]] = defaultdict(list)
    for r in rows:
        groups[(r["task"], r["steps"], r["language"])].append(r)
        groups[(r["task"], r["steps"], ALL_LANGUAGES)].append(r)
    out = []
    for (task, n, lang), rs in sorted(groups.items(), key=lambda kv: (TASKS.index(kv[0][0]), kv[0][2] == ALL_LANGUAGES,
                                                                      kv[0][2], kv[0][1])):
        keys = sorted({k for r in rs for k in r["metrics"]})
        metrics = {k: _mean(r["metrics"].get(k) for r in rs) for k in keys}
        secs = [r["seconds"] for r in rs]
        frames = sum(r["metrics"].get("frames_pred", 0.0) for r in rs)
        out.append({"task": task, "steps": n, "language": lang, "num_clips": len(rs), "metrics": metrics,
                    "seconds_per_clip": float(np.mean(secs)),
                    "frames_per_second": float(frames / sum(secs)) if sum(secs) > 0 else None})
    return out


def _segmentation(clips: Sequence[Clip], segmenter, progress: bool) -> dict:
    from tqdm.auto import tqdm

    from ..segment.metrics import score_clips

    per_lang: dict[str, list[tuple[np.ndarray, np.ndarray]]] = defaultdict(list)
    for c in tqdm(clips, desc="segmenting", unit="clip", disable=not progress):
        T = c.sequence.num_frames
        truth = c.tags if c.tags is not None else segments_to_tags(c.sequence.segments.tolist(), T)
        pred = np.asarray(segmenter(c)).reshape(-1)
        if pred.shape[0] != T:
            raise ValueError(f"segmenter returned {pred.shape[0]} tags for clip {c.clip_id!r} of {T} frames")
        per_lang[c.language].append((pred, truth))
        per_lang[ALL_LANGUAGES].append((pred, truth))
    return {lang: score_clips(pairs).as_dict() for lang, pairs in sorted(per_lang.items(), key=lambda kv: (kv[0] == ALL_LANGUAGES, kv[0]))}


def _back_translation(clips: Sequence[Clip], hyps, translator) -> dict:
    from .back_translation import level_for_language, text_scores

    out: dict = {"ground_truth": {}, "generated": []}
    by_lang: dict[str, list[Clip]] = defaultdict(list)
    for c in clips:
        by_lang[c.language].append(c)
    for lang, cs in sorted(by_lang.items()):
        gt = [_translate(translator, c.sequence, lang) for c in cs]
        out["ground_truth"][lang] = text_scores(gt, [c.sequence.text for c in cs], level_for_language(lang))
    for (task, n), per_lang in sorted(hyps.items(), key=lambda kv: (TASKS.index(kv[0][0]), kv[0][1])):
        for lang, pairs in sorted(per_lang.items()):
            scores = text_scores([h for h, _ in pairs], [r for _, r in pairs], level_for_language(lang))
            out["generated"].append({"task": task, "steps": n, "language": lang, "num_clips": len(pairs), **scores})
    return out


def machine_info() -> dict:
    """Where the evaluation ran: OS, Python, CPU count, torch and accelerator."""
    info = {"platform": platform.platform(), "python": platform.python_version(),
            "processor": platform.processor() or platform.machine(), "cpu_count": os.cpu_count()}
    try:
        import torch
        info["torch"] = torch.__version__
        info["torch_threads"] = torch.get_num_threads()
        info["cuda"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    except ImportError:
        pass
    return info


def _jsonable(x):
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


# ---------------------------------------------------------------------------------------------- the pipeline
def pipeline_generator(pipe, guidance: float | None = None, sampler: str | None = None,
                       retrieval: bool | None = None, motion: str | None = None) -> Generator:
    """Wrap a :class:`signspark.pipeline.SignSparK` as a :data:`Generator`.

    T2P calls ``pipe.text_to_pose``; KF2P calls ``pipe.keyframes_to_pose`` with the
    ground-truth poses held at the keyframes. Both at the ground-truth length.

    Args:
        guidance: classifier-free guidance scale (the pipeline's default when None).
        sampler: ODE sampler name (the pipeline's default when None).
        retrieval: T2P with the lexicon's keyframes (True), pure text-to-pose (False), or the
            model's own setting (None).
        motion: what T2P makes of a take retrieved from the lexicon: ``"generated"`` (the model
            fills the motion around its keyframes), ``"lexicon"`` (the take's own motion), or the
            model's own setting (None).
    """
    t2p = {} if retrieval is None else {"retrieval": bool(retrieval)}
    if motion is not None:
        t2p["motion"] = motion
    extra = {}
    if guidance is not None:
        extra["guidance"] = guidance
    if sampler is not None:
        extra["sampler"] = sampler

    def generate(req: GenerationRequest) -> PoseSequence:
        common = dict(lang=req.language, num_frames=req.num_frames, steps=req.num_steps, seed=req.seed, **extra)
        if req.task == "t2p":
            out = pipe.text_to_pose(req.text, **common, **t2p)
        else:
            out = pipe.keyframes_to_pose(req.keyframe_sequence(), text=req.text, **common)
        return out.pose

    return generate


def fast_segmenter(segmenter) -> Callable[[Clip], np.ndarray]:
    """Wrap a :class:`signspark.segment.Segmenter` as the ``segmenter`` of :func:`evaluate`.

    A clip read from an LMDB file is segmented from the file's own hand features (as the
    model was trained); other clips from :func:`signspark.pose.hand_features.hand_features`.
    """
    from ..pose.hand_features import hand_features
    from ..data.lmdb_store import LmdbClipStore

    stores: dict[str, LmdbClipStore] = {}

    def run(clip: Clip) -> np.ndarray:
        if clip.source:
            store = stores.get(clip.source) or stores.setdefault(clip.source, LmdbClipStore(clip.source))
            record = store.read(clip.clip_id)
            left, right = record.left_features, record.right_features
        else:
            left, right = hand_features(clip.sequence)
        return segmenter.segment_clip(left, right, clip.clip_id).tags

    return run


# ---------------------------------------------------------------------------------------------- writing
def _write_atomic(path: Path, data: bytes) -> None:
    with atomic_file(path) as fh:
        fh.write(data)


def write_report(result: Mapping, out_dir: str | os.PathLike, plot: bool = True) -> dict[str, Path]:
    """Write ``report.json``, ``report.md`` and (with ``plot``) ``metrics_vs_steps.png`` into ``out_dir``.

    Every file is written to a temporary name in ``out_dir`` and renamed, so a reader never
    sees a half-written file. Returns ``{"json": path, "markdown": path, "plot": path}``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "report.json", "markdown": out / "report.md"}
    if plot:
        paths["plot"] = out / "metrics_vs_steps.png"
        _write_atomic(paths["plot"], plot_metrics(result))
    _write_atomic(paths["json"], (json.dumps(result, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    _write_atomic(paths["markdown"], render_markdown(result, plot_name=paths["plot"].name if plot else None)
                  .encode("utf-8"))
    return paths


def _fmt(v, digits: int = 2) -> str:
    return "–" if v is None else f"{v:.{digits}f}"


def render_markdown(result: Mapping, plot_name: str | None = "metrics_vs_steps.png") -> str:
    """The report as Markdown: settings, conventions, tables per task, language and steps."""
    s = result["settings"]
    lines = ["# SignSparK evaluation report", ""]
    lines.append(f"Created {result.get('created', '')}. {s['num_clips']} clips "
                 f"({', '.join(f'{k}: {v}' for k, v in s.get('clips_per_language', {}).items())}); "
                 f"tasks {', '.join(s['tasks'])}; steps {', '.join(map(str, s['steps']))}; seed {s['seed']}; "
                 f"keyframe policy {s['keyframe_policy']}.")
    extra = {k: v for k, v in s.items() if k not in {"tasks", "steps", "seed", "keyframe_policy", "num_clips",
                                                       "languages", "clips_per_language"}}
    if extra:
        lines.append("")
        lines.extend(f"- {k}: {v}" for k, v in extra.items())
    if plot_name:
        lines += ["", f"![metrics vs steps]({plot_name})"]

    for task in s["tasks"]:
        rows = [r for r in result["results"] if r["task"] == task]
        if not rows:
            continue
        kf = task == "kf2p"
        lines += ["", f"## {TASK_TITLES[task]}", "",
                  "DTW, SOKE-code convention (accumulated path cost in metres, not length-normalised; lower is better):",
                  "", "| language | steps | clips | DTW-PA-JPE body | DTW-PA-JPE hand | DTW-JPE body | DTW-JPE hand |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
        for r in rows:
            m = r["metrics"]
            lines.append(f"| {r['language']} | {r['steps']} | {r['num_clips']} | {_fmt(m.get('body/dtw_pa_jpe'))} | "
                         f"{_fmt(m.get('hand/dtw_pa_jpe'))} | {_fmt(m.get('body/dtw_jpe'))} | {_fmt(m.get('hand/dtw_jpe'))} |")
        head = ("| language | steps | DTW-PA-JPE mean body | hand | DTW-JPE mean body | hand | MPJPE body | hand "
                "| PA-MPJPE body | hand |" + (" keyframe body | hand |" if kf else "") + " s/clip |")
        lines += ["", "Per-frame errors in millimetres (DTW means are divided by the path length):", "", head,
                  "|---|---:|" + "---:|" * (8 + 2 * kf + 1)]
        for r in rows:
            m = r["metrics"]
            cells = [m.get(f"{g}/{k}") for k in ("dtw_pa_jpe_mean_mm", "dtw_jpe_mean_mm", "mpjpe_mm", "pa_mpjpe_mm")
                     + (("keyframe_mpjpe_mm",) if kf else ()) for g in ("body", "hand")]
            lines.append(f"| {r['language']} | {r['steps']} | " + " | ".join(_fmt(c, 1) for c in cells)
                         + f" | {_fmt(r['seconds_per_clip'], 3)} |")

    seg = result.get("segmentation")
    if seg:
        lines += ["", "## Segmentation (FAST on the ground-truth clips)", "",
                  "| language | clips | frame accuracy | onset F1 (±2) | segment F1 (IoU 0.5) |", "|---|---:|---:|---:|---:|"]
        for lang, v in seg.items():
            lines.append(f"| {lang} | {v['num_clips']} | {_fmt(v.get('frame_accuracy'), 3)} | "
                         f"{_fmt(v.get('onset_f1'), 3)} | {_fmt(v.get('segment_f1'), 3)} |")

    bt = result.get("back_translation")
    if bt:
        lines += ["", "## Back-translation", "", "| task | steps | language | clips | BLEU-1 | BLEU-4 | chrF | ROUGE-L |",
                  "|---|---:|---|---:|---:|---:|---:|---:|"]
        for lang, v in bt["ground_truth"].items():
            lines.append(f"| ground truth | – | {lang} | – | {_fmt(v['bleu1'])} | {_fmt(v['bleu4'])} | "
                         f"{_fmt(v['chrf'])} | {_fmt(v['rouge_l'])} |")
        for v in bt["generated"]:
            lines.append(f"| {v['task']} | {v['steps']} | {v['language']} | {v['num_clips']} | {_fmt(v['bleu1'])} | "
                         f"{_fmt(v['bleu4'])} | {_fmt(v['chrf'])} | {_fmt(v['rouge_l'])} |")

    lines += ["", "## Conventions", ""]
    lines.extend(f"- **{k}**: {v}" for k, v in result.get("conventions", CONVENTIONS).items())
    if result.get("notes"):
        lines += ["", "## Notes", ""]
        lines.extend(f"- {n}" for n in result["notes"])
    mach, t = result.get("machine", {}), result.get("timings", {})
    lines += ["", "## Machine and timings", ""]
    lines.extend(f"- {k}: {v}" for k, v in mach.items())
    lines.extend(f"- {k}: {_fmt(v, 2)}" for k, v in t.items())
    return "\n".join(lines) + "\n"


PLOTTED = (("body/dtw_pa_jpe_mean_mm", "DTW-PA-JPE body (mean, mm)"), ("hand/dtw_pa_jpe_mean_mm", "DTW-PA-JPE hand (mean, mm)"),
           ("body/dtw_jpe_mean_mm", "DTW-JPE body (mean, mm)"), ("hand/dtw_jpe_mean_mm", "DTW-JPE hand (mean, mm)"))


def plot_metrics(result: Mapping) -> bytes:
    """PNG bytes: path-normalised DTW errors against sampling steps, one line per language and task."""
    import io

    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 7), dpi=100)
    axes = fig.subplots(2, 2)
    styles = {"t2p": "-", "kf2p": "--"}
    langs = sorted({r["language"] for r in result["results"] if r["language"] != ALL_LANGUAGES})
    colors = {lang: f"C{i}" for i, lang in enumerate(langs)}
    for ax, (key, title) in zip(axes.ravel(), PLOTTED):
        for task in result["settings"]["tasks"]:
            for lang in langs:
                pts = [(r["steps"], r["metrics"].get(key)) for r in result["results"]
                       if r["task"] == task and r["language"] == lang and r["metrics"].get(key) is not None]
                if pts:
                    x, y = zip(*pts)
                    ax.plot(x, y, styles[task], marker="o", color=colors[lang], label=f"{lang} {task.upper()}")
        ax.set_xscale("log")
        ax.set_xticks(result["settings"]["steps"], [str(n) for n in result["settings"]["steps"]])
        ax.minorticks_off()
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("sampling steps")
        ax.grid(alpha=0.3)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="lower center", ncol=min(len(labels), 6), fontsize=8)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
