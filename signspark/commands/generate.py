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

With no --model the built-in model is used (offline). Unless --no-retrieval is
given, the text is looked up in the language's lexicon (sign-retrieval
text-to-pose): DSGS signs the words of its lexicon as lexical signs and
fingerspells the rest; ASL, BSL, DGS and CSL fingerspell. The output carries one
segment per sign or letter. --motion says what the lexicon's take becomes:
  lexicon    the take's own motion, as the lexicon animates it (the built-in
             model's default: its generator does not yet follow lexical signs
             between their keyframes well; see the README)
  generated  the model generates the motion around the take's keyframes
             (onset, middle, offset of each sign), the SignSparK method; the
             default of other models

Signs written in HamNoSys, for any sign language:
  --hamnosys STRING   a sign as HamNoSys (Private Use Area characters or symbol
                      names, e.g. "hamflathand hamextfingeru hampalml hamchest
                      hamtouch"); repeat it for several signs in a row, each
                      named by a --gloss in the same order (default SIGN1, ...)
  --sigml FILE        the signs of a SiGML file, in order
  --lexicon PATH      a user lexicon (a CSV with the columns gloss,hamnosys; a
                      .sigml file; or a folder of .sigml files): the words of
                      TEXT it has are signed, the others fingerspelled
The take holds each sign's onset, middle and offset and the turning points of
its path as keyframes; the output's gloss and segments name the signs.

Examples:
  signspark generate "hello, how are you?" --lang ASL -o hello.npz
  signspark generate --hamnosys "hamflathand hamextfingeru hampalml hamchest hamtouch" --gloss DEIN --lang DGS -o dein.npz
  signspark generate --sigml signs.sigml --lang DGS -o signs.npz
  signspark generate "das Kind lernt" --lexicon my_signs.csv --lang DGS -o kind.npz
  signspark generate "guten Morgen" --lang DGS --steps 4 --guidance 2 --seed 1 -o morgen.npz
  signspark generate "" --keyframes poses.npz -o inbetween.npz
  signspark generate "hello" --lang ASL --left-handed -o hello_left.npz
"""


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("generate", help=HELP, description=HELP.capitalize() + ".", epilog=EPILOG,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("text", nargs="?", default="",
                   help="spoken-language text (may be empty or left out with --keyframes, --hamnosys or --sigml)")
    p.add_argument("--lang", default="ASL", help="sign language: ASL, BSL, DGS, CSL or DSGS (default ASL)")
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
    p.add_argument("--motion", choices=["lexicon", "generated"], default=None,
                   help="what text looked up in the lexicon becomes: the lexicon's own motion or the model's "
                        "generated motion around its keyframes (default: the model's setting; see below)")
    p.add_argument("--model", default=None, metavar="PATH_OR_REPO",
                   help="model folder or Hub repo id (default: the built-in model)")
    p.add_argument("--device", default=None, help="cpu or cuda (default: cuda if available)")
    p.add_argument("--left-handed", action="store_true",
                   help="a left-handed signer: the output pose is mirrored across the body's sagittal plane "
                        "(the left hand signs one-handed signs, the hands swap roles in two-handed signs)")
    h = p.add_argument_group("signs written in HamNoSys")
    h.add_argument("--hamnosys", action="append", default=None, metavar="STRING",
                   help="a sign in HamNoSys (PUA characters or symbol names); repeat for several signs")
    h.add_argument("--gloss", action="append", default=None, metavar="NAME",
                   help="the name of each --hamnosys sign, in the same order")
    h.add_argument("--sigml", default=None, metavar="FILE", help="sign the signs of this SiGML file, in order")
    h.add_argument("--lexicon", default=None, metavar="FILE_OR_DIR",
                   help="a user lexicon (CSV gloss,hamnosys; .sigml file or folder) used before fingerspelling")
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
    signs, lexicon = _signs(args, CLIError)
    pipe = SignSparK.from_pretrained(args.model, device=device)
    result = pipe(args.text, args.lang, keyframes=keyframes, num_frames=frames, speed=speed,
                  steps=steps, guidance=guidance, sampler=args.sampler, seed=seed,
                  retrieval=args.retrieval, signs=signs, lexicon=lexicon, motion=args.motion)
    from signspark.pose.mirror import mirror_sequence

    (mirror_sequence(result.pose) if args.left_handed else result.pose).save(out)
    g = "off" if result.guidance is None else f"{result.guidance:g}"
    how = ("the lexicon's motion (no model evaluation)" if result.sampler == "lexicon" else
           f"{args.sampler} {result.steps} steps ({result.nfe} model evaluations), guidance {g}")
    print(f"wrote {out}: {result.num_frames} frames at {result.pose.fps:g} fps, {how}, seed {result.seed}, "
          f"{result.seconds:.2f} s")
    return 0


def _signs(args, CLIError):
    """The signs (--hamnosys, --sigml) and the user lexicon (--lexicon) asked for; files read here."""
    from pathlib import Path

    if args.gloss and not args.hamnosys:
        raise CLIError("--gloss names --hamnosys signs; give --hamnosys too")
    if args.hamnosys and args.sigml:
        raise CLIError("give --hamnosys or --sigml, not both")
    if (args.hamnosys or args.sigml or args.lexicon) and (args.keyframes or args.retrieval is False):
        raise CLIError("--hamnosys, --sigml and --lexicon give keyframes: not with --keyframes or --no-retrieval")
    signs = lexicon = None
    if args.hamnosys:
        glosses = list(args.gloss or [])
        if len(glosses) > len(args.hamnosys):
            raise CLIError(f"{len(glosses)} --gloss for {len(args.hamnosys)} --hamnosys signs")
        glosses += [None] * (len(args.hamnosys) - len(glosses))
        signs = list(zip(glosses, args.hamnosys))
    if args.sigml:
        from signspark.signs.hamnosys import MAX_SIGML_BYTES, read_sigml

        path = Path(args.sigml)
        if not path.is_file():
            raise CLIError(f"--sigml {path}: no such file")
        if path.stat().st_size > MAX_SIGML_BYTES:
            raise CLIError(f"--sigml {path}: larger than {MAX_SIGML_BYTES} bytes")
        try:
            signs = read_sigml(path.read_bytes())
        except ValueError as e:
            raise CLIError(f"--sigml {path}: {e}") from None
        if not signs:
            raise CLIError(f"--sigml {path}: holds no sign")
    if args.lexicon:
        import sys

        from signspark.signs.hamnosys import load_lexicon
        from signspark.signs.languages import get_language

        loaded = load_lexicon(args.lexicon, get_language(args.lang).code)
        for problem in loaded.problems:
            print(f"warning: {problem}", file=sys.stderr)
        lexicon = loaded.lexicon
        if signs is not None:
            raise CLIError("--lexicon reads the text; with --hamnosys / --sigml the signs are given: use one")
    return signs, lexicon
