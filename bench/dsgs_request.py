"""Benchmark: a DSGS sentence from German text to a finished 512x512 mp4, cold and warm, stage by stage.

``SignSparK.text_to_video`` (built-in model, gl renderer, captions, the ``.npz`` and segment files) in
fresh processes that share one cache folder (a temporary one unless ``--cache-dir``; the built-in
body is generated there first and not timed):

1. **cold**: a new process whose disk cache of animated signs is empty - the first request (the DSGS
   lexicon, the lemmatizer and every sign's first animation), the same sentence again, and a sentence
   of other signs (``--new-text``);
2. **warm**: a new process after that - the first request with the signs on disk, again, and the other
   sentence (now cached too).

For each request it prints the seconds from the call to the finished files (and the CPU seconds of the
process and its encoder), and where they went (wall and CPU seconds of the calling thread):
lexicon load, text to glosses (German lemmas), sign forms (animation or disk cache), the generator's
sampling, the rest of generation; the render's body and avatar set-up, posing, the OpenGL submit (CPU:
culling, sorting, upload, vertex work) and fetch (waiting for the rasterizer, read-back), captions and
the encoder's finish. Process start-up (imports, model load) is shown apart. The load average
(``/proc/loadavg``) is printed before and after each process: the figures are only comparable
under similar load.

    python bench/dsgs_request.py
    python bench/dsgs_request.py --text "Die Kinder lernen" --new-text "Der Lehrer kauft ein Auto" --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEXT = "Der kleine Freund wohnt im Haus"          # KLEIN FREUND WOHNEN IM HAUS
NEW_TEXT = "Der alte Vater kocht heute Suppe"     # ALT VATER KOCHEN HEUTE SUPPE

# (module, attribute path, stage name): functions whose time is summed per request
_STAGES = [
    ("signspark.signs.dsgs.lexicon", "DSGSLexicon.__init__", "lexicon load"),
    ("signspark.signs.dsgs.lexicon", "DSGSLexicon.tokens", "text -> glosses (lemmas)"),
    ("signspark.signs.hamnosys.lexicon", "HamNoSysLexicon.form", "sign forms (animate / disk)"),
    ("signspark.pipeline", "SignSparK._retrieve", "retrieval (all of the above + take)"),
    ("signspark.flow.multistream", "sample_full_body", "generator sampling"),
    ("signspark.pipeline", "SignSparK.__call__", "generate (all)"),
    ("signspark.render.api", "_builtin_body", "render: body model"),
    ("signspark.render.api", "_avatar_for", "render: avatar"),
    ("signspark.render.api", "_pose_clip", "render: posing"),
    ("signspark.render.backends.gl_backend", "GLSplatBackend.submit", "render: GL submit (CPU)"),
    ("signspark.render.backends.gl_backend", "GLSplatBackend.fetch", "render: GL fetch (raster wait)"),
    ("signspark.render.api", "draw_caption", "render: captions"),
    ("signspark.render.video", "Mp4Writer.close", "render: encoder finish"),
    ("signspark.render", "render_video", "render (all)"),
    ("signspark.outputs", "_side_files", "side files (beside the render)"),
]


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _instrument(acc: dict) -> None:
    import functools
    import importlib

    for module, path, label in _STAGES:
        mod = importlib.import_module(module)
        owner, name = (getattr(mod, path.split(".")[0]), path.split(".")[1]) if "." in path else (mod, path)
        fn = getattr(owner, name)

        def wrap(fn=fn, label=label):
            @functools.wraps(fn)
            def timed(*a, **k):
                t, c = time.perf_counter(), time.thread_time()
                try:
                    return fn(*a, **k)
                finally:
                    wall, cpu = acc.get(label, (0.0, 0.0))
                    acc[label] = (wall + time.perf_counter() - t, cpu + time.thread_time() - c)
            return timed

        setattr(owner, name, wrap())


def child(args) -> None:
    """One process: start-up, then the requests; prints one JSON line per result."""
    t0 = time.perf_counter()
    import torch

    torch.set_num_threads(args.threads)
    from signspark.pipeline import SignSparK
    from signspark.render import RenderOptions

    t1 = time.perf_counter()
    pipe = SignSparK.from_pretrained()
    t2 = time.perf_counter()
    print(json.dumps({"startup": {"import": t1 - t0, "model load": t2 - t1}, "loadavg": _loadavg()}), flush=True)
    acc: dict = {}
    _instrument(acc)
    work = Path(tempfile.mkdtemp(prefix="bench-dsgs-"))
    opts = RenderOptions(size=args.size, caption=True, highlight_keyframes=False)
    plan = [("first request", args.text)] + [("same sentence again", args.text)] * args.repeat
    plan += [("other sentence", args.new_text)]
    for k, (what, text) in enumerate(plan):
        acc.clear()
        c0, t = _cpu(), time.perf_counter()
        out, _ = pipe.text_to_video(text, "DSGS", work / str(k), render=opts, seed=0, steps=args.steps)
        wall = time.perf_counter() - t
        print(json.dumps({"what": what, "text": text, "glosses": out.labels, "frames": out.num_frames,
                          "wall": wall, "cpu": _cpu() - c0, "stages": dict(acc), "loadavg": _loadavg()}), flush=True)


def _run_child(args, cache: Path, phase: str) -> list[dict]:
    env = dict(os.environ, SIGNSPARK_CACHE_DIR=str(cache), HF_HUB_OFFLINE="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", "--text", args.text, "--new-text", args.new_text,
           "--repeat", str(args.repeat), "--threads", str(args.threads), "--size", str(args.size),
           "--steps", str(args.steps)]
    print(f"\n== {phase}: a new process (load average before: {_loadavg()})", flush=True)
    out = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        sys.exit(f"{phase} failed:\n{out.stderr[-3000:]}")
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


def _report(rows: list[dict]) -> None:
    start = rows[0]
    s = start["startup"]
    print(f"process start-up (not part of a request): import {s['import']:.2f} s, model load {s['model load']:.2f} s")
    for r in rows[1:]:
        print(f"\n{r['what']}: {r['text']!r} -> {' '.join(r['glosses'] or [])} ({r['frames']} frames)")
        print(f"  text -> finished mp4 and files: {r['wall']:.2f} s  (CPU {r['cpu']:.2f} s; load average after "
              f"{r['loadavg']})")
        print(f"    {'stage':40s} {'wall':>7s} {'CPU':>7s}  (CPU of the calling thread, not of the rasterizer's "
              f"and encoder's threads; a stage includes those it calls)")
        for _, _, label in _STAGES:
            if label in r["stages"]:
                wall, cpu = r["stages"][label]
                print(f"    {label:40s} {wall:6.2f}s {cpu:6.2f}s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--text", default=TEXT, help="the sentence (German)")
    ap.add_argument("--new-text", default=NEW_TEXT, help="a sentence of other signs, signed last")
    ap.add_argument("--repeat", type=int, default=2, help="times the sentence is signed again in each process")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (the demo's default without CUDA is 1)")
    ap.add_argument("--size", type=int, default=512, help="video size in pixels")
    ap.add_argument("--steps", type=int, default=8, help="sampling steps")
    ap.add_argument("--cache-dir", help="cache folder to use (default: a new temporary one, removed afterwards)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args)
        return
    with tempfile.TemporaryDirectory(prefix="bench-dsgs-cache-") as tmp:
        cache = Path(args.cache_dir or tmp)
        env = dict(os.environ, SIGNSPARK_CACHE_DIR=str(cache),
                   PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])))
        subprocess.run([sys.executable, "-c", "from signspark.body import builtin_body_path; builtin_body_path()"],
                       env=env, cwd=ROOT, check=True)  # the built-in body: generated once, not timed
        shutil.rmtree(cache / "signs", ignore_errors=True)  # no sign on disk
        print(f"cache folder {cache}; torch threads {args.threads}; {args.size}x{args.size}; {args.steps} steps; "
              f"CPU cores {os.cpu_count()}")
        cold = _run_child(args, cache, "cold: no sign on disk")
        _report(cold)
        warm = _run_child(args, cache, "warm: the signs on disk")
        _report(warm)
        first_cold, first_warm = cold[1], warm[1]
        again = min(r["wall"] for r in cold[2:-1] + warm[2:-1]) if args.repeat else float("nan")
        print(f"\nsummary ({first_cold['frames']} frames; load average now {_loadavg()}): first request, cold "
              f"{first_cold['wall']:.2f} s; first request in a new process with the signs on disk "
              f"{first_warm['wall']:.2f} s; the same sentence again {again:.2f} s (best); another sentence, cold "
              f"{cold[-1]['wall']:.2f} s, on disk {warm[-1]['wall']:.2f} s; target 3 s")


if __name__ == "__main__":
    main()
