"""Request handlers of the browser demo: validate the request, call the ``signspark`` library, package the result.

Each public function here is one button of :mod:`demo.app` (and one API endpoint):

* :func:`text_to_sign` - text -> :class:`~signspark.pipeline.SignSparK` -> PoseSequence -> mp4
  (streamed: its first pieces are shown while the rest renders), the posed avatar as a 3DGS .ply,
  the animated .glb, a timeline figure, the clip's timing for the learning player, and
  .mp4 / .npz / .json / .eaf / .glb downloads;
* :func:`load_keyframes` - a keyframe file, or a word spelled from the alphabet lexicon ->
  the editable keyframe table (``frame``, ``source``);
* :func:`keyframes_to_sign` - the table -> held poses -> keyframes-to-pose mp4 (keyframes outlined);
* :func:`segment` - a PoseSequence .npz or an LMDB ``data.mdb`` -> FAST tags -> segments, ELAN, JSON;
* :func:`practice_new` / :func:`practice_check` - fingerspelling practice: a word from the
  language's list is signed (no caption), the learner's answer gets letter-by-letter feedback,
  scores kept for the session.

There is no model logic here. Bad input is answered with :class:`gradio.Error`
carrying the library's own message (what was wrong and what to do), never a
traceback, with paths cut to their base names (:func:`demo.errors.public_message`).
Numeric fields are checked by :func:`signspark.options.check_field`; the models a
visitor may choose are the server's menu (:class:`demo.models.ModelMenu`). Every request writes into its own work folder under
``<GRADIO_TEMP_DIR or the system temp folder>/signspark-demo``; folders older
than :data:`WORK_MAX_AGE_S` are removed at the start of each request (Gradio has
copied the outputs into its own cache by then, which ``delete_cache`` prunes).
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import contextvars
import html
import logging
import math
import os
import queue
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable, Sequence

import gradio as gr
import numpy as np

from demo.errors import public_message
from demo.models import BUILTIN, OFFICIAL, ModelMenu
from signspark.options import MAX_DEMO_FRAMES, check_field
from signspark.pipeline import DEFAULT_GUIDANCE
from signspark.pipeline import MAX_TEXT_CHARS as _PIPELINE_MAX_TEXT_CHARS

__all__ = [
    "MAX_TEXT_CHARS", "MAX_FRAMES", "MAX_UPLOAD_MB", "MAX_KEYFRAMES", "RENDER_SIZE", "WORK_MAX_AGE_S",
    "BUILTIN", "OFFICIAL", "model_choices", "model_menu", "set_model_menu", "keyframe_policies", "load_pipeline",
    "load_segmenter",
    "text_to_sign", "load_keyframes", "keyframes_to_sign", "segment", "work_root", "prune_work_dirs",
    "clear_caches", "practice_new", "practice_check", "new_practice_state", "PRACTICE_LENGTHS", "animated_model",
    "show_3d_views", "clear_3d_views",
]

logger = logging.getLogger(__name__)

MAX_TEXT_CHARS = _PIPELINE_MAX_TEXT_CHARS  # characters of input text
MAX_FRAMES = MAX_DEMO_FRAMES                # longest clip the demo generates or renders (30 s at 25 fps)
MAX_UPLOAD_MB = 50                          # per uploaded file (also enforced by the server: launch(max_file_size))
MAX_KEYFRAMES = 256                         # rows of the keyframe table
RENDER_SIZE = 512                           # video panel, pixels (square)
PRACTICE_SIZE = 384                         # practice clips: smaller, they are short and many
WORK_MAX_AGE_S = 900                        # per-request work folders older than this are removed
MODEL_CACHE_SIZE = 2                        # generators kept in memory (built-in + one other)


# ---------------------------------------------------------------------------------------------- choices
_menu = ModelMenu()  # public: the built-in and the official model only (set_model_menu at launch)


def set_model_menu(menu: ModelMenu) -> None:
    """The models this server offers (:class:`demo.models.ModelMenu`, set once at launch)."""
    global _menu
    _menu = menu


def model_menu() -> ModelMenu:
    """The models this server offers."""
    return _menu


def model_choices() -> list[str]:
    """Entries of the model menu: built-in, official, the folders named at launch."""
    return _menu.choices()


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
        e.message = public_message(str(e.message))
        raise
    except (ValueError, OSError) as e:  # the library's input errors (bad files, values, missing models)
        logger.info("%s refused: %s", what, e)
        raise gr.Error(_message(e), print_exception=False) from None
    except Exception as e:
        kind = type(e).__name__
        if kind.endswith("UnavailableError"):  # a renderer (or MediaPipe) this server lacks: a refusal, no fault
            logger.warning("%s refused: %s", what, e)
            raise gr.Error(_message(e), print_exception=False) from None
        logger.exception("%s failed", what)
        if kind.endswith(("VideoError", "BodyError")):  # encoder / body set-up: readable, details in the log
            raise gr.Error(_message(e), print_exception=False) from None
        raise gr.Error(f"{what} failed ({kind}: {_message(e)}). The details are in the server log.",
                       print_exception=False) from None


def _message(e: BaseException) -> str:
    text = str(e).strip()
    if isinstance(e, KeyError) and text.startswith("'"):
        text = text.strip("'")
    text = public_message(text or type(e).__name__)  # no paths of the server's folders
    if "." in text.split(":", 1)[0].split(" ", 1)[0]:
        return text  # it starts with a file's name: as it is
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


def load_pipeline(choice: str | None):
    """The :class:`~signspark.pipeline.SignSparK` for a menu choice, loaded once and cached.

    ``"built-in"`` is the shipped model (``assets/models/generator``, or ``$SIGNSPARK_ASSETS``);
    ``"official"`` the released SignSparK checkpoints (downloaded from the Hub, non-commercial
    licence); a folder named at launch by its menu entry; with ``--any-model`` also any Hub repo id
    or local folder. Anything else raises :class:`demo.models.ModelNotOffered` (one message for all).
    """
    from signspark.pipeline import SignSparK

    key = _menu.source(choice)
    with _model_lock:
        if key in _pipelines:
            _pipelines.move_to_end(key)
            return _pipelines[key]
        if key == BUILTIN:
            pipe = SignSparK.from_pretrained(None)
        elif key == OFFICIAL:
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
def _seed(value) -> int | None:
    """The seed field: empty lets the pipeline draw one (and report it)."""
    return check_field("seed", value)


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


# ---------------------------------------------------------------------------------------------- threads
# Rendering runs in these long-lived threads, never in the server's: a handler runs (and a streaming
# one is resumed) in whichever server thread is free, but the OpenGL renderer's context belongs to
# one thread and is made once per thread; moderngl never frees it, so a context made in a server
# thread that later ends is lost (the server's memory crept up with each one). Reusing the threads
# also keeps the first frame quick.
RENDER_THREADS = 4
_RENDER_THREADS = concurrent.futures.ThreadPoolExecutor(max_workers=RENDER_THREADS, thread_name_prefix="demo-render")
# Plots are drawn in one long-lived thread: matplotlib keeps its fonts per thread (drawing in a new
# thread per request opened them again, and memory crept up) and is not thread-safe anyway.
_PLOT_THREAD = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="demo-plot")


def warm_render_threads(task: Callable[[], Any] | None = None, timeout: float = 120.0) -> int:
    """Start every render thread now and run ``task`` once in each (default: one small frame with the
    demo's renderer, which makes the thread's OpenGL context and compiles its programs), so that the
    first visitors' requests find them ready and the server's memory is flat from its first requests.

    Returns the number of threads warmed. The tasks wait for one another, so each lands in its own
    thread; if the threads are busy for ``timeout`` seconds the warm-up gives up (threading.BrokenBarrierError).
    """
    n = RENDER_THREADS
    barrier = threading.Barrier(n, timeout=timeout)

    def one() -> None:
        barrier.wait()  # every task holds its thread until all have one
        (task or _render_one_frame)()

    futures = [_RENDER_THREADS.submit(one) for _ in range(n)]
    for f in futures:
        f.result()
    return n


def _render_one_frame() -> None:
    import dataclasses

    from signspark.pose.sequence import PoseSequence
    from signspark.render import render_frames

    options = dataclasses.replace(_render_options("front", "auto", False), size=64, caption=None)
    for _ in render_frames(PoseSequence.zeros(1), options):
        pass


def _run_in(pool: concurrent.futures.ThreadPoolExecutor, fn: Callable, *args, **kwargs):
    """``fn(*args, **kwargs)`` in one of ``pool``'s threads, with this request's context (Gradio's
    progress bar finds its request through context variables); returns or raises what ``fn`` did."""
    return pool.submit(contextvars.copy_context().run, fn, *args, **kwargs).result()


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
        from signspark.signs.signwriting_images import sign_pictures

        seq = out.pose
        pictures = sign_pictures(out.labels, seq.language) if out.labels else None
        return encoded_plot(timeline_figure(seq.num_frames, seq.fps, seq.segments, seq.keyframes, out.labels,
                                            out.tags, title=title, pictures=pictures))
    return lambda out: _run_in(_PLOT_THREAD, draw, out)


# ---------------------------------------------------------------------------------------------- text -> sign


class _Stopped(Exception):
    """The page went away: stop rendering."""


def _stream_events(work: Callable[[Callable, Callable], Any]):
    """Run ``work(on_generated, on_chunk)`` in a render thread; yield ``("generated", out)`` and
    ``("chunk", VideoChunk)`` as they happen; return what ``work`` returned (or raise what it raised)."""
    events: queue.Queue = queue.Queue()
    stop = threading.Event()

    def on_chunk(chunk):
        if stop.is_set():
            raise _Stopped()
        events.put(("chunk", chunk))

    future = _RENDER_THREADS.submit(work, lambda out: events.put(("generated", out)), on_chunk)
    future.add_done_callback(lambda f: events.put(("done", f)))
    try:
        while True:
            kind, value = events.get()
            if kind == "done":
                return value.result()
            yield kind, value
    finally:
        stop.set()  # a closed generator (the client left) stops the render at the next piece


def _t2s_status(out, text: str, files=None, first_frames_s: float | None = None) -> str:
    seq = out.pose
    status = (f"{seq.language}: {text!r} - {seq.num_frames} frames ({seq.num_frames / seq.fps:.1f} s), "
              f"{len(seq.segments)} sign(s); "
              + ("the lexicon's motion" if out.sampler == "lexicon" else f"{out.steps} steps, {out.nfe} model evaluations")
              + f", seed {out.seed}; generated in {out.seconds:.2f} s")
    if files is None:
        return status + "; rendering..."
    status += f", rendered ({files.backend}) in {files.render_seconds:.2f} s"
    if first_frames_s is not None:
        status += f" (first frames shown after {first_frames_s:.2f} s)"
    status += f"; 3D frame {files.ply_frame}"
    if not len(seq.segments):
        status += "; no segmentation model installed, so no segments"
    return status


MOTIONS = {"default": None, "lexicon": "lexicon", "generated": "generated"}  # the Motion menu -> pipeline


def text_to_sign(text, language, model, steps, guidance, seed, speed, view, backend, ply_frame, left_handed=False,
                 notation="", motion="default", progress=gr.Progress()):
    """Text -> signing video (streamed while it renders), 3D avatar frame, animated .glb, timeline, downloads.

    A generator: it yields once the clip is generated (its timing for the player), then with each
    finished piece of the video, and last with everything.

    Yields:
        ``(mp4 path, .ply path, timeline figure, [mp4, npz, json, eaf, glb], status line,
        player info, [video pieces])``; what has not changed yet is ``gr.skip()``. The player info
        (:func:`signspark.playback.player_info`) has ``"stream": True`` when it starts a streamed clip
        (first yield) and False when it is sent again with the finished files.
    """
    from signspark.outputs import file_stem
    from signspark.playback import player_info

    t0 = time.perf_counter()
    with _readable_errors("Text to sign"):
        signs = None
        if notation and str(notation).strip():  # signs written in HamNoSys or SiGML, signed in order
            from signspark.signs.hamnosys.lexicon_files import signs_from_text

            signs = signs_from_text(str(notation))
            text = "" if text is None else str(text).strip()[:MAX_TEXT_CHARS]
        else:
            text = _text(text)
        steps = check_field("steps", steps, default=8)
        guidance = check_field("guidance", guidance, default=DEFAULT_GUIDANCE)
        speed = check_field("speed", speed, default=1.0)
        seed = _seed(seed)
        ply_frame = check_field("ply_frame", ply_frame, default=-1)
        _menu.source(model)  # a model off the menu: refused before any work
        if not isinstance(motion, (str, type(None))) or (motion or "default") not in MOTIONS:
            raise gr.Error(f"Motion must be one of {', '.join(MOTIONS)}, got {str(motion)[:40]!r}")
        motion = MOTIONS[motion or "default"]
        left_handed = bool(left_handed)
        render = _render_options(view, backend, False).resolved()  # a bad view or renderer: refused now

        _step(progress, 0.0, "loading the model")
        pipe = load_pipeline(model)
        _step(progress, 0.05, "generating")
        work = _new_work_dir("t2s")

        def run(on_generated, on_chunk):
            return pipe.text_to_video(
                text, language, work, stem=file_stem(text), render=render, ply_frame=ply_frame,
                segmenter=load_segmenter(), max_frames=MAX_FRAMES, progress=None,
                also=_timeline(f"{language}: {text}"), left_handed=left_handed, glb=True,
                on_generated=on_generated, on_chunk=on_chunk, steps=steps, guidance=guidance, seed=seed, speed=speed,
                signs=signs, motion=motion)

        skip = gr.skip()
        pieces: list[str] = []
        first_frames_s = None
        events = _stream_events(run)
        while True:
            try:
                kind, value = next(events)
            except StopIteration as done:
                out, files = done.value
                break
            if kind == "generated":
                generated = value
                info = {**player_info(value.pose, value.labels, text), "stream": True}
                yield skip, skip, skip, skip, _t2s_status(value, text), info, []
            else:
                pieces.append(str(value.path))
                if first_frames_s is None:
                    first_frames_s = time.perf_counter() - t0
                frames = value.start_frame + value.num_frames
                _step(progress, 0.15 + 0.8 * frames / generated.num_frames, f"rendering frame {frames}")
                yield (skip, skip, skip, skip,
                       _t2s_status(generated, text) + f" {frames}/{generated.num_frames} frames", skip, list(pieces))
        downloads = [str(files.video)] + [str(f) for f in files.downloads]
        info = {**info, "stream": False}  # the same timing again (the API's result), not a new stream
        yield (str(files.video), str(files.ply), files.extra, downloads, _t2s_status(out, text, files, first_frames_s),
               info, list(pieces))


def read_notation_file(path) -> str:
    """An uploaded SiGML file -> its text, for the notation box (checked when Generate is pressed)."""
    from signspark.signs.hamnosys import MAX_SIGML_BYTES

    with _readable_errors("Reading the SiGML file"):
        p = _upload(path, "a SiGML file", (".sigml", ".xml"))
        if p.stat().st_size > MAX_SIGML_BYTES:
            raise gr.Error(f"The SiGML file is larger than {MAX_SIGML_BYTES} bytes.")
        try:
            return p.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise gr.Error("The SiGML file is not UTF-8 text.") from None


def _path_of(f) -> str | None:
    if f is None:
        return None
    path = f.get("path") if isinstance(f, dict) else getattr(f, "path", f)
    return str(path) if path else None


def animated_model(downloads):
    """The .glb among a request's downloads (None when there is none)."""
    for f in downloads or []:
        path = _path_of(f)
        if path and path.lower().endswith(".glb"):
            return path
    return None


