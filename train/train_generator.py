"""Train the SignSparK generator (UNet velocity model) and its length model.

Runs on a CPU, one GPU, or several GPUs through ``accelerate launch``::

    python train/train_generator.py --data data/ --names How2Sign --preset small --steps 200000 --out runs/gen
    accelerate launch train/train_generator.py --data data/ --preset official --stream hand --out runs/hand
    python train/train_generator.py ... --out runs/gen --resume          # continue from runs/gen/latest

What it does, per step: a batch of official-format clips (``signspark.data.SignDataset``), their
language-tagged texts encoded once by the frozen text encoder (cached), the flow-matching loss
(``signspark.flow.objective.FlowObjective``: flow 0.5, reconstruction 1.0, velocity 0.5,
acceleration 0.1; text and keyframe dropout 0.1 for guidance), AdamW with linear decay to zero,
gradient clipping at 1.0, an EMA of the weights, mixed precision on GPU (bf16 when supported);
the length model (text embedding + language -> frames) is trained alongside on the same batches.

Every ``--save-every`` steps a checkpoint folder ``<out>/checkpoint-<step>`` is written
atomically (temporary folder, then rename). It is a loadable model folder (``config.json`` +
``model.safetensors`` = EMA weights, the length model in ``length_model/``) plus what resuming needs:
``train_weights.safetensors`` (raw weights), ``ema.safetensors``, ``trainer_state.pt``
(optimisers, schedulers, step, data order) and ``rng_state_<rank>.pt``. ``<out>/latest``
names the newest one. Resuming continues exactly: the same weights as an uninterrupted run
(with ``--num-workers 0``; worker processes re-seed their augmentation draws).

At the end the EMA model is written to ``<out>/model`` (with a model card) and, with
``--push-to-hub REPO``, uploaded through :mod:`signspark.hub`.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import shutil
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent

_TAG = re.compile(r"^\s*<([^<>\s]{1,16})>")


# ---------------------------------------------------------------------------------------------- arguments
def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description="Train the SignSparK generator.",
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    d = p.add_argument_group("data")
    d.add_argument("--data", required=True, help="folder with train/ (and dev/) official-schema LMDB files")
    d.add_argument("--names", nargs="*", default=None, help="keep LMDB files whose path contains one of these")
    d.add_argument("--split", default="train")
    d.add_argument("--stream", default="full", choices=["full", "hand", "body", "face"])
    d.add_argument("--seq-len", type=int, default=304, help="frames per item (multiple of the UNet's 2^(levels-1))")
    d.add_argument("--joint-mask-prob", type=float, default=0.0)
    d.add_argument("--num-workers", type=int, default=0)
    m = p.add_argument_group("model")
    m.add_argument("--preset", default="small", choices=["official", "small", "tiny"])
    m.add_argument("--model-config", default=None, help="JSON file of UNetConfig fields overriding the preset")
    m.add_argument("--text-encoder", default="builtin",
                   help="'builtin' or 'mclip:<folder or Hub id>' (frozen; embeddings are cached)")
    m.add_argument("--languages", nargs="*", default=None, help="sign languages (default: ASL BSL DGS CSL)")
    m.add_argument("--fps", type=float, default=25.0)
    m.add_argument("--no-length-model", action="store_true", help="do not train the length model")
    o = p.add_argument_group("optimisation")
    o.add_argument("--steps", type=int, default=100_000, help="training steps to reach (total)")
    o.add_argument("--decay-steps", type=int, default=None, help="linear decay to 0 over this many steps (default --steps)")
    o.add_argument("--batch-size", type=int, default=64, help="per process")
    o.add_argument("--lr", type=float, default=1e-4)
    o.add_argument("--weight-decay", type=float, default=0.01)
    o.add_argument("--clip-grad", type=float, default=1.0)
    o.add_argument("--ema-decay", type=float, default=0.9999)
    o.add_argument("--length-lr", type=float, default=1e-3)
    o.add_argument("--text-drop", type=float, default=0.1)
    o.add_argument("--keyframe-drop", type=float, default=0.1)
    o.add_argument("--mixed-precision", default="auto", choices=["auto", "no", "bf16", "fp16"],
                   help="auto: bf16 on a GPU that supports it, else none")
    o.add_argument("--seed", type=int, default=0)
    r = p.add_argument_group("output")
    r.add_argument("--out", required=True, help="run folder")
    r.add_argument("--save-every", type=int, default=10_000)
    r.add_argument("--keep", type=int, default=3, help="checkpoints to keep")
    r.add_argument("--log-every", type=int, default=50)
    r.add_argument("--resume", action="store_true", help="continue from <out>/latest")
    r.add_argument("--push-to-hub", default=None, metavar="REPO", help="upload the final model to this Hub repo")
    r.add_argument("--no-progress", action="store_true")
    return p


# ---------------------------------------------------------------------------------------------- data order
class EpochBatchSampler(torch.utils.data.Sampler):
    """Seeded per-epoch permutations cut into global batches of ``batch_size * world``; each
    process takes its slice. ``start`` (epoch, batch) skips ahead for resuming."""

    def __init__(self, n: int, batch_size: int, seed: int, rank: int = 0, world: int = 1):
        self.n, self.bs, self.seed, self.rank, self.world = n, batch_size, seed, rank, world
        self.per_epoch = n // (batch_size * world)
        if self.per_epoch == 0:
            raise ValueError(f"{n} clips are fewer than one global batch ({batch_size} x {world} processes); "
                             f"lower --batch-size")
        self.epoch, self.batch = 0, 0

    def position(self) -> tuple[int, int]:
        return self.epoch, self.batch

    def __iter__(self):
        while True:
            g = torch.Generator().manual_seed(self.seed * 1_000_003 + self.epoch)
            perm = torch.randperm(self.n, generator=g).tolist()
            G = self.bs * self.world
            while self.batch < self.per_epoch:
                chunk = perm[self.batch * G:(self.batch + 1) * G]
                self.batch += 1
                yield chunk[self.rank * self.bs:(self.rank + 1) * self.bs]
            self.epoch, self.batch = self.epoch + 1, 0

    def __len__(self) -> int:
        return self.per_epoch


# ---------------------------------------------------------------------------------------------- EMA
class EMA:
    """Exponential moving average of parameters: ``ema <- d ema + (1 - d) p`` every step,
    starting from the initial weights."""

    def __init__(self, model: torch.nn.Module, decay: float):
        self.decay = decay
        self.shadow = {k: v.detach().clone().float() for k, v in model.state_dict().items()}
        self._pairs = None

    @torch.no_grad()
    def update(self, model: torch.nn.Module) -> None:
        if self._pairs is None:  # the model's tensors do not move during training: resolve them once
            sd = model.state_dict(keep_vars=True)
            self._pairs = ([self.shadow[k] for k in sd], [v for v in sd.values()])
        shadow, live = self._pairs
        torch._foreach_mul_(shadow, self.decay)
        torch._foreach_add_(shadow, [v.detach().float() for v in live], alpha=1 - self.decay)


# ---------------------------------------------------------------------------------------------- helpers
def rest_pose_of(dataset, limit: int = 2048) -> torch.Tensor:
    """(J,) the pose clips start and end at: the mean of up to ``limit`` clips' (evenly spread) first
    frames and of the last frames of those shorter than the dataset's ``seq_len`` (not cut)."""
    n = len(dataset)
    if n == 0:
        raise SystemExit("no training clips")
    ends = []
    for i in torch.linspace(0, n - 1, min(n, limit)).round().long().unique().tolist():
        item = dataset[i]
        f, L = item["features"], int(item["length"])
        ends += [f[0]] + ([f[L - 1]] if L < dataset.seq_len else [])
    return torch.stack(ends).double().mean(0).float()


