"""How many frames a text should take to sign.

A small MLP reads the text embedding and the sign language and predicts the log of the number
of frames; signing speed then scales it (``speed`` 2 = twice as fast = half the frames).
The official code always takes the length from ground truth; this model is what lets the
pipeline run from text alone.

Usage::

    model = LengthModel(text_dim=640, languages=["ASL", "BSL", "DGS", "CSL"])
    fit_length_model(model, embeddings, model.language_ids(codes), lengths, steps=300, seed=0)
    frames = model.predict_frames(enc.encode(["<ASL> hello"]), model.language_ids(["ASL"]), speed=1.2)
    model.save_pretrained("runs/length");  LengthModel.from_pretrained("runs/length")
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from signspark.hub import ModelFolderMixin
from signspark.signs.languages import LANGUAGES, UnknownLanguageError

__all__ = ["LengthModelConfig", "LengthModel", "fit_length_model", "MODEL_TYPE"]

MODEL_TYPE = "signspark-length"


@dataclasses.dataclass
class LengthModelConfig:
    """Sizes and defaults of a :class:`LengthModel` (saved as ``config.json``)."""

    text_dim: int = 640
    num_languages: int = 4
    hidden: int = 128
    lang_dim: int = 16
    languages: list[str] = dataclasses.field(default_factory=lambda: list(LANGUAGES))
    fps: float = 25.0          # frame rate the lengths were counted at (informational)
    init_frames: float = 64.0  # prediction before training
    min_frames: int = 8
    max_frames: int = 1024
    model_type: str = MODEL_TYPE

    def __post_init__(self):
        if len(self.languages) != self.num_languages:
            raise ValueError(f"num_languages is {self.num_languages} but {len(self.languages)} language codes "
                             f"were given ({self.languages}); they must match")


class LengthModel(nn.Module, ModelFolderMixin):
    """Text embedding + language -> predicted log number of frames.

    ``forward(text_emb (B, text_dim) float, lang_ids (B,) long) -> (B,)`` log-frames.
    """

    def __init__(self, text_dim: int = 640, num_languages: int = 4, hidden: int = 128,
                 languages: Sequence[str] | None = None, **kwargs: Any):
        super().__init__()
        if languages is None:
            all_codes = list(LANGUAGES)
            languages = all_codes[:num_languages] if num_languages <= len(all_codes) else \
                all_codes + [f"LANG{i}" for i in range(len(all_codes), num_languages)]
        self.config = LengthModelConfig(text_dim=text_dim, num_languages=num_languages, hidden=hidden,
                                        languages=[c.upper() for c in languages], **kwargs)
        c = self.config
        self.lang_embed = nn.Embedding(c.num_languages, c.lang_dim)
        self.mlp = nn.Sequential(
            nn.Linear(c.text_dim + c.lang_dim, c.hidden), nn.SiLU(),
            nn.Linear(c.hidden, c.hidden), nn.SiLU(),
            nn.Linear(c.hidden, 1))
        with torch.no_grad():
            self.mlp[-1].weight.mul_(0.1)
            self.mlp[-1].bias.fill_(math.log(c.init_frames))

    config_class = LengthModelConfig

    @classmethod
    def from_config(cls, config: LengthModelConfig | dict) -> "LengthModel":
        if isinstance(config, LengthModelConfig):
            config = dataclasses.asdict(config)
        config = dict(config)
        model_type = config.pop("model_type", MODEL_TYPE)
        if model_type != MODEL_TYPE:
            raise ValueError(f"config is for {model_type!r}, not a length model ({MODEL_TYPE!r})")
        known = {f.name for f in dataclasses.fields(LengthModelConfig)}
        return cls(**{k: v for k, v in config.items() if k in known})

    def language_ids(self, codes: Sequence[str] | str) -> torch.Tensor:
        """Language codes (``"ASL"``...) -> ``(B,)`` long ids for this model."""
        if isinstance(codes, str):
            codes = [codes]
        index = {c: i for i, c in enumerate(self.config.languages)}
        ids = []
        for code in codes:
            key = str(code).strip().upper()
            if key not in index:
                raise UnknownLanguageError(f"unknown sign language {code!r}; this length model knows "
                                           f"{', '.join(self.config.languages)}")
            ids.append(index[key])
        return torch.tensor(ids, dtype=torch.long, device=self.lang_embed.weight.device)

    def _check(self, text_emb: torch.Tensor, lang_ids: torch.Tensor) -> None:
        if text_emb.ndim != 2 or text_emb.shape[1] != self.config.text_dim:
            raise ValueError(f"text_emb must be (B, {self.config.text_dim}), got {tuple(text_emb.shape)}")
        if lang_ids.shape != (text_emb.shape[0],):
            raise ValueError(f"lang_ids must be ({text_emb.shape[0]},) to match text_emb, got {tuple(lang_ids.shape)}")
        if lang_ids.dtype.is_floating_point:
            raise TypeError(f"lang_ids must be integer ids, got {lang_ids.dtype}")
        if len(lang_ids) and (int(lang_ids.min()) < 0 or int(lang_ids.max()) >= self.config.num_languages):
            raise ValueError(f"lang_ids must lie in [0, {self.config.num_languages}), got "
                             f"{lang_ids.min().item()}..{lang_ids.max().item()}")

    def forward(self, text_emb: torch.Tensor, lang_ids: torch.Tensor) -> torch.Tensor:
        self._check(text_emb, lang_ids)
        w = self.lang_embed.weight
        x = torch.cat([text_emb.to(w.device, w.dtype), self.lang_embed(lang_ids.to(w.device).long())], dim=1)
        return self.mlp(x).squeeze(1)

    @torch.no_grad()
    def predict_frames(self, text_emb: torch.Tensor, lang_ids: torch.Tensor, speed: float | torch.Tensor = 1.0,
                       min_frames: int | None = None, max_frames: int | None = None,
                       num_frames: int | Sequence[int] | torch.Tensor | None = None) -> torch.Tensor:
        """Frame counts ``(B,)`` long: ``round(exp(forward) / speed)`` clamped to ``[min_frames, max_frames]``.

        Args:
            speed: > 0; above 1 signs faster (fewer frames). A float or a ``(B,)`` tensor.
            min_frames, max_frames: bounds; default to the config's (8 and 1024).
            num_frames: an explicit length (int, or one per text) that overrides the prediction,
                the speed and the bounds.
        """
        batch = text_emb.shape[0]
        device = self.lang_embed.weight.device
        if num_frames is not None:
            frames = torch.as_tensor(num_frames, dtype=torch.long, device=device).reshape(-1)
            if frames.numel() == 1:
                frames = frames.expand(batch).clone()
            if frames.shape != (batch,):
                raise ValueError(f"num_frames must be one int or {batch} ints, got {frames.numel()}")
            if int(frames.min()) < 1:
                raise ValueError(f"num_frames must be positive, got {frames.tolist()}")
            return frames
        speed_t = torch.as_tensor(speed, dtype=torch.float32, device=device)
        if not torch.isfinite(speed_t).all() or (speed_t <= 0).any():
            raise ValueError(f"speed must be a positive number (1 = normal, 2 = twice as fast), got {speed}")
        lo = self.config.min_frames if min_frames is None else int(min_frames)
        hi = self.config.max_frames if max_frames is None else int(max_frames)
        if lo < 1 or hi < lo:
            raise ValueError(f"need 1 <= min_frames <= max_frames, got {lo} and {hi}")
        log_frames = self(text_emb, lang_ids).float()
        frames = torch.exp(log_frames) / speed_t
        return frames.round().clamp(lo, hi).long()

    @staticmethod
    def loss(pred: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Mean squared error in log-frames: ``pred`` (B,) from :meth:`forward`, ``lengths`` (B,) frame counts."""
        if pred.shape != lengths.shape:
            raise ValueError(f"pred {tuple(pred.shape)} and lengths {tuple(lengths.shape)} must have the same shape")
        if (lengths < 1).any():
            raise ValueError("lengths must be at least 1 frame")
        return F.mse_loss(pred, torch.log(lengths.to(pred.dtype)))

    # -- files ---------------------------------------------------------------------------------