def show_3d_views(ply, downloads):
    """The 3D viewers' files: the avatar frame (.ply) and the animated model (.glb) of the last request.

    The viewers open on request (and :func:`clear_3d_views` empties them when a new request starts):
    they draw continuously in the browser, which costs a processor core without a graphics card.
    """
    ply, glb = _path_of(ply), animated_model(downloads)
    if ply is None and glb is None:
        raise gr.Error("Generate a clip first.")
    return ply, glb


def clear_3d_views():
    """Empty both 3D viewers."""
    return None, None


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
                      left_handed=False, progress=gr.Progress()):
    """Keyframes (the table's frames and sources) -> KF2P video with the keyframes outlined.

    Returns:
        ``(mp4 path, timeline figure, [npz, glb], status line, player info)``.
    """
    from signspark.keyframe_edit import assemble_keyframes
    from signspark.outputs import file_stem
    from signspark.playback import player_info

    with _readable_errors("Keyframes to sign"):
        steps = check_field("steps", steps, default=8)
        guidance = check_field("guidance", guidance, default=DEFAULT_GUIDANCE)
        seed = _seed(seed)
        total = check_field("total_frames", total_frames, default=0)
        _menu.source(model)  # a model off the menu: refused before any work
        _step(progress, 0.0, "reading keyframes")
        file_src, word_src = _sources(kf_file, word, language)
        keyframes = assemble_keyframes(_table_rows(table), file_src, word_src, language, total, MAX_FRAMES)

        _step(progress, 0.05, "loading the model")
        pipe = load_pipeline(model)
        _step(progress, 0.1, "generating")
        text = (word or "").strip()
        work = _new_work_dir("kf2s")
        stem = file_stem(text or (file_src.name.rsplit(".", 1)[0] if file_src else "keyframes")) + ".kf2p"
        out, files = _run_in(
            _RENDER_THREADS, pipe.text_to_video,
            text, language, work, stem=stem, keyframes=keyframes, render=_render_options(view, backend, True),
            segmenter=load_segmenter() if text else None, segments=False,
            progress=_Progress(progress, 0.2, 0.95, "rendering frame"),
            also=_timeline(f"{len(keyframes.frames)} keyframe(s) held"), left_handed=bool(left_handed), glb=True,
            steps=steps, guidance=guidance, seed=seed)
        seq = out.pose
        status = (f"{len(seq.keyframes)} keyframe(s) held over {seq.num_frames} frames "
                  f"({seq.num_frames / seq.fps:.1f} s); {out.steps} steps, seed {out.seed}; generated in "
                  f"{out.seconds:.2f} s, rendered ({files.backend}) in {files.render_seconds:.2f} s")
        info = {**player_info(seq, out.labels, text), "stream": False}
        return str(files.video), files.extra, [str(f) for f in files.downloads], status, info


