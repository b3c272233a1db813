"""Train the FAST sign segmenter on the ``segment`` labels of official-schema LMDB files.

Each training sample is a random window of a clip's two-hand features
(``left_features``, ``right_features``, (T, 96) each) with its BIO tags. The
loss is class-weighted cross-entropy (the rare BEGIN tag gets a larger weight,
from the tag frequencies of the training set unless ``--class-weights`` is
given). After every epoch the model segments every dev clip whole (windowed,
exact) and reports frame accuracy, onset F1 within ±2 frames and segment F1 at
IoU ≥ 0.5; the best model by segment F1 (every epoch's, without dev data) is
written to ``--out`` as ``model.safetensors`` + ``config.json`` + ``README.md``
(atomically), with ``metrics.json`` holding the per-epoch history.

Data, either of:

    --data BASE --train-names How2Sign --dev-names How2Sign     BASE/{train,dev}/**/*.lmdb, names as substrings
    --train-lmdb a.lmdb b.lmdb --dev-lmdb c.lmdb                explicit files

Examples:

    python train/train_fast.py --data data --train-names How2Sign --out runs/fast
    accelerate launch train/train_fast.py --data data --out runs/fast --mixed-precision bf16
    python train/train_fast.py --data data --out assets/models/fast --push-to-hub me/signspark-fast
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
import time
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset


from signspark.data import DataError, LmdbClipStore, find_lmdb_files
from signspark.keyframes import BEGIN, OUT
from signspark.segment.inference import decode_tags, predict_logits
from signspark.segment.metrics import score_clips
from signspark.segment.model import HAND_FEATURES, NUM_TAGS, FastConfig, FastSegmenter

IGNORE = -100
_MODEL_HELP = {
    "hidden": "model width (each hand stream is half of it)",
    "layers": "Transformer encoder layers",
    "heads": "attention heads (must divide --hidden)",
    "ff_dim": "feed-forward width of the encoder layers",
    "kernel_size": "temporal convolution kernel of the hand streams, frames (odd)",
    "attention_radius": "frames each frame attends to on either side",
    "dropout": "dropout probability",
    "window": "frames kept per window at inference (does not change results)",
    "fps": "frame rate of the training data, recorded in config.json",
}


class CaptureNoise(NamedTuple):
    """How video capture changes the hand features FAST reads, per hand (see :func:`capture_noise`).

    The values are chosen so that the augmented features measure what capture was measured to do
    (:data:`MEASURED_CAPTURE_NOISE`; both measured by ``feature_noise`` of ``bench/capture.py``).

    Attributes:
        finger_slow_deg: per-axis std (degrees) of a slowly varying error of each finger joint's
            rotation (random values every ``knot_frames`` frames, interpolated).
        finger_jitter_deg: per-axis std (degrees) of frame-to-frame jitter of each finger joint.
        wrist_deg: per-axis std (degrees) of the slowly varying error of the wrist orientation.
        flexion_scale: finger rotation angles are multiplied by this (MediaPipe's flattened hand
            depth makes fitted fingers straighter); ``flexion_spread`` is its per-clip std. The
            angle noise on top raises the measured ratio of augmented to clean angles back to
            about the measured 0.86.
        drop_fraction: fraction of a hand's frames zeroed (a hand the capture did not see), in runs
            of ``drop_run`` frames on average.
    """

    finger_slow_deg: float = 8.6
    finger_jitter_deg: float = 2.9
    wrist_deg: float = 15.6
    flexion_scale: float = 0.76
    flexion_spread: float = 0.05
    drop_fraction: float = 0.006
    drop_run: float = 1.5
    knot_frames: int = 8


MEASURED_CAPTURE_NOISE = {
    "finger_axis_sigma_deg": 10.34, "finger_jitter_sigma_deg": 2.90, "finger_slow_sigma_deg": 9.93,
    "wrist_axis_sigma_deg": 15.56, "flexion_scale": 0.857, "dropped_fraction": 0.006, "dropped_run_frames": 1.5,
}
"""What ``python bench/capture.py --segment`` measured: the clean hand features of fingerspelled ASL
hello, world, BSL cat, DGS Hallo (251 frames) against those captured back from 512 px gl renders
(MediaPipe Holistic + the fit with its hand correction; hands below the capture's confidence zeroed)."""

CAPTURE_NOISE = CaptureNoise()


def _smooth_noise(rng: np.random.Generator, T: int, shape: tuple[int, ...], knot: int) -> np.ndarray:
    """(T, *shape) noise of unit variance that varies slowly: random values every ``knot`` frames, linearly interpolated."""
    n = T // knot + 2
    knots = rng.standard_normal((n,) + shape)
    t = np.arange(T) / knot
    i = np.minimum(t.astype(np.int64), n - 2)
    w = (t - i).reshape((T,) + (1,) * len(shape))
    # linear interpolation of independent values has on average 2/3 of their variance
    return ((1 - w) * knots[i] + w * knots[i + 1]) * np.sqrt(1.5)


def capture_noise(x: np.ndarray, rng: np.random.Generator, noise: CaptureNoise = CAPTURE_NOISE) -> np.ndarray:
    """Features as if captured from video: (T, 192) ``[left | right]`` -> (T, 192) float32.

    For each hand present (not all zeros): finger joint angles scaled by ``flexion_scale`` (per clip,
    with spread), each joint rotated by a slowly varying error plus jitter, the wrist orientation
    rotated by a slowly varying error, and runs of frames dropped (zeroed). Missing hands stay zero.
    """
    from signspark.pose.rotations import axis_angle_to_matrix, matrix_to_axis_angle, matrix_to_rot6d, rot6d_to_matrix

    T = len(x)
    out = np.array(x, np.float32, copy=True)
    if T == 0:
        return out
    for h in range(2):
        block = out[:, HAND_FEATURES * h:HAND_FEATURES * (h + 1)]
        present = np.abs(block).sum(1) > 0
        if not present.any():
            continue
        R = rot6d_to_matrix(torch.from_numpy(block.reshape(T, 16, 6).astype(np.float64)))
        scale = noise.flexion_scale + noise.flexion_spread * rng.standard_normal()
        fingers = axis_angle_to_matrix(matrix_to_axis_angle(R[:, :15]) * scale)
        err = _smooth_noise(rng, T, (16, 3), noise.knot_frames)
        err[:, :15] *= np.radians(noise.finger_slow_deg)
        err[:, 15] *= np.radians(noise.wrist_deg)
        err[:, :15] += rng.standard_normal((T, 15, 3)) * np.radians(noise.finger_jitter_deg)
        R = torch.cat([fingers, R[:, 15:]], dim=1) @ axis_angle_to_matrix(torch.from_numpy(err))
        new = matrix_to_rot6d(R).reshape(T, HAND_FEATURES).numpy().astype(np.float32)
        keep = present.copy()
        if noise.drop_fraction > 0:
            starts = rng.random(T) < noise.drop_fraction / max(noise.drop_run, 1.0)
            for s0 in np.flatnonzero(starts):
                keep[s0:s0 + int(rng.geometric(1.0 / max(noise.drop_run, 1.0)))] = False
        new[~keep] = 0.0
        out[:, HAND_FEATURES * h:HAND_FEATURES * (h + 1)] = new
    return out


# 6D = first two rotation-matrix rows; the mirror flip (conjugation by diag(1,-1,-1)) negates these entries
# of an orthonormal 6D vector, so it is a sign pattern per joint (fingers and wrist orientation alike).
_FLIP_SIGNS = np.tile(np.array([1, -1, -1, -1, 1, 1], np.float32), HAND_FEATURES // 6)


# --------------------------------------------------------------------------- data
def open_stores(paths: list[Path]) -> list[tuple[LmdbClipStore, str]]:
    """``(store, clip_id)`` for every clip of the given LMDB files."""
    items = []
    for p in paths:
        store = LmdbClipStore(p)
        items += [(store, c) for c in store.clip_ids]
    return items


def read_clip(store: LmdbClipStore, clip_id: str) -> tuple[np.ndarray, np.ndarray]:
    """(T, 192) float32 ``[left | right]`` features and (T,) int64 tags of one clip."""
    r = store.read(clip_id)
    return np.concatenate([r.left_features, r.right_features], axis=1), r.segment


def mirror(x: np.ndarray) -> np.ndarray:
    """Swap the hands and mirror each (left becomes right): (T, 192) -> (T, 192)."""
    left, right = x[:, :HAND_FEATURES], x[:, HAND_FEATURES:]
    return np.concatenate([right * _FLIP_SIGNS, left * _FLIP_SIGNS], axis=1)


def change_speed(x: np.ndarray, tags: np.ndarray, factor: float) -> tuple[np.ndarray, np.ndarray]:
    """Resample frames by nearest neighbour (``factor`` > 1 is faster: fewer frames); tags stay valid BIO."""
    T = len(tags)
    n = max(1, int(round(T / factor)))
    idx = np.minimum(np.round(np.arange(n) * (T / n)).astype(np.int64), T - 1)
    prev = np.concatenate([[0], tags[:-1]])
    sign_id = np.cumsum((tags == BEGIN) | ((tags > 0) & (prev == 0))) * (tags > 0)  # 0 outside signs
    sid = sign_id[idx]
    new_prev = np.concatenate([[0], sid[:-1]])
    new_tags = np.where(sid == 0, OUT, np.where(sid != new_prev, BEGIN, 1)).astype(np.int64)
    return x[idx], new_tags


class WindowDataset(Dataset):
    """Random windows of clips with augmentations; deterministic given (seed, epoch, index).

    Items: ``(features (L, 192) float32, tags (L,) int64)`` with ``L <= window``.
    """

    def __init__(self, items, window: int, seed: int = 0, augment: bool = True, noise: float = 0.01,
                 speed: tuple[float, float] = (0.8, 1.25), swap_prob: float = 0.5, capture_prob: float = 0.25):
        self.items, self.window, self.seed, self.augment = items, window, seed, augment
        self.noise, self.speed, self.swap_prob, self.capture_prob = noise, speed, swap_prob, capture_prob
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i: int):
        rng = np.random.default_rng([self.seed, self.epoch, i])
        x, tags = read_clip(*self.items[i])
        if self.augment:
            # crop generously first so speed changes do not resample the whole clip
            span = min(len(tags), int(self.window * self.speed[1]) + 1)
            s = int(rng.integers(0, len(tags) - span + 1))
            x, tags = x[s:s + span], tags[s:s + span]
            x, tags = change_speed(x, tags, float(np.exp(rng.uniform(*np.log(self.speed)))))
            if rng.random() < self.swap_prob:
                x = mirror(x)
            if rng.random() < self.capture_prob:
                x = capture_noise(x, rng)
            if self.noise > 0:
                present = np.abs(x).reshape(len(x), 2, -1).sum(-1, keepdims=True) > 0  # missing hands stay zero
                x = x + (rng.standard_normal(x.shape).astype(np.float32) * self.noise
                         * np.repeat(present, HAND_FEATURES, axis=-1).reshape(x.shape))
        if len(tags) > self.window:
            s = int(rng.integers(0, len(tags) - self.window + 1))
            x, tags = x[s:s + self.window], tags[s:s + self.window]
        return torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32)), torch.from_numpy(tags.astype(np.int64))


