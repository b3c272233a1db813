"""Rendering speed: frames per second at 512x512 per backend, including body posing and mp4 encoding.

Usage::

    python bench/render.py [--clip fingerspelling|synthetic] [--frames 60] [--size 512]
                           [--backends gl torch skeleton mesh gsplat] [--threads 1] [--repeat 3]

Prints one table row per backend that can run here (the others are listed with the reason): the
median frames per second over ``--repeat`` renders of the clip, and the slowest and fastest.
Targets on a 2-core CPU: gl >= 25 fps, torch >= 5 fps, skeleton >= 100 fps; gsplat (GPU) >= 300 fps.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import torch


def signing_clip(frames: int, fps: float = 25.0):
    """A synthetic clip: arms raised into signing space, elbows and fingers moving."""
    from signspark.pose import PoseSequence

    seq = PoseSequence.zeros(frames, fps=fps, text="benchmark", segments=[[0, frames - 1]],
                             keyframes=list(range(0, frames, 10)))
    t = np.linspace(0, 2 * np.pi, frames)
    bp = seq.params["body_pose"].reshape(frames, 21, 3)
    bp[:, 15, 2], bp[:, 16, 2] = -1.1, 1.1  # shoulders down from the T-pose
    bp[:, 17, 1] = -1.6 - 0.3 * np.sin(t)  # elbows
    bp[:, 18, 1] = 1.6 + 0.3 * np.cos(t)
    seq.params["body_pose"] = bp.reshape(frames, 63)
    for key, sign in (("left_hand_pose", -1), ("right_hand_pose", 1)):
        h = seq.params[key].reshape(frames, 15, 3)
        h[:, :12, 2] = sign * 0.7 * (1 + np.sin(t[:, None] + np.arange(12)[None] * 0.3))
        seq.params[key] = h.reshape(frames, 45)
    return seq


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--frames", type=int, default=60)
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--backends", nargs="*", default=["gsplat", "gl", "torch", "mesh", "skeleton"])
    ap.add_argument("--threads", type=int, default=1, help="torch threads (the CLI's default is 1)")
    ap.add_argument("--view", default="front")
    ap.add_argument("--repeat", type=int, default=3, help="timed renders per backend (default 3)")
    ap.add_argument("--clip", choices=["fingerspelling", "synthetic"], default="fingerspelling",
                    help="what to render: a fingerspelled word from the lexicon (the demo's workload; --frames "
                         "is ignored) or a synthetic clip of --frames frames with wide arm movements")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    from signspark.render import RenderOptions, render_video
    from signspark.render.api import _avatar_for, _builtin_body
    from signspark.render.backends.base import backend_status

    t0 = time.perf_counter()
    body = _builtin_body()
    t1 = time.perf_counter()
    avatar = _avatar_for(body, RenderOptions())
    t2 = time.perf_counter()
    print(f"body model load {t1 - t0:.2f} s; default avatar build {t2 - t1:.2f} s ({len(avatar)} Gaussians)")
    if args.clip == "fingerspelling":
        from signspark.signs.fingerspelling import spell

        seq = spell("friendship", "ASL")
        args.frames = seq.num_frames
    else:
        seq = signing_clip(args.frames)
    warm = signing_clip(3)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.backends:
            ok, why = backend_status(name)
            if not ok:
                rows.append((name, None, why))
                continue
            opts = RenderOptions(backend=name, view=args.view, size=args.size, avatar=avatar)
            render_video(warm, Path(tmp) / "warm.mp4", opts, body_model=body)  # contexts, caches
            fps = []
            for _ in range(max(1, args.repeat)):
                start = time.perf_counter()
                render_video(seq, Path(tmp) / f"{name}.mp4", opts, body_model=body)
                fps.append(args.frames / (time.perf_counter() - start))
            med = float(np.median(fps))
            rows.append((name, med, f"{1000 / med:.1f} ms/frame; {min(fps):.1f} - {max(fps):.1f} fps "
                                    f"over {len(fps)} runs"))
    print(f"\n{args.frames} frames at {args.size}x{args.size}, view {args.view}, torch threads {args.threads}, "
          "body posing + avatar + render + H.264 encoding included; median of the runs\n")
    print(f"| backend  | fps    | per frame / note |")
    print(f"|----------|--------|------------------|")
    for name, fps, note in rows:
        print(f"| {name:<8} | {fps:6.1f} | {note} |" if fps is not None else f"| {name:<8} |    n/a | {note} |")


if __name__ == "__main__":
    main()