# ---------------------------------------------------------------------------------------------- segmentation
def _policy_kwargs(policy: str) -> dict:
    """The random policy gets a fresh seeded generator each time, so every output shows the same keyframes."""
    return {"generator": np.random.default_rng(0)} if policy == "random" else {}


def segment(seg_file, clip_id, policy, progress=gr.Progress()):
    """FAST segmentation of an uploaded clip.

    Returns:
        ``(tag figure, segment rows [[sign, start, end, start s, end s], ...], [eaf, json], status line)``.
    """
    from demo.timeline import encoded_plot, timeline_figure
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
        fig = _run_in(_PLOT_THREAD, lambda: encoded_plot(timeline_figure(
            result.num_frames, fps, result.segments, keyframes, tags=result.tags, title=f"FAST tags of {clip}")))
        status = (f"{clip}: {result.num_frames} frames ({result.num_frames / fps:.1f} s), {len(rows)} sign(s), "
                  f"{len(keyframes)} keyframe(s) ({policy}); segmented in {seconds:.2f} s")
        return fig, rows, files, status


# ---------------------------------------------------------------------------------------------- practice
PRACTICE_LENGTHS = {"short": "short (2-4 letters)", "medium": "medium (5-7 letters)", "long": "long (8+ letters)"}
PRACTICE_HISTORY = 50  # results kept per session


