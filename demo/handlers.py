"""Request handlers of the browser demo: validate the request, call the ``signspark`` library, package the result.

Each public function here is one button of :mod:`demo.app` (and one API endpoint):

* :func:`text_to_sign` - text -> :class:`~signspark.pipeline.SignSparK` -> PoseSequence -> mp4,
  the posed avatar as a 3DGS .ply, a timeline figure, and .npz / .json / .eaf downloads;
* :func:`load_keyframes` - a keyframe file, or a word spelled from the alphabet lexicon ->
  the editable keyframe table (``frame``, ``source``);
* :func:`keyframes_to_sign` - the table -> held poses -> keyframes-to-pose mp4 (keyframes outlined);
* :func:`segment` - a PoseSequence .npz or an LMDB ``data.mdb`` -> FAST tags -> segments, ELAN, JSON.

There is no model logic here. Bad input is answered with :class:`gradio.Error`
carrying the library's own message (what was wrong and what to do), never a
traceback. Every request writes into its own work folder under
``<GRADIO_TEMP_DIR or the system temp folder>/signspark-demo``; folders older
than :data:`WORK_MAX_AGE_S` are removed at the start of each request (Gradio has
copied the outputs into its own cache by then, which ``delete_cache`` prunes).
"""

from __future__ import annotations

import collections
import contextlib
import logging
import math
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable, Sequence

import gradio as gr
import numpy as np

from signspark.pipeline import DEFAULT_GUIDANCE
from signspark.pipeline import MAX_TEXT_CHARS as _PIPELINE_MAX_TEXT_CHARS

__all__ = [
    "MAX_TEXT_CHARS", "MAX_FRAMES", "MAX_UPLOAD_MB", "MAX_KEYFRAMES", "RENDER_SIZE", "WORK_MAX_AGE_S",
    "BUILTIN", "OFFICIAL", "model_choices", "keyframe_policies", "load_pipeline", "load_segmenter",
    "text_to_sign", "load_keyframes", "keyframes_to_sign", "segment", "work_root", "prune_work_dirs",
    "clear_caches",
]

logger = logging.getLogger(__name__)

MAX_TEXT_CHARS = _PIPELINE_MAX_TEXT_CHARS  # characters of input text
MAX_FRAMES = 750                            # longest clip the demo generates or renders (30 s at 25 fps)
MAX_UPLOAD_MB = 50                          # per uploaded file (also enforced by the server: launch(max_file_size))
MAX_KEYFRAMES = 256                         # rows of the keyframe table
RENDER_SIZE = 512                           # video panel, pixels (square)
WORK_MAX_AGE_S = 900                        # per-request work folders older than this are removed
MODEL_CACHE_SIZE = 2                        # generators kept in memory (built-in + one other)

BUILTIN = "built-in"
OFFICIAL = "official"


# ---------------------------------------------------------------------------------------------- choices
def model_choices() -> list[str]:
    """Entries of the model menu (any Hub repo id or local folder may also be typed in)."""
    return [BUILTIN, OFFICIAL]


def keyframe_policies() -> list[str]:
    """Names of the keyframe selection policies (:data:`signspark.keyframes.POLICIES`)."""
    from signspark.keyframes import POLICIES

    return list(POLICIES)


# ---------------------------------------------------------------------------------------------- errors
@contextlib.contextmanager
def _readable_errors(what: str):
    """Turn any exception into a :class:`gr.Error` with a readable message (tracebacks go to the log only)."""
    try:
        yield
    except gr.Error as e:
        e.print_exception = False  # a message for the user, not a fault of the server
        raise
    except (ValueError, OSError) as e:  # the library's input errors (bad files, values, missing models)
        logger.info("%s refused: %s", what, e)
        raise gr.Error(_message(e), print_exception=False) from None
    except Exception as e:
        logger.exception("%s failed", what)
        kind = type(e).__name__
        if kind.endswith(("UnavailableError", "VideoError", "BodyError")):  # renderer / encoder / body set-up
            raise gr.Error(_message(e), print_exception=False) from None
        raise gr.Error(f"{what} failed ({kind}: {_message(e)}). The details are in the server log.",
                       print_exception=False) from None


def _message(e: BaseException) -> str:
    text = str(e).strip()
    if isinstance(e, KeyError) and text.startswith("'"):
        text = text.strip("'")
    text = text or type(e).__name__
    return text[:1].upper() + text[1:]  # the library's messages start in lower case: a sentence here


