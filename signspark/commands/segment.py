"""``signspark segment``: FAST sign segmentation of clips into BIO tags, segments and keyframes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

FORMATS = (".pt", ".json", ".eaf")
CHUNK_FRAMES = 500_000  # frames held in memory before segmenting them (about 400 MB of features)

DESCRIPTION = """\
Segment signing clips into signs with the FAST model: per-frame BIO tags
(0 out, 2 first frame of a sign, 1 inside), sign segments (inclusive frame
ranges; a BEGIN inside a run does not split it, as in the official data), and
keyframes chosen from the segments by a policy.

INPUT is an official-schema LMDB file, a .npz file (a PoseSequence, or
left_features/right_features arrays of shape (T, 96)) or a folder of them,
or one video (mp4, webm, mov, ...) or MediaPipe Holistic .pose file. A video
or .pose file is captured first (as `signspark capture` does: MediaPipe
Holistic, the SMPL-X + MANO fit); a hand the capture did not see is given to
FAST as missing (zeros). For a folder of videos, capture them first
(`signspark capture clips/ -o fitted/`) and segment the folder of .npz
files. The built-in FAST model was trained on synthetic fingerspelling: on
real signing its segments are a first guess.
The format of OUT follows its extension:

  .pt    {clip_id: (T,) int64 tensor}, the official form (torch.save)
  .json  per clip: frame ranges, times in seconds, tags and keyframes
  .eaf   ELAN: a 'signs' tier and a 'keyframes' tier (one file per clip:
         with several clips, OUT.<clip>.eaf beside OUT; clip ids that give the
         same file name, such as a/b and a_b, get a short hash: OUT.a_b-1f2e3d4c.eaf)

A clip that cannot be read is reported at the end; the others are still
segmented and written, and the exit status is 1.

Examples:
  signspark segment data/test/How2Sign_reopt_test.lmdb -o tags.pt
  signspark segment clip.npz -o clip.eaf --media clip.mp4 --fps 25
  signspark segment signing.mp4 -o signing.eaf          # the video is linked in the .eaf
  signspark segment clips/ -o segments.json --keyframes --policy uniform --per-segment 5
