"""``signspark capture``: real signing in - videos or ``.pose`` files to SMPL-X + MANO PoseSequences."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DESCRIPTION = """\
Capture signing from video: MediaPipe Holistic landmarks per frame, then an
SMPL-X upper body with MANO hands fitted to them over the whole clip.

INPUT is a video (mp4, webm, mov, mkv, avi), a folder of frames (png, jpg),
a MediaPipe Holistic .pose file (pose-format; sign.mt), or a folder of videos
and .pose files. With one input, OUT is the .npz to write; with a folder, OUT
is a folder that receives NAME.npz for every clip.

OUT is a PoseSequence .npz (what `signspark render` and `segment` read) with
three more arrays: confidence (T,), part_confidence (T, 3: body, left hand,
right hand) and camera_transl (T, 3). Hands missing for a few frames are
interpolated; over longer gaps they rest. Jaw opening comes from the lips;
expressions are not fitted. MediaPipe's wrist, thumb base and knuckles are
first moved by a small correction learnt on renders of our avatar
(--no-hand-correction fits them as they are).

--landmarks writes the landmarks as a .pose file (a folder of them for a
folder input). A clip that fails is reported by name; the others go on, and
the exit status is 1.

Datasets (--lmdb): every clip of INPUT is captured in parallel processes
(--workers, default one per core), segmented by FAST (--fast, default the
built-in model) and written to one official-schema LMDB file: language from
--language (required), translation from --text-from CSV (columns file,text;
a file is matched by name or stem; clips the CSV does not name are skipped and
reported), gloss empty, segment the FAST tags. Put it where the training
scripts look: <base>/<split>/NAME.lmdb with split train, dev or test. Finished
clips are kept in OUT.lmdb.parts/ (--parts): run the same command again after
a crash and only the missing clips are captured; the LMDB is written at the
end, atomically, with every clip that succeeded.

Video needs MediaPipe: pip install 'signspark[capture]' (.pose input does not).
Only MediaPipe's model_complexity 1 is used (the others would be downloaded).

Examples:
  signspark capture signing.mp4 -o signing.npz --landmarks signing.pose
  signspark capture selfie.webm -o me.npz --mirrored --max-frames 750
  signspark capture clips/ -o fitted/
  signspark capture clips/ --lmdb data/train/mine_train.lmdb --language ASL --text-from clips.csv
  signspark render signing.npz -o check.mp4 --compare ...
