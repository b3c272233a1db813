"""Import of the released SignSparK checkpoints.

The authors released one checkpoint per stream, ``<stream>/ema_0.9999_<iter>.pt``
(hand, body, face; no full-body model). Each is a plain fp32 state dict of
859 tensors: the velocity UNet (``embed_timestep.*``, ``unet.*``, ``embed_text.*``,
the keys of :class:`~signspark.flow.unet.VelocityUNet`) and the frozen M-CLIP text
encoder (``text_enc_model.*``), identical in every stream.

Loading is lazy and cheap: files are opened with ``torch.load(weights_only=True,
mmap=True)`` and the model is built on the meta device and *assigned* the mapped
tensors, so CPU inference in fp32 does not copy the 3.3 GB of UNet weights per
stream. On CUDA the weights are cast to bf16 (or fp16) on the way.

Example::

    streams = find_official_checkpoints("SignSparK/")     # {"hand": Path, "body": Path, "face": Path}
    bundle = load_official(streams, device="cuda")
    bundle.models["hand"]                                  # VelocityUNet, 90 channels
    bundle.text_encoder.encode(["<ASL> hello"])            # (1, 640), built once from the hand checkpoint
"""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path
from typing import Mapping

import torch

from .config import UNetConfig
from .unet import VelocityUNet

__all__ = [
    "OFFICIAL_TOKENIZER", "OfficialCheckpointError", "OfficialBundle", "find_official_checkpoints",
    "read_official_state_dict", "split_official_state_dict", "config_from_state_dict",
    "velocity_from_state_dict", "load_official", "official_text_encoder_skeleton",
]

# Source of the XLM-R SentencePiece tokenizer (the M-CLIP model the authors used).
OFFICIAL_TOKENIZER = "M-CLIP/XLM-Roberta-Large-Vit-B-16Plus"
TEXT_PREFIX = "text_enc_model."
_CKPT = re.compile(r"^ema_(?P<rate>[0-9.]+)_(?P<step>\d+)\.pt$")


class OfficialCheckpointError(ValueError):
    """An official checkpoint file or folder is missing or does not have the expected layout."""


@dataclasses.dataclass
class OfficialBundle:
    """Loaded official streams: ``models`` {stream: VelocityUNet}, the shared ``text_encoder``,
    and ``steps`` {stream: training iteration of the checkpoint}."""

    models: dict[str, VelocityUNet]
    text_encoder: torch.nn.Module | None
    steps: dict[str, int]


def find_official_checkpoints(folder: str | os.PathLike, streams=("hand", "body", "face")) -> dict[str, Path]:
    """``{stream: <folder>/<stream>/ema_<rate>_<iter>.pt}`` for the streams present (highest iter wins).

    Raises:
        OfficialCheckpointError: no stream folder holds a checkpoint.
    """
    folder = Path(folder)
    out: dict[str, Path] = {}
    for stream in streams:
        best = None
        d = folder / stream
        if d.is_dir():
            for f in d.iterdir():
                m = _CKPT.match(f.name)
                if m and (best is None or int(m["step"]) > best[0]):
                    best = (int(m["step"]), f)
        if best is not None:
            out[stream] = best[1]
    if not out:
        raise OfficialCheckpointError(
            f"{folder}: no official checkpoints found; expected <stream>/ema_0.9999_<iter>.pt for a stream in "
            f"{list(streams)} (download them with `signspark download official`)")
    return out


def read_official_state_dict(path: str | os.PathLike) -> dict[str, torch.Tensor]:
    """Open a ``.pt`` state dict memory-mapped and safely (``weights_only=True``); drops ``position_ids``."""
    path = Path(path)
    if not path.is_file():
        raise OfficialCheckpointError(f"{path}: no such checkpoint file")
    try:
        sd = torch.load(path, map_location="cpu", weights_only=True, mmap=True)
    except Exception as e:  # noqa: BLE001 - any unpickling/zip error means "not a usable checkpoint"
        raise OfficialCheckpointError(f"{path}: cannot read as a PyTorch state dict ({type(e).__name__}: {e})") from None
    if not isinstance(sd, Mapping) or not all(isinstance(v, torch.Tensor) for v in sd.values()):
        raise OfficialCheckpointError(f"{path}: expected a plain state dict of tensors (an EMA checkpoint)")
    return {k: v for k, v in sd.items() if not k.endswith("position_ids")}