"""


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("segment", help="find the signs in clips (FAST): BIO tags, segments, keyframes",
                       description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("input", metavar="INPUT", help="LMDB file, .npz file or a folder of them; or a video or .pose file")
    p.add_argument("-o", "--output", metavar="OUT", required=True, help="output file: .pt, .json or .eaf")
    p.add_argument("--model", metavar="PATH_OR_REPO",
                   help="FAST model folder or Hugging Face repo id (default: the built-in assets/models/fast)")
    p.add_argument("--keyframes", action="store_true", help="also print the keyframes of each clip")
    p.add_argument("--policy", default="onset_middle_offset",
                   help="keyframe policy: onset_middle_offset (the paper's: start, middle, end of each sign), "
                        "uniform, random, every_frame (default %(default)s)")
    p.add_argument("--per-segment", type=int, metavar="K",
                   help="keyframes per segment for uniform/random, 1 to 1000 (default 3)")
    p.add_argument("--seed", type=int, default=0, help="seed of the random policy (default %(default)s)")
    p.add_argument("--fps", type=float, help="frame rate of the input, for times in .json/.eaf (default: a "
                                              "video's own rate, else 25)")
    p.add_argument("--media", metavar="FILE", help="video to link in the .eaf file(s) (default: a video INPUT itself)")
    p.add_argument("--mirrored", action="store_true", help="video input is mirrored (selfie view)")
    p.add_argument("--max-frames", type=int, metavar="N", help="capture at most N frames of each video / .pose file")
    p.add_argument("--device", default="cpu", help="torch device, e.g. cpu or cuda (default %(default)s)")
    p.add_argument("--window", type=int, metavar="N", help="frames per inference window (default: the model's); "
                                                            "results do not depend on it")
    p.add_argument("--threads", type=int, metavar="N", help="CPU threads for torch (on a busy machine 1 is often fastest)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p


def _policy_kwargs(args) -> dict:
    import numpy as np

    kwargs = {}
    if args.policy in ("uniform", "random") and args.per_segment is not None:
        kwargs["k"] = args.per_segment
    elif args.per_segment is not None:
        raise ValueError(f"--per-segment applies to the uniform and random policies, not {args.policy!r}")
    if args.policy == "random":
        kwargs["generator"] = np.random.default_rng(args.seed)
    return kwargs


def run(args: argparse.Namespace) -> int:
    from signspark.cli import CLIError

    out = Path(args.output)
    if out.suffix.lower() not in FORMATS:
        raise CLIError(f"cannot tell the output format of {str(out)!r}: use a name ending in .pt, .json or .eaf")
    from signspark.keyframes import POLICIES

    if args.policy not in POLICIES:
        raise CLIError(f"unknown keyframe policy {args.policy!r}; choose from {', '.join(sorted(POLICIES))}")
    from signspark.options import check, check_device

    args.fps = check("input_fps", args.fps)
    args.per_segment = check("per_segment", args.per_segment)
    args.seed = check("seed", args.seed)
    args.window = check("window", args.window)
    args.threads = check("threads", args.threads)
    args.device = check_device(args.device)
    if args.max_frames is not None and args.max_frames < 1:
        raise CLIError(f"--max-frames must be at least 1, got {args.max_frames}")
    if args.media and out.suffix.lower() != ".eaf":
        print("note: --media is only used for .eaf output", file=sys.stderr)
    if args.media and not Path(args.media).is_file():
        raise CLIError(f"--media {args.media!r}: no such file")
    policy_kwargs = _policy_kwargs(args)

    from tqdm.auto import tqdm

    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    from signspark.segment import ModelNotFoundError, Segmenter
    from signspark.segment.sources import find_inputs, is_captured, iter_clips

    try:
        inputs = find_inputs(args.input)  # a missing input is reported before the model is loaded
    except FileNotFoundError as e:
        raise CLIError(str(e)) from None
    if args.media is None and len(inputs) == 1 and is_captured(inputs[0]) and inputs[0].suffix.lower() != ".pose":
        args.media = str(inputs[0])
    capture_kwargs = {"mirrored": args.mirrored, "max_frames": args.max_frames}
    captured_fps: dict[str, float] = {}
    try:
        segmenter = Segmenter.from_pretrained(args.model, device=args.device, window=args.window)
    except ModelNotFoundError as e:
        raise CLIError(str(e)) from None

    results: dict = {}
    failures: list[tuple[str, str]] = []
    chunk: dict = {}
    chunk_frames = 0

    def flush():
        nonlocal chunk, chunk_frames
        if chunk:
            results.update(segmenter.segment(chunk))
        chunk, chunk_frames = {}, 0

    from signspark.capture.landmarks import MediaPipeUnavailableError

    bar = tqdm(iter_clips(args.input, capture=capture_kwargs, fps_out=captured_fps), desc="segmenting", unit="clip",
               disable=True if args.no_progress else None)
    try:
        for clip_id, item in bar:
            if isinstance(item, Exception):
                failures.append((clip_id, str(item)))
                continue
            chunk[clip_id] = item
            chunk_frames += len(item)
            if chunk_frames >= CHUNK_FRAMES:
                flush()
    except MediaPipeUnavailableError as e:
        raise CLIError(str(e)) from None
    flush()
    if args.fps is None:  # a captured video's own rate (one video per call), else the official 25
        rates = [v for c, v in captured_fps.items() if c in results]
        args.fps = rates[0] if rates else 25.0

    if results:
        tags = {c: r.tags for c, r in results.items()}
        suffix = out.suffix.lower()
        from signspark.segment import export

        if suffix == ".pt":
            written = [export.write_pt(out, tags)]
        elif suffix == ".json":
            written = [export.write_json(out, tags, args.fps, args.policy, **policy_kwargs)]
        else:
            written = [export.write_eaf(path, tags[c], args.fps, args.media, args.policy, **policy_kwargs)
                       for c, path in export.eaf_paths(out, list(tags)).items()]
        n_seg = sum(len(r.segments) for r in results.values())
        shown = ", ".join(str(p) for p in written[:3]) + (f" and {len(written) - 3} more" if len(written) > 3 else "")
        print(f"segmented {len(results)} clip(s), {n_seg} sign(s) -> {shown}")
        if args.keyframes:
            for c, r in results.items():
                kfs = r.keyframes(args.policy, **_policy_kwargs(args))
                print(f"{c}: {len(r.segments)} segment(s) {r.segments}; keyframes ({args.policy}) {kfs}")
    if failures:
        print(f"\n{len(failures)} clip(s) failed:", file=sys.stderr)
        for c, msg in failures:
            print(f"  {msg}" if repr(c) in msg else f"  {c}: {msg}", file=sys.stderr)
        if not results:
            print("nothing was written", file=sys.stderr)
        return 1
    return 0
