"""``signspark evaluate``: score a generator on a test split and write a report."""

from __future__ import annotations

import argparse

DESCRIPTION = """\
Generate every clip of a split (official-schema LMDB files under DIR/SPLIT) from its text
(T2P, at the ground-truth length) and from its ground-truth keyframes (KF2P, onset/middle/offset
of each sign), at each number of sampling steps; score the results against the ground truth
(DTW-JPE and DTW-PA-JPE in the SOKE-code convention and length-normalised, MPJPE, PA-MPJPE,
keyframe adherence; body and hands); average per language; and write report.json, report.md
and metrics_vs_steps.png into REPORT_DIR. With a FAST model (--fast, or the built-in one when
present) the ground-truth clips are also segmented (frame accuracy, onset F1, segment F1).

Example:
  signspark evaluate --data data --split test --steps 1 4 50 --max-clips 100 -o report/
"""


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("evaluate", help="score generated signing against a test split and write a report",
                       description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, metavar="DIR", help="dataset base folder holding <split>/*.lmdb")
    p.add_argument("--split", default="test", choices=["train", "dev", "test"], help="which split (default: test)")
    p.add_argument("--names", nargs="+", metavar="NAME",
                   help="only LMDB files whose path contains one of these (e.g. How2Sign CSL-Daily)")
    p.add_argument("--languages", nargs="+", metavar="CODE", help="only clips of these sign languages")
    p.add_argument("--model", metavar="PATH_OR_REPO", default=None,
                   help="generator model folder or Hub repo id (default: the built-in model)")
    p.add_argument("--steps", nargs="+", type=int, default=[1, 2, 4, 8, 50], metavar="N",
                   help="numbers of sampling steps to evaluate (default: 1 2 4 8 50)")
    p.add_argument("--tasks", nargs="+", choices=["t2p", "kf2p"], default=["t2p", "kf2p"],
                   help="text-to-pose and/or keyframes-to-pose (default: both)")
    p.add_argument("--guidance", type=float, default=None, help="classifier-free guidance scale (default: the model's)")
    p.add_argument("--no-retrieval", action="store_true",
                   help="T2P as pure text-to-pose: no keyframes from the lexicon, even for a model that takes them "
                        "(the built-in model's default is sign retrieval)")
    p.add_argument("--motion", choices=["generated", "lexicon"], default=None,
                   help="T2P with a take from the lexicon: the motion generated around its keyframes, or the "
                        "lexicon's own motion (default: the model's setting; the built-in model's is lexicon)")
    p.add_argument("--keyframe-policy", default="onset_middle_offset",
                   choices=["onset_middle_offset", "uniform", "random", "every_frame"],
                   help="how KF2P keyframes are chosen from the ground-truth segments")
    p.add_argument("--max-clips", type=int, default=None, metavar="N",
                   help="evaluate at most N clips (taken round-robin across the LMDB files)")
    p.add_argument("--seed", type=int, default=0, help="sampling seed; clip i uses seed+i (default: 0)")
    p.add_argument("--fast", metavar="PATH_OR_REPO", default=None,
                   help="FAST segmentation model for frame accuracy / segment F1 (default: the built-in one if present)")
    p.add_argument("--no-segmentation", action="store_true", help="skip the segmentation scores")
    p.add_argument("--back-translator", metavar="MODULE:FACTORY", default=None,
                   help="back-translation model: FACTORY() returns translator(sequences, language) -> sentences")
    p.add_argument("--smplx", metavar="PATH", default=None,
                   help="SMPL-X model file or folder for the joints (default: the built-in body model)")
    p.add_argument("--device", default=None,
                   help="torch device for generation and the body model (default: cuda if available for "
                        "generation, cpu for the body model)")
    p.add_argument("-o", "--output", required=True, metavar="REPORT_DIR", help="folder for the report files")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    return p