def split_official_state_dict(sd: Mapping[str, torch.Tensor]) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor]]:
    """Split into (velocity-model tensors, ``text_enc_model.*`` tensors with the prefix kept)."""
    unet = {k: v for k, v in sd.items() if not k.startswith(TEXT_PREFIX) and not k.endswith("position_ids")}
    text = {k: v for k, v in sd.items() if k.startswith(TEXT_PREFIX) and not k.endswith("position_ids")}
    return unet, text


def config_from_state_dict(sd: Mapping[str, torch.Tensor], head_dim: int = 64, stream: str | None = None) -> UNetConfig:
    """Infer the :class:`UNetConfig` of a velocity-model state dict from its tensor shapes.

    Head count is not visible in the shapes; it is ``mid_dim // head_dim`` (64 in the released models).
    """
    try:
        levels = sorted({int(k.split(".")[2]) for k in sd if k.startswith("unet.downs.")})
        level_dims = tuple(int(sd[f"unet.downs.{i}.0.conv1.conv.weight"].shape[0]) for i in levels)
        blocks = len({k.split(".")[3] for k in sd if k.startswith("unet.downs.0.") and ".conv1.conv.weight" in k})
        mid = sorted({int(k.split(".")[2]) for k in sd if k.startswith("unet.mid_blocks.")})
        mid_dim = int(sd["unet.proj_in.proj.weight"].shape[0])
        J = int(sd["unet.final_conv.1.weight"].shape[0])
        cfg = UNetConfig(
            in_channels=J,
            level_dims=level_dims,
            blocks_per_level=blocks,
            kernel_size=int(sd["unet.downs.0.0.conv1.conv.weight"].shape[-1]),
            cond_dim=int(sd["embed_text.weight"].shape[0]),
            time_freqs=int(sd["embed_timestep.time_embed.0.weight"].shape[1]) // 2,
            time_hidden=int(sd["embed_timestep.time_embed.0.weight"].shape[0]),
            cond_hidden=int(sd["unet.time_mlp.0.weight"].shape[0]),
            text_dim=int(sd["embed_text.weight"].shape[1]),
            mid_dim=mid_dim,
            mid_depth=len(mid),
            heads=max(1, mid_dim // head_dim),
            ff_dim=int(sd["unet.mid_blocks.0.ff_gate.weight"].shape[0]) if mid else 4 * mid_dim,
            stream=stream or {90: "hand", 60: "body", 56: "face", 296: "full"}.get(J, "full"),
        )
    except (KeyError, IndexError) as e:
        raise OfficialCheckpointError(f"not a SignSparK UNet state dict (missing or odd key: {e})") from None
    if int(sd["unet.downs.0.0.conv1.conv.weight"].shape[1]) != 3 * J:
        raise OfficialCheckpointError("first convolution does not read 3J channels; not a SignSparK UNet")
    return cfg


def velocity_from_state_dict(sd: Mapping[str, torch.Tensor], config: UNetConfig | None = None,
                             device: torch.device | str | None = None, dtype: torch.dtype | None = None,
                             head_dim: int = 64) -> VelocityUNet:
    """Build a :class:`VelocityUNet` holding ``sd``'s tensors (``text_enc_model.*`` keys are ignored).

    The model is created on the meta device and assigned the given tensors (no copy for
    memory-mapped fp32 weights on CPU), then moved to ``device`` / ``dtype``. Key and shape
    mismatches raise :class:`OfficialCheckpointError` naming the first few.
    """
    unet_sd, _ = split_official_state_dict(sd)
    cfg = config or config_from_state_dict(unet_sd, head_dim=head_dim)
    with torch.device("meta"):
        model = VelocityUNet(cfg)
    expected = model.state_dict()
    missing = [k for k in expected if k not in unet_sd]
    unexpected = [k for k in unet_sd if k not in expected]
    wrong = [f"{k} {tuple(unet_sd[k].shape)} != {tuple(v.shape)}" for k, v in expected.items()
             if k in unet_sd and tuple(unet_sd[k].shape) != tuple(v.shape)]
    if missing or unexpected or wrong:
        raise OfficialCheckpointError(
            f"state dict does not match the UNet ({len(missing)} missing, {len(unexpected)} unexpected, "
            f"{len(wrong)} wrong shapes): missing {missing[:3]}, unexpected {unexpected[:3]}, shapes {wrong[:3]}")
    model.load_state_dict(unet_sd, assign=True, strict=True)
    if device is not None or dtype is not None:
        model = model.to(device=device, dtype=dtype)
    return model.eval().requires_grad_(False)


def default_dtype(device: torch.device | str) -> torch.dtype:
    """bf16 on CUDA devices that support it (else fp16), fp32 on CPU."""
    device = torch.device(device)
    if device.type != "cuda":
        return torch.float32
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16


def load_official(
    checkpoints: Mapping[str, str | os.PathLike] | str | os.PathLike,
    device: torch.device | str = "cpu",
    dtype: torch.dtype | None = None,
    text_encoder: torch.nn.Module | None = None,
    tokenizer: str = OFFICIAL_TOKENIZER,
    config: UNetConfig | None = None,
    head_dim: int = 64,
) -> OfficialBundle:
    """Load official stream checkpoints.

    Args:
        checkpoints: ``{stream: path}`` or a folder laid out as ``<stream>/ema_0.9999_<iter>.pt``.
        device: where the models run.
        dtype: weights' dtype (default: bf16/fp16 on CUDA, fp32 on CPU).
        text_encoder: use this text encoder instead of building M-CLIP from the checkpoint
            (the first checkpoint's ``text_enc_model.*`` weights; one encoder serves all streams).
        tokenizer: folder or Hub id of the XLM-R tokenizer for the M-CLIP encoder.
        config: UNet config to build (default: inferred from the tensor shapes).
    """
    if not isinstance(checkpoints, Mapping):
        checkpoints = find_official_checkpoints(checkpoints)
    dtype = dtype or default_dtype(device)
    models: dict[str, VelocityUNet] = {}
    steps: dict[str, int] = {}
    for stream, path in checkpoints.items():
        sd = read_official_state_dict(path)
        cfg = dataclasses.replace(config, in_channels=sd["unet.final_conv.1.weight"].shape[0], stream=stream) \
            if config is not None else None
        models[stream] = velocity_from_state_dict(sd, cfg, device=device, dtype=dtype, head_dim=head_dim)
        models[stream].config.stream = stream
        m = _CKPT.match(Path(path).name)
        steps[stream] = int(m["step"]) if m else -1
        if text_encoder is None:
            _, text_sd = split_official_state_dict(sd)
            if not text_sd:
                raise OfficialCheckpointError(f"{path}: no text_enc_model.* weights; pass a text_encoder")
            from signspark.text.mclip import mclip_from_official_state_dict

            text_encoder = mclip_from_official_state_dict(text_sd, tokenizer).to(device)
        del sd
    return OfficialBundle(models=models, text_encoder=text_encoder, steps=steps)


def official_text_encoder_skeleton() -> torch.nn.Module:
    """The official ``text_enc_model`` module layout (XLM-R large + 1024->640 projection), randomly
    initialised, for checking key layouts. Build it under ``torch.device('meta')`` to avoid
    allocating 2.2 GB."""
    from torch import nn
    from transformers import XLMRobertaConfig, XLMRobertaModel

    cfg = XLMRobertaConfig(vocab_size=250002, hidden_size=1024, num_hidden_layers=24, num_attention_heads=16,
                           intermediate_size=4096, max_position_embeddings=514, type_vocab_size=1,
                           pad_token_id=1, bos_token_id=0, eos_token_id=2, layer_norm_eps=1e-5)

    class _MCLIP(nn.Module):
        def __init__(self):
            super().__init__()
            self.transformer = XLMRobertaModel(cfg)
            self.LinearTransformation = nn.Linear(1024, 640)

    return _MCLIP()
