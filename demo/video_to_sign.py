"""The demo's "Video to sign" tab: a video of signing in, the avatar signing what it saw out.

A video is uploaded or recorded with the webcam. :func:`video_to_sign` then

1. refuses a file over :data:`MAX_VIDEO_MB` or a video over :data:`MAX_SECONDS` from the
   container's header, before decoding it (a browser recording, whose header states neither
   its length nor its frame rate, is decoded only up to the limit);
2. re-encodes, at a constant frame rate of at most :data:`MAX_FPS`, what needs it: browser
   recordings (variable frame rate: ffmpeg would otherwise repeat frames up to 1000 per
   second) and videos above :data:`MAX_FPS`;
3. captures the signer (:func:`signspark.capture.detect_landmarks`, MediaPipe Holistic, then
   :func:`signspark.capture.fit_landmarks`, SMPL-X + MANO), finds the signs with FAST
   (:func:`signspark.capture.segment_capture`) and picks keyframes from them;
4. renders the fitted clip with the demo's renderer in the chosen view (keyframes outlined),
   and writes the downloads: the capture ``.npz`` (a PoseSequence with the segments and
   keyframes: the file the "Keyframes to sign" tab reads), MediaPipe's landmarks as ``.pose``,
   the segments and keyframes as ELAN ``.eaf`` (linked to the video by its file name).

:func:`send_to_keyframes` hands the capture to the "Keyframes to sign" tab: it sets that tab's
file to the ``.npz`` and fills its table with the same handler as its *Load* button.

Handedness: Gradio mirrors only its webcam *preview*; the recording is stored as the camera
saw it, so the signer's right hand appears on the left of the picture, and the avatar signs with
its right hand. A video saved mirrored (some phones' selfie recordings) needs the *mirrored*
box, which flips the frames back before detection.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import math
import re
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Callable

import gradio as gr

from demo import handlers as H

__all__ = ["MAX_SECONDS", "MAX_VIDEO_MB", "MAX_FPS", "MAX_PER_SEGMENT", "VideoHeader", "read_header",
           "video_to_sign", "send_to_keyframes", "video_to_sign_tab"]

logger = logging.getLogger(__name__)

MAX_SECONDS = 20.0            # longest video captured (seconds)
MAX_VIDEO_MB = H.MAX_UPLOAD_MB  # largest video file (MiB)
MAX_FPS = 30.0                # faster videos are captured at an integer fraction of their rate (60 -> 30)
DEFAULT_FPS = 25.0            # rate given to a recording whose header states none
MAX_PER_SEGMENT = 10          # keyframes per sign for the uniform and random policies
PROCESS_SIDE = 1280           # long side of re-encoded videos, pixels (what the capture decodes at anyway)
ENCODE_TIMEOUT_S = 300        # a re-encoding of at most MAX_SECONDS of video that takes longer is stopped
KEYFRAMES_TAB = ("kf2s", "Keyframes to sign")  # the id and label of that tab in demo.app
VIDEO_SUFFIXES = (".mp4", ".webm", ".mov", ".mkv", ".avi", ".m4v", ".mpg", ".mpeg")

NO_PERSON = ("No person was found in {name}: MediaPipe saw no body in any frame. Film one signer from the front, "
             "with the upper body and both hands in the picture and enough light, and try again.")


# ---------------------------------------------------------------------------------------------- the video
@dataclasses.dataclass(frozen=True)
class VideoHeader:
    """What a video's container says, read without decoding it.

    Attributes:
        fps: frames per second, or None when the header does not say (browser recordings).
        seconds: duration, or None when the header does not say.
        width, height: frame size in pixels.
    """

    fps: float | None
    seconds: float | None
    width: int
    height: int


def read_header(path: str | Path) -> VideoHeader:
    """The header of the video at ``path`` (ffmpeg reads the container; no frame is decoded).

    Raises:
        gr.Error: the file is not a video ffmpeg can read, or it has no picture.
    """
    import imageio_ffmpeg

    name = Path(path).name
    gen = imageio_ffmpeg.read_frames(str(path))
    try:
        meta = next(gen)
    except (OSError, RuntimeError, StopIteration) as e:
        lines = str(e).strip().splitlines()
        raise gr.Error(f"{name} cannot be read as a video ({lines[-1] if lines else type(e).__name__}).",
                       print_exception=False) from None
    finally:
        gen.close()  # ends the ffmpeg process: nothing beyond the header is decoded
    width, height = (int(s) for s in meta.get("size") or (0, 0))
    if width < 1 or height < 1:
        raise gr.Error(f"{name} holds no picture.", print_exception=False)
    fps = float(meta.get("fps") or 0.0)
    seconds = float(meta.get("duration") or 0.0)
    return VideoHeader(fps if math.isfinite(fps) and 0 < fps <= 1000 else None,
                       seconds if math.isfinite(seconds) and seconds > 0 else None, width, height)


def _video_file(video) -> Path:
    """The uploaded video's path, checked for presence, kind and size (before anything reads it)."""
    if isinstance(video, dict):  # an API caller passing FileData, or {"video": FileData}
        video = video.get("video", video)
        video = video.get("path") if isinstance(video, dict) else video
    if not video:
        raise gr.Error("Upload a video of signing, or record one with the webcam, first.")
    path = Path(str(video))
    if not path.is_file():
        raise gr.Error("The video could not be found on the server; upload it again.")
    if path.suffix.lower() not in VIDEO_SUFFIXES:
        raise gr.Error(f"{path.name} is not a video: upload one of {', '.join(VIDEO_SUFFIXES)}.")
    size_mb = path.stat().st_size / 2**20
    if size_mb > MAX_VIDEO_MB:
        raise gr.Error(f"{path.name} is {size_mb:.0f} MB; the limit is {MAX_VIDEO_MB} MB. "
                       f"Upload a shorter or smaller video (at most {MAX_SECONDS:g} s).")
    return path