def language_of(text: str, languages: list[str]) -> int:
    m = _TAG.match(text)
    code = m.group(1).upper() if m else languages[0]
    return languages.index(code) if code in languages else 0


def build_text_encoder(spec: str):
    from signspark.text.encoder import load_text_encoder

    if spec == "builtin":
        return load_text_encoder({"type": "builtin", "dim": 640})
    if spec.startswith("mclip:"):
        from signspark.text.mclip import load_mclip

        return load_mclip(spec[len("mclip:"):])
    raise SystemExit(f"--text-encoder must be 'builtin' or 'mclip:<source>', got {spec!r}")


def _atomic_text(path: Path, text: str) -> None:
    from signspark.atomic import atomic_file

    with atomic_file(path, "w") as fh:
        fh.write(text)


def _first_line(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


def _load_checkpoint_file(path: Path):
    """``torch.load(weights_only=True)`` of a checkpoint file; a refused or damaged file is a message."""
    import pickle
    import re

    if not path.is_file():
        raise SystemExit(f"--resume: {path} is missing; the checkpoint is incomplete")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, OSError, ValueError, TypeError, AttributeError) as e:
        found = re.search(r"unsupported (global|operand)[^\n]*", str(e), re.I)
        why = found.group(0).strip().rstrip(".") if found else f"{type(e).__name__}: {_first_line(e)}"
        raise SystemExit(f"--resume: refusing {path}: not a plain checkpoint as this script writes ({why}). "
                         f"Nothing in it was run; the file is damaged or was not written by this script. "
                         f"Resume from another checkpoint or start a new run.") from None


