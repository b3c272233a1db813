"""Benchmark: the browser demo's text -> mp4 latency, and its throughput under concurrent clients.

1. **Latency per phase** for one word (default: the ten-letter "friendship", ASL) at 512x512,
   median of ``--runs`` runs after a warm-up: generate (text -> PoseSequence), render+encode
   (PoseSequence -> mp4), and the whole demo request (:func:`demo.handlers.text_to_sign`:
   generation, segmentation, the streamed mp4, the .ply frame, the .glb, downloads, timeline),
   with its **time to the first frame** (the first finished piece of the video) and to the
   finished files.
3. ``--browser``: the same request clicked in Debian's Chromium (Playwright): seconds from the
   click to the first frame the learning player presents, and to the finished mp4.
2. **Through the server**: the demo launched in-process with its queue; one ``gradio_client``
   client in a separate process sends ``--runs`` requests to ``/text_to_sign`` one after another
   (round trip, with the outputs downloaded); then ``--clients`` concurrent clients (threads of
   this process) each send ``--requests`` requests: requests per minute and the median latency
   seen by a client.

    python bench/demo_request.py                          # the built-in model (assets/models/generator)
    python bench/demo_request.py --model runs/gen/model   # any model folder or Hub repo id
    python bench/demo_request.py --tiny                   # an untrained tiny model: plumbing only, not quality
    python bench/demo_request.py --backend skeleton --threads 2 --runs 5 --clients 4
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _tiny_assets(folder: Path) -> Path:
    """An untrained ``tiny`` generator installed as the built-in model under ``folder``."""
    import torch

    from signspark.flow.config import UNetConfig
    from signspark.flow.unet import VelocityUNet
    from signspark.pipeline import SignSparK
    from signspark.text.encoder import load_text_encoder

    torch.manual_seed(0)
    unet = VelocityUNet(UNetConfig.preset("tiny", stream="full")).eval()
    SignSparK({"full": unet}, load_text_encoder({"type": "builtin", "dim": 640})).save_pretrained(
        folder / "models" / "generator")
    return folder


def _median(xs: list[float]) -> str:
    return f"{statistics.median(xs):6.2f} s (min {min(xs):.2f}, max {max(xs):.2f})"


def bench_phases(args) -> None:
    from demo import handlers as H
    from signspark.render import RenderOptions, available_backends, render_video

    pipe = H.load_pipeline(args.model)
    work = Path(tempfile.mkdtemp(prefix="bench-demo-"))
    used = args.backend if args.backend != "auto" else next(
        (b for b in available_backends() if b in ("gsplat", "gl", "torch")), "none")
    gen, ren, whole, first, frames = [], [], [], [], 0
    for i in range(args.runs + 1):  # the first run warms caches (text encoder, body model, avatar, GL context)
        t0 = time.perf_counter()
        out = pipe.text_to_pose(args.text, args.language, steps=args.steps, guidance=args.guidance, seed=i)
        t1 = time.perf_counter()
        render_video(out.pose, work / f"run{i}.mp4", RenderOptions(backend=args.backend, size=args.size, caption=True))
        t2 = time.perf_counter()
        t_first = None
        for step in H.text_to_sign(args.text, args.language, args.model, args.steps, args.guidance, i, 1.0, "front",
                                   args.backend, -1, progress=None):
            if t_first is None and step[-1]:  # the first finished piece of the video
                t_first = time.perf_counter()
        t3 = time.perf_counter()
        if i:
            gen.append(t1 - t0)
            ren.append(t2 - t1)
            whole.append(t3 - t2)
            first.append(t_first - t2)
        frames = out.num_frames
    print(f"text -> mp4, {args.text!r} ({args.language}), {frames} frames, {args.size}x{args.size}, "
          f"{args.steps} steps, renderer {used}, {args.runs} runs (median):")
    print(f"  generate             {_median(gen)}")
    print(f"  render + encode      {_median(ren)}   ({statistics.median(ren) / max(frames, 1) * 1000:.0f} ms/frame)")
    print(f"  generate + render    {statistics.median([g + r for g, r in zip(gen, ren)]):6.2f} s")
    print(f"  demo request: first frame {_median(first)}   (the first piece of the streamed video is ready)")
    print(f"  whole demo request   {_median(whole)}   (+ segmentation, .ply frame, .glb, downloads, timeline)")


def bench_browser(args) -> None:
    """Click Generate in Chromium: seconds to the first frame the learning player shows, and to the finished mp4."""
    from playwright.sync_api import sync_playwright

    from demo.app import build_demo, launch_kwargs, warm_up

    warm_up(args.model)
    demo = build_demo(args.model)
    kw = launch_kwargs(concurrency=args.concurrency)
    demo.queue(**kw["queue"]).launch(prevent_thread_lock=True, server_name="127.0.0.1", ssr_mode=False, quiet=True,
                                     **kw["launch"])
    first, done = [], []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=args.chromium, headless=True, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1200, "height": 1400})
            page.goto(demo.local_url, wait_until="load")
            page.wait_for_function("() => window.SignSparKPlayers && window.SignSparKPlayers.t2s", timeout=60_000)
            page.locator("#text_in textarea").fill(args.text)
            for i in range(args.runs + 1):
                page.locator("#seed_in input").fill(str(i))
                page.evaluate("() => { delete window.SignSparKPlayers.t2s.root.dataset.finished; }")
                t0 = page.evaluate("() => performance.now()")
                page.locator("#generate_btn").click()
                page.wait_for_function("() => { const d = window.SignSparKPlayers.t2s.root.dataset;"
                                       f" return d.firstFrameMs && Number(d.firstFrameMs) > {t0}; }}", timeout=120_000)
                t_first = page.evaluate("() => Number(window.SignSparKPlayers.t2s.root.dataset.firstFrameMs)")
                page.wait_for_function("() => window.SignSparKPlayers.t2s.root.dataset.finished", timeout=120_000)
                t_done = page.evaluate("() => performance.now()")
                if i:
                    first.append((t_first - t0) / 1000)
                    done.append((t_done - t0) / 1000)
            browser.close()
    finally:
        demo.close()
    print(f"in Chromium, from the click on Generate ({args.runs} runs):")
    print(f"  first frame shown    {_median(first)}")
    print(f"  finished mp4 there   {_median(done)}   (the player's stream ends, downloads listed)")


_CLIENT = """
import json, sys, time
from gradio_client import Client
url, n, text, language, model, steps, guidance, backend = sys.argv[1:9]
client = Client(url, verbose=False)
times = []
for i in range(int(n) + 1):  # the first one warms up
    t0 = time.perf_counter()
    client.predict(text, language, model, int(steps), float(guidance), i, 1.0, "front", backend, -1, False, "",
                   api_name="/text_to_sign")
    if i:
        times.append(time.perf_counter() - t0)