def new_practice_state() -> dict:
    """A session's practice record (kept in ``gr.State``, never sent to the page)."""
    return {"word": None, "language": None, "checked": False, "seen": [], "history": [], "info": None}


def _score_line(state: dict) -> str:
    hist = state["history"]
    if not hist:
        return "No words checked yet in this session."
    right = sum(h["exact"] for h in hist)
    letters_ok = sum(h["correct"] for h in hist)
    letters_all = sum(h["total"] for h in hist)
    last = ", ".join(h["word"] + (" ✓" if h["exact"] else f" {h['correct']}/{h['total']}") for h in hist[-5:])
    return (f"**This session:** {right} of {len(hist)} word(s) read exactly, {letters_ok} of {letters_all} letters "
            f"({100 * letters_ok / max(letters_all, 1):.0f} %). Last: {last}")


def practice_new(language, length, speed, view, left_handed, state, progress=gr.Progress()):
    """A new word from the language's list, fingerspelled by the avatar (no caption: the learner reads it).

    Returns:
        ``(mp4 path, player info without the word, status line, feedback (cleared), state)``.
    """
    from signspark.playback import player_info
    from signspark.render import RenderOptions
    from signspark.signs.practice import LENGTHS, choose_word

    with _readable_errors("Practice"):
        state = dict(state or new_practice_state())
        length = (length or "short").strip()
        if length not in LENGTHS:
            raise gr.Error(f"Unknown word length {length!r}; choose one of {', '.join(LENGTHS)}.")
        speed = check_field("practice_speed", speed, default=1.0)
        render = RenderOptions(view=view or "hands", size=PRACTICE_SIZE, caption=False,
                               highlight_keyframes=False).resolved()
        word = choose_word(language, length, avoid=state["seen"][-20:])
        _step(progress, 0.1, "signing a new word")
        pipe = load_pipeline(BUILTIN)
        out, files = _run_in(_RENDER_THREADS, pipe.text_to_video, word, language, _new_work_dir("practice"),
                             stem="practice", render=render, npz=False, segments=False,
                             left_handed=bool(left_handed), steps=4, retrieval=True, speed=speed,
                             seed=len(state["seen"]), progress=_Progress(progress, 0.2, 0.95, "rendering frame"))
        state.update(word=word, language=get_language_code(language), checked=False,
                     seen=(state["seen"] + [word])[-100:])
        status = (f"{state['language']}: a {length} word, {out.num_frames / out.pose.fps:.1f} s. "
                  f"Watch (slow it down, loop it), then type what you read.")
        info = {**player_info(out.pose, out.labels, word, reveal=False), "stream": False}
        state["info"] = {**player_info(out.pose, out.labels, word), "stream": False}  # shown once checked
        return str(files.video), info, status, "", state


