"""Seconds per generation request against ODE steps, with and without guidance.

Measures the whole request through :class:`signspark.pipeline.SignSparK` (text encoding with
an empty cache, sampling, conversion to SMPL-X parameters) for a 5-second full-body clip
(125 frames at 25 fps, padded to 128), with random weights (speed does not depend on them):

* ``small``: the CPU configuration (~18 M parameters), full stream;
* ``built-in``: the shipped model's configuration (~6 M parameters, ``train/configs/builtin_generator.json``);
* ``official``: the released architecture (~837 M parameters), full stream, on the same
  device; slow on a CPU, so fewer steps and repetitions (``--skip-official`` to leave it out).

Usage::

    python bench/generate.py                       # both configurations
    python bench/generate.py --skip-official --threads 1 --reps 5
    python bench/generate.py --device cuda
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent


BUILTIN_CONFIG = ROOT / "train" / "configs" / "builtin_generator.json"


def build_pipeline(preset: str, device: str):
    from signspark.flow.config import UNetConfig
    from signspark.flow.official import default_dtype
    from signspark.flow.unet import VelocityUNet, count_parameters
    from signspark.pipeline import SignSparK
    from signspark.text.builtin import BuiltinTextEncoder

    if preset == "built-in":  # the shipped model's configuration (small preset + overrides)
        import json

        cfg = UNetConfig.preset("small", stream="full", **json.loads(BUILTIN_CONFIG.read_text()))
    else:
        cfg = UNetConfig.preset(preset, stream="full")
    with torch.device("meta"):
        model = VelocityUNet(cfg)
    model = model.to_empty(device=device)
    g = torch.Generator(device=device).manual_seed(0)
    with torch.no_grad():
        for p in model.parameters():  # small random weights everywhere (no zero layers: realistic arithmetic)
            p.normal_(0.0, 0.02, generator=g)
    model = model.to(default_dtype(device)).eval().requires_grad_(False)
    pipe = SignSparK({"full": model}, BuiltinTextEncoder().to(device))
    return pipe, count_parameters(model)


def time_requests(pipe, steps: int, guidance: float | None, reps: int, frames: int) -> list[float]:
    out = []
    for r in range(reps + 1):  # the first is a warm-up
        pipe.text_encoder.clear_cache()
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        res = pipe("hello, how are you today?", "ASL", num_frames=frames, steps=steps, guidance=guidance, seed=r)
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        if r:
            out.append(time.perf_counter() - t0)
        assert res.num_frames == frames
    return out


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=None, help="torch intra-op threads (default: torch's choice)")
    p.add_argument("--steps", type=int, nargs="*", default=[1, 2, 4, 8, 16, 50])
    p.add_argument("--reps", type=int, default=5, help="timed repetitions per cell (small config)")
    p.add_argument("--frames", type=int, default=125)
    p.add_argument("--guidance", type=float, default=2.0)
    p.add_argument("--skip-official", action="store_true")
    p.add_argument("--official-steps", type=int, nargs="*", default=[1, 2, 4, 8])
    p.add_argument("--official-reps", type=int, default=1)
    args = p.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)

    runs = [("small", args.steps, args.reps), ("built-in", args.steps, args.reps)]
    if not args.skip_official:
        runs.append(("official", args.official_steps, args.official_reps))
    print(f"device {args.device}, {torch.get_num_threads()} threads, torch {torch.__version__}; "
          f"{args.frames} frames (full stream), euler sampler, seconds per request (median of reps)")
    print()
    print("| config | params | steps | no guidance (s) | guidance %g (s) | model forwards |" % args.guidance)
    print("| --- | --- | --- | --- | --- | --- |")
    for preset, steps_list, reps in runs:
        pipe, n = build_pipeline(preset, args.device)
        for steps in steps_list:
            r = max(1, reps if steps <= 16 else max(1, reps // 2))
            plain = statistics.median(time_requests(pipe, steps, None, r, args.frames))
            guided = statistics.median(time_requests(pipe, steps, args.guidance, r, args.frames))
            print(f"| {preset} | {n / 1e6:.1f} M | {steps} | {plain:.3f} | {guided:.3f} | {steps} |", flush=True)
        del pipe


if __name__ == "__main__":
    main()
