"""Where keyframes-to-pose (KF2P) errs: before the first keyframe, between keyframes, after the last.

For fingerspelled words (the language's alphabet lexicon, default signer, one seed per word), the
take's onset / middle / offset keyframes are given to the generator (KF2P) and the result is compared
frame by frame with the take: mean joint distance (mm, all joints of the built-in body, no
alignment) over

* ``before``: the frames before the first keyframe (the rise from rest);
* ``between``: the frames between the first and last keyframe that are not keyframes;
* ``after``: the frames after the last keyframe (the return to rest).

A second row holds the take's first and last frame (at rest) as well, as sign-retrieval text-to-pose
does. ``signspark evaluate --tasks kf2p`` gives one figure per clip; this shows where it comes from.

Usage::

    python bench/kf2p_regions.py                       # the built-in model, ASL and DGS words, 8 steps
    python bench/kf2p_regions.py --model runs/gen --languages ASL --steps 4
"""

from __future__ import annotations

import argparse
import statistics

import numpy as np

WORDS = {
    "ASL": ["hello", "world", "teacher", "school"],
    "BSL": ["hello", "world", "teacher", "school"],
    "DGS": ["hallo", "morgen", "schule", "lehrer"],
    "CSL": ["ni", "hao", "xue", "xiao"],
    "DSGS": ["hallo", "morgen", "schule", "lehrer"],
}
REGIONS = ("before", "between", "after")


def region_errors(ref: np.ndarray, out: np.ndarray, keyframes: np.ndarray) -> dict[str, float]:
    """Mean joint distance (mm) of ``out`` against ``ref`` (both (T, J, 3) metres) per region of ``keyframes``.

    A region without frames is NaN.
    """
    err = np.linalg.norm(out - ref, axis=-1).mean(axis=-1) * 1000
    t = np.arange(len(err))
    k = np.unique(keyframes)
    masks = {"before": t < k[0], "between": (t > k[0]) & (t < k[-1]) & ~np.isin(t, k), "after": t > k[-1]}
    return {name: float(err[m].mean()) if m.any() else float("nan") for name, m in masks.items()}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default=None, help="generator folder (default: the built-in model)")
    p.add_argument("--languages", nargs="*", default=["ASL", "DGS"], choices=sorted(WORDS),
                   help="languages whose words are spelled (default: ASL DGS)")
    p.add_argument("--words", type=int, default=4, help="words per language, 1-4 (default 4)")
    p.add_argument("--steps", type=int, default=8, help="sampling steps (default 8)")
    args = p.parse_args(argv)
    if not 1 <= args.words <= 4:
        p.error("--words must be between 1 and 4")
    if not 1 <= args.steps <= 50:
        p.error("--steps must be between 1 and 50")

    import torch

    from signspark.eval.joints import PoseToJoints
    from signspark.pipeline import Keyframes, SignSparK
    from signspark.signs.fingerspelling import spell

    torch.set_num_threads(2)
    pipe = SignSparK.from_pretrained(args.model, device="cpu")
    p2j = PoseToJoints.default()
    rows: dict[str, list[dict[str, float]]] = {"onset/middle/offset": [], "+ first and last frame": []}
    for lang in args.languages:
        for seed, word in enumerate(WORDS[lang][: args.words]):
            take = spell(word, lang, seed=seed)
            ref = p2j.joints(take)
            k = np.unique(take.keyframes)
            held = {"onset/middle/offset": k, "+ first and last frame": np.union1d(k, [0, take.num_frames - 1])}
            for name, frames in held.items():
                out = pipe(lang=lang, keyframes=Keyframes.from_pose_sequence(take, frames), steps=args.steps,
                           seed=seed)
                rows[name].append(region_errors(ref, p2j.joints(out.pose), k))
    print(f"model: {args.model or 'built-in'}; {args.steps} steps; {', '.join(args.languages)}; "
          f"{args.words} word(s) each")
    print(f"{'held frames':24} " + " ".join(f"{r + ' mm':>11}" for r in REGIONS))
    for name, values in rows.items():
        means = [statistics.fmean(v[r] for v in values if not np.isnan(v[r])) for r in REGIONS]
        print(f"{name:24} " + " ".join(f"{m:11.1f}" for m in means))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
