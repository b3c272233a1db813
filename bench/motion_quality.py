"""How the generated motion follows the lexicon between its keyframes, frame by frame.

For each sentence, the language's lexicon gives a take (the signs' key poses, animated with the
default signer); the pipeline then signs the same text with ``motion="generated"`` (the model fills
the motion around the take's keyframes, the SignSparK method) and ``motion="lexicon"`` (the take).
Printed per language, averaged over sentences and seeds, for both wrists (built-in body):

* ``dev``: mean distance (mm) between the generated and the take's wrist on frames that are not
  keyframes (0 for the take itself). DTW-based metrics hide this: a frame that stays near the chest
  while the take reaches the forehead still finds a matching take frame somewhere.
* ``acc``: mean wrist acceleration, mm per frame^2 (second difference of positions); human-like
  motion is smooth, a clip that snaps to its keyframes and back is not.
* ``step``: the largest wrist movement between two frames (mm; at 25 fps, 80 mm is 2 m/s).

A third row, ``straight``, is a baseline: the wrists moved in straight lines at constant speed between
the take's keyframes and its first and last frame (at rest; joint positions interpolated, no model); a
generator that fills the motion around keyframes should follow the take at least as closely as that.

Usage::

    python bench/motion_quality.py                  # the built-in model, default sentences, 3 seeds
    python bench/motion_quality.py --model runs/gen --seeds 5
"""

from __future__ import annotations

import argparse
import statistics

import numpy as np

SENTENCES = {
    "ASL": ["hello world", "my name is Anna", "thank you"],
    "DGS": ["Hallo Welt", "guten Morgen"],
    "DSGS": ["Die Kinder lernen", "Der kleine Freund wohnt im Haus", "Ich trinke Wasser", "Wir essen Brot"],
}


def wrist_figures(p2j, take, seq, wrists) -> tuple[float, float, float]:
    """(dev mm on non-keyframes, mean |acceleration| mm/frame^2, largest step mm) of ``seq`` against ``take``."""
    a, b = p2j.joints(take)[:, wrists], p2j.joints(seq)[:, wrists]
    free = np.ones(len(b), bool)
    free[take.keyframes[take.keyframes < len(b)]] = False
    dev = float(np.linalg.norm(a - b, axis=-1)[free].mean() * 1000)
    acc = float(np.linalg.norm(np.diff(b, 2, axis=0), axis=-1).mean() * 1000)
    step = float(np.linalg.norm(np.diff(b, axis=0), axis=-1).max() * 1000)
    return dev, acc, step


def straight_figures(p2j, take, held, wrists) -> tuple[float, float, float]:
    """:func:`wrist_figures` of the take's wrists interpolated linearly between the ``held`` frames
    (the take's keyframes and its first and last frame)."""
    a = p2j.joints(take)[:, wrists]
    keys = np.unique(held[held < len(a)])
    t = np.arange(len(a))
    b = np.stack([[np.interp(t, keys, a[keys, w, c]) for c in range(3)] for w in range(len(wrists))])
    b = b.transpose(2, 0, 1)
    free = np.ones(len(a), bool)
    free[keys] = False
    dev = float(np.linalg.norm(a - b, axis=-1)[free].mean() * 1000)
    acc = float(np.linalg.norm(np.diff(b, 2, axis=0), axis=-1).mean() * 1000)
    step = float(np.linalg.norm(np.diff(b, axis=0), axis=-1).max() * 1000)
    return dev, acc, step


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default=None, help="generator folder (default: the built-in model)")
    p.add_argument("--seeds", type=int, default=3, help="seeds per sentence (default 3)")
    p.add_argument("--steps", type=int, default=8, help="sampling steps of the generated motion (default 8)")
    p.add_argument("--languages", nargs="*", default=list(SENTENCES), help="languages to measure")
    args = p.parse_args(argv)

    import torch

    from signspark.eval.joints import PoseToJoints, joint_names
    from signspark.pipeline import SignSparK

    torch.set_num_threads(2)
    pipe = SignSparK.from_pretrained(args.model, device="cpu")
    p2j = PoseToJoints.default()
    names = joint_names()
    wrists = [names.index("left_wrist"), names.index("right_wrist")]
    print(f"model: {args.model or 'built-in'}; {args.steps} steps; seeds 0..{args.seeds - 1}")
    print(f"{'language':8} {'motion':10} {'dev mm':>8} {'acc mm/f2':>10} {'step mm':>8}")
    for lang in args.languages:
        rows: dict[str, list] = {"generated": [], "straight": [], "lexicon": []}
        for text in SENTENCES[lang]:
            for seed in range(args.seeds):
                take = pipe(text, lang, seed=seed, motion="lexicon").pose
                gen = pipe(text, lang, seed=seed, motion="generated", steps=args.steps, retrieval=True).pose
                rows["lexicon"].append(wrist_figures(p2j, take, take, wrists))
                rows["generated"].append(wrist_figures(p2j, take, gen, wrists))
                held = np.union1d(take.keyframes, [0, take.num_frames - 1])  # the keyframes, and rest at both ends
                rows["straight"].append(straight_figures(p2j, take, held, wrists))
        for motion, values in rows.items():
            dev, acc, step = (statistics.fmean(v[i] for v in values) for i in range(3))
            print(f"{lang:8} {motion:10} {dev:8.0f} {acc:10.1f} {step:8.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