# ---------------------------------------------------------------------------------------------- work folders
def work_root() -> Path:
    """Parent of the per-request work folders."""
    base = os.environ.get("GRADIO_TEMP_DIR") or tempfile.gettempdir()
    return Path(base) / "signspark-demo"


def prune_work_dirs(max_age_s: float = WORK_MAX_AGE_S, now: float | None = None) -> int:
    """Remove work folders last modified more than ``max_age_s`` seconds ago; returns how many."""
    root = work_root()
    if not root.is_dir():
        return 0
    now = time.time() if now is None else now
    removed = 0
    for d in root.iterdir():
        try:
            if d.is_dir() and now - d.stat().st_mtime > max_age_s:
                shutil.rmtree(d, ignore_errors=True)
                removed += 1
        except FileNotFoundError:  # another request pruned it first
            continue
    return removed


def _new_work_dir(kind: str) -> Path:
    prune_work_dirs()
    root = work_root()
    root.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"{kind}-", dir=root))


# ---------------------------------------------------------------------------------------------- models
_pipelines: "collections.OrderedDict[str, Any]" = collections.OrderedDict()
_segmenters: dict[str, Any] = {}
_model_lock = threading.Lock()


def _model_key(choice: str | None) -> str:
    key = (choice or "").strip()
    return BUILTIN if key.lower() in ("", "builtin", "built-in", "default") else key


def load_pipeline(choice: str | None):
    """The :class:`~signspark.pipeline.SignSparK` for a menu choice, loaded once and cached.

    ``"built-in"`` is the shipped model (``assets/models/generator``, or ``$SIGNSPARK_ASSETS``);
    ``"official"`` the released SignSparK checkpoints (downloaded from the Hub, non-commercial
    licence); anything else a Hub repo id or a local model folder.
    """
    from signspark.pipeline import SignSparK

    key = _model_key(choice)
    with _model_lock:
        if key in _pipelines:
            _pipelines.move_to_end(key)
            return _pipelines[key]
        if key == BUILTIN:
            pipe = SignSparK.from_pretrained(None)
        elif key.lower() == OFFICIAL:
            pipe = SignSparK.from_pretrained(_official_folder())
        else:
            pipe = SignSparK.from_pretrained(key)
        _pipelines[key] = pipe
        while len(_pipelines) > MODEL_CACHE_SIZE:
            _pipelines.popitem(last=False)
        return pipe


def _official_folder() -> Path:
    """Local folder of the official checkpoints (fetched into the Hub cache on first use)."""
    from signspark import hub

    try:
        paths = hub.download_official()
    except hub.HubOfflineError as e:
        raise hub.HubOfflineError(
            f"The official SignSparK model is not available here: {e} The built-in model works offline.") from None
    except hub.HubError as e:
        raise hub.HubError(f"The official SignSparK model could not be fetched: {e}") from None
    # <snapshot>/<stream>/ema_0.9999_200000.pt -> <snapshot>
    return Path(next(iter(paths.values()))).parent.parent


def load_segmenter():
    """The built-in FAST segmenter (cached), or None when it is not installed."""
    from signspark.segment import ModelNotFoundError, Segmenter, default_model_dir

    key = str(default_model_dir())
    with _model_lock:
        if key not in _segmenters:
            try:
                _segmenters[key] = Segmenter.from_pretrained(None)
            except ModelNotFoundError:
                return None
        return _segmenters[key]


def clear_caches() -> None:
    """Forget the loaded models (tests and model swaps)."""
    with _model_lock:
        _pipelines.clear()
        _segmenters.clear()