def collate(batch):
    """Pad to the longest item: features (B, L, 192), mask (B, L) bool, tags (B, L) with -100 on padding."""
    L = max(len(t) for _, t in batch)
    x = torch.zeros(len(batch), L, batch[0][0].shape[1])
    mask = torch.zeros(len(batch), L, dtype=torch.bool)
    y = torch.full((len(batch), L), IGNORE, dtype=torch.long)
    for b, (f, t) in enumerate(batch):
        x[b, :len(t)], mask[b, :len(t)], y[b, :len(t)] = f, True, t
    return x, mask, y


def tag_frequencies(items, max_clips: int = 2000, seed: int = 0) -> np.ndarray:
    """Counts of tags 0, 1, 2 over (a random subset of) the clips."""
    rng = np.random.default_rng(seed)
    pick = rng.permutation(len(items))[:max_clips]
    counts = np.zeros(NUM_TAGS, np.int64)
    for i in pick:
        counts += np.bincount(items[i][0].read(items[i][1]).segment, minlength=NUM_TAGS)[:NUM_TAGS]
    return counts


def class_weights(counts: np.ndarray) -> torch.Tensor:
    """Inverse-square-root frequency weights, normalised to mean 1 (unseen tags get the largest weight)."""
    freq = counts / max(counts.sum(), 1)
    w = 1.0 / np.sqrt(np.maximum(freq, 1e-4))
    return torch.tensor(w / w.mean(), dtype=torch.float32)


