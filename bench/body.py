"""Benchmark: time to pose a clip with the body model, and peak memory.

Prints the load time, the forward time for ``--frames`` frames (best and median of
``--repeats`` runs) for each ``--chunk-size``, optionally the same through plain
``smplx.SMPLX.forward`` for comparison, and the peak resident memory of the process.

    python bench/body.py                       # built-in body, 300 frames
    python bench/body.py --model-path ~/models --compare-smplx
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from pathlib import Path


def _clip(frames: int, seed: int) -> dict:
    """A smooth random signing-like clip (numpy float32, SMPL-X keys)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    t = np.linspace(0, 1, frames, dtype=np.float32)[:, None]

    def wave(dim: int, amp: float) -> np.ndarray:
        f = rng.uniform(0.5, 3.0, (1, dim))
        ph = rng.uniform(0, 2 * np.pi, (1, dim))
        return (amp * np.sin(2 * np.pi * f * t + ph)).astype(np.float32)

    body = wave(63, 0.15)
    body[:, 15 * 3:15 * 3 + 3] += [0.0, -0.5, -1.1]  # left shoulder down/forward (body_pose joint 16)
    body[:, 16 * 3:16 * 3 + 3] += [0.0, 0.5, 1.1]
    body[:, 17 * 3 + 1] += -1.6  # elbows bent
    body[:, 18 * 3 + 1] += 1.6
    return {
        "global_orient": wave(3, 0.05), "body_pose": body, "jaw_pose": np.abs(wave(3, 0.1)),
        "leye_pose": wave(3, 0.05), "reye_pose": wave(3, 0.05),
        "left_hand_pose": wave(45, 0.5), "right_hand_pose": wave(45, 0.5),
        "expression": wave(50, 0.8), "transl": wave(3, 0.01), "betas": np.zeros(10, np.float32),
    }


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def _time(fn, repeats: int) -> tuple[float, float]:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model-path", default=None, help="SMPL-X file or folder (default: $SIGNSPARK_SMPLX_DIR or built-in)")
    ap.add_argument("--frames", type=int, default=300)
    ap.add_argument("--chunk-size", type=int, nargs="+", default=[32, 64, 128])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=None, help="torch intra-op threads (default: torch's choice)")
    ap.add_argument("--compare-smplx", action="store_true", help="also time plain smplx.SMPLX.forward in chunks")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    from signspark.body import BodyModel

    t0 = time.perf_counter()
    body = BodyModel.load(args.model_path)
    load_s = time.perf_counter() - t0
    clip = _clip(args.frames, args.seed)
    print(f"model: {body.source}  vertices: {body.num_vertices}  faces: {len(body.faces)}  "
          f"torch threads: {torch.get_num_threads()}")
    print(f"load: {load_s:.2f} s (includes generating the built-in body on a cold cache)")
    for cs in args.chunk_size:
        best, med = _time(lambda: body(clip, chunk_size=cs), args.repeats)
        print(f"pose {args.frames} frames, chunk {cs:4d}: best {best:.3f} s  median {med:.3f} s  "
              f"({1000 * best / args.frames:.2f} ms/frame)")
    if args.compare_smplx:
        import smplx

        path = body.source if not body.is_builtin else None
        if path is None:
            from signspark.body import builtin_body_path

            path = builtin_body_path()
        cs = args.chunk_size[0]
        m = smplx.SMPLX(model_path=str(path), ext=Path(path).suffix.lstrip("."), use_pca=False, flat_hand_mean=True,
                        num_expression_coeffs=50, batch_size=1)
        tens = {k: torch.as_tensor(v) for k, v in clip.items() if k != "betas"}
        tens["expression"] = tens["expression"][:, : m.num_expression_coeffs]

        def run_smplx() -> None:
            with torch.no_grad():
                for a in range(0, args.frames, cs):
                    part = {k: v[a:a + cs] for k, v in tens.items()}
                    n = part["body_pose"].shape[0]
                    m(betas=torch.zeros(n, m.num_betas), **part)

        best, med = _time(run_smplx, args.repeats)
        print(f"plain smplx forward, chunk {cs:4d}: best {best:.3f} s  median {med:.3f} s")
    print(f"peak RSS: {_peak_rss_mb():.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