def _capture_rate(header: VideoHeader) -> float:
    """The frame rate the clip is captured at: the video's own, an integer fraction of it when above
    :data:`MAX_FPS`, :data:`DEFAULT_FPS` when the header states none."""
    if header.fps is None:
        return DEFAULT_FPS
    return header.fps / math.ceil(header.fps / MAX_FPS - 1e-6)


def _frame_limit(fps: float) -> int:
    return min(int(MAX_SECONDS * fps + 1e-6), H.MAX_FRAMES)


def _too_long(name: str, seconds: float | None = None) -> gr.Error:
    length = f"{seconds:.1f} s long" if seconds is not None else f"longer than {MAX_SECONDS:g} s"
    return gr.Error(f"{name} is {length}; the limit is {MAX_SECONDS:g} s. Trim it to the signing you want "
                    f"captured.", print_exception=False)


def _reencode(src: Path, dst: Path, fps: float, max_frames: int) -> int:
    """``src`` as an mp4 at a constant ``fps`` (long side at most :data:`PROCESS_SIDE`), stopped after
    ``max_frames + 1`` frames; returns the number of frames written."""
    import imageio_ffmpeg

    scale = (f"scale='min({PROCESS_SIDE},iw)':'min({PROCESS_SIDE},ih)'"
             ":force_original_aspect_ratio=decrease:force_divisible_by=2")
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-i", str(src),
           "-map", "0:v:0", "-an", "-sn", "-dn", "-vf", f"fps={fps:.6g},{scale}", "-frames:v", str(max_frames + 1),
           "-c:v", "libx264", "-preset", "ultrafast", "-crf", "16", "-pix_fmt", "yuv420p",
           "-progress", "pipe:1", "-nostats", "-y", str(dst)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=ENCODE_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise gr.Error(f"{src.name} could not be prepared within {ENCODE_TIMEOUT_S} s; try a smaller video.",
                       print_exception=False) from None
    counts = re.findall(r"^frame=(\d+)", done.stdout, re.MULTILINE)
    if done.returncode != 0 or not counts or int(counts[-1]) == 0:
        lines = done.stderr.strip().splitlines()
        raise gr.Error(f"{src.name} cannot be decoded ({lines[-1] if lines else 'no frames'}).",
                       print_exception=False)
    return int(counts[-1])