# --------------------------------------------------------------------------- evaluation
def evaluate(model: FastSegmenter, items, max_clips: int | None = None):
    """Scores of the model on dev clips (whole clips, windowed inference, tags repaired to valid BIO)."""
    items = items[:max_clips] if max_clips else items
    pairs = []
    chunk = 256  # clips per inference call, to bound memory
    for k in range(0, len(items), chunk):
        clips = [read_clip(*it) for it in items[k:k + chunk]]
        logits = predict_logits(model, [c[0] for c in clips])
        pairs += [(decode_tags(lg), c[1]) for lg, c in zip(logits, clips)]
    return score_clips(pairs, tolerance=2, iou=0.5)


# --------------------------------------------------------------------------- command line
def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="train_fast.py", description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    d = p.add_argument_group("data")
    d.add_argument("--data", type=Path, help="dataset root holding train/ and dev/ folders of .lmdb files")
    d.add_argument("--train-names", nargs="+", help="keep train files whose path contains any of these (default all)")
    d.add_argument("--dev-names", nargs="+", help="keep dev files whose path contains any of these (default: --train-names)")
    d.add_argument("--train-lmdb", nargs="+", type=Path, help="explicit training LMDB files (instead of --data)")
    d.add_argument("--dev-lmdb", nargs="+", type=Path, help="explicit dev LMDB files")
    d.add_argument("--max-dev-clips", type=int, help="evaluate on at most this many dev clips")
    m = p.add_argument_group("model (defaults give about 0.5 M parameters)")
    defaults = FastConfig()
    for f in dataclasses.fields(FastConfig):
        if f.name == "feature_dim":
            continue
        m.add_argument("--" + f.name.replace("_", "-"), type=type(getattr(defaults, f.name)),
                       default=getattr(defaults, f.name),
                       help=f"{_MODEL_HELP[f.name]} (default {getattr(defaults, f.name)})")
    t = p.add_argument_group("training")
    t.add_argument("--out", type=Path, required=True, help="model folder to write (best checkpoint)")
    t.add_argument("--epochs", type=int, default=30)
    t.add_argument("--batch-size", type=int, default=32)
    t.add_argument("--lr", type=float, default=1e-3, help="peak AdamW learning rate (cosine decay, warm-up)")
    t.add_argument("--weight-decay", type=float, default=0.01)
    t.add_argument("--train-window", type=int, default=256, help="frames per training sample (random crop)")
    t.add_argument("--class-weights", type=float, nargs=3, metavar=("OUT", "IN", "BEGIN"),
                   help="loss weights of tags 0, 1, 2 (default: from tag frequencies)")
    t.add_argument("--no-augment", action="store_true", help="no hand swap/mirror, noise, capture noise or speed change")
    t.add_argument("--noise", type=float, default=0.01, help="std of Gaussian noise added to present hands")
    t.add_argument("--capture-noise", type=float, default=0.25, metavar="P",
                   help="probability that a training window gets the capture-noise augmentation (measured video "
                        "capture errors: joint angle errors and jitter, flattened fingers, dropped hands; "
                        "0 turns it off; default %(default)s)")
    t.add_argument("--workers", type=int, default=0, help="DataLoader worker processes")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--threads", type=int, help="CPU threads for torch (1 is often fastest for small models on a busy CPU)")
    t.add_argument("--mixed-precision", choices=["no", "fp16", "bf16"], default="no")
    t.add_argument("--cpu", action="store_true", help="train on the CPU even if a GPU is present")
    t.add_argument("--no-progress", action="store_true", help="no tqdm progress bars")
    h = p.add_argument_group("model card and Hub")
    h.add_argument("--licence", default="cc-by-nc-4.0",
                   help="licence in the model card; a model trained on the released SignSparK data inherits "
                        "its non-commercial terms (default cc-by-nc-4.0)")
    h.add_argument("--push-to-hub", metavar="REPO", help="upload the best model to this Hub repo when done")
    return p


