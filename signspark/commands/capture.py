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
expressions are not fitted.

--landmarks writes the landmarks as a .pose file (a folder of them for a
folder input). A clip that fails is reported by name; the others go on, and
the exit status is 1.

Video needs MediaPipe: pip install 'signspark[capture]' (.pose input does not).
Only MediaPipe's model_complexity 1 is used (the others would be downloaded).

Examples:
  signspark capture signing.mp4 -o signing.npz --landmarks signing.pose
  signspark capture selfie.webm -o me.npz --mirrored --max-frames 750
  signspark capture clips/ -o fitted/
  signspark render signing.npz -o check.mp4 --compare ...
"""


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("capture", help="video or .pose landmarks -> SMPL-X + MANO PoseSequence",
                       description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("input", metavar="INPUT", help="video, frame folder, .pose file, or a folder of videos / .pose files")
    p.add_argument("-o", "--output", metavar="OUT", required=True, help=".npz file (or a folder for a folder INPUT)")
    p.add_argument("--landmarks", metavar="OUT.pose", help="also write the landmarks as .pose (a folder for a folder INPUT)")
    p.add_argument("--mirrored", action="store_true", help="the video is mirrored (selfie view)")
    p.add_argument("--max-frames", type=int, metavar="N", help="use at most N frames of each clip")
    p.add_argument("--fov", type=float, default=40.0, metavar="DEG",
                   help="vertical field of view of the camera in degrees (default %(default)s)")
    p.add_argument("--iterations", type=int, nargs=2, metavar=("HAND", "BODY"),
                   help="optimisation steps of the hand and body fits (default 40 60; 0 0 = analytic only)")
    p.add_argument("--language", default="", help="sign language code to record in the output (e.g. ASL)")
    p.add_argument("--threads", type=int, default=1, metavar="N", help="torch threads for the fit (default %(default)s)")
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


def run(args: argparse.Namespace) -> int:
    from signspark.cli import CLIError

    src, out = Path(args.input), Path(args.output)
    if not src.exists():
        raise CLIError(f"{src}: no such file or folder")
    if args.max_frames is not None and args.max_frames < 1:
        raise CLIError(f"--max-frames must be at least 1, got {args.max_frames}")
    inputs = _inputs(src)
    if not inputs:
        raise CLIError(f"{src}: no videos, frames or .pose files in this folder")
    many = src.is_dir() and inputs != [src]
    if not many and out.suffix != ".npz":
        raise CLIError(f"{out}: the output is a PoseSequence .npz; give a name ending in .npz")
    if many and out.suffix:
        raise CLIError(f"{out}: with a folder INPUT, -o names a folder (no suffix)")
    if args.landmarks and not many and Path(args.landmarks).suffix.lower() != ".pose":
        raise CLIError(f"{args.landmarks}: --landmarks is written as .pose")

    import torch
    from tqdm.auto import tqdm

    from signspark.capture import FitOptions
    from signspark.capture.api import capture, save_capture
    from signspark.capture.frames import FrameError
    from signspark.capture.landmarks import LandmarkError, MediaPipeUnavailableError
    from signspark.capture.pose_format_io import write_pose
    from signspark.pose import PoseFileError

    torch.set_num_threads(max(1, args.threads))
    hand_it, body_it = args.iterations or (40, 60)
    try:
        options = FitOptions(fov_y=args.fov, hand_iterations=hand_it, body_iterations=body_it).check()
    except ValueError as e:
        raise CLIError(str(e)) from None
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
        for name, msg in failures:
            print(f"  {name}: {msg}", file=sys.stderr)
        return 1
    return 0