def _prepare(path: Path, work: Path) -> tuple[Path, float, int]:
    """The video the capture reads, its frame rate, and the most frames to read (see the module docstring)."""
    header = read_header(path)
    if header.seconds is not None and header.seconds > MAX_SECONDS + 0.5 / (header.fps or DEFAULT_FPS):
        raise _too_long(path.name, header.seconds)
    fps = _capture_rate(header)
    limit = _frame_limit(fps)
    if header.fps is not None and header.seconds is not None and fps == header.fps:
        return path, fps, limit
    clip = work / "constant-rate.mp4"
    if _reencode(path, clip, fps, limit) > limit:
        raise _too_long(path.name)
    return clip, fps, limit


# ---------------------------------------------------------------------------------------------- the handler
@dataclasses.dataclass
class _Names:
    """How messages name things: the video's file name, and server paths to show as file names."""

    video: str = "the video"
    paths: dict[str, str] = dataclasses.field(default_factory=dict)

    def clean(self, message: str) -> str:
        for server_path in sorted(self.paths, key=len, reverse=True):  # a file before its folder
            message = message.replace(server_path, self.paths[server_path])
        message = message.strip() or "unknown error"
        if message.startswith(tuple(self.paths.values())):  # a file name keeps its case
            return message
        return message[:1].upper() + message[1:]


@contextlib.contextmanager
def _readable_errors(what: str, names: _Names):
    """Any failure as a :class:`gr.Error` with a readable message that shows no server path."""
    from signspark.capture.landmarks import NoPersonError

    try:
        yield
    except gr.Error as e:
        e.print_exception = False
        raise
    except NoPersonError:
        raise gr.Error(NO_PERSON.format(name=names.video), print_exception=False) from None
    except (ValueError, OSError) as e:  # the library's input errors (frames, landmarks, files)
        logger.info("%s refused: %s", what, e)
        raise gr.Error(names.clean(str(e)), print_exception=False) from None
    except Exception as e:
        logger.exception("%s failed", what)
        kind = type(e).__name__
        if kind.endswith(("UnavailableError", "VideoError", "BodyError")):  # renderer / encoder / body set-up
            raise gr.Error(names.clean(str(e)), print_exception=False) from None
        raise gr.Error(f"{what} failed ({kind}: {names.clean(str(e))}). The details are in the server log.",
                       print_exception=False) from None


def _work_dir() -> Path:
    H.prune_work_dirs()
    root = H.work_root()
    root.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="v2s-", dir=root))