def _config_from_args(args) -> FastConfig:
    names = [f.name for f in dataclasses.fields(FastConfig) if f.name != "feature_dim"]
    return FastConfig(**{n: getattr(args, n) for n in names})


def _resolve_data(args) -> tuple[list[Path], list[Path]]:
    if args.train_lmdb:
        return list(args.train_lmdb), list(args.dev_lmdb or [])
    if args.data is None:
        raise SystemExit("train_fast.py: error: give --data BASE or --train-lmdb FILE ... (see --help)")
    train = find_lmdb_files(args.data, "train", args.train_names)
    try:
        dev = find_lmdb_files(args.data, "dev", args.dev_names or args.train_names)
    except DataError as e:
        print(f"no dev data ({e}); the last epoch's model is kept", file=sys.stderr)
        dev = []
    return train, dev


def _card(config: FastConfig, scores, languages, data_names, licence, repo_id, capture_prob: float = 0.0) -> str:
    from signspark.hub import model_card

    desc = (f"FAST sign segmenter for SignSparK: per-frame BIO tags (0 out, 2 begin, 1 in) from the two hands' "
            f"MANO features (15 finger joints x 6D + wrist orientation 6D per hand). {config.layers} local-attention "
            f"Transformer layers, width {config.hidden}, trained at {config.fps:g} fps. "
            f"Use with `signspark segment INPUT -o tags.json --model FOLDER`.")
    if capture_prob > 0:
        desc += (f" Trained with the capture-noise augmentation on {capture_prob:.0%} of the windows (finger and "
                 f"wrist errors, flattened fingers and dropped hands as measured on video capture), so that it "
                 f"also segments poses captured from video.")
    metrics = None
    if scores is not None:
        metrics = {"frame accuracy": scores.frame_accuracy, "onset F1 (±2 frames)": scores.onset_f1,
                   "segment F1 (IoU ≥ 0.5)": scores.segment_f1}
    return model_card("SignSparK FAST segmenter", languages, data_names, metrics, licence, desc,
                      tags=["sign-segmentation"], repo_id=repo_id)