def _load_generator(args: argparse.Namespace):
    """The generator callable and a short description of the model, for the report."""
    from signspark.eval.report import pipeline_generator
    from signspark.pipeline import SignSparK

    kwargs = {} if args.device is None else {"device": args.device}
    pipe = SignSparK.from_pretrained(args.model, **kwargs)
    generate = pipeline_generator(pipe, guidance=args.guidance, retrieval=False if args.no_retrieval else None,
                                  motion=args.motion)
    return generate, str(args.model or "built-in")


def _load_segmenter(args: argparse.Namespace, notes: list[str]):
    if args.no_segmentation:
        return None
    from signspark.eval.report import fast_segmenter
    from signspark.segment import ModelNotFoundError, Segmenter

    try:
        seg = Segmenter.from_pretrained(args.fast)
    except ModelNotFoundError as e:
        if args.fast is not None:
            raise
        notes.append(f"segmentation skipped: {str(e).splitlines()[0]}")
        return None
    return fast_segmenter(seg)


def _load_joints(args: argparse.Namespace):
    from signspark.eval.joints import PoseToJoints

    return PoseToJoints.default(args.smplx, device=args.device)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from signspark.cli import CLIError
    from signspark.eval.report import evaluate, load_clips, write_report

    from signspark.options import check, check_device

    args.steps = [check("steps", n) for n in args.steps]
    args.max_clips = check("max_clips", args.max_clips)
    args.guidance = check("guidance", args.guidance)
    args.seed = check("seed", args.seed)
    args.device = check_device(args.device)
    if args.no_retrieval and args.motion == "lexicon":
        raise CLIError("--motion lexicon signs the lexicon's take; it cannot be combined with --no-retrieval")
    out = Path(args.output)
    if out.exists() and not out.is_dir():
        raise CLIError(f"{out} exists and is not a folder; -o takes the folder the report is written into")

    clips = load_clips(args.data, args.split, names=args.names, max_clips=args.max_clips, languages=args.languages)
    if not clips:
        raise CLIError(f"no clips found in {args.data}/{args.split}"
                       + (f" for languages {args.languages}" if args.languages else ""))
    translator = None
    if args.back_translator:
        from signspark.eval.back_translation import load_back_translator
        translator = load_back_translator(args.back_translator)

    notes: list[str] = []
    generate, model_name = _load_generator(args)
    segmenter = _load_segmenter(args, notes)
    result = evaluate(
        clips, generate, steps=args.steps, tasks=args.tasks, to_joints=_load_joints(args),
        keyframe_policy=args.keyframe_policy, segmenter=segmenter, back_translator=translator, seed=args.seed,
        progress=not args.quiet,
        settings={"model": model_name, "data": str(args.data), "split": args.split,
                  "guidance": args.guidance if args.guidance is not None else "model default",
                  "body_model": _body_model_name(args.smplx),
                  "t2p_retrieval": "off (pure text-to-pose)" if args.no_retrieval else "model default",
                  "t2p_motion": args.motion or "model default"})
    result["notes"] = notes + result["notes"]
    paths = write_report(result, out)
    summary = [r for r in result["results"] if r["language"] == "all"]
    for r in summary:
        m = r["metrics"]
        print(f"{r['task']:>4} steps={r['steps']:<3} DTW-PA-JPE body/hand (mean mm) "
              f"{_f(m.get('body/dtw_pa_jpe_mean_mm'))}/{_f(m.get('hand/dtw_pa_jpe_mean_mm'))}  "
              f"MPJPE body/hand {_f(m.get('body/mpjpe_mm'))}/{_f(m.get('hand/mpjpe_mm'))} mm  "
              f"{r['seconds_per_clip']:.3f} s/clip")
    print(f"wrote {', '.join(str(p) for p in paths.values())}")
    return 0


def _f(v) -> str:
    return "–" if v is None else f"{v:.1f}"


def _body_model_name(path) -> str:
    import os

    return str(path or os.environ.get("SIGNSPARK_SMPLX_DIR") or "built-in")
