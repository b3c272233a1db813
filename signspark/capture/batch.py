"""Batch capture for datasets: a folder of videos / ``.pose`` files -> one official-schema LMDB file.

Every clip is captured (MediaPipe Holistic + the SMPL-X + MANO fit), segmented by FAST on its
captured hands (:func:`signspark.capture.fast_input.fast_features`) and written as one record:
``language`` from the caller (a code of the sign-language registry), ``translation`` from a CSV
file (``file,text`` columns), ``gloss`` empty, ``segment`` the FAST BIO tags, the four feature
streams from the fit (:func:`signspark.data.features.record_from_sequence`; hands are stored as
fitted everywhere, rest poses included: the zeroing of unseen hands is only FAST's input).

Parallel: MediaPipe Holistic runs on one core, so clips go to ``workers`` processes (default: one
per available core), each with one torch thread. At most ``workers`` clips are in flight, and the
LMDB is written from the parts a few records at a time, so memory is bounded by a few clips, not
by the size of the dataset.

Resumable: each finished clip is kept in a work folder (default ``OUT.lmdb.parts/`` beside the
output) as ``<clip>.npz`` (a capture ``.npz``: PoseSequence, confidences, plus ``fast_tags`` and
the settings it was made with). A run that stops for any reason continues where it stopped: clips
whose part exists with the same settings are not captured again. Text and language are applied
when the LMDB is written (atomically, at the end), so a corrected CSV needs no new capture.

Failures: a clip that cannot be captured is reported by name and the others go on; a clip the CSV
does not name is **skipped** and reported (a record without its translation is of no use for
text-to-pose training); a worker process that dies is replaced, and the clips it was working on are
tried again, each alone: a clip that kills its worker when alone fails.

Example::

    report = capture_to_lmdb(sorted(Path("clips").iterdir()), "data/train/mine_train.lmdb",
                             language="ASL", texts=read_text_csv("clips.csv"))
    report.failures       # [(file name, message), ...]
"""

from __future__ import annotations

import concurrent.futures as cf
import csv
import dataclasses
import json
import multiprocessing
import os
import time
from pathlib import Path
from typing import Callable

import numpy as np

__all__ = ["BatchReport", "capture_to_lmdb", "read_text_csv", "match_texts", "default_workers", "parts_folder",
           "MAX_WORKERS"]

MAX_WORKERS = 64
PART_KEYS = ("fast_tags", "batch_settings", "part_confidence")


@dataclasses.dataclass
class BatchReport:
    """What a batch did.

    Attributes:
        lmdb: the LMDB file written (None when no clip succeeded).
        clips: clip ids written, in order.
        captured: clip ids captured in this run (the others came from the work folder).
        failures: ``(file name, message)`` of clips that failed or were skipped.
        frames: frames written.
        captured_frames: frames captured in this run.
        seconds: wall time of the run.
        notes: remarks on clips that were written (e.g. a frame rate other than 25: the LMDB schema
            stores no frame rate and the official data is 25 fps).
    """

    lmdb: Path | None
    clips: list[str]
    captured: list[str]
    failures: list[tuple[str, str]]
    frames: int
    seconds: float
    captured_frames: int = 0
    notes: list[str] = dataclasses.field(default_factory=list)