"""


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("capture", help="video or .pose landmarks -> SMPL-X + MANO PoseSequence",
                       description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("input", metavar="INPUT", help="video, frame folder, .pose file, or a folder of videos / .pose files")
    p.add_argument("-o", "--output", metavar="OUT", help=".npz file (or a folder for a folder INPUT)")
    p.add_argument("--landmarks", metavar="OUT.pose", help="also write the landmarks as .pose (a folder for a folder INPUT)")
    p.add_argument("--mirrored", action="store_true", help="the video is mirrored (selfie view)")
    p.add_argument("--max-frames", type=int, metavar="N", help="use at most N frames of each clip")
    p.add_argument("--fov", type=float, default=40.0, metavar="DEG",
                   help="vertical field of view of the camera in degrees (default %(default)s)")
    p.add_argument("--iterations", type=int, nargs=2, metavar=("HAND", "BODY"),
                   help="optimisation steps of the hand and body fits, 0 to 2000 each (default 40 60; 0 0 = "
                        "analytic only)")
    p.add_argument("--language", default="", help="sign language code to record in the output (e.g. ASL); "
                                                   "required with --lmdb")
    p.add_argument("--no-handshape-prior", action="store_true",
                   help="start raised hands from the landmark directions, not from the nearest known handshape "
                        "(the alphabets' and numbers'); for signing whose handshapes are far from those")
    p.add_argument("--no-hand-correction", action="store_true",
                   help="fit MediaPipe's hand points as they are (no per-landmark correction)")
    d = p.add_argument_group("datasets: a folder of clips -> one official-schema LMDB file")
    d.add_argument("--lmdb", metavar="OUT.lmdb", help="write every clip of INPUT to this LMDB file (instead of -o)")
    d.add_argument("--text-from", metavar="CSV", help="translations: a CSV file with 'file' and 'text' columns "
                                                      "(without it every translation is empty)")
    d.add_argument("--workers", type=int, metavar="N", help="capture processes (default: one per core)")
    d.add_argument("--fast", metavar="PATH_OR_REPO", help="FAST model for the segment tags (default: built-in)")
    d.add_argument("--parts", metavar="DIR", help="work folder of finished clips (default OUT.lmdb.parts)")
    p.add_argument("--threads", type=int, default=1, metavar="N",
                   help="torch threads for the fit, 1 to 256 (default %(default)s)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    return p


def _inputs(path: Path) -> list[Path]:
    from signspark.capture.frames import IMAGE_SUFFIXES, VIDEO_SUFFIXES

    if not path.is_dir():
        return [path]
    files = sorted(f for f in path.iterdir() if f.is_file() and f.suffix.lower() in VIDEO_SUFFIXES + (".pose",))
    if files:
        return files
    if any(f.suffix.lower() in IMAGE_SUFFIXES for f in path.iterdir()):
        return [path]  # a folder of frames is one clip
    return []


def _options(args):
    from signspark.capture import FitOptions
    from signspark.cli import CLIError

    from signspark.options import check

    hand_it, body_it = (check("iterations", n) for n in args.iterations) if args.iterations else (40, 60)
    try:
        return FitOptions(fov_y=args.fov, hand_iterations=hand_it, body_iterations=body_it,
                          hand_correction=not args.no_hand_correction,
                          handshape_prior=not args.no_handshape_prior).check()
    except ValueError as e:
        raise CLIError(str(e)) from None


def _run_lmdb(args: argparse.Namespace, inputs: list[Path]) -> int:
    """--lmdb: every clip to one official-schema LMDB file, in parallel, resumable."""
    from signspark.cli import CLIError
    from signspark.signs import UnknownLanguageError, get_language

    out = Path(args.lmdb)
    if args.output or args.landmarks:
        raise CLIError("--lmdb writes one LMDB file: leave out -o and --landmarks")
    if out.suffix != ".lmdb":
        raise CLIError(f"{out}: an LMDB output must end in .lmdb (e.g. data/train/mine_train.lmdb)")
    if not args.language:
        raise CLIError("--lmdb needs --language (a sign-language code, e.g. ASL)")
    try:
        code = get_language(args.language).code
    except UnknownLanguageError as e:
        raise CLIError(str(e)) from None
    from signspark.capture.batch import MAX_WORKERS, capture_to_lmdb, read_text_csv

    if args.workers is not None and not (1 <= args.workers <= MAX_WORKERS):
        raise CLIError(f"--workers must be between 1 and {MAX_WORKERS}, got {args.workers}")
    texts = None
    if args.text_from:
        try:
            texts = read_text_csv(args.text_from)
        except ValueError as e:
            raise CLIError(str(e)) from None
        if not texts:
            raise CLIError(f"{args.text_from}: the text CSV lists no files")
    if args.fast:
        from signspark.segment import ModelNotFoundError, Segmenter

        try:  # fail before any capture if the model cannot be loaded
            Segmenter.from_pretrained(args.fast)
        except (ModelNotFoundError, OSError, ValueError) as e:
            raise CLIError(f"--fast {args.fast}: {e}") from None
    options = _options(args)
    report = capture_to_lmdb(inputs, out, language=code, texts=texts, workers=args.workers, fast=args.fast,
                             options=options, mirrored=args.mirrored, max_frames=args.max_frames, parts=args.parts,
                             progress=not args.no_progress)
    if texts is not None:
        from signspark.capture.batch import match_texts

        unused = match_texts(inputs, texts)[2]
        if unused:
            shown = ", ".join(unused[:5]) + (" ..." if len(unused) > 5 else "")
            print(f"note: {len(unused)} file(s) of {args.text_from} are not in {args.input}: {shown}", file=sys.stderr)
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    if report.lmdb is not None:
        speed = (f", {report.captured_frames / max(report.seconds, 1e-9):.1f} frames/s captured"
                 if report.captured_frames else "")
        print(f"{len(report.clips)} clip(s), {report.frames} frames -> {report.lmdb} ({len(report.captured)} captured "
              f"now, {len(report.clips) - len(report.captured)} from {args.parts or str(out) + '.parts'}; "
              f"{report.seconds:.1f} s{speed})", file=sys.stderr)
    if report.failures:
        print(f"{len(report.failures)} of {len(inputs)} clips failed or were skipped:", file=sys.stderr)
        for name, msg in report.failures:
            print(f"  {msg}" if msg.startswith(name) else f"  {name}: {msg}", file=sys.stderr)
        if report.lmdb is None:
            print("nothing was written", file=sys.stderr)
        return 1
    return 0


def run(args: argparse.Namespace) -> int:
    from signspark.cli import CLIError

    src = Path(args.input)
    if not src.exists():
        raise CLIError(f"{src}: no such file or folder")
    if args.max_frames is not None and args.max_frames < 1:
        raise CLIError(f"--max-frames must be at least 1, got {args.max_frames}")
    from signspark.options import check

    threads = check("threads", args.threads)  # 0 and -5 were taken as 1; 10**9 ran libgomp out of memory
    _options(args)  # --fov, --iterations: refused before any work
    inputs = _inputs(src)
    if not inputs:
        raise CLIError(f"{src}: no videos, frames or .pose files in this folder")
    if args.lmdb:
        return _run_lmdb(args, inputs)
    for flag in ("text_from", "workers", "fast", "parts"):
        if getattr(args, flag) is not None:
            raise CLIError(f"--{flag.replace('_', '-')} applies only with --lmdb")
    if not args.output:
        raise CLIError("give -o OUT (a .npz, or a folder for a folder INPUT) or --lmdb OUT.lmdb")
    out = Path(args.output)
    many = src.is_dir() and inputs != [src]
    if not many and out.suffix != ".npz":
        raise CLIError(f"{out}: the output is a PoseSequence .npz; give a name ending in .npz")
    if many and out.suffix:
        raise CLIError(f"{out}: with a folder INPUT, -o names a folder (no suffix)")
    if args.landmarks and not many and Path(args.landmarks).suffix.lower() != ".pose":
        raise CLIError(f"{args.landmarks}: --landmarks is written as .pose")
    if not many:  # both outputs, before the capture: a failed command leaves neither
        from signspark.atomic import check_writable

        check_writable(out)
        if args.landmarks:
            check_writable(args.landmarks)

    import torch
    from tqdm.auto import tqdm

    from signspark.capture.api import capture, save_capture
    from signspark.capture.frames import FrameError
    from signspark.capture.landmarks import LandmarkError, MediaPipeUnavailableError
    from signspark.capture.pose_format_io import write_pose
    from signspark.pose import PoseFileError

    torch.set_num_threads(threads)
    options = _options(args)
    failures: list[tuple[str, str]] = []
    for path in tqdm(inputs, desc="clips", unit="clip", disable=True if (args.no_progress or not many) else None):
        target = out / f"{path.stem}.npz" if many else out
        bar = tqdm(desc=path.name, unit="frame", leave=False, disable=True if args.no_progress else None)

        def progress(done, total, bar=bar):
            if total and bar.total != total:
                bar.total = total
            bar.update(done - bar.n)

        try:
            result = capture(path, mirrored=args.mirrored, max_frames=args.max_frames, options=options,
                             progress=progress, language=args.language)
            save_capture(result, target)
            if args.landmarks:
                write_pose(result.landmarks, Path(args.landmarks) / f"{path.stem}.pose" if many else args.landmarks)
        except MediaPipeUnavailableError as e:
            bar.close()
            raise CLIError(str(e)) from None
        except (FrameError, LandmarkError, PoseFileError, ValueError, OSError) as e:
            bar.close()
            failures.append((str(path), str(e)))
            if not many:
                raise CLIError(str(e)) from None
            continue
        bar.close()
        n = result.landmarks.num_frames
        secs = sum(result.seconds.values())
        print(f"{path.name}: {n} frames -> {target} ({n / max(secs, 1e-9):.1f} frames/s; mean confidence "
              f"{float(result.fit.confidence.mean()):.2f})", file=sys.stderr)
    if failures:
        print(f"{len(failures)} of {len(inputs)} clips failed:", file=sys.stderr)
        for name, msg in failures:  # most messages already start with the clip's path
            print(f"  {msg}" if msg.startswith(name) else f"  {name}: {msg}", file=sys.stderr)
        return 1
    return 0