# ---------------------------------------------------------------------------------------------- validation
def _number(value, name: str, lo: float, hi: float, integer: bool = False, default=None):
    if value is None or (isinstance(value, str) and not value.strip()):
        if default is not None:
            return default
        raise gr.Error(f"{name} is missing: give a number between {lo:g} and {hi:g}")
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise gr.Error(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(x) or not lo <= x <= hi:
        raise gr.Error(f"{name} must be between {lo:g} and {hi:g}, got {value}")
    if integer:
        if x != int(x):
            raise gr.Error(f"{name} must be a whole number, got {value}")
        return int(x)
    return x


def _seed(value) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None  # the pipeline draws one and reports it
    return _number(value, "Seed", 0, 2**31 - 1, integer=True)


def _text(text) -> str:
    text = "" if text is None else str(text).strip()
    if not text:
        raise gr.Error("Type a word or a short sentence to sign.")
    if len(text) > MAX_TEXT_CHARS:
        raise gr.Error(f"The text has {len(text)} characters; the limit is {MAX_TEXT_CHARS}. "
                       f"Split it into shorter sentences.")
    return text


def _upload(path, what: str, suffixes: Sequence[str]) -> Path:
    if path is None or path == "":
        raise gr.Error(f"Upload {what} first.")
    if isinstance(path, dict):  # an API caller passing FileData
        path = path.get("path")
    p = Path(str(path))
    if not p.is_file():
        raise gr.Error(f"The uploaded {what} could not be found on the server; upload it again.")
    size_mb = p.stat().st_size / 2**20
    if size_mb > MAX_UPLOAD_MB:
        raise gr.Error(f"The uploaded file is {size_mb:.0f} MB; the limit is {MAX_UPLOAD_MB} MB.")
    if p.suffix.lower() not in suffixes:
        raise gr.Error(f"{p.name}: expected {what} ({' or '.join(suffixes)}), got a {p.suffix or 'suffix-less'} file.")
    return p


# ---------------------------------------------------------------------------------------------- shared steps
class _Progress:
    """Maps library progress (done, total) onto a slice [lo, hi] of the Gradio bar, about 25 updates at most."""

    def __init__(self, progress: Callable | None, lo: float, hi: float, desc: str):
        self.progress, self.lo, self.hi, self.desc = progress, lo, hi, desc

    def __call__(self, done: int, total: int) -> None:
        if self.progress is None or total <= 0:
            return
        if done == total or done % max(1, total // 25) == 0:
            self.progress(self.lo + (self.hi - self.lo) * done / total, desc=f"{self.desc} {done}/{total}")


def _step(progress, fraction: float, desc: str) -> None:
    if progress is not None:
        progress(fraction, desc=desc)


def _render_options(view: str, backend: str, highlight: bool):
    from signspark.render import RenderOptions

    return RenderOptions(backend=(backend or "auto").strip(), view=view or "front", size=RENDER_SIZE,
                         highlight_keyframes=highlight, caption=True)


def _timeline(title: str):
    """Work for :func:`signspark.outputs.write_outputs`'s side thread: the encoded timeline plot of a clip."""
    from demo.timeline import encoded_plot, timeline_figure

    def draw(out):
        seq = out.pose
        return encoded_plot(timeline_figure(seq.num_frames, seq.fps, seq.segments, seq.keyframes, out.labels,
                                            out.tags, title=title))
    return draw


# ---------------------------------------------------------------------------------------------- text -> sign
def text_to_sign(text, language, model, steps, guidance, seed, speed, view, backend, ply_frame,
                 progress=gr.Progress()):
    """Text -> signing video, 3D avatar frame, timeline, downloads.

    Returns:
        ``(mp4 path, .ply path, timeline figure, [npz, json, eaf], status line)``.
    """
    from signspark.outputs import file_stem

    with _readable_errors("Text to sign"):
        text = _text(text)
        steps = _number(steps, "Sampling steps", 1, 50, integer=True, default=8)
        guidance = _number(guidance, "Guidance", 0.0, 10.0, default=DEFAULT_GUIDANCE)
        speed = _number(speed, "Signing speed", 0.25, 4.0, default=1.0)
        seed = _seed(seed)
        ply_frame = _number(ply_frame, "3D frame", -1, MAX_FRAMES, integer=True, default=-1)

        _step(progress, 0.0, "loading the model")
        pipe = load_pipeline(model)
        _step(progress, 0.05, "generating")
        work = _new_work_dir("t2s")
        out, files = pipe.text_to_video(
            text, language, work, stem=file_stem(text), render=_render_options(view, backend, False),
            ply_frame=ply_frame, segmenter=load_segmenter(), max_frames=MAX_FRAMES,
            progress=_Progress(progress, 0.15, 0.9, "rendering frame"), also=_timeline(f"{language}: {text}"),
            steps=steps, guidance=guidance, seed=seed, speed=speed)
        seq = out.pose
        status = (f"{seq.language}: {text!r} - {seq.num_frames} frames ({seq.num_frames / seq.fps:.1f} s), "
                  f"{len(seq.segments)} sign(s); {out.steps} steps, {out.nfe} model evaluations, seed {out.seed}; "
                  f"generated in {out.seconds:.2f} s, rendered ({files.backend}) in {files.render_seconds:.2f} s; "
                  f"3D frame {files.ply_frame}")
        if not len(seq.segments):
            status += "; no segmentation model installed, so no segments"
        return str(files.video), str(files.ply), files.extra, [str(f) for f in files.downloads], status


# ---------------------------------------------------------------------------------------------- keyframes
def _sources(kf_file, word, language):
    """``(file source or None, text source or None)`` for the keyframe tab's inputs."""
    from signspark.keyframe_edit import PoseSource

    file_src = word_src = None
    if kf_file:
        file_src = PoseSource.from_file(_upload(kf_file, "a keyframe file", (".npz", ".json")))
    word = (word or "").strip()
    if word:
        if len(word) > MAX_TEXT_CHARS:
            raise gr.Error(f"The word has {len(word)} characters; the limit is {MAX_TEXT_CHARS}.")
        word_src = PoseSource.from_text(word, language)
    return file_src, word_src


def load_keyframes(kf_file, word, language):
    """A keyframe file (or else a word spelled from the lexicon) -> the editable keyframe table.

    Returns:
        ``(rows [[frame, source], ...], total frames, status line)``; sources are ``file:N``
        (frame N of the upload) or ``lexicon:N`` (frame N of the spelled word).
    """
    with _readable_errors("Loading keyframes"):
        file_src, word_src = _sources(kf_file, word, language)
        src, tag = (file_src, "file") if file_src is not None else (word_src, "lexicon")
        if src is None:
            raise gr.Error("Upload a keyframe file (.npz or .json) or type a word to spell from the lexicon.")
        if len(src.keyframes) == 0:
            raise gr.Error(f"{src.name} names no keyframes: add rows to the table, e.g. frame 0 with source "
                           f"{tag}:0, or set the PoseSequence's `keyframes` array.")
        rows = [[int(k), f"{tag}:{int(k)}"] for k in src.keyframes[:MAX_KEYFRAMES]]
        status = (f"{len(rows)} keyframe(s) from {src.name}, {src.num_frames} frames at {src.fps:g} fps. "
                  f"Edit the table, then press Render.")
        if file_src is not None and word_src is not None:
            status += f" The word is used as the text, and lexicon:<letter> rows take poses from {word_src.name}."
        return rows, src.num_frames, status


def _table_rows(table) -> list[tuple[int, str]]:
    """``[[frame, source], ...]`` from the Dataframe value (a list, a {"data": ...} payload or a DataFrame)."""
    if table is None:
        return []
    if hasattr(table, "values") and hasattr(table, "columns"):  # pandas
        table = table.values.tolist()
    elif isinstance(table, dict):
        table = table.get("data") or []
    rows = []
    for i, row in enumerate(table):
        cells = list(row) if isinstance(row, (list, tuple)) else [row]
        if all(c is None or str(c).strip() in ("", "nan") for c in cells):
            continue  # an empty row the editor added
        if len(cells) < 2:
            raise gr.Error(f"Keyframe row {i + 1}: needs a frame and a source (file:N or lexicon:<letter or N>).")
        try:
            frame = float(cells[0])
        except (TypeError, ValueError):
            raise gr.Error(f"Keyframe row {i + 1}: frame {cells[0]!r} is not a number.") from None
        if not math.isfinite(frame) or frame != int(frame) or not 0 <= frame < MAX_FRAMES:
            raise gr.Error(f"Keyframe row {i + 1}: frame must be a whole number in [0, {MAX_FRAMES - 1}], "
                           f"got {cells[0]}.")
        rows.append((int(frame), str(cells[1] or "").strip()))
    if len(rows) > MAX_KEYFRAMES:
        raise gr.Error(f"{len(rows)} keyframes given; the limit is {MAX_KEYFRAMES}.")
    return rows


def keyframes_to_sign(kf_file, word, language, table, total_frames, model, steps, guidance, seed, view, backend,
                      progress=gr.Progress()):
    """Keyframes (the table's frames and sources) -> KF2P video with the keyframes outlined.

    Returns:
        ``(mp4 path, timeline figure, [npz], status line)``.
    """
    from signspark.keyframe_edit import assemble_keyframes
    from signspark.outputs import file_stem

    with _readable_errors("Keyframes to sign"):
        steps = _number(steps, "Sampling steps", 1, 50, integer=True, default=8)
        guidance = _number(guidance, "Guidance", 0.0, 10.0, default=DEFAULT_GUIDANCE)
        seed = _seed(seed)
        total = _number(total_frames, "Total frames", 0, MAX_FRAMES, integer=True, default=0)
        _step(progress, 0.0, "reading keyframes")
        file_src, word_src = _sources(kf_file, word, language)
        keyframes = assemble_keyframes(_table_rows(table), file_src, word_src, language, total, MAX_FRAMES)

        _step(progress, 0.05, "loading the model")
        pipe = load_pipeline(model)
        _step(progress, 0.1, "generating")
        text = (word or "").strip()
        work = _new_work_dir("kf2s")
        stem = file_stem(text or (file_src.name.rsplit(".", 1)[0] if file_src else "keyframes")) + ".kf2p"
        out, files = pipe.text_to_video(
            text, language, work, stem=stem, keyframes=keyframes, render=_render_options(view, backend, True),
            segmenter=load_segmenter() if text else None, segments=False,
            progress=_Progress(progress, 0.2, 0.95, "rendering frame"),
            also=_timeline(f"{len(keyframes.frames)} keyframe(s) held"), steps=steps, guidance=guidance, seed=seed)
        seq = out.pose
        status = (f"{len(seq.keyframes)} keyframe(s) held over {seq.num_frames} frames "
                  f"({seq.num_frames / seq.fps:.1f} s); {out.steps} steps, seed {out.seed}; generated in "
                  f"{out.seconds:.2f} s, rendered ({files.backend}) in {files.render_seconds:.2f} s")
        return str(files.video), files.extra, [str(f) for f in files.downloads], status


# ---------------------------------------------------------------------------------------------- segmentation
def _policy_kwargs(policy: str) -> dict:
    """The random policy gets a fresh seeded generator each time, so every output shows the same keyframes."""
    return {"generator": np.random.default_rng(0)} if policy == "random" else {}


def segment(seg_file, clip_id, policy, progress=gr.Progress()):
    """FAST segmentation of an uploaded clip.

    Returns:
        ``(tag figure, segment rows [[sign, start, end, start s, end s], ...], [eaf, json], status line)``.
    """
    from demo.timeline import timeline_figure
    from signspark.outputs import file_stem
    from signspark.segment import export

    with _readable_errors("Segmentation"):
        path = _upload(seg_file, "a PoseSequence .npz or an LMDB data.mdb", (".npz", ".mdb"))
        policy = policy or "onset_middle_offset"
        if policy not in keyframe_policies():
            raise gr.Error(f"Unknown keyframe policy {policy!r}; choose one of {', '.join(keyframe_policies())}.")
        _step(progress, 0.0, "loading the segmenter")
        segmenter = load_segmenter()
        if segmenter is None:
            from signspark.segment import load_model

            load_model(None)  # raises the library's message on how to install the built-in model
        work = _new_work_dir("seg")
        _step(progress, 0.2, "reading the clip")
        from signspark.segment.sources import read_clip

        clip, feats, fps = read_clip(path, (clip_id or "").strip(), scratch=work)
        if len(feats) > 100 * MAX_FRAMES:
            raise gr.Error(f"The clip has {len(feats)} frames; the demo segments at most {100 * MAX_FRAMES}.")
        _step(progress, 0.4, "segmenting")
        t0 = time.perf_counter()
        result = segmenter.segment({clip: feats})[clip]
        seconds = time.perf_counter() - t0
        keyframes = result.keyframes(policy, **_policy_kwargs(policy))
        stem = file_stem(clip)
        files = [str(export.write_eaf(work / f"{stem}.eaf", result.tags, fps, policy=policy, **_policy_kwargs(policy))),
                 str(export.write_json(work / f"{stem}.segments.json", {clip: result.tags}, fps, policy,
                                       **_policy_kwargs(policy)))]
        rows = [[i + 1, int(s), int(e), round(s / fps, 3), round((e + 1) / fps, 3)]
                for i, (s, e) in enumerate(result.segments)]
        fig = timeline_figure(result.num_frames, fps, result.segments, keyframes, tags=result.tags,
                              title=f"FAST tags of {clip}")
        status = (f"{clip}: {result.num_frames} frames ({result.num_frames / fps:.1f} s), {len(rows)} sign(s), "
                  f"{len(keyframes)} keyframe(s) ({policy}); segmented in {seconds:.2f} s")
        return fig, rows, files, status