def default_workers(num_clips: int | None = None) -> int:
    """One worker per core available to this process, at most ``num_clips`` and :data:`MAX_WORKERS`."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    n = max(1, min(cores, MAX_WORKERS))
    return max(1, min(n, num_clips)) if num_clips else n


def parts_folder(lmdb_path: str | os.PathLike) -> Path:
    """The default work folder of an output: ``OUT.lmdb.parts`` beside it."""
    p = Path(lmdb_path)
    return p.with_name(p.name + ".parts")


# ------------------------------------------------------------------------------------------------ texts
def read_text_csv(path: str | os.PathLike) -> dict[str, str]:
    """``{file: text}`` from a CSV file with a header holding ``file`` and ``text`` columns (UTF-8).

    Raises:
        ValueError: missing columns, an empty file name, or a file listed twice with different
            texts (the message names the CSV file and the line).
    """
    path = Path(path)
    try:
        fh = open(path, newline="", encoding="utf-8-sig")
    except OSError as e:
        raise ValueError(f"{path}: cannot read the text CSV ({e.strerror})") from None
    out: dict[str, str] = {}
    with fh:
        try:
            reader = csv.DictReader(fh)
            fields = [f.strip().lower() for f in (reader.fieldnames or [])]
            if "file" not in fields or "text" not in fields:
                raise ValueError(f"{path}: the text CSV needs a header with 'file' and 'text' columns, "
                                 f"got {reader.fieldnames}")
            reader.fieldnames = fields
            for row in reader:
                line = reader.line_num
                name = (row.get("file") or "").strip()
                text = " ".join((row.get("text") or "").split())
                if not name:
                    raise ValueError(f"{path}, line {line}: empty file name")
                if name in out and out[name] != text:
                    raise ValueError(f"{path}, line {line}: {name!r} is listed twice with different texts")
                out[name] = text
        except (csv.Error, UnicodeDecodeError) as e:
            raise ValueError(f"{path}: not a readable UTF-8 CSV file ({e})") from None
    return out


def match_texts(inputs: list[Path], texts: dict[str, str]) -> tuple[dict[Path, str], list[Path], list[str]]:
    """Pair input files with CSV texts: by file name (``clip01.mp4``), else by stem (``clip01``).

    Returns:
        ``(matched {input: text}, inputs without a text, CSV names matching no input)``.
    """
    matched: dict[Path, str] = {}
    used: set[str] = set()
    missing: list[Path] = []
    for p in inputs:
        for key in (p.name, p.stem):
            if key in texts:
                matched[p] = texts[key]
                used.add(key)
                break
        else:
            missing.append(p)
    return matched, missing, sorted(set(texts) - used)


# ------------------------------------------------------------------------------------------------ workers
_STATE: dict = {}


def _init_worker(fast: str | None, threads: int) -> None:
    import torch

    torch.set_num_threads(max(1, threads))
    _STATE.clear()
    _STATE["fast"] = fast


def _segmenter():
    if "segmenter" not in _STATE:
        from ..segment import Segmenter

        _STATE["segmenter"] = Segmenter.from_pretrained(_STATE.get("fast"))
    return _STATE["segmenter"]


def _settings(options, mirrored: bool, max_frames: int | None, fast: str | None, min_confidence: float) -> str:
    return json.dumps({"fit": dataclasses.asdict(options), "mirrored": bool(mirrored), "max_frames": max_frames,
                       "fast": fast or "built-in", "min_hand_confidence": min_confidence}, sort_keys=True)


def _part_ok(part: Path, settings: str) -> bool:
    """The part exists, is readable and was made with ``settings``."""
    try:
        with np.load(part, allow_pickle=False) as z:
            return all(k in z.files for k in PART_KEYS) and str(z["batch_settings"].reshape(-1)[0]) == settings
    except Exception:  # a half-written or foreign file is simply redone
        return False


def _capture_one(path: str, part: str, settings: str) -> dict:
    """Worker: capture, segment, write the part atomically; ``{"frames", "seconds"}`` or ``{"error"}``."""
    from ..atomic import atomic_file
    from ..keyframes import onset_middle_offset, segment_bounds
    from ..pose import PoseFileError
    from ..segment import SegmentInputError
    from .api import capture
    from .fast_input import fast_features
    from .fit import FitOptions
    from .frames import FrameError
    from .landmarks import LandmarkError

    t0 = time.perf_counter()
    s = json.loads(settings)
    try:
        options = FitOptions(**s["fit"])
        result = capture(path, mirrored=s["mirrored"], max_frames=s["max_frames"], options=options)
        feats = fast_features(result.fit, s["min_hand_confidence"])
        tags = _segmenter().segment({"clip": feats})["clip"].tags
    except (FrameError, LandmarkError, PoseFileError, SegmentInputError, ValueError, OSError) as e:
        return {"error": str(e)}
    except Exception as e:  # one bad file never stops the batch
        return {"error": f"{Path(path).name}: {type(e).__name__}: {e}"}
    seq = result.sequence
    segs = segment_bounds(tags)
    seq.segments = np.asarray(segs, np.int64).reshape(-1, 2)
    seq.keyframes = np.asarray(onset_middle_offset(segs), np.int64)
    fit = result.fit
    arrays = seq.to_arrays()
    arrays.update(confidence=fit.confidence.astype(np.float32), part_confidence=fit.part_confidence.astype(np.float32),
                  camera_transl=fit.camera_transl.astype(np.float32), fast_tags=np.asarray(tags, np.int64),
                  batch_settings=np.array([settings]), source=np.array([Path(path).name]))
    with atomic_file(part) as fh:
        np.savez(fh, **arrays)
    return {"frames": seq.num_frames, "seconds": time.perf_counter() - t0}


def _run_pool(jobs: list[tuple[str, Path, Path]], settings: str, workers: int, fast: str | None,
              on_done: Callable[[str, dict], None], work: Callable[[str, str, str], dict] | None = None) -> None:
    """Run ``(clip_id, input, part)`` jobs in ``workers`` processes, at most ``workers`` in flight.

    ``work(input, part, settings) -> dict`` does one job (default :func:`_capture_one`; a module-level
    function, as processes are spawned). ``on_done(clip_id, result)`` is called in this process.
    """
    work = work or _capture_one
    if workers <= 1:  # in this process, with one torch thread as a worker has (restored afterwards)
        import torch

        threads = torch.get_num_threads()
        _init_worker(fast, 1)
        try:
            for clip_id, src, part in jobs:
                on_done(clip_id, work(str(src), str(part), settings))
        finally:
            torch.set_num_threads(threads)
            _STATE.clear()
        return
    ctx = multiprocessing.get_context("spawn")  # no fork of a process that holds torch / MediaPipe state
    queue = list(jobs)
    tries: dict[str, int] = {}
    while queue:
        pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                                      initargs=(fast, 1))
        running: dict[cf.Future, tuple[str, Path, Path]] = {}
        broken: list[tuple[str, Path, Path]] = []
        try:
            while (queue or running) and not broken:
                while queue and len(running) < workers:
                    # a clip that was in flight when a worker died is tried again alone, so that a crash
                    # is blamed on the clip that caused it
                    if running and (queue[0][0] in tries or any(j[0] in tries for j in running.values())):
                        break
                    job = queue.pop(0)
                    running[pool.submit(work, str(job[1]), str(job[2]), settings)] = job
                done, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
                for fut in done:
                    job = running.pop(fut)
                    try:
                        res = fut.result()
                    except cf.process.BrokenProcessPool:
                        broken.append(job)
                        continue
                    on_done(job[0], res)
            broken += list(running.values())
        finally:
            pool.shutdown(wait=not broken, cancel_futures=True)
        # a dead worker breaks the pool: the clips in flight are tried again, each alone, in a new one
        for job in reversed(broken):
            tries[job[0]] = tries.get(job[0], 0) + 1
            if tries[job[0]] >= 2:
                on_done(job[0], {"error": f"{job[1].name}: a worker process died twice while capturing it "
                                          "(out of memory, or a crash inside MediaPipe)"})
            else:
                queue.insert(0, job)


# ------------------------------------------------------------------------------------------------ entry
def capture_to_lmdb(inputs: list[str | os.PathLike], out: str | os.PathLike, *, language: str,
                    texts: dict[str, str] | None = None, workers: int | None = None, fast: str | None = None,
                    options=None, mirrored: bool = False, max_frames: int | None = None,
                    parts: str | os.PathLike | None = None, min_hand_confidence: float | None = None,
                    progress: bool = True, log: Callable[[str], None] | None = None) -> BatchReport:
    """Capture clips in parallel into one official-schema LMDB file (see the module docstring).

    Args:
        inputs: video files, frame folders and ``.pose`` files; a clip's id is its file stem.
        out: the ``.lmdb`` to write, normally ``<base>/<split>/<name>.lmdb`` (split = train, dev
            or test) so that ``SignDataset`` / ``find_lmdb_files`` find it.
        language: a sign-language code of :mod:`signspark.signs.languages` (validated).
        texts: ``{file name or stem: translation}`` (:func:`read_text_csv`); None = every
            translation empty (e.g. data for FAST only). With a dict, inputs it does not name are skipped.
        workers: processes (default :func:`default_workers`; 1 runs in this process).
        fast: FAST model folder or Hub id for the ``segment`` tags (None: the built-in model).
        options: :class:`~signspark.capture.fit.FitOptions`.
        mirrored, max_frames: as for :func:`signspark.capture.capture`.
        parts: work folder (default :func:`parts_folder` of ``out``).
        min_hand_confidence: FAST's threshold for a seen hand (default
            :data:`signspark.capture.fast_input.MIN_HAND_CONFIDENCE`).
        progress: a tqdm bar over clips.
        log: called with one line per clip failure as it happens (default: nothing).

    Returns:
        a :class:`BatchReport`.

    Raises:
        signspark.signs.UnknownLanguageError: ``language`` is not registered.
        ValueError: ``out`` does not end in ``.lmdb``, or ``workers`` is out of range.
    """
    from ..signs.languages import get_language
    from .fast_input import MIN_HAND_CONFIDENCE
    from .fit import FitOptions

    t0 = time.perf_counter()
    code = get_language(language).code
    out = Path(out)
    if out.suffix != ".lmdb":
        raise ValueError(f"{out}: an LMDB output must end in .lmdb")
    if workers is not None and not (1 <= int(workers) <= MAX_WORKERS):
        raise ValueError(f"workers must be between 1 and {MAX_WORKERS}, got {workers}")
    options = (options or FitOptions()).check()
    min_conf = MIN_HAND_CONFIDENCE if min_hand_confidence is None else float(min_hand_confidence)
    fast = None if fast is None else str(fast)
    work = Path(parts) if parts is not None else parts_folder(out)
    made = [d for d in (work, *work.parents) if not d.exists()]  # the folders made here, innermost first
    work.mkdir(parents=True, exist_ok=True)
    settings = _settings(options, mirrored, max_frames, fast, min_conf)

    failures: list[tuple[str, str]] = []
    paths = [Path(p) for p in inputs]
    if texts is not None:
        matched, missing, _ = match_texts(paths, texts)
        failures += [(p.name, f"{p.name}: not in the text CSV; skipped") for p in missing]
        paths = [p for p in paths if p in matched]
    else:
        matched = {p: "" for p in paths}
    clips: list[tuple[str, Path]] = []
    seen: dict[str, Path] = {}
    for p in paths:
        cid = p.stem
        if cid in seen:
            failures.append((p.name, f"{p.name}: clip id {cid!r} is also the id of {seen[cid].name}; skipped"))
            continue
        seen[cid] = p
        clips.append((cid, p))

    todo = [(cid, p, work / f"{cid}.npz") for cid, p in clips if not _part_ok(work / f"{cid}.npz", settings)]
    n_workers = min(int(workers) if workers else default_workers(), max(1, len(todo)))
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(clips), initial=len(clips) - len(todo), desc=f"capturing -> {out.name}", unit="clip")
    errors: dict[str, str] = {}
    captured: list[str] = []
    done_frames = [0]

    def on_done(cid: str, res: dict) -> None:
        if "error" in res:
            errors[cid] = res["error"]
            if log:
                log(f"failed: {seen[cid].name}: {res['error']}")
        else:
            captured.append(cid)
            done_frames[0] += int(res.get("frames", 0))
        if bar is not None:
            bar.update(1)
            bar.set_postfix(failed=len(errors))

    try:
        if todo:
            _run_pool(todo, settings, n_workers, fast, on_done)
    finally:
        if bar is not None:
            bar.close()
    failures += [(seen[c].name, errors[c]) for c, _ in clips if c in errors]
    good = [(cid, p) for cid, p in clips if cid not in errors]

    frames = 0
    notes: list[str] = []

    def records():
        nonlocal frames
        from ..data.features import record_from_sequence
        from ..npz import read_npz
        from ..pose import PoseSequence
        from ..pose.sequence import FILE_KEYS

        for cid, p in good:
            part = work / f"{cid}.npz"
            data = read_npz(part, str(part), (*FILE_KEYS, "fast_tags", "batch_settings", "source"))
            tags = data.pop("fast_tags").astype(np.int64)
            seq = PoseSequence.from_arrays(data, source=str(part))
            seq.language, seq.text, seq.gloss = code, matched[p], ""
            frames += seq.num_frames
            if abs(seq.fps - 25.0) > 0.01:
                notes.append(f"{p.name}: {seq.fps:g} frames/s; the schema stores no frame rate and the official "
                             f"data is 25 frames/s (resample first, e.g. ffmpeg -i IN -r 25 OUT)")
            yield cid, record_from_sequence(seq, labels=tags, clip_id=cid)

    written = None
    if good:
        from ..data import write_lmdb

        written = write_lmdb(out, records(), batch_size=8)  # long clips: few records in memory at once
    else:  # every clip failed: the empty folders made above are not left behind
        for d in made:
            try:
                d.rmdir()
            except OSError:  # not empty (or gone): keep it and what holds it
                break
    return BatchReport(lmdb=written, clips=[c for c, _ in good], captured=captured, failures=failures,
                       frames=frames, seconds=time.perf_counter() - t0, captured_frames=done_frames[0],
                       notes=notes)
