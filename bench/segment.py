"""FAST segmentation speed: frames per second on one hour of 25 fps input, parameter count, checkpoint size.

Segments one clip of 90,000 frames (one hour at 25 fps) of random two-hand
features (speed does not depend on the values) with windowed, batched
inference, on the CPU and, when available, on CUDA. The model is the built-in
one if present (or --model), otherwise a randomly initialised model of the
default configuration. The target on a CPU is >= 20,000 frames/s.

    python bench/segment.py                       # CPU (all threads) and CUDA if present
    python bench/segment.py --threads 1 2 --frames 45000
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import torch


from signspark.segment import FastConfig, FastSegmenter, load_model, predict_logits, save_model
from signspark.segment.inference import ModelNotFoundError, decode_tags


def _model(path: str | None) -> tuple[FastSegmenter, str]:
    try:
        return load_model(path), (path or "built-in model")
    except ModelNotFoundError:
        if path:
            raise
        torch.manual_seed(0)
        return FastSegmenter(FastConfig()).eval(), "random weights, default config"


def _time(fn, repeats: int) -> tuple[float, float]:
    """Best wall-clock and best process CPU time of ``repeats`` runs (seconds)."""
    wall = cpu = float("inf")
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall, cpu = min(wall, time.perf_counter() - t0), min(cpu, time.process_time() - c0)
    return wall, cpu


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", help="model folder or Hub repo id (default: built-in, else random weights)")
    p.add_argument("--frames", type=int, default=90_000, help="clip length in frames (default: one hour at 25 fps)")
    p.add_argument("--threads", type=int, nargs="+", help="CPU thread counts to try (default: torch's default)")
    p.add_argument("--batch-frames", type=int, default=8192, help="frames per forward pass on the CPU (8x on CUDA)")
    p.add_argument("--repeats", type=int, default=3, help="timed runs per setting; the best is reported")
    args = p.parse_args(argv)

    model, origin = _model(args.model)
    cfg = model.config
    with tempfile.TemporaryDirectory() as tmp:
        folder = save_model(Path(tmp) / "fast", model)
        size = sum(f.stat().st_size for f in folder.iterdir())
    print(f"model: {origin}; {model.num_parameters():,} parameters; checkpoint {size / 1e6:.2f} MB "
          f"(model.safetensors + config.json)")
    print(f"config: hidden {cfg.hidden}, layers {cfg.layers}, heads {cfg.heads}, attention radius {cfg.attention_radius}, "
          f"window {cfg.window} + 2 x {cfg.receptive_radius} context")

    x = np.random.default_rng(0).normal(size=(args.frames, 2 * cfg.feature_dim)).astype(np.float32)
    print(f"input: {args.frames:,} frames ({args.frames / 25 / 60:.1f} min at 25 fps)")
    logits_all = predict_logits(model, [x[:1]])[0].repeat(args.frames, 1)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"cpu: {os.cpu_count()} logical cores, load average {load:.1f} (other processes slow the wall-clock figures)")
    for threads in args.threads or [torch.get_num_threads()]:
        torch.set_num_threads(threads)
        predict_logits(model, [x[:5000]], batch_frames=args.batch_frames)  # warm-up
        t, cpu = _time(lambda: predict_logits(model, [x], batch_frames=args.batch_frames), args.repeats)
        t_post, _ = _time(lambda: decode_tags(logits_all), 1)
        print(f"cpu, {threads} thread(s): {args.frames / t:,.0f} frames/s wall ({t:.2f} s for the clip), "
              f"{args.frames / cpu:,.0f} frames per CPU-second; argmax + BIO repair {t_post * 1000:.0f} ms")
    if torch.cuda.is_available():
        gpu = model.to("cuda")
        for dtype in (torch.float32, torch.bfloat16):
            def run():
                with torch.autocast("cuda", dtype=dtype, enabled=dtype != torch.float32):
                    predict_logits(gpu, [x], batch_frames=args.batch_frames * 8)
                torch.cuda.synchronize()
            run()
            t, _ = _time(run, args.repeats)
            print(f"cuda ({torch.cuda.get_device_name()}), {str(dtype).split('.')[-1]}: "
                  f"{args.frames / t:,.0f} frames/s ({t:.3f} s for the clip)")
    else:
        print("cuda: not available")


if __name__ == "__main__":
    main()
