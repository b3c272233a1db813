"""``signspark generate``: text (and/or keyframes) -> a PoseSequence ``.npz``."""

from __future__ import annotations

import argparse

HELP = "generate signing (SMPL-X parameters) from text and/or keyframes"

EPILOG = """\
Output: a PoseSequence .npz (SMPL-X parameters per frame; render it with `signspark render`).

Keyframe files (--keyframes):
  * a PoseSequence .npz: its `keyframes` array names the frames to hold, the
    poses at those frames are held exactly, and the clip keeps its length;
  * a JSON file:
      {"fps": 25, "num_frames": 100,
       "keyframes": [{"frame": 0,  "features": [... 296 numbers ...]},
                     {"frame": 50, "body_pose": [...63...], "right_hand_pose": [...45...]}]}
    "features" is the 296-channel generator layout [left hand 90 | right hand 90 |
    body 60 | face 56] (6D rotations, left hand in the flipped convention); instead
    an entry may give SMPL-X axis-angle parameters (body_pose 63, left_hand_pose 45,
    right_hand_pose 45, jaw_pose 3, expression <= 50), missing ones at rest.

Text is limited to 200 characters. Without --frames, the length comes from the
keyframes, else from the model's length model (scaled by --speed).

With no --model the built-in model is used (offline). It fingerspells: unless
--no-retrieval is given, the letters' keyframes come from the alphabet lexicon
of the chosen language (sign-retrieval text-to-pose) and the model generates the
motion between them; the output carries one segment per letter.

Examples:
  signspark generate "hello, how are you?" --lang ASL -o hello.npz
  signspark generate "guten Morgen" --lang DGS --steps 4 --guidance 2 --seed 1 -o morgen.npz
  signspark generate "" --keyframes poses.npz -o inbetween.npz
  signspark generate "hello" --lang ASL --left-handed -o hello_left.npz
"""


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("generate", help=HELP, description=HELP.capitalize() + ".", epilog=EPILOG,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("text", help="spoken-language text (may be empty \"\" with --keyframes)")
    p.add_argument("--lang", default="ASL", help="sign language: ASL, BSL, DGS or CSL (default ASL)")
    p.add_argument("-o", "--output", required=True, help="output PoseSequence .npz")
    p.add_argument("--steps", type=int, default=8, help="ODE steps, 1 to 1000 (default 8)")
    p.add_argument("--guidance", type=float, default=2.0,
                   help="classifier-free guidance scale, 0 to 20; 1 turns it off (default 2.0)")
    p.add_argument("--seed", type=int, default=None, help="noise seed, 0 to 2^32-1 (default: random, printed)")
    p.add_argument("--keyframes", default=None, metavar="FILE", help="poses to hold: PoseSequence .npz or .json")
    p.add_argument("--frames", type=int, default=None, metavar="N",
                   help="number of frames, 1 to 1024 (default: predicted)")
    p.add_argument("--speed", type=float, default=1.0,
                   help="signing speed when the length is predicted, 0.25 to 4 (default 1)")
    p.add_argument("--sampler", choices=["euler", "heun", "midpoint"], default="euler", help="ODE sampler (default euler)")
    p.add_argument("--model", default=None, metavar="PATH_OR_REPO",
                   help="model folder or Hub repo id (default: the built-in model)")
    p.add_argument("--device", default=None, help="cpu or cuda (default: cuda if available)")
    p.add_argument("--left-handed", action="store_true",
                   help="a left-handed signer: the output pose is mirrored across the body's sagittal plane "
                        "(the left hand signs one-handed signs, the hands swap roles in two-handed signs)")
    r = p.add_mutually_exclusive_group()
    r.add_argument("--fingerspell", dest="retrieval", action="store_const", const=True, default=None,
                   help="take keyframes from the fingerspelling lexicon (default for the built-in model)")
    r.add_argument("--no-retrieval", dest="retrieval", action="store_const", const=False,
                   help="pure text-to-pose: no lexicon keyframes, length from the length model")
    return p


def run(args) -> int:
    from pathlib import Path

    from signspark.cli import CLIError
    from signspark.pipeline import SignSparK

    from signspark.options import check, check_device

    out = Path(args.output)
    if out.suffix != ".npz":
        raise CLIError(f"output must be a .npz file, got {str(out)!r}")
    steps = check("steps", args.steps)
    guidance = check("guidance", args.guidance)
    seed = check("seed", args.seed)
    frames = check("frames", args.frames)
    speed = check("speed", args.speed)
    device = check_device(args.device)
    keyframes = None
    if args.keyframes:
        from signspark.pipeline import Keyframes

        keyframes = Keyframes.load(args.keyframes)
    pipe = SignSparK.from_pretrained(args.model, device=device)
    result = pipe(args.text, args.lang, keyframes=keyframes, num_frames=frames, speed=speed,
                  steps=steps, guidance=guidance, sampler=args.sampler, seed=seed,
                  retrieval=args.retrieval)
    from signspark.pose.mirror import mirror_sequence

    (mirror_sequence(result.pose) if args.left_handed else result.pose).save(out)
    g = "off" if result.guidance is None else f"{result.guidance:g}"
    print(f"wrote {out}: {result.num_frames} frames at {result.pose.fps:g} fps, {args.sampler} {result.steps} steps "
          f"({result.nfe} model evaluations), guidance {g}, seed {result.seed}, {result.seconds:.2f} s")
    return 0