def _trim_log(path: Path, step: int) -> int:
    """Drop the records after ``step`` from the training log (a stopped run wrote them; the resumed run
    writes them again). Returns how many were dropped."""
    if not path.is_file():
        return 0
    kept, dropped = [], 0
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            rec_step = int(json.loads(line)["step"])
        except (ValueError, KeyError, TypeError):
            dropped += 1  # a half-written last line of the killed run
            continue
        if rec_step <= step:
            kept.append(line)
        else:
            dropped += 1
    if dropped:
        _atomic_text(path, "".join(line + "\n" for line in kept))
    return dropped


def _state_cpu(sd):
    return {k: v.detach().to("cpu").contiguous() for k, v in sd.items()}


# ---------------------------------------------------------------------------------------------- training
def train(args: argparse.Namespace) -> Path:
    from accelerate import Accelerator
    from accelerate.utils import set_seed
    from safetensors.torch import load_file, save_file
    from tqdm.auto import tqdm

    from signspark import hub
    from signspark.atomic import atomic_dir, replace_path
    from signspark.data import SignDataset
    from signspark.flow.config import UNetConfig
    from signspark.flow.objective import FlowObjective
    from signspark.flow.unet import VelocityUNet, count_parameters
    from signspark.pipeline import LENGTH_MODEL, generator_config
    from signspark.signs.languages import LANGUAGES

    mp = args.mixed_precision
    if mp == "auto":
        mp = "bf16" if torch.cuda.is_available() and torch.cuda.is_bf16_supported() else "no"
    accelerator = Accelerator(mixed_precision=mp, cpu=not torch.cuda.is_available())
    set_seed(args.seed, device_specific=True)
    rank, world, device = accelerator.process_index, accelerator.num_processes, accelerator.device
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    overrides = json.loads(Path(args.model_config).read_text()) if args.model_config else {}
    cfg = UNetConfig.preset(args.preset, stream=args.stream, **overrides)
    if args.seq_len % cfg.frame_multiple:
        raise SystemExit(f"--seq-len {args.seq_len} must be a multiple of {cfg.frame_multiple}")
    languages = [c.upper() for c in (args.languages or list(LANGUAGES))]

    dataset = SignDataset(args.data, args.split, names=args.names, stream=args.stream, seq_len=args.seq_len,
                          joint_mask_prob=args.joint_mask_prob, seed=args.seed,
                          keyframe_at_cut=cfg.anchor == "keyframes+rest")
    sampler = EpochBatchSampler(len(dataset), args.batch_size, args.seed, rank, world)
    text_encoder = build_text_encoder(args.text_encoder).to(device)
    if text_encoder.dim != cfg.text_dim:
        raise SystemExit(f"text encoder gives {text_encoder.dim}-d vectors, the UNet expects {cfg.text_dim}")

    model = VelocityUNet(cfg)
    if cfg.anchor == "keyframes+rest":
        with torch.no_grad():
            model.rest_anchor.copy_(rest_pose_of(dataset))
    ema = EMA(model, args.ema_decay)
    from signspark.text.length import LengthModel

    length_model = None
    if not args.no_length_model:
        length_model = LengthModel(text_dim=text_encoder.dim, num_languages=len(languages), languages=languages,
                                   fps=args.fps)
    decay_steps = args.decay_steps or args.steps
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay, foreach=True)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: max(0.0, 1.0 - s / decay_steps))
    len_opt = torch.optim.AdamW(length_model.parameters(), lr=args.length_lr) if length_model else None

    step = 0
    gen = torch.Generator(device=device)
    gen.manual_seed(args.seed * 7919 + rank)
    if args.resume:
        latest = out / "latest"
        if not latest.is_file():
            raise SystemExit(f"--resume: no {latest}; nothing to resume from")
        ck = out / latest.read_text().strip()
        try:
            model.load_state_dict(load_file(str(ck / "train_weights.safetensors")))
            ema.shadow = {k: v.float() for k, v in load_file(str(ck / "ema.safetensors")).items()}
            ema._pairs = None
            state = _load_checkpoint_file(ck / "trainer_state.pt")
            opt.load_state_dict(state["optimizer"])
            sched.load_state_dict(state["scheduler"])
            step = int(state["step"])
            sampler.epoch, sampler.batch = (int(x) for x in state["data_position"])
            if length_model is not None:
                length_model.load_state_dict(load_file(str(ck / LENGTH_MODEL / hub.WEIGHTS_NAME)))
                len_opt.load_state_dict(state["length_optimizer"])
            rng = _load_checkpoint_file(ck / f"rng_state_{rank}.pt")
            torch.set_rng_state(rng["torch"])
            if torch.cuda.is_available() and "cuda" in rng:
                torch.cuda.set_rng_state(rng["cuda"])
            gen.set_state(rng["generator"])
            if "dataset" in rng and args.num_workers == 0:
                np_state, torch_state = rng["dataset"]
                np_rng, ds_gen = dataset._rngs()
                np_rng.bit_generator.state = json.loads(np_state)
                ds_gen.set_state(torch_state)
        except SystemExit:
            raise
        except Exception as e:  # missing keys, wrong shapes, damaged safetensors files ...
            raise SystemExit(f"--resume: the checkpoint {ck} is incomplete or damaged ({type(e).__name__}: "
                             f"{_first_line(e)}); resume from another checkpoint (edit {latest}) or start a new run"
                             ) from None
        if accelerator.is_main_process:
            dropped = _trim_log(out / "log.jsonl", step)
            if dropped:
                accelerator.print(f"dropped {dropped} log record(s) after step {step} (from the stopped run)")
        accelerator.print(f"resumed from {ck} at step {step}")

    loader = torch.utils.data.DataLoader(dataset, batch_sampler=sampler, collate_fn=dataset.collate,
                                         num_workers=args.num_workers)
    if length_model is not None:
        model, length_model, opt, len_opt = accelerator.prepare(model, length_model, opt, len_opt)
    else:
        model, opt = accelerator.prepare(model, opt)
    objective = FlowObjective(text_drop_prob=args.text_drop, keyframe_drop_prob=args.keyframe_drop)

    def save_checkpoint(step: int) -> Path:
        accelerator.wait_for_everyone()
        name = f"checkpoint-{step:08d}"
        final = out / name
        tmp = out / f".{name}.tmp"
        if accelerator.is_main_process:
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir(parents=True)
        accelerator.wait_for_everyone()
        rng = {"torch": torch.get_rng_state(), "generator": gen.get_state().cpu()}
        if torch.cuda.is_available():
            rng["cuda"] = torch.cuda.get_rng_state()
        if args.num_workers == 0 and dataset._rng_state is not None:
            np_rng, ds_gen = dataset._rngs()
            rng["dataset"] = (json.dumps(np_rng.bit_generator.state), ds_gen.get_state())
        torch.save(rng, tmp / f"rng_state_{rank}.pt")
        accelerator.wait_for_everyone()  # every rank's RNG file is in tmp before the main process renames it
        if accelerator.is_main_process:
            raw = accelerator.unwrap_model(model)
            ema_sd = {k: v.to(raw.state_dict()[k].dtype) for k, v in ema.shadow.items()}
            save_file(_state_cpu(ema_sd), str(tmp / hub.WEIGHTS_NAME), metadata={"format": "pt"})
            save_file(_state_cpu(ema.shadow), str(tmp / "ema.safetensors"), metadata={"format": "pt"})
            save_file(_state_cpu(raw.state_dict()), str(tmp / "train_weights.safetensors"), metadata={"format": "pt"})
            state = {"optimizer": opt.state_dict(), "scheduler": sched.state_dict(), "step": step,
                     "data_position": list(sampler.position())}
            if length_model is not None:
                lm = accelerator.unwrap_model(length_model)
                hub.write_model_files(tmp / LENGTH_MODEL, lm, lm.config_dict())
                state["length_optimizer"] = len_opt.state_dict()
            torch.save(state, tmp / "trainer_state.pt")
            config = generator_config(cfg.to_dict(), args.stream, text_encoder.config(), languages, None,
                                      args.seq_len, args.fps)
            config["training"] = {"step": step, "args": {k: v for k, v in vars(args).items()}}
            (tmp / hub.CONFIG_NAME).write_text(json.dumps(config, indent=2) + "\n")
            replace_path(tmp, final)
            _atomic_text(out / "latest", name)
            kept = sorted(p for p in out.glob("checkpoint-*") if p.is_dir())
            for old in kept[:-args.keep] if args.keep > 0 else []:
                shutil.rmtree(old, ignore_errors=True)
        accelerator.wait_for_everyone()
        return final

    accelerator.print(f"generator: {count_parameters(accelerator.unwrap_model(model)) / 1e6:.2f} M parameters "
                      f"({args.preset}, {args.stream}), {len(dataset)} clips, {world} process(es), "
                      f"mixed precision {mp}")
    log_path = out / "log.jsonl"
    bar = tqdm(total=args.steps, initial=step, desc="training", unit="step",
               disable=args.no_progress or not accelerator.is_local_main_process)
    model.train()
    it = iter(loader)
    t0 = time.perf_counter()
    last = {}
    while step < args.steps:
        x, y = next(it)
        x = x.to(device)
        lengths = y["lengths"].to(device)
        with torch.no_grad():
            text_emb = text_encoder.encode(y["text"]).to(device)
        with accelerator.autocast():
            losses = objective(model, x, text_emb, y["obs_mask"].to(device), y["mask"].to(device), generator=gen)
        accelerator.backward(losses["loss"])
        if accelerator.sync_gradients and args.clip_grad > 0:
            accelerator.clip_grad_norm_(model.parameters(), args.clip_grad)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        ema.update(accelerator.unwrap_model(model))
        if length_model is not None:
            ids = torch.tensor([language_of(t, languages) for t in y["text"]], device=device)
            len_loss = LengthModel.loss(length_model(text_emb, ids), lengths.float())
            accelerator.backward(len_loss)
            len_opt.step()
            len_opt.zero_grad(set_to_none=True)
            losses["length"] = len_loss.detach()
        step += 1
        bar.update(1)
        if step % args.log_every == 0 or step == args.steps:
            last = {k: float(accelerator.reduce(v.detach(), reduction="mean")) for k, v in losses.items()}
            bar.set_postfix(loss=f"{last['loss']:.4f}", lr=f"{sched.get_last_lr()[0]:.2e}")
            if accelerator.is_main_process:
                rec = {"step": step, "lr": sched.get_last_lr()[0], "seconds": round(time.perf_counter() - t0, 2), **last}
                with log_path.open("a") as fh:
                    fh.write(json.dumps(rec) + "\n")
        if step % args.save_every == 0 or step == args.steps:
            save_checkpoint(step)
    bar.close()

    final = out / "model"
    if accelerator.is_main_process:
        ck = out / (out / "latest").read_text().strip()
        card = hub.model_card(
            name=f"SignSparK generator ({args.preset}, {args.stream} stream)", languages=languages,
            data=[args.data if not args.names else ", ".join(args.names)], metrics={"final loss": last.get("loss", math.nan)},
            licence="apache-2.0", tags=["flow-matching", "text-to-pose"],
            description=(f"Conditional flow-matching UNet ({count_parameters(accelerator.unwrap_model(model)) / 1e6:.1f} M "
                         f"parameters) generating the {args.stream} pose stream from text and keyframes, "
                         f"trained for {step} steps. Load with `signspark.pipeline.SignSparK.from_pretrained`."))
        with atomic_dir(final) as staging:
            shutil.copytree(ck, staging, dirs_exist_ok=True, ignore=shutil.ignore_patterns(
                "train_weights.safetensors", "ema.safetensors", "trainer_state.pt", "rng_state_*.pt"))
            (staging / hub.CARD_NAME).write_text(card, encoding="utf-8")
        accelerator.print(f"model written to {final}")
        if args.push_to_hub:
            hub.push_to_hub(final, args.push_to_hub, commit_message=f"generator after {step} steps")
            accelerator.print(f"pushed to {args.push_to_hub}")
    accelerator.wait_for_everyone()
    accelerator.end_training()
    return final


def main(argv: list[str] | None = None) -> Path:
    return train(build_parser().parse_args(argv))


if __name__ == "__main__":
    main()
