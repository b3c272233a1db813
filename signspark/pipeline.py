"""Text -> sign and keyframes -> sign: the one function the CLI and the demo call.

A request goes, in order: validate the input -> tag the text with its language
(``"<ASL> hello"``) -> encode it **once** -> choose the number of frames (given,
from the keyframes, from the length model, or a words-per-second fallback) ->
sample the velocity model(s) with a few ODE steps, keyframes held fixed ->
convert the 296-channel features to SMPL-X parameters -> :class:`PoseSequence`.

Usage::

    pipe = SignSparK.from_pretrained()                    # built-in model (assets/models/generator)
    out = pipe("hello, how are you?", lang="ASL", steps=8, guidance=2.0, seed=0)
    out.pose.save("hello.npz"); out.nfe, out.seconds

    kf = Keyframes.load("poses.npz")                     # a PoseSequence whose `keyframes` name the held frames
    out = pipe.keyframes_to_pose(kf, text="hello", lang="ASL")

Model folders: our format (``config.json`` with ``"model_type": "signspark-generator"``,
``model.safetensors`` = EMA weights, optional ``length_model.safetensors``), or a folder of
released checkpoints ``<stream>/ema_0.9999_<iter>.pt`` (hand, body, face), or a Hub repo id of either.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import time
import unicodedata
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import torch

from signspark.pose.sequence import PoseFileError, PoseSequence
from signspark.pose.streams import FULL_DIM, full_to_params, params_to_full
from signspark.signs.languages import DEFAULT_TAG_TEMPLATE, LANGUAGES, get_language, tag_text

__all__ = [
    "SignSparK", "GenerationOutput", "Keyframes", "KeyframeFileError", "MODEL_TYPE",
    "MAX_TEXT_CHARS", "MAX_FRAMES", "DEFAULT_STEPS", "DEFAULT_GUIDANCE", "generator_config", "retime",
]

MODEL_TYPE = "signspark-generator"
MAX_TEXT_CHARS = 200
MAX_FRAMES = 1024
DEFAULT_STEPS = 8
DEFAULT_GUIDANCE = 2.0
RETRIEVAL_SOURCES = (None, "fingerspelling")
_PARAM_KEYS = ("body_pose", "left_hand_pose", "right_hand_pose", "jaw_pose", "expression")


class KeyframeFileError(PoseFileError):
    """A keyframe file is unreadable or malformed; the message says what and how to fix it."""


# ---------------------------------------------------------------------------------------------- keyframes
@dataclasses.dataclass
class Keyframes:
    """Poses to hold at given frames.

    Attributes:
        features: (num_frames, 296) float32 full-stream features (left hand flipped); only the
            rows in ``frames`` are read.
        frames: (K,) int64 sorted frame indices to hold.
        num_frames: length of the clip the keyframes belong to.
        fps: frame rate.
        betas: (10,) body shape to carry into the output, or None.
    """

    features: np.ndarray
    frames: np.ndarray
    num_frames: int
    fps: float = 25.0
    betas: np.ndarray | None = None

    def __post_init__(self):
        self.features = np.asarray(self.features, np.float32)
        self.frames = np.unique(np.asarray(self.frames, np.int64).reshape(-1))
        if self.features.ndim != 2 or self.features.shape[1] != FULL_DIM:
            raise KeyframeFileError(f"keyframe features must be (num_frames, {FULL_DIM}), got {self.features.shape}")
        if self.features.shape[0] != self.num_frames:
            raise KeyframeFileError(f"keyframe features have {self.features.shape[0]} rows for {self.num_frames} frames")
        if len(self.frames) == 0:
            raise KeyframeFileError("no keyframes given: name at least one frame to hold")
        if self.frames[0] < 0 or self.frames[-1] >= self.num_frames:
            raise KeyframeFileError(f"keyframes must lie in [0, {self.num_frames - 1}], got {self.frames.tolist()}")
        if not np.isfinite(self.features[self.frames]).all():
            raise KeyframeFileError("keyframe features contain NaN or infinite values")

    @classmethod
    def from_pose_sequence(cls, seq: PoseSequence, frames=None) -> "Keyframes":
        """Hold ``frames`` (default: ``seq.keyframes``) of a PoseSequence."""
        frames = seq.keyframes if frames is None else frames
        feats = params_to_full(seq.params).numpy()
        return cls(feats, frames, seq.num_frames, float(seq.fps), seq.betas.copy())

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Keyframes":
        """Read a keyframe file: a PoseSequence ``.npz`` (its ``keyframes`` array names the held
        frames) or a ``.json`` file (see :meth:`from_json`)."""
        path = Path(path)
        if not path.is_file():
            raise KeyframeFileError(f"{path}: no such keyframe file")
        if path.suffix.lower() == ".json":
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as e:
                raise KeyframeFileError(f"{path}: not valid JSON ({e})") from None
            return cls.from_json(data, source=str(path))
        if path.suffix.lower() == ".npz":
            try:
                seq = PoseSequence.load(path)
            except PoseFileError as e:
                raise KeyframeFileError(str(e)) from None
            if len(seq.keyframes) == 0:
                raise KeyframeFileError(f"{path}: the PoseSequence has an empty `keyframes` array; "
                                        f"set it to the frame indices to hold")
            return cls.from_pose_sequence(seq)
        raise KeyframeFileError(f"{path}: keyframe files are .npz (PoseSequence) or .json, got {path.suffix!r}")

    @classmethod
    def from_json(cls, data: Any, source: str = "keyframes") -> "Keyframes":
        """``{"fps": 25, "num_frames": N, "keyframes": [{"frame": i, "features": [296 floats]}, ...]}``;
        instead of ``features`` an entry may give SMPL-X axis-angle parameters ``body_pose`` (63),
        ``left_hand_pose`` / ``right_hand_pose`` (45), ``jaw_pose`` (3), ``expression`` (<= 50);
        missing ones are the rest pose."""
        if not isinstance(data, Mapping):
            raise KeyframeFileError(f"{source}: expected a JSON object with 'num_frames' and 'keyframes'")
        try:
            n = int(data["num_frames"])
            entries = list(data["keyframes"])
        except (KeyError, TypeError, ValueError):
            raise KeyframeFileError(f"{source}: needs an integer 'num_frames' and a list 'keyframes'") from None
        if not 1 <= n <= MAX_FRAMES:
            raise KeyframeFileError(f"{source}: num_frames must be in [1, {MAX_FRAMES}], got {n}")
        try:
            fps = float(data.get("fps", 25.0))
        except (TypeError, ValueError):
            fps = float("nan")
        if not (math.isfinite(fps) and 0 < fps <= 1000):
            raise KeyframeFileError(f"{source}: 'fps' must be a number in (0, 1000], got {data.get('fps')!r}")
        feats = np.zeros((n, FULL_DIM), np.float32)
        frames = []
        for i, e in enumerate(entries):
            where = f"{source}: keyframes[{i}]"
            if not isinstance(e, Mapping) or "frame" not in e:
                raise KeyframeFileError(f"{where}: expected an object with 'frame' and 'features' or SMPL-X parameters")
            f = e["frame"]
            if isinstance(f, bool) or not isinstance(f, int):
                raise KeyframeFileError(f"{where}: 'frame' must be an integer, got {f!r}")
            if not 0 <= f < n:
                raise KeyframeFileError(f"{where}: frame {f} is outside [0, {n - 1}]")
            if f in frames:
                raise KeyframeFileError(f"{where}: frame {f} is given twice")
            if "features" in e:
                row = _float_array(e["features"], where + ".features")
                if row.shape != (FULL_DIM,):
                    raise KeyframeFileError(f"{where}: 'features' must hold {FULL_DIM} numbers, got shape {row.shape}")
            else:
                given = {k: _float_array(e[k], f"{where}.{k}")[None] for k in _PARAM_KEYS if k in e}
                if not given:
                    raise KeyframeFileError(f"{where}: give 'features' ({FULL_DIM}) or SMPL-X parameters {list(_PARAM_KEYS)}")
                try:
                    seq = PoseSequence.from_params(given)
                except PoseFileError as err:
                    raise KeyframeFileError(f"{where}: {err}") from None
                row = params_to_full(seq.params)[0].numpy()
            feats[f] = row
            frames.append(f)
        return cls(feats, np.asarray(frames, np.int64), n, fps)


def _float_array(value: Any, where: str) -> np.ndarray:
    try:
        a = np.asarray(value, dtype=np.float32)
    except (TypeError, ValueError):
        raise KeyframeFileError(f"{where}: expected a list of numbers") from None
    if not np.isfinite(a).all():
        raise KeyframeFileError(f"{where}: contains NaN or infinite values")
    return a.reshape(-1)


# ---------------------------------------------------------------------------------------------- output
@dataclasses.dataclass
class GenerationOutput:
    """One generated clip.

    Attributes:
        pose: the clip as SMPL-X parameters.
        features: (T, 296) float32 generator features (left hand flipped).
        nfe: model forwards (each a batched conditional+unconditional pass with guidance).
        steps: ODE grid intervals.
        seconds: wall time of the request (text encoding included).
        seed: the noise seed (reuse it to get the same output).
    """

    pose: PoseSequence
    features: np.ndarray
    nfe: int
    steps: int
    sampler: str
    guidance: float | None
    seconds: float
    seed: int | None

    @property
    def num_frames(self) -> int:
        return self.pose.num_frames


def generator_config(model_config: Mapping[str, Any], stream: str, text_encoder: Mapping[str, Any],
                     languages=None, length_model: Mapping[str, Any] | None = None,
                     seq_len: int = 304, fps: float = 25.0, tag_template: str = DEFAULT_TAG_TEMPLATE,
                     retrieval: str | None = None) -> dict:
    """The ``config.json`` of a generator model folder."""
    return {
        "model_type": MODEL_TYPE, "format_version": 1, "model": dict(model_config), "stream": stream,
        "languages": list(languages or LANGUAGES), "tag_template": tag_template,
        "text_encoder": dict(text_encoder), "length_model": dict(length_model) if length_model else None,
        "seq_len": int(seq_len), "fps": float(fps), "retrieval": retrieval,
    }


# ---------------------------------------------------------------------------------------------- pipeline
class SignSparK:
    """Text (and/or keyframes) to a signing :class:`PoseSequence`.

    Args:
        models: ``{stream: VelocityUNet}`` (a ``full`` model, or ``hand``/``body``/``face``).
        text_encoder: a :class:`signspark.text.encoder.TextEncoder` (``encode(list[str]) -> (B, 640)``).
        length_model: optional :class:`signspark.text.length.LengthModel`.
        languages: sign-language codes the model accepts.
        retrieval: where text-to-pose takes keyframes from when none are given: ``None`` (pure
            text-to-pose) or ``"fingerspelling"`` (the alphabet lexicon: sign-retrieval T2P, the
            built-in model's default).
    """

    def __init__(self, models: Mapping[str, torch.nn.Module], text_encoder, length_model=None,
                 languages=None, fps: float = 25.0, seq_len: int = 304,
                 tag_template: str = DEFAULT_TAG_TEMPLATE, source: str = "", retrieval: str | None = None):
        if retrieval not in RETRIEVAL_SOURCES:
            raise ValueError(f"unknown retrieval source {retrieval!r}; expected one of {sorted(map(str, RETRIEVAL_SOURCES))}")
        self.models = dict(models)
        self.retrieval = retrieval
        self.text_encoder = text_encoder
        self.length_model = length_model
        self.languages = [c.upper() for c in (languages or LANGUAGES)]
        self.fps = float(fps)
        self.seq_len = int(seq_len)
        self.tag_template = tag_template
        self.source = source
        self.frame_multiple = max(m.config.frame_multiple for m in self.models.values())

    @property
    def device(self) -> torch.device:
        return next(iter(self.models.values())).embed_text.weight.device

    # -------------------------------------------------------------------------- loading
    @classmethod
    def from_pretrained(cls, path_or_repo_id: str | os.PathLike | None = None, device: str | torch.device | None = None,
                        dtype: torch.dtype | None = None, revision: str | None = None,
                        tokenizer: str | None = None) -> "SignSparK":
        """Load a generator.

        Args:
            path_or_repo_id: a model folder or Hub repo id (our format, or the released
                ``<stream>/ema_0.9999_<iter>.pt`` checkpoints); ``None`` = the built-in model.
            device: default CUDA when available, else CPU.
            dtype: weights' dtype; default fp32 on CPU, bf16/fp16 on CUDA.
            tokenizer: XLM-R tokenizer folder/repo for released checkpoints (M-CLIP's by default).
        """
        from signspark import hub
        from signspark.flow.official import OFFICIAL_TOKENIZER, default_dtype, find_official_checkpoints, load_official

        device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        dtype = dtype or default_dtype(device)
        if path_or_repo_id is None:
            from signspark.assets import builtin_model_dir

            folder = builtin_model_dir("generator")
            if not (folder / hub.CONFIG_NAME).is_file():
                raise FileNotFoundError(
                    f"the built-in generator is not installed (expected {folder}/config.json and model.safetensors). "
                    f"Train it with train/train_generator.py, or pass a model folder or Hub repo id "
                    f"(e.g. --model org/name).")
        else:
            folder = hub.load_pretrained_folder(path_or_repo_id, revision=revision)
        if (folder / hub.CONFIG_NAME).is_file():
            return cls._from_folder(folder, device, dtype)
        checkpoints = find_official_checkpoints(folder)
        bundle = load_official(checkpoints, device=device, dtype=dtype, tokenizer=tokenizer or OFFICIAL_TOKENIZER)
        return cls(bundle.models, bundle.text_encoder, fps=25.0, seq_len=304, source=str(folder))

    @classmethod
    def _from_folder(cls, folder: Path, device: torch.device, dtype: torch.dtype) -> "SignSparK":
        from signspark import hub
        from signspark.flow.config import UNetConfig
        from signspark.flow.unet import VelocityUNet
        from signspark.text.encoder import load_text_encoder

        cfg = hub.load_config(folder)
        if cfg.get("model_type") != MODEL_TYPE:
            raise ValueError(f"{folder}: config.json is for {cfg.get('model_type')!r}, not a generator ({MODEL_TYPE!r})")
        ucfg = UNetConfig.from_dict(cfg["model"])
        with torch.device("meta"):
            model = VelocityUNet(ucfg)
        model.load_state_dict(hub.load_safetensors(folder), assign=True, strict=True)
        model = model.to(device=device, dtype=dtype).eval().requires_grad_(False)
        text_encoder = load_text_encoder(cfg["text_encoder"], folder=folder).to(device)
        length_model = None
        if cfg.get("length_model") and (folder / "length_model.safetensors").is_file():
            from signspark.text.length import LengthModel

            length_model = LengthModel.from_config(cfg["length_model"])
            length_model.load_state_dict(hub.load_safetensors(folder, "length_model.safetensors"))
            length_model = length_model.to(device).eval()
        return cls({cfg.get("stream", ucfg.stream): model}, text_encoder, length_model,
                   languages=cfg.get("languages"), fps=cfg.get("fps", 25.0), seq_len=cfg.get("seq_len", 304),
                   tag_template=cfg.get("tag_template", DEFAULT_TAG_TEMPLATE), source=str(folder),
                   retrieval=cfg.get("retrieval"))

    # -------------------------------------------------------------------------- requests
    def _check_text(self, text: str, required: bool) -> str:
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        text = unicodedata.normalize("NFC", text).strip()
        if required and not text:
            raise ValueError("the text is empty: give a sentence to sign (or keyframes to interpolate)")
        if len(text) > MAX_TEXT_CHARS:
            raise ValueError(f"the text has {len(text)} characters; the limit is {MAX_TEXT_CHARS}: "
                             f"split it into shorter sentences")
        return text

    def encode_text(self, text: str, lang: str) -> torch.Tensor:
        """(1, D) text vector of ``"<LANG> text"`` (zeros for empty text: unconditional)."""
        if not text:
            return torch.zeros(1, self.text_encoder.dim, device=self.device)
        return self.text_encoder.encode([tag_text(text, lang, self.tag_template)]).to(self.device).float()

    def _fallback_frames(self, text: str, lang: str) -> int:
        """Without a length model: ~0.6 s per word (per 2 characters where text counts characters) plus 1 s."""
        character_level = get_language(lang).text_unit == "character"
        units = len(text.replace(" ", "")) / 2 if character_level else len(text.split())
        return int(round(self.fps * (1.0 + 0.6 * max(1.0, units))))

    def _num_frames(self, text: str, lang: str, text_emb: torch.Tensor, num_frames, speed: float,
                    keyframes: Keyframes | None) -> int:
        if num_frames is not None:
            n = int(num_frames)
            if not 1 <= n <= MAX_FRAMES:
                raise ValueError(f"frames must be in [1, {MAX_FRAMES}], got {num_frames}")
            if keyframes is not None and keyframes.frames[-1] >= n:
                raise ValueError(f"frames={n} is too short for a keyframe at frame {keyframes.frames[-1]}")
            return n
        if keyframes is not None:
            return keyframes.num_frames
        if not (isinstance(speed, (int, float)) and math.isfinite(speed) and speed > 0):
            raise ValueError(f"speed must be a positive number (1 = normal, 2 = twice as fast), got {speed}")
        if self.length_model is not None:
            ids = self.length_model.language_ids([lang])
            return int(self.length_model.predict_frames(text_emb, ids, speed=speed, max_frames=MAX_FRAMES)[0])
        return int(min(MAX_FRAMES, max(8, round(self._fallback_frames(text, lang) / speed))))

    @torch.inference_mode()
    def __call__(self, text: str = "", lang: str = "ASL", *, keyframes: Keyframes | PoseSequence | None = None,
                 num_frames: int | None = None, speed: float = 1.0, steps: int = DEFAULT_STEPS,
                 guidance: float | None = DEFAULT_GUIDANCE, sampler: str = "euler", seed: int | None = None,
                 generator: torch.Generator | None = None, retrieval: bool | None = None) -> GenerationOutput:
        """Generate one clip.

        Args:
            text: spoken-language text (<= 200 characters); may be empty when keyframes are given.
            lang: sign language code (``ASL``, ``BSL``, ``DGS``, ``CSL``; what the model supports).
            keyframes: poses to hold (:class:`Keyframes`, or a PoseSequence whose ``keyframes`` name them).
            num_frames: clip length; default from the keyframes, else the length model.
            speed: > 1 signs faster (fewer frames) when the length is predicted.
            steps: ODE steps; guidance: classifier-free guidance scale (None or 1: off).
            sampler: ``euler``, ``heun`` or ``midpoint``.
            seed / generator: the noise (same seed, same output); default a fresh random seed.
            retrieval: take keyframes for text-only requests from the model's retrieval source
                (the fingerspelling lexicon for the built-in model); default: the model's setting.
                The lexicon clip also gives the segments and per-sign labels (``gloss``).
        """
        start = time.perf_counter()
        if isinstance(keyframes, PoseSequence):
            keyframes = Keyframes.from_pose_sequence(keyframes)
        text = self._check_text(text, required=keyframes is None)
        code = get_language(lang, allowed=self.languages).code
        if generator is None:
            if seed is None:
                seed = int(torch.randint(0, 2**31 - 1, (1,)).item())
            generator = torch.Generator().manual_seed(int(seed))
        text_emb = self.encode_text(text, code)
        retrieved = None
        use_retrieval = (self.retrieval is not None) if retrieval is None else bool(retrieval)
        if keyframes is None and use_retrieval:
            retrieved = self._retrieve(text, code, speed, seed)
            if num_frames is not None:
                self._num_frames(text, code, text_emb, num_frames, speed, None)  # validates the range
                retrieved = retime(retrieved, int(num_frames))
            keyframes = Keyframes.from_pose_sequence(retrieved)
            num_frames = None
        T = self._num_frames(text, code, text_emb, num_frames, speed, keyframes)
        kf = mask = None
        if keyframes is not None:
            from signspark.flow.multistream import padded_length

            Tp = padded_length(T, self.frame_multiple)
            kf = torch.zeros(1, FULL_DIM, Tp)
            mask = torch.zeros(1, FULL_DIM, Tp, dtype=torch.bool)
            n = min(T, keyframes.num_frames)
            kf[0, :, :n] = torch.from_numpy(keyframes.features[:n]).T
            mask[0, :, keyframes.frames[keyframes.frames < T]] = True
        from signspark.flow.multistream import features_to_numpy, sample_full_body

        feats, nfe = sample_full_body(self.models, text_emb, [T], keyframes=kf, keyframe_mask=mask, steps=steps,
                                      sampler=sampler, guidance=guidance, generator=generator, device=self.device,
                                      frame_multiple=self.frame_multiple)
        features = features_to_numpy(feats[0], T)
        params = {k: v.numpy() for k, v in full_to_params(torch.from_numpy(features)).items()}
        meta = dict(fps=keyframes.fps if keyframes is not None else self.fps, language=code, text=text,
                    keyframes=keyframes.frames[keyframes.frames < T] if keyframes is not None else np.zeros(0, np.int64))
        if keyframes is not None and keyframes.betas is not None:
            meta["betas"] = keyframes.betas
        if retrieved is not None:
            meta.update(segments=retrieved.segments, gloss=retrieved.gloss)
        pose = PoseSequence.from_params(params, **meta)
        g = None if guidance is None or float(guidance) == 1.0 else float(guidance)
        return GenerationOutput(pose=pose, features=features, nfe=nfe, steps=int(steps), sampler=sampler,
                                guidance=g, seconds=time.perf_counter() - start, seed=seed)

    def _retrieve(self, text: str, lang: str, speed: float, seed: int | None) -> PoseSequence:
        """Keyframes for ``text`` from the retrieval source (a lexicon clip with segments and keyframes)."""
        source = self.retrieval or "fingerspelling"  # any model can be asked to fingerspell
        if source == "fingerspelling":
            from signspark.signs.fingerspelling import spell

            return spell(text, lang, seed=0 if seed is None else int(seed), speed=speed, fps=self.fps)
        raise ValueError(f"unknown retrieval source {source!r}")

    def text_to_pose(self, text: str, lang: str = "ASL", **kwargs) -> GenerationOutput:
        """Text -> pose (see :meth:`__call__`)."""
        return self(text, lang, **kwargs)

    def keyframes_to_pose(self, keyframes: Keyframes | PoseSequence | str | os.PathLike, text: str = "",
                          lang: str = "ASL", **kwargs) -> GenerationOutput:
        """Keyframes (and optional text) -> pose; ``keyframes`` may be a file path (see :meth:`Keyframes.load`)."""
        if isinstance(keyframes, (str, os.PathLike)):
            keyframes = Keyframes.load(keyframes)
        return self(text, lang, keyframes=keyframes, **kwargs)

    def save_pretrained(self, folder: str | os.PathLike, card: str | None = None) -> Path:
        """Write a single-stream generator in our folder format (config.json + model.safetensors
        [+ length_model.safetensors])."""
        from signspark import hub

        if len(self.models) != 1:
            raise ValueError("only single-stream generators are saved in the SignSparK format")
        stream, model = next(iter(self.models.items()))
        extra = {}
        length_cfg = None
        if self.length_model is not None:
            length_cfg = dataclasses.asdict(self.length_model.config)
            extra["length_model.safetensors"] = _safetensors_bytes(self.length_model.state_dict())
        cfg = generator_config(model.config.to_dict(), stream, self.text_encoder.config(), self.languages,
                               length_cfg, self.seq_len, self.fps, self.tag_template, self.retrieval)
        return hub.save_pretrained(folder, model, cfg, card=card, extra_files=extra)


def retime(seq: PoseSequence, num_frames: int) -> PoseSequence:
    """Stretch or squeeze a clip to ``num_frames`` by nearest-frame resampling.

    Keyframes and segments move proportionally; the pose at each moved keyframe is the
    original keyframe's pose (not a neighbour's), so held poses survive the retiming.
    """
    L, n = seq.num_frames, int(num_frames)
    if n == L:
        return seq
    src = np.clip(np.round(np.arange(n) * (L - 1) / max(n - 1, 1)).astype(np.int64), 0, L - 1)

    def moved(frames: np.ndarray) -> np.ndarray:
        return np.clip(np.round(np.asarray(frames) * (n - 1) / max(L - 1, 1)).astype(np.int64), 0, n - 1)

    src[moved(seq.keyframes)] = seq.keyframes
    params = {k: v[src].copy() for k, v in seq.params.items()}
    return dataclasses.replace(seq, params=params, segments=moved(seq.segments), keyframes=moved(seq.keyframes))


def _safetensors_bytes(state: Mapping[str, torch.Tensor]) -> bytes:
    from safetensors.torch import save

    return save({k: v.detach().cpu().contiguous() for k, v in state.items()})