def main(argv: list[str] | None = None) -> dict:
    """Train; returns ``{"best": scores dict | None, "history": [...], "out": path}``."""
    args = build_parser().parse_args(argv)
    from accelerate import Accelerator
    from accelerate.utils import set_seed
    from tqdm.auto import tqdm

    if not 0.0 <= args.capture_noise <= 1.0:
        raise SystemExit(f"train_fast.py: error: --capture-noise is a probability in [0, 1], got {args.capture_noise}")
    config = _config_from_args(args)
    if args.threads:
        torch.set_num_threads(args.threads)
    accelerator = Accelerator(mixed_precision=args.mixed_precision, cpu=args.cpu)
    set_seed(args.seed)
    train_paths, dev_paths = _resolve_data(args)
    train_items = open_stores(train_paths)
    dev_items = open_stores(dev_paths) if dev_paths else []
    if not train_items:
        raise SystemExit("train_fast.py: error: the training files hold no clips")

    counts = tag_frequencies(train_items, seed=args.seed)
    weights = torch.tensor(args.class_weights, dtype=torch.float32) if args.class_weights else class_weights(counts)
    languages = sorted({it[0].read(it[1]).language for it in train_items[:200]} - {""})
    accelerator.print(f"{len(train_items)} training clips ({len(train_paths)} files), {len(dev_items)} dev clips; "
                      f"tag counts {counts.tolist()} -> loss weights {[round(w, 3) for w in weights.tolist()]}")

    dataset = WindowDataset(train_items, args.train_window, seed=args.seed, augment=not args.no_augment,
                            noise=args.noise, capture_prob=args.capture_noise)
    loader = DataLoader(dataset, batch_size=args.batch_size, shuffle=True, collate_fn=collate,
                        num_workers=args.workers, generator=torch.Generator().manual_seed(args.seed),
                        persistent_workers=False)
    model = FastSegmenter(config)
    accelerator.print(f"model: {model.num_parameters():,} parameters, receptive field ±{config.receptive_radius} frames")
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    total = max(1, args.epochs * math.ceil(len(dataset) / args.batch_size))
    warmup = max(1, total // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * min(1.0, s / total))))
    model, opt, loader, sched = accelerator.prepare(model, opt, loader, sched)
    loss_fn = torch.nn.CrossEntropyLoss(weight=weights.to(accelerator.device), ignore_index=IGNORE)

    history, best = [], None
    data_names = [p.name for p in train_paths]
    for epoch in range(args.epochs):
        dataset.set_epoch(epoch)
        model.train()
        t0, running, steps = time.time(), 0.0, 0
        bar = tqdm(loader, desc=f"epoch {epoch + 1}/{args.epochs}",
                   disable=True if args.no_progress or not accelerator.is_main_process else None,
                   leave=False)
        for x, mask, y in bar:
            with accelerator.autocast():
                logits = model(x, mask)
                loss = loss_fn(logits.reshape(-1, NUM_TAGS).float(), y.reshape(-1))
            accelerator.backward(loss)
            accelerator.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            running += loss.item()
            steps += 1
            bar.set_postfix(loss=f"{running / steps:.4f}")
        record = {"epoch": epoch + 1, "loss": running / max(steps, 1), "seconds": round(time.time() - t0, 2)}
        accelerator.wait_for_everyone()
        if accelerator.is_main_process:
            net = accelerator.unwrap_model(model)
            scores = evaluate(net, dev_items, args.max_dev_clips) if dev_items else None
            if scores is not None:
                record.update(scores.as_dict())
            history.append(record)
            accelerator.print(f"epoch {epoch + 1}: loss {record['loss']:.4f}" + (f" | {scores}" if scores else ""))
            if scores is None or best is None or scores.segment_f1 > best["segment_f1"]:
                best = record
                card = _card(net.config, scores, languages, data_names, args.licence, args.push_to_hub,
                             capture_prob=args.capture_noise)
                from signspark.hub import save_pretrained

                save_pretrained(args.out, net, net.config.to_dict(), card=card,
                                extra_files={"metrics.json": json.dumps({"best": best, "history": history}, indent=1)})
    if accelerator.is_main_process:
        accelerator.print(f"best model in {args.out}" + (f" (epoch {best['epoch']})" if best else ""))
        if args.push_to_hub:
            from signspark.hub import push_to_hub

            push_to_hub(args.out, args.push_to_hub)
            accelerator.print(f"pushed to https://huggingface.co/{args.push_to_hub}")
    return {"best": best, "history": history, "out": args.out}


if __name__ == "__main__":
    main()