print(json.dumps(times))
"""


def _round_trips_from_another_process(url: str, args) -> list[float]:
    """Seconds per /text_to_sign request seen by a gradio_client in its own process, as a browser would be."""
    import json
    import subprocess

    out = subprocess.run([sys.executable, "-c", _CLIENT, url, str(args.runs), args.text, args.language, args.model,
                          str(args.steps), str(args.guidance), args.backend],
                         capture_output=True, text=True, check=True, timeout=600)
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_server(args) -> None:
    from gradio_client import Client

    from demo.app import build_demo, launch_kwargs

    demo = build_demo()
    kw = launch_kwargs(concurrency=args.concurrency)
    demo.queue(**kw["queue"]).launch(prevent_thread_lock=True, server_name="127.0.0.1", ssr_mode=False, quiet=True,
                                     **kw["launch"])
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client_loop(k: int) -> None:
        client = Client(demo.local_url, verbose=False)
        for j in range(args.requests):
            t0 = time.perf_counter()
            try:
                client.predict(args.text, args.language, args.model, args.steps, args.guidance, k * 100 + j, 1.0,
                               "front", args.backend, -1, False, "", api_name="/text_to_sign")
            except Exception as e:  # count it, keep measuring
                with lock:
                    errors.append(f"{type(e).__name__}: {e}")
                continue
            with lock:
                latencies.append(time.perf_counter() - t0)

    try:
        single = _round_trips_from_another_process(demo.local_url, args)
        print(f"one client in a separate process (gradio_client, outputs downloaded), {args.runs} requests:")
        print(f"  round trip           {_median(single)}")
        if args.clients < 1:
            return
        Client(demo.local_url, verbose=False).predict(  # the in-process clients' warm-up
            args.text, args.language, args.model, args.steps, args.guidance, 0, 1.0, "front", args.backend, -1, False, "",
            api_name="/text_to_sign")
        threads = [threading.Thread(target=client_loop, args=(k,)) for k in range(args.clients)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
    finally:
        demo.close()
    done = len(latencies)
    print(f"throughput: {args.clients} concurrent clients x {args.requests} requests, queue concurrency "
          f"{args.concurrency}:")
    print(f"  {done} requests in {wall:.1f} s = {60 * done / wall:.1f} requests/minute; "
          f"client latency median {statistics.median(latencies) if latencies else float('nan'):.2f} s, "
          f"max {max(latencies, default=float('nan')):.2f} s; {len(errors)} error(s)")
    for e in errors[:3]:
        print(f"  error: {e}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="built-in", help="built-in (default), a model folder or a Hub repo id")
    p.add_argument("--tiny", action="store_true", help="use an untrained tiny model (when no trained one is installed)")
    p.add_argument("--text", default="friendship", help="text to sign (default: a ten-letter word)")
    p.add_argument("--language", default="ASL")
    p.add_argument("--steps", type=int, default=8)
    p.add_argument("--guidance", type=float, default=1.5)
    p.add_argument("--backend", default="auto", help="renderer backend (default auto)")
    p.add_argument("--size", type=int, default=512, help="video size in pixels (phases only; the demo renders 512)")
    p.add_argument("--runs", type=int, default=5, help="timed runs per phase (after one warm-up)")
    p.add_argument("--clients", type=int, default=4,
                   help="concurrent clients in the throughput test (0: skip it; the single-client round trip runs)")
    p.add_argument("--requests", type=int, default=3, help="requests per client")
    p.add_argument("--concurrency", type=int, default=2, help="the demo queue's concurrency limit")
    p.add_argument("--browser", action="store_true",
                   help="only the Chromium measurement: click to first frame shown and to the finished mp4")
    p.add_argument("--chromium", default=os.environ.get("SIGNSPARK_CHROMIUM", "/usr/bin/chromium"),
                   help="the Chromium to drive with --browser (default /usr/bin/chromium)")
    p.add_argument("--phases-only", action="store_true", help="skip the server and throughput measurements")
    p.add_argument("--threads", type=int, default=None,
                   help="torch intra-op threads (default: the demo's choice, 1 without CUDA)")
    args = p.parse_args(argv)

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("GRADIO_TEMP_DIR", tempfile.mkdtemp(prefix="bench-gradio-"))
    import torch

    from demo.app import configure_threads

    configure_threads(args.threads)
    if args.tiny:
        os.environ["SIGNSPARK_ASSETS"] = str(_tiny_assets(Path(tempfile.mkdtemp(prefix="bench-assets-"))))
        args.model = "built-in"
        print("model: untrained tiny generator (timings of the plumbing; the built-in model is larger)")
    else:
        print(f"model: {args.model}")
    print(f"torch threads: {torch.get_num_threads()}, CPU cores: {os.cpu_count()}, "
          f"CUDA: {torch.cuda.is_available()}")
    import gradio as gr

    try:
        if args.browser:
            bench_browser(args)
            return 0
        bench_phases(args)
        if not args.phases_only:
            bench_server(args)
    except gr.Error as e:
        print(f"error: {e.message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
