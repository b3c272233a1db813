"""Every GPU check and timing in one run: gsplat rendering, the official-size model in bf16 / fp16, and the
whole text -> mp4 request, with figures written as they come (a run cut short keeps what it measured).

Sections, in the order they run (each one skipped, with its reason, when the time budget is short):

1. ``env``: GPU, driver, torch and CUDA versions. gsplat's CUDA kernels are compiled at their first
   use (minutes); the build starts here in a separate process and runs while the GPU measures the model.
2. ``unet``: the official-size velocity UNet (random weights in the released layout; hand, body and face
   streams; a 300-frame clip, padded to 304) in fp32, bf16 and fp16: seconds per full-body clip at 4 and
   8 Euler steps with guidance 2.0, guidance batched (one forward of 2B) or in two passes, eagerly and
   replayed from CUDA graphs (one graph per stream forward); peak GPU memory; the largest deviation of
   bf16 and fp16 from fp32 on the same inputs (one forward, and the whole 8-step sample). Target:
   <= 50 ms per full-body clip at 8 steps.
3. ``tests``: the ``gpu``-marked tests (pytest in a subprocess; its output goes to ``pytest.txt``).
4. ``render``: gsplat against the CPU splat backends on the built-in avatar (mean absolute difference in
   8-bit levels and the fraction of channels off by more than 2: the bounds the CPU backends meet with
   each other are 0.5 and 0.002), against the PyTorch rasterizer both under the reference 3DGS rule that
   gsplat follows and under the CPU backends' 2.5-sigma rule; a PNG of gsplat, PyTorch and their difference; then frames per second at 512 x 512 for a
   fingerspelled word with the body posed on the CPU (what ``render_video`` does) and on the GPU
   (target >= 300 fps including posing), and the mp4 encoder's frames per second on its own.
5. ``request``: the built-in model on the GPU, text -> finished mp4 (``SignSparK.text_to_video``,
   gsplat), first and warm requests.
6. ``compile``: ``torch.compile`` of the bf16 streams (default mode, and ``reduce-overhead``), compile
   seconds and seconds per clip; last because compiling takes minutes.

Outputs in ``--out``: ``gpu.json`` (every figure), ``gpu.md`` (the tables, for the README),
``pytest.txt``, ``gsplat_vs_cpu.png``, ``gsplat_build.txt``.

Usage::

    python bench/gpu.py --out gpu-report                 # on a CUDA machine (all sections)
    python bench/gpu.py --out gpu-report --budget-s 420  # stop starting sections after 7 minutes
    python bench/gpu.py --smoke --out /tmp/g             # every section at toy sizes on the CPU

On a machine without network access, ``bench/gpu_offline.sh`` installs the wheels that
``bench/gpu_wheels.sh`` fetched elsewhere and runs this script.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]

GPU_TEST_FILES = ["tests/render/test_backends.py", "tests/segment/test_inference.py", "tests/text/test_mclip.py"]
AGREEMENT_MEAN_ABS = 0.5  # what the CPU splat backends meet with each other (tests/render/test_backends.py)
AGREEMENT_MAX_FRACTION_OFF_BY_MORE_THAN_2 = 0.002
STREAMS = ("hand", "body", "face")
GUIDANCE = 2.0


class Report:
    """Figures by section, saved as JSON and Markdown after every change."""

    def __init__(self, out: Path, budget_s: float):
        self.out = out
        self.t0 = time.perf_counter()
        self.budget_s = budget_s
        self.data: dict = {"sections": {}}
        self.md: list[str] = []
        out.mkdir(parents=True, exist_ok=True)

    def left(self) -> float:
        return self.budget_s - (time.perf_counter() - self.t0)

    def put(self, section: str, key: str, value) -> None:
        self.data["sections"].setdefault(section, {})[key] = value
        self.save()

    def line(self, text: str = "") -> None:
        print(text, flush=True)
        self.md.append(text)
        self.save()

    def save(self) -> None:
        self.data["elapsed_s"] = round(time.perf_counter() - self.t0, 1)
        (self.out / "gpu.json").write_text(json.dumps(self.data, indent=1, default=str))
        (self.out / "gpu.md").write_text("\n".join(self.md) + "\n")

    @contextlib.contextmanager
    def section(self, name: str, needs_s: float):
        """Run a section if ``needs_s`` seconds of the budget are left; record its time or its error."""
        left = self.left()
        if left < needs_s:
            self.put(name, "skipped", f"{left:.0f} s of the budget left, the section needs about {needs_s:.0f} s")
            self.line(f"\n## {name}: skipped ({left:.0f} s left, needs ~{needs_s:.0f} s)")
            yield False
            return
        self.line(f"\n## {name}")
        t = time.perf_counter()
        try:
            yield True
        except Exception as e:  # noqa: BLE001 - a failed section is a finding; the others still run
            self.put(name, "error", "".join(traceback.format_exception(e))[-4000:])
            self.line(f"**failed**: {type(e).__name__}: {e}")
            traceback.print_exc()
        finally:
            self.put(name, "seconds", round(time.perf_counter() - t, 1))


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def timed(fn, device: torch.device, reps: int, warmup: int = 1) -> list[float]:
    """Seconds per call of ``fn`` (``reps`` timed calls after ``warmup`` untimed ones)."""
    for _ in range(warmup):
        fn()
    sync(device)
    out = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        sync(device)
        out.append(time.perf_counter() - t)
    return out


# ----------------------------------------------------------------------------------------------- env

def section_env(rep: Report, args, device: torch.device) -> subprocess.Popen | None:
    info = {"python": platform.python_version(), "torch": torch.__version__, "cuda": torch.version.cuda,
            "device": str(device), "smoke": args.smoke}
    if device.type == "cuda":
        p = torch.cuda.get_device_properties(device)
        info.update(gpu=p.name, memory_gib=round(p.total_memory / 2 ** 30, 1), capability=f"{p.major}.{p.minor}",
                    multiprocessors=p.multi_processor_count, bf16=torch.cuda.is_bf16_supported())
        with contextlib.suppress(Exception):
            info["driver"] = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                                            capture_output=True, text=True, timeout=30).stdout.strip()
    try:
        import gsplat

        info["gsplat"] = gsplat.__version__
    except ImportError as e:
        info["gsplat"] = f"not installed ({e})"
    rep.data["env"] = info
    rep.line("| | |\n| --- | --- |\n" + "\n".join(f"| {k} | {v} |" for k, v in info.items()))
    if device.type != "cuda" or not str(info["gsplat"])[:1].isdigit():
        return None
    # The kernels' JIT build: in its own process, while this one measures the model on the GPU.
    log = open(rep.out / "gsplat_build.txt", "w")
    code = "import time; t = time.time(); from gsplat.cuda._backend import _C; print('built', _C is not None, time.time() - t)"
    return subprocess.Popen([sys.executable, "-c", code], stdout=log, stderr=subprocess.STDOUT)


def wait_for_gsplat(rep: Report, build: subprocess.Popen | None) -> None:
    if build is None:
        return
    t = time.perf_counter()
    try:
        build.wait(timeout=max(30.0, rep.left() - 120))
    except subprocess.TimeoutExpired:
        build.kill()
    text = (rep.out / "gsplat_build.txt").read_text(errors="replace")
    rep.data["env"]["gsplat_built"] = build.returncode == 0 and "built True" in text
    rep.put("env", "gsplat_build", text.strip().splitlines()[-1:] or ["(no output)"])
    rep.put("env", "gsplat_build_waited_s", round(time.perf_counter() - t, 1))
    rep.line(f"gsplat kernel build: {text.strip().splitlines()[-1] if text.strip() else '(no output)'} "
             f"(waited {time.perf_counter() - t:.0f} s more)")


# ---------------------------------------------------------------------------------------------- unet

class GraphedStream(torch.nn.Module):
    """A velocity model whose forward is replayed from a CUDA graph (captured once per input shape).

    Inputs are copied into static buffers, the graph replays, and a copy of the static output is returned,
    so the Python and kernel-launch cost of a forward becomes one replay.
    """

    def __init__(self, model: torch.nn.Module):
        super().__init__()
        self.inner = model
        self.config = model.config
        self.embed_text = model.embed_text
        self._graphs: dict = {}

    def forward(self, x, t, text_emb=None, obs_x0=None, obs_mask=None, length_mask=None):
        args = {"x": x, "t": t, "text_emb": text_emb, "obs_x0": obs_x0, "obs_mask": obs_mask,
                "length_mask": length_mask}
        key = tuple((k, tuple(v.shape), v.dtype) for k, v in args.items() if v is not None)
        entry = self._graphs.get(key)
        if entry is None:
            static = {k: v.clone() for k, v in args.items() if v is not None}
            side = torch.cuda.Stream()
            side.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(side):
                for _ in range(2):  # warm-up outside the graph (cuBLAS / attention workspaces)
                    self.inner(**static)
            torch.cuda.current_stream().wait_stream(side)
            graph = torch.cuda.CUDAGraph()
            with torch.cuda.graph(graph):
                out = self.inner(**static)
            entry = self._graphs[key] = (graph, static, out)
        graph, static, out = entry
        for k, v in static.items():
            v.copy_(args[k])
        graph.replay()
        return out.clone()


def _random_stream_models(preset: str, device: torch.device) -> dict[str, torch.nn.Module]:
    """fp32 models of the released layout with random weights: PyTorch's default initialisation, and
    small random numbers in the layers that start at zero (AdaLN-zero, the last convolution), so that
    every layer does real arithmetic (speed does not depend on the values; the deviations need them)."""
    from signspark.flow.config import UNetConfig
    from signspark.flow.unet import VelocityUNet

    torch.manual_seed(0)
    g = torch.Generator(device=device).manual_seed(0)
    models = {}
    for stream in STREAMS:
        with torch.device(device):
            m = VelocityUNet(UNetConfig.preset(preset, stream=stream))
        with torch.no_grad():
            for p in m.parameters():
                if not p.any():
                    p.normal_(0.0, 0.02, generator=g)
        models[stream] = m.eval().requires_grad_(False)
    return models


def _cast(models: dict, dtype: torch.dtype) -> dict:
    return {s: copy.deepcopy(m).to(dtype) for s, m in models.items()}


def _clip(models: dict, text: torch.Tensor, frames: int, steps: int, batched: bool, seed: int = 0):
    from signspark.flow.multistream import sample_full_body

    gen = torch.Generator(device=text.device).manual_seed(seed)
    out, _ = sample_full_body(models, text, [frames], steps=steps, guidance=GUIDANCE, generator=gen,
                              device=text.device, batched_guidance=batched)
    return out


def _deviation(a: torch.Tensor, ref: torch.Tensor) -> dict:
    d = (a.float() - ref.float()).abs()
    scale = ref.float().abs().max().clamp_min(1e-12)
    return {"max_abs": float(d.max()), "mean_abs": float(d.mean()), "ref_max_abs": float(scale),
            "max_rel_to_ref_max": float(d.max() / scale)}


def section_unet(rep: Report, args, device: torch.device) -> None:
    from signspark.flow.unet import count_parameters

    preset, frames = ("tiny", 30) if args.smoke else ("official", 300)
    steps_list = (1, 2) if args.smoke else (4, 8)
    reps = 1 if args.smoke else args.reps
    fp32 = _random_stream_models(preset, device)
    params = {s: count_parameters(m) for s, m in fp32.items()}
    rep.put("unet", "parameters", params)
    rep.put("unet", "frames", frames)
    text = torch.randn(1, 640, generator=torch.Generator().manual_seed(1)).to(device)

    # Deviation of the half precisions from fp32 on the same inputs.
    x = torch.randn(2, fp32["body"].config.in_channels, 304 if not args.smoke else 32,
                    generator=torch.Generator().manual_seed(2)).to(device)
    t = torch.full((2,), 0.37, device=device)
    with torch.no_grad():
        ref_fwd = fp32["body"](x, t, text.repeat(2, 1)).float()
        ref_clip = _clip(fp32, text, frames, steps_list[-1], True)
    dtypes = {"bf16": torch.bfloat16, "fp16": torch.float16}
    if device.type == "cuda" and not torch.cuda.is_bf16_supported():
        dtypes.pop("bf16")
    half = {}
    for name, dt in dtypes.items():
        half[name] = _cast(fp32, dt)
        with torch.no_grad():
            dev_fwd = _deviation(half[name]["body"](x, t, text.repeat(2, 1)), ref_fwd)
            dev_clip = _deviation(_clip(half[name], text, frames, steps_list[-1], True), ref_clip)
        rep.put("unet", f"deviation_{name}", {"body_forward": dev_fwd, f"clip_{steps_list[-1]}_steps": dev_clip})
    rep.line(f"official-size streams {params} parameters; {frames} frames (padded to a multiple of 8), "
             f"Euler, guidance {GUIDANCE}")
    rep.line("\n| dtype | deviation from fp32: one forward (max / of max) | whole clip, "
             f"{steps_list[-1]} steps (max / of max) |\n| --- | --- | --- |")
    for name in half:
        d = rep.data["sections"]["unet"][f"deviation_{name}"]
        f, c = d["body_forward"], d[f"clip_{steps_list[-1]}_steps"]
        rep.line(f"| {name} | {f['max_abs']:.3g} / {f['max_rel_to_ref_max']:.2%} | "
                 f"{c['max_abs']:.3g} / {c['max_rel_to_ref_max']:.2%} |")

    variants = [("fp32", "eager", fp32)] + [(n, "eager", m) for n, m in half.items()]
    if device.type == "cuda":
        variants += [(n, "cuda graphs", {s: GraphedStream(mm) for s, mm in m.items()}) for n, m in half.items()]
    rep.line("\n| dtype | execution | guidance | steps | ms per clip (median) | min | peak GPU memory (GiB) |"
             "\n| --- | --- | --- | --- | --- | --- | --- |")
    rows = []
    for dname, how, models in variants:
        for batched in (True, False):
            for steps in steps_list:
                if rep.left() < 20:
                    rep.line("| (budget spent: the remaining cells are not measured) |")
                    return
                guidance = "batched" if batched else "two passes"
                if device.type == "cuda":
                    torch.cuda.reset_peak_memory_stats(device)
                try:
                    with torch.no_grad():
                        ts = timed(lambda: _clip(models, text, frames, steps, batched), device, reps, warmup=2)
                except Exception as e:  # noqa: BLE001 - e.g. a capture that fails: the other cells still run
                    rows.append({"dtype": dname, "execution": how, "guidance": guidance, "steps": steps,
                                 "error": f"{type(e).__name__}: {e}"})
                    rep.line(f"| {dname} | {how} | {guidance} | {steps} | failed: {type(e).__name__}: "
                             f"{str(e)[:200]} | | |")
                    continue
                peak = torch.cuda.max_memory_allocated(device) / 2 ** 30 if device.type == "cuda" else float("nan")
                row = {"dtype": dname, "execution": how, "guidance": guidance, "steps": steps,
                       "ms_median": 1e3 * statistics.median(ts), "ms_min": 1e3 * min(ts), "peak_gib": peak}
                rows.append(row)
                rep.put("unet", "timings", rows)
                rep.line(f"| {dname} | {how} | {guidance} | {steps} | {row['ms_median']:.1f} | "
                         f"{row['ms_min']:.1f} | {peak:.2f} |")
    for name, m in half.items():  # replayed graphs compute what the eager streams compute
        if device.type != "cuda":
            break
        try:
            with torch.no_grad():
                g = _clip({s: GraphedStream(mm) for s, mm in m.items()}, text, frames, steps_list[-1], True)
                e = _clip(m, text, frames, steps_list[-1], True)
            rep.put("unet", f"graphs_vs_eager_{name}_max_abs", float((g - e).abs().max()))
            rep.line(f"{name}: CUDA graphs vs eager, largest difference {float((g - e).abs().max()):.3g}")
        except Exception as e:  # noqa: BLE001
            rep.line(f"{name}: CUDA graphs vs eager failed: {type(e).__name__}: {e}")


# --------------------------------------------------------------------------------------------- tests

def section_tests(rep: Report, args) -> None:
    timeout = max(60.0, min(300.0, rep.left() - 60))
    cmd = [sys.executable, "-m", "pytest", "-m", "gpu", "-q", "-rA", "-p", "no:cacheprovider", *GPU_TEST_FILES]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    try:
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env)
        text, rc = done.stdout + done.stderr, done.returncode
    except subprocess.TimeoutExpired as e:
        text, rc = f"{e.stdout or ''}{e.stderr or ''}\n(timed out after {timeout:.0f} s)", "timeout"
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    (rep.out / "pytest.txt").write_text(text)
    summary = [ln for ln in text.splitlines() if " passed" in ln or " failed" in ln or " skipped" in ln
               or " error" in ln][-1:]
    rep.put("tests", "returncode", rc)
    rep.put("tests", "summary", summary)
    rep.line(f"`pytest -m gpu {' '.join(GPU_TEST_FILES)}`: {summary[0] if summary else text[-300:]} (exit {rc})")


# -------------------------------------------------------------------------------------------- render

def _word_clip(smoke: bool):
    from signspark.signs.fingerspelling import spell

    seq = spell("friendship", "ASL")
    return seq.slice(0, 6) if smoke else seq


def section_render(rep: Report, args, device: torch.device) -> None:
    from PIL import Image

    from signspark.body import shared_body_model
    from signspark.render import RenderOptions, camera_for_view, get_backend, render_frames
    from signspark.render.api import _avatar_for
    from signspark.render.backends.base import FrameData, backend_status
    from signspark.render.backends.torch_backend import TorchSplatBackend
    from signspark.render.video import Mp4Writer

    size = 64 if args.smoke else 512
    splat = "gsplat" if device.type == "cuda" else "torch"  # smoke: the torch backend stands in
    ok, why = backend_status(splat)
    if ok and splat == "gsplat" and not rep.data["env"].get("gsplat_built", False):
        ok, why = False, f"its CUDA kernels did not build: {rep.data['env'].get('gsplat_build')} (gsplat_build.txt)"
    rep.put("render", "backend", splat)
    if not ok:
        rep.put("render", "unavailable", why)
        rep.line(f"{splat} unavailable: {why}")
        return
    bm = shared_body_model()
    avatar = _avatar_for(bm, RenderOptions())
    seq = _word_clip(args.smoke)
    with torch.no_grad():
        posed = bm(seq)

    # Agreement with the CPU splat backends on the same posed, shaded and culled Gaussians.
    cpu_names = ["torch (3dgs rule)"] + [n for n in ("torch", "gl") if backend_status(n)[0]]
    rows, picture = [], None
    rep.line(f"\n| view | frame | {splat} vs | mean abs (levels) | fraction off by > 2 | max | within the CPU "
             "bounds |\n| --- | --- | --- | --- | --- | --- | --- |")
    for view in ("front", "hands"):
        cam = camera_for_view(view, posed.joints, size, size)
        for t in (0, seq.num_frames // 2):
            g = avatar.pose_for_camera(posed.vertices[t], bm.faces, cam)
            a = get_backend(splat).render(FrameData(gaussians=g), cam, (1, 1, 1)).astype(np.float64)
            for name in cpu_names:
                be = TorchSplatBackend(rule="3dgs") if name == "torch (3dgs rule)" else get_backend(name)
                b = be.render(FrameData(gaussians=g), cam, (1, 1, 1)).astype(np.float64)
                be.close()
                d = np.abs(a - b)
                row = {"view": view, "frame": t, "against": name, "mean_abs": float(d.mean()),
                       "fraction_over_2": float((d > 2).mean()), "max": float(d.max())}
                row["within"] = row["mean_abs"] < AGREEMENT_MEAN_ABS and \
                    row["fraction_over_2"] < AGREEMENT_MAX_FRACTION_OFF_BY_MORE_THAN_2
                rows.append(row)
                rep.line(f"| {view} | {t} | {name} | {row['mean_abs']:.3f} | {row['fraction_over_2']:.4f} | "
                         f"{row['max']:.0f} | {'yes' if row['within'] else 'no'} |")
                if picture is None and name == "torch":
                    picture = np.concatenate([a, b, np.clip(d * 10, 0, 255)], 1).astype(np.uint8)
    rep.put("render", "agreement", rows)
    if picture is not None:
        Image.fromarray(picture).save(rep.out / f"{splat}_vs_cpu.png")

    # Frames per second: posing on the CPU (render_frames' default) and on the GPU.
    opts = RenderOptions(backend=splat, size=size, highlight_keyframes=False)
    setups = [("posing on the CPU", None, opts)]
    if device.type == "cuda":
        bm_gpu = copy.deepcopy(bm).to(device)
        opts_gpu = RenderOptions(backend=splat, size=size, highlight_keyframes=False, avatar=avatar.to(device))
        setups.append(("posing on the GPU", bm_gpu, opts_gpu))
    rep.line(f"\n{seq.num_frames}-frame fingerspelled word at {size} x {size}:\n\n| setup | frames per second "
             "(median) | best |\n| --- | --- | --- |")
    frames = []
    for label, body, o in setups:
        def run(keep=False, o=o, body=body):
            for f in render_frames(seq, o, body_model=body):
                if keep:
                    frames.append(f)
        try:
            run(keep=not frames)
            ts = timed(run, device, 1 if args.smoke else args.reps, warmup=0)
        except Exception as e:  # noqa: BLE001 - the other setup and the encoder are still measured
            rep.put("render", f"fps {label}", f"failed: {type(e).__name__}: {e}")
            rep.line(f"| {label} | failed: {type(e).__name__}: {str(e)[:200]} | |")
            traceback.print_exc()
            continue
        fps = [seq.num_frames / s for s in ts]
        rep.put("render", f"fps {label}", {"median": statistics.median(fps), "best": max(fps)})
        rep.line(f"| {label} | {statistics.median(fps):.0f} | {max(fps):.0f} |")
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        with Mp4Writer(Path(tmp) / "x.mp4", fps=seq.fps) as w:
            for f in frames:
                w.write(f)
        enc = len(frames) / (time.perf_counter() - t)
    rep.put("render", "fps encoding alone", enc)
    rep.line(f"| mp4 encoding alone (CPU, x264 superfast) | {enc:.0f} | |")


# ------------------------------------------------------------------------------------------- request

def section_request(rep: Report, args, device: torch.device) -> None:
    from signspark.pipeline import SignSparK
    from signspark.render import RenderOptions

    t = time.perf_counter()
    pipe = SignSparK.from_pretrained(device=device)
    load = time.perf_counter() - t
    dtype = next(iter(pipe.models.values())).embed_text.weight.dtype
    backend = "gsplat" if device.type == "cuda" and rep.data["env"].get("gsplat_built") else "torch"
    if device.type == "cuda" and backend != "gsplat":
        from signspark.render.backends.base import backend_status

        backend = "gl" if backend_status("gl")[0] else "torch"
        rep.line(f"(gsplat did not build: the request renders with {backend})")
    opts = RenderOptions(backend=backend, size=64 if args.smoke else 512, caption=True)
    text = "hi" if args.smoke else args.text
    rep.line(f"built-in model on {device} ({dtype}), loaded in {load:.2f} s; {text!r} ({args.lang}) -> mp4, {backend}:")
    rep.line("\n| request | seconds | frames |\n| --- | --- | --- |")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for k, what in enumerate(["first"] + ["again"] * (1 if args.smoke else 3)):
            sync(device)
            t = time.perf_counter()
            out, files = pipe.text_to_video(text, args.lang, Path(tmp) / str(k), render=opts, seed=k, steps=8)
            sync(device)
            s = time.perf_counter() - t
            rows.append({"request": what, "seconds": s, "frames": out.num_frames,
                         "mp4_bytes": Path(files.video).stat().st_size, "render_s": files.render_seconds})
            rep.put("request", "rows", rows)
            rep.line(f"| {what} | {s:.2f} (render {files.render_seconds:.2f}) | {out.num_frames} |")
    rep.put("request", "model_load_s", load)
    rep.put("request", "dtype", str(dtype))


# ------------------------------------------------------------------------------------------- compile

def section_compile(rep: Report, args, device: torch.device) -> None:
    frames = 30 if args.smoke else 300
    fp32 = _random_stream_models("tiny" if args.smoke else "official", device)
    bf16 = _cast(fp32, torch.bfloat16 if device.type == "cuda" else torch.float32)
    del fp32
    text = torch.randn(1, 640, generator=torch.Generator().manual_seed(1)).to(device)
    rep.line("\n| torch.compile mode | compile + first clip (s) | ms per clip, 8 steps (median) |\n| --- | --- | --- |")
    for mode in ("default", "reduce-overhead"):
        if rep.left() < 90:
            rep.line(f"| {mode} | (skipped: {rep.left():.0f} s left) | |")
            continue
        torch._dynamo.reset()
        models = {s: torch.compile(m, mode=mode, dynamic=False) for s, m in bf16.items()}
        t = time.perf_counter()
        with torch.no_grad():
            _clip(models, text, frames, 8, True)
        sync(device)
        first = time.perf_counter() - t
        with torch.no_grad():
            ts = timed(lambda: _clip(models, text, frames, 8, True), device, 1 if args.smoke else args.reps, warmup=1)
        rep.put("compile", mode, {"first_s": first, "ms_median": 1e3 * statistics.median(ts)})
        rep.line(f"| {mode} | {first:.1f} | {1e3 * statistics.median(ts):.1f} |")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, required=True, help="folder for gpu.json, gpu.md and the pictures")
    ap.add_argument("--budget-s", type=float, default=480.0,
                    help="no section starts once this many seconds have passed (default 480)")
    ap.add_argument("--sections", nargs="*", default=["unet", "tests", "render", "request", "compile"],
                    choices=["unet", "tests", "render", "request", "compile"])
    ap.add_argument("--reps", type=int, default=5, help="timed repetitions per cell (default 5)")
    ap.add_argument("--text", default="Hello, how are you today?", help="the request section's text")
    ap.add_argument("--lang", default="ASL", help="the request section's sign language (default ASL)")
    ap.add_argument("--smoke", action="store_true",
                    help="toy sizes on the CPU: runs every code path without a GPU (figures mean nothing)")
    args = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.smoke:
        device = torch.device("cpu")
    elif not torch.cuda.is_available():
        print("bench/gpu.py needs a CUDA GPU (or --smoke for a run of its code paths on the CPU)", file=sys.stderr)
        return 2
    else:
        device = torch.device("cuda")
        torch.backends.cuda.matmul.allow_tf32 = False  # fp32 stays the exact reference for the deviations
    rep = Report(args.out, args.budget_s)
    rep.line(f"# GPU report ({time.strftime('%Y-%m-%d %H:%M')})")
    build = section_env(rep, args, device)
    needs = {"unet": 60, "tests": 60, "render": 60, "request": 45, "compile": 150}
    if args.smoke:
        needs = dict.fromkeys(needs, 1)
    for name in args.sections:
        if name in ("tests", "render", "request"):
            wait_for_gsplat(rep, build)
            build = None
        with rep.section(name, needs[name]) as go:
            if go:
                if name == "tests":
                    section_tests(rep, args)
                else:
                    globals()[f"section_{name}"](rep, args, device)
        if device.type == "cuda":
            torch.cuda.empty_cache()
    wait_for_gsplat(rep, build)
    rep.line(f"\n(whole run {time.perf_counter() - rep.t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