class _Bar:
    """``(done, total)`` progress of one step mapped onto a slice [lo, hi] of the Gradio bar (about 25 updates)."""

    def __init__(self, progress: Callable | None, lo: float, hi: float, desc: str, total: int | None = None):
        self.progress, self.lo, self.hi, self.desc, self.total = progress, lo, hi, desc, total

    def __call__(self, done: int, total: int | None = None) -> None:
        total = total or self.total
        if self.progress is None or not total:
            return
        done = min(done, total)
        if done == total or done % max(1, total // 25) == 0:
            self.progress(self.lo + (self.hi - self.lo) * done / total, desc=f"{self.desc} {done}/{total}")


def _step(progress: Callable | None, fraction: float, desc: str) -> None:
    if progress is not None:
        progress(fraction, desc=desc)


def _policy(policy, per_segment) -> tuple[str, int]:
    """The keyframe policy's name and the keyframes per sign, checked."""
    from signspark.options import check

    policy = (policy or "onset_middle_offset").strip()
    if policy not in H.keyframe_policies():
        raise gr.Error(f"Unknown keyframe policy {policy!r}; choose one of {', '.join(H.keyframe_policies())}.")
    return policy, check("per_segment", per_segment, label="Keyframes per sign", high=MAX_PER_SEGMENT, default=3)


def _policy_kwargs(policy: str, k: int) -> dict:
    """Arguments of the policy; the random one gets a fresh seeded generator each time, so that the
    timeline, the .npz and the .eaf show the same keyframes."""
    import numpy as np

    if policy == "uniform":
        return {"k": k}
    if policy == "random":
        return {"k": k, "generator": np.random.default_rng(0)}
    return {}


def video_to_sign(video, view="front", backend="auto", mirrored=False, policy="onset_middle_offset", per_segment=3,
                  progress=gr.Progress()):
    """A video of signing -> the avatar signing what was captured, FAST segments and keyframes, downloads.

    Args:
        video: path of the uploaded or recorded video.
        view: render view (``front``, ``three_quarter``, ``side``, ``hands``).
        backend: renderer backend (``auto``, ``gl``, ``skeleton`` ...).
        mirrored: the video is mirrored (selfie view): flipped back before detection.
        policy: keyframe policy (:data:`signspark.keyframes.POLICIES`).
        per_segment: keyframes per sign for the ``uniform`` and ``random`` policies (1 to
            :data:`MAX_PER_SEGMENT`).

    Returns:
        ``(avatar mp4, timeline figure, [capture .npz, landmarks .pose, segments .eaf], status line)``;
        without a FAST model there is no ``.eaf`` and no keyframes.
    """
    import numpy as np

    from demo.timeline import encoded_plot, timeline_figure
    from signspark.capture import detect_landmarks, fit_landmarks, save_capture, segment_capture, write_pose
    from signspark.capture import layout as L
    from signspark.outputs import file_stem
    from signspark.render import render_video
    from signspark.segment import export

    names = _Names()
    with _readable_errors("Video to sign", names):
        path = _video_file(video)
        names.video, names.paths[str(path)] = path.name, path.name
        policy, per_sign = _policy(policy, per_segment)
        render = _render_options(view, backend)
        work = _work_dir()
        names.paths[str(work)] = "."
        _step(progress, 0.0, "reading the video")
        clip, fps, limit = _prepare(path, work)
        names.paths[str(clip)] = path.name

        t0 = time.perf_counter()
        detect = _Bar(progress, 0.05, 0.5, "finding the body and hands, frame", total=max(1, round(fps * MAX_SECONDS)))
        _step(progress, 0.05, "finding the body and hands")
        lm = detect_landmarks(clip, mirrored=bool(mirrored), max_frames=limit, progress=detect)
        t1 = time.perf_counter()
        _step(progress, 0.5, "fitting the body and hands")
        fit = fit_landmarks(lm)
        t2 = time.perf_counter()
        seq = fit.sequence

        _step(progress, 0.7, "finding the signs")
        segmenter = H.load_segmenter()
        tags = None
        if segmenter is not None:
            found = segment_capture(fit, segmenter)
            tags = found.tags
            seq.segments = np.asarray(found.segments, np.int64).reshape(-1, 2)
            seq.keyframes = np.asarray(found.keyframes(policy, **_policy_kwargs(policy, per_sign)), np.int64)
        stem = file_stem(path.stem, "video")
        files = [save_capture(fit, work / f"{stem}.npz"), write_pose(lm, work / f"{stem}.pose")]
        if tags is not None:  # ELAN finds the video when the .eaf is saved beside it
            files.append(export.write_eaf(work / f"{stem}.eaf", tags, seq.fps, media=work / path.name, policy=policy,
                                          **_policy_kwargs(policy, per_sign)))

        t3 = time.perf_counter()
        # in the demo's long-lived render threads: an OpenGL context made in a server thread is never freed
        out = H._run_in(H._RENDER_THREADS, render_video, seq, work / f"{stem}.avatar.mp4", render,
                        progress=_Bar(progress, 0.75, 0.98, "rendering frame"))
        t4 = time.perf_counter()
        T = seq.num_frames
        title = f"{path.name}: {len(seq.segments)} sign(s) found by FAST" if tags is not None else path.name
        fig = H._run_in(H._PLOT_THREAD, lambda: encoded_plot(timeline_figure(
            T, seq.fps, seq.segments, seq.keyframes, tags=tags, title=title)))

        seen = {part: float(lm.present(part).mean()) for part in (L.POSE, L.LEFT_HAND, L.RIGHT_HAND)}
        status = (f"{path.name}: {T} frames ({T / seq.fps:.1f} s at {seq.fps:g} fps); body seen in "
                  f"{100 * seen[L.POSE]:.0f} % of the frames, left hand {100 * seen[L.LEFT_HAND]:.0f} %, "
                  f"right hand {100 * seen[L.RIGHT_HAND]:.0f} %. ")
        if tags is None:
            status += "No FAST model is installed, so no signs, keyframes or ELAN file. "
        else:
            status += f"FAST found {len(seq.segments)} sign(s); {len(seq.keyframes)} keyframe(s) ({policy}). "
        status += (f"Landmarks in {t1 - t0:.1f} s, fit in {t2 - t1:.1f} s, rendered ({_backend_name(render.backend)}) "
                   f"in {t4 - t3:.1f} s.")
        if max(seen[L.LEFT_HAND], seen[L.RIGHT_HAND]) < 0.2:
            status += " The hands were seldom seen: film with both hands in the picture, in good light."
        return str(out), fig, [str(f) for f in files], status


def _render_options(view, backend):
    from signspark.render import RenderOptions

    return RenderOptions(backend=(backend or "auto").strip(), view=view or "front", size=H.RENDER_SIZE,
                         highlight_keyframes=True, caption=False).resolved()  # a bad view or renderer: refused now


def _backend_name(name: str) -> str:
    if name != "auto":
        return name
    from signspark.render import available_backends

    usable = [b for b in available_backends() if b in ("gsplat", "gl", "torch")]
    return usable[0] if usable else name


def _path_of(f) -> str | None:
    """A file value's path (Gradio passes paths; an API caller may pass FileData dicts)."""
    path = f.get("path") if isinstance(f, dict) else f
    return str(path) if path else None


def send_to_keyframes(downloads):
    """The capture's ``.npz`` as the "Keyframes to sign" tab's file, and that tab's table filled from it
    (by :func:`demo.handlers.load_keyframes`, as its *Load keyframes* button does).

    Returns:
        ``(npz path, table rows, total frames, status line)`` for that tab's file, table, total and status.
    """
    npz = next((p for p in map(_path_of, downloads or []) if p and p.lower().endswith(".npz")), None)
    if npz is None:
        raise gr.Error("Capture a video first: its keyframes are sent from the capture's .npz file.",
                       print_exception=False)
    rows, total, status = H.load_keyframes(npz, "", None)
    return npz, rows, total, status


# ---------------------------------------------------------------------------------------------- the tab
_SYNC_JS = """() => {
  const out = document.querySelector('#v2s_video_out video'), inp = document.querySelector('#v2s_video_in video');
  if (!out || !inp || !inp.src) return;
  inp.currentTime = Math.min(out.currentTime, inp.duration || 0);
  inp.play().catch(() => {});
}"""
_PAUSE_JS = "() => { const inp = document.querySelector('#v2s_video_in video'); if (inp) inp.pause(); }"


def _select_tab_js(tab_id: str, label: str) -> str:
    """Clicks the button of the tab ``tab_id`` (``gr.Tab(id=...)``); else, as in an overflow menu, a
    button named ``label`` (not the page's hidden copy of the tab bar, kept for measuring)."""
    by_id = f"button[role=\"tab\"][data-tab-id={json.dumps(tab_id)}]"
    return (f"() => {{ const b = document.querySelector({json.dumps(by_id)}) || "
            f"[...document.querySelectorAll('button:not([tabindex=\"-1\"])')]"
            f".find(x => x.textContent.trim() === {json.dumps(label)}); if (b) b.click(); }}")


def video_to_sign_tab(*, views, backends, keyframes, gpu: Callable = lambda fn: fn) -> None:
    """The "Video to sign" tab (built inside the caller's Blocks, where it stands among the tabs).

    Args:
        views, backends: the choices of the view and renderer menus, as in the other tabs.
        keyframes: the "Keyframes to sign" tab's ``(file, table, total frames, status)`` components,
            which the *Edit the keyframes* button fills.
        gpu: the decorator the other tabs' handlers get (ZeroGPU on Spaces).
    """
    kf_file, kf_table, kf_frames, kf_status = keyframes
    with gr.Tab("Video to sign", id="v2s"):
        gr.Markdown(
            f"Upload a video of signing or record one with the webcam (one signer, upper body and both hands in the "
            f"picture; at most {MAX_SECONDS:g} s and {MAX_VIDEO_MB} MB). MediaPipe finds the body and hands, "
            f"SMPL-X and MANO are fitted to them, and the avatar signs what was captured (keyframes outlined in "
            f"red). FAST marks the signs; the built-in FAST model learnt from fingerspelling, so on other signing "
            f"its signs are a first guess.")
        with gr.Row(equal_height=True):
            # the webcam is shown as the camera sees it (not as a mirror), like the recording and the avatar beside it
            video_in = gr.Video(label="Your video", sources=["upload", "webcam"], elem_id="v2s_video_in", height=420,
                                webcam_options=gr.WebcamOptions(mirror=False))
            video_out = gr.Video(label="The avatar signs it", interactive=False, autoplay=True, elem_id="v2s_video_out",
                                 height=420)
        with gr.Row():
            view = gr.Dropdown(views, value="front", label="View", elem_id="v2s_view_in")
            backend = gr.Dropdown(backends, value="auto", label="Renderer", elem_id="v2s_backend_in")
            mirrored = gr.Checkbox(value=False, label="The video is mirrored", elem_id="v2s_mirrored_in",
                                   info="a selfie recording saved as in a mirror (the signer's right hand on the "
                                        "right); webcam recordings here are not mirrored")
        with gr.Row():
            policy = gr.Dropdown(H.keyframe_policies(), value="onset_middle_offset", label="Keyframe policy",
                                 elem_id="v2s_policy_in")
            per_segment = gr.Number(value=3, precision=0, minimum=1, maximum=MAX_PER_SEGMENT,
                                    label="Keyframes per sign (uniform, random)", elem_id="v2s_per_segment_in")
        go = gr.Button("Capture and sign", variant="primary", elem_id="v2s_btn")
        status = gr.Textbox(label="Status", interactive=False, elem_id="v2s_status_out")
        timeline = gr.Plot(label="Signs (FAST) and keyframes", elem_id="v2s_timeline_out")
        files = gr.File(label="Downloads: capture (.npz), landmarks (.pose), ELAN (.eaf)", file_count="multiple",
                        interactive=False, elem_id="v2s_files_out")
        send = gr.Button(f"Edit the keyframes in “{KEYFRAMES_TAB[1]}”", elem_id="v2s_send_btn")
    go.click(gpu(video_to_sign), inputs=[video_in, view, backend, mirrored, policy, per_segment],
             outputs=[video_out, timeline, files, status], api_name="video_to_sign")
    video_out.play(None, js=_SYNC_JS, api_name=False)  # the input plays beside the avatar
    video_out.pause(None, js=_PAUSE_JS, api_name=False)
    send.click(send_to_keyframes, inputs=files, outputs=[kf_file, kf_table, kf_frames, kf_status],
               api_name=False).success(None, js=_select_tab_js(*KEYFRAMES_TAB), api_name=False)