def fit_length_model(model: LengthModel, text_emb: torch.Tensor, lang_ids: torch.Tensor, lengths: torch.Tensor,
                     steps: int = 500, lr: float = 3e-3, batch_size: int = 256, weight_decay: float = 1e-4,
                     seed: int | None = 0, progress: bool = False) -> list[float]:
    """Train ``model`` on (embedding, language, length) triples with AdamW; returns the loss per step.

    ``text_emb`` (N, text_dim), ``lang_ids`` (N,), ``lengths`` (N,) frames. Small enough to run
    on a CPU in seconds for a few thousand examples.
    """
    gen = torch.Generator().manual_seed(seed) if seed is not None else torch.Generator()
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(steps, 1))
    n = text_emb.shape[0]
    device = model.lang_embed.weight.device
    text_emb, lang_ids, lengths = text_emb.to(device), lang_ids.to(device), lengths.to(device)
    losses = []
    model.train()
    steps_iter = range(steps)
    if progress:
        from tqdm.auto import tqdm

        steps_iter = tqdm(steps_iter, desc="length model", unit="step")
    for _ in steps_iter:
        idx = torch.randperm(n, generator=gen)[:batch_size].to(device)
        loss = model.loss(model(text_emb[idx], lang_ids[idx]), lengths[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        losses.append(float(loss.detach()))
    model.eval()
    return losses