def get_language_code(language) -> str:
    from signspark.signs.languages import get_language

    return get_language(language).code


_MARK_STYLE = {"ok": ("#1b7f3b", "#e3f5e8", "right"), "wrong": ("#b3261e", "#fde7e6", "read as"),
               "missing": ("#b3261e", "#fde7e6", "missed"), "extra": ("#8a6d00", "#fff6d5", "not in the word")}


def _feedback_html(result) -> str:
    cells = []
    for m in result.marks:
        color, bg, what = _MARK_STYLE[m.status]
        top = html.escape(m.expected or "·")
        bottom = html.escape(m.typed or "–")
        title = f"{m.expected or ''} {what} {m.typed or ''}".strip()
        cells.append(f'<span class="practice-letter practice-{m.status}" title="{html.escape(title)}" '
                     f'style="display:inline-flex;flex-direction:column;align-items:center;min-width:2.2em;'
                     f'margin:2px;padding:4px 6px;border-radius:6px;border:2px solid {color};background:{bg};'
                     f'color:{color};font-weight:bold"><span style="font-size:1.4em">{top}</span>'
                     f'<span style="font-size:0.85em">{bottom}</span></span>')
    verdict = ("Exactly right!" if result.exact else
               f"{result.correct} of {result.total} letters right. The word was "
               f"<b>{html.escape(result.word)}</b>.")
    return (f'<div id="practice_result"><div style="font-size:1.1em;margin-bottom:4px">{verdict}</div>'
            f'<div>{"".join(cells)}</div><div style="font-size:0.85em;color:#555">top: the word\'s letters; '
            f'bottom: what you typed (– missed, · added)</div></div>')


def practice_check(answer, state):
    """Compare the learner's answer with the word, letter by letter, and reveal the word in the player.

    Returns:
        ``(feedback HTML, session score (Markdown), player info with the word, state)``.
    """
    from signspark.signs.practice import check_answer

    with _readable_errors("Practice"):
        state = dict(state or new_practice_state())
        if not state.get("word"):
            raise gr.Error("Press New word first: the avatar fingerspells a word for you to read.")
        answer = "" if answer is None else str(answer).strip()
        if not answer:
            raise gr.Error("Type the word you read (press Replay or slow it down to watch again).")
        if len(answer) > MAX_TEXT_CHARS:
            raise gr.Error(f"The answer has {len(answer)} characters; the limit is {MAX_TEXT_CHARS}.")
        result = check_answer(state["word"], answer, state["language"])
        if not state["checked"]:  # only the first answer to a word counts towards the score
            state["history"] = (state["history"] + [{"word": result.word, "correct": result.correct,
                                                     "total": result.total, "exact": result.exact}])[-PRACTICE_HISTORY:]
            state["checked"] = True
        return _feedback_html(result), _score_line(state), state["info"], state
