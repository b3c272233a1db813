"""Text -> sign and keyframes -> sign: the one object the CLI and the demo call.

A request goes, in order: validate the input -> look the text up in the language's
lexicon (sign-retrieval: a take whose onset/middle/offset keyframes and segments
condition the generator; :mod:`signspark.signs`) -> tag the text with its language
(``"<ASL> hello"``) -> encode it **once** -> choose the number of frames (given,
from the keyframes, from the length model, or a words-per-second fallback) ->
sample the velocity model(s) with a few ODE steps, keyframes held fixed ->
convert the 296-channel features to SMPL-X parameters -> :class:`PoseSequence`
with segments, per-sign labels and keyframes (FAST finds the segments when no
lexicon gave them and a segmenter is passed) -> :class:`GenerationOutput`.
:meth:`SignSparK.text_to_video` goes on to the finished files (mp4, .ply, .npz,
segments as JSON and ELAN) through :func:`signspark.outputs.write_outputs`.

Usage::

    pipe = SignSparK.from_pretrained()                    # built-in model (assets/models/generator)
    out = pipe("hello, how are you?", lang="ASL", steps=8, guidance=2.0, seed=0)
    out.pose.save("hello.npz"); out.nfe, out.seconds

    kf = Keyframes.load("poses.npz")                     # a PoseSequence whose `keyframes` name the held frames
    out = pipe.keyframes_to_pose(kf, text="hello", lang="ASL")

    result = pipe.text_to_video("hello", "ASL", "out/")  # out/hello.mp4, .npz, .segments.json, .eaf

Model folders: our format (``config.json`` with ``"model_type": "signspark-generator"``,
``model.safetensors`` = EMA weights, optional ``length_model.safetensors``), or a folder of
released checkpoints ``<stream>/ema_0.9999_<iter>.pt`` (hand, body, face), or a Hub repo id of either.
"""

from __future__ import annotations

import dataclasses
import math
import os
import time
import unicodedata
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np
import torch

from signspark.keyframes import MAX_FRAMES, KeyframeFileError, Keyframes, segments_to_tags, select_keyframes
from signspark.options import check, check_device
from signspark.pose.sequence import PoseSequence
from signspark.pose.streams import full_to_params
from signspark.signs.languages import DEFAULT_TAG_TEMPLATE, LANGUAGES, get_language, tag_text

__all__ = [
    "SignSparK", "GenerationOutput", "Keyframes", "KeyframeFileError", "MODEL_TYPE",
    "MAX_TEXT_CHARS", "MAX_FRAMES", "DEFAULT_STEPS", "DEFAULT_GUIDANCE", "RETRIEVAL_MOTIONS", "generator_config",
    "retime",
]

MODEL_TYPE = "signspark-generator"
MAX_TEXT_CHARS = 200
DEFAULT_STEPS = 8
DEFAULT_GUIDANCE = 2.0
RETRIEVAL_SOURCES = (None, "lexicon", "fingerspelling")
# What a retrieved take becomes: "generated" (the flow model fills the motion around the take's
# keyframes, the SignSparK method) or "lexicon" (the take's own motion, as the lexicon animates it).
RETRIEVAL_MOTIONS = ("generated", "lexicon")
LENGTH_MODEL = "length_model"                        # component subfolder of a generator folder
LEGACY_LENGTH_WEIGHTS = "length_model.safetensors"   # where folders of version 0.1 keep it


# ---------------------------------------------------------------------------------------------- output
@dataclasses.dataclass
class GenerationOutput:
    """One generated clip.

    Attributes:
        pose: the clip as SMPL-X parameters; its ``segments``, ``keyframes`` and ``gloss`` are
            the ones below.
        features: (T, 296) float32 generator features (left hand flipped).
        nfe: model forwards (each a batched conditional+unconditional pass with guidance).
        steps: ODE grid intervals.
        seconds: wall time of the request (text encoding included).
        seed: the noise seed (reuse it to get the same output).
        labels: one label per segment (letter or gloss), or None when unknown.
        tags: (T,) int64 BIO tags (0 out, 2 begin, 1 in) of the segments, or None without segments.
        segments_from: where the segments come from: ``"lexicon"``, ``"fast"`` or ``""`` (none).
    """

    pose: PoseSequence
    features: np.ndarray
    nfe: int
    steps: int
    sampler: str
    guidance: float | None
    seconds: float
    seed: int | None
    labels: list[str] | None = None
    tags: np.ndarray | None = None
    segments_from: str = ""

    @property
    def num_frames(self) -> int:
        return self.pose.num_frames

    @property
    def segments(self) -> np.ndarray:
        """(S, 2) inclusive frame ranges of the signs."""
        return self.pose.segments

    @property
    def keyframes(self) -> np.ndarray:
        """(K,) frames held (given or retrieved), or the onset/middle/offset of FAST's segments."""
        return self.pose.keyframes


def generator_config(model_config: Mapping[str, Any], stream: str, text_encoder: Mapping[str, Any],
                     languages=None, length_model: Mapping[str, Any] | None = None,
                     seq_len: int = 304, fps: float = 25.0, tag_template: str = DEFAULT_TAG_TEMPLATE,
                     retrieval: str | None = None, retrieval_motion: str = "generated",
                     smoothing: float = 0.0) -> dict:
    """The ``config.json`` of a generator model folder."""
    return {
        "model_type": MODEL_TYPE, "format_version": 1, "model": dict(model_config), "stream": stream,
        "languages": list(languages or LANGUAGES), "tag_template": tag_template,
        "text_encoder": dict(text_encoder), "length_model": dict(length_model) if length_model else None,
        "seq_len": int(seq_len), "fps": float(fps), "retrieval": retrieval, "retrieval_motion": retrieval_motion,
        "smoothing": float(smoothing),
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
        retrieval_motion: the default of ``motion`` in :meth:`__call__` (``"generated"`` or ``"lexicon"``).
        smoothing: standard deviation (frames) of a Gaussian smoothing in time of the generated motion that
            keeps every keyframe exact (:func:`~signspark.flow.anchor.smooth_between_keyframes`); 0, the
            default, leaves the model's output as it is.
    """

    def __init__(self, models: Mapping[str, torch.nn.Module], text_encoder, length_model=None,
                 languages=None, fps: float = 25.0, seq_len: int = 304,
                 tag_template: str = DEFAULT_TAG_TEMPLATE, source: str = "", retrieval: str | None = None,
                 retrieval_motion: str = "generated", smoothing: float = 0.0):
        if retrieval not in RETRIEVAL_SOURCES:
            raise ValueError(f"unknown retrieval source {retrieval!r}; expected one of {sorted(map(str, RETRIEVAL_SOURCES))}")
        if retrieval_motion not in RETRIEVAL_MOTIONS:
            raise ValueError(f"unknown retrieval motion {retrieval_motion!r}; expected one of {list(RETRIEVAL_MOTIONS)}")
        self.models = dict(models)
        self.retrieval = retrieval
        self.retrieval_motion = retrieval_motion
        if isinstance(smoothing, bool) or not isinstance(smoothing, (int, float)) or not 0.0 <= smoothing <= 10.0:
            raise ValueError(f"smoothing must be a number of frames between 0 and 10, got {smoothing!r}")  # NaN too
        self.smoothing = float(smoothing)
        self.text_encoder = text_encoder
        self.length_model = length_model
        self.languages = [c.upper() for c in (languages or LANGUAGES)]
        self.fps = float(fps)
        self.seq_len = int(seq_len)
        self.tag_template = tag_template
        self.source = source
        self.frame_multiple = max(m.config.frame_multiple for m in self.models.values())

    @property
    def _path_ends_at_rest(self) -> bool:
        """Whether the models draw the rise from rest and the return themselves (``anchor="keyframes+rest"``)."""
        return all(m.config.anchor == "keyframes+rest" for m in self.models.values())

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

        device = torch.device(check_device(device, label="device") or ("cuda" if torch.cuda.is_available() else "cpu"))
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
        with torch.device("meta"):  # the weights replace every parameter: no random init of 800 M numbers
            model = VelocityUNet(ucfg)
        model = hub.load_weights(model, folder, assign=True).to(device=device, dtype=dtype).eval().requires_grad_(False)
        text_encoder = load_text_encoder(cfg["text_encoder"], folder=folder).to(device)
        length_model = None
        if (folder / LENGTH_MODEL / hub.CONFIG_NAME).is_file():
            from signspark.text.length import LengthModel

            length_model = LengthModel.from_pretrained(folder, subfolder=LENGTH_MODEL, device=device)
        elif cfg.get("length_model") and (folder / LEGACY_LENGTH_WEIGHTS).is_file():  # folders of version 0.1
            from signspark.text.length import LengthModel

            length_model = hub.load_weights(LengthModel.from_config(cfg["length_model"]), folder,
                                            LEGACY_LENGTH_WEIGHTS).to(device).eval()
        return cls({cfg.get("stream", ucfg.stream): model}, text_encoder, length_model,
                   languages=cfg.get("languages"), fps=cfg.get("fps", 25.0), seq_len=cfg.get("seq_len", 304),
                   tag_template=cfg.get("tag_template", DEFAULT_TAG_TEMPLATE), source=str(folder),
                   retrieval=cfg.get("retrieval"), retrieval_motion=cfg.get("retrieval_motion", "generated"),
                   smoothing=cfg.get("smoothing", 0.0))

    # -------------------------------------------------------------------------- requests
    def _check_text(self, text: str, required: bool) -> str:
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        text = unicodedata.normalize("NFC", text).strip()
        bad = next((i for i, ch in enumerate(text) if "\ud800" <= ch <= "\udfff"), None)
        if bad is not None:  # a byte that is not UTF-8 in a command line, or a lone surrogate sent as JSON
            raise ValueError(f"the text is not valid Unicode: character {bad + 1} is {text[bad]!r} (a byte that is "
                             f"not UTF-8, or half of a surrogate pair); give UTF-8 text")
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
                 generator: torch.Generator | None = None, retrieval: bool | None = None,
                 segmenter=None, lexicon=None, signs=None, motion: str | None = None) -> GenerationOutput:
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
            retrieval: take keyframes for text-only requests from the language's lexicon
                (sign-retrieval T2P; the built-in model's default); default: the model's setting.
                The lexicon's take also gives the segments and per-sign labels.
            segmenter: a :class:`signspark.segment.Segmenter` that finds the segments when no
                lexicon gave them (FAST); their onset/middle/offset become the keyframes when
                none were held.
            lexicon: a :class:`signspark.signs.lexicon.Lexicon` (e.g. a user lexicon,
                :func:`signspark.signs.hamnosys.load_lexicon`) whose signs are used for the words
                it knows, before the language's lexicon fingerspells the rest (implies retrieval).
            signs: the signs themselves, signed in order instead of reading ``text``: HamNoSys strings,
                parsed descriptions, :class:`~signspark.signs.hamnosys.SiGMLSign` (from
                :func:`~signspark.signs.hamnosys.read_sigml`) or ``(gloss, hamnosys)`` pairs; ``text``
                may then be empty (the glosses are the text).
            motion: what a take retrieved from a lexicon becomes: ``"generated"`` (the model generates the
                motion around the take's keyframes) or ``"lexicon"`` (the take's own motion, as the lexicon
                animates it; no model evaluation, ``steps`` and ``guidance`` unused; implies retrieval);
                default: the model's ``retrieval_motion``. Requests without a retrieved take (keyframes given,
                no retrieval) are always generated.
        """
        start = time.perf_counter()
        if motion is not None and motion not in RETRIEVAL_MOTIONS:
            raise ValueError(f"unknown motion {motion!r}; expected one of {list(RETRIEVAL_MOTIONS)}")
        if motion == "lexicon" and (keyframes is not None or retrieval is False):
            raise ValueError("motion='lexicon' signs a take from the lexicon: it needs text or signs, "
                             "not keyframes and not retrieval=False")
        steps = check("steps", steps, label="steps")
        speed = check("speed", speed, label="speed")
        seed = check("seed", seed, label="seed")
        num_frames = check("frames", num_frames, label="frames")
        if guidance is not None:
            guidance = check("guidance", guidance, label="guidance")
        if isinstance(keyframes, PoseSequence):
            keyframes = Keyframes.from_pose_sequence(keyframes)
        if (lexicon is not None or signs is not None) and keyframes is not None:
            raise ValueError("give keyframes, or signs / a lexicon to take them from, not both")
        code = get_language(lang, allowed=self.languages).code
        tokens = None
        if signs is not None:
            from signspark.signs.hamnosys.lexicon import sign_sequence
            from signspark.signs.lexicon import is_pause

            lexicon, tokens = sign_sequence(signs, code)
            if not (text or "").strip():
                text = " ".join(t for t in tokens if not is_pause(t))
        text = self._check_text(text, required=keyframes is None)
        if generator is None:
            if seed is None:
                seed = int(torch.randint(0, 2**31 - 1, (1,)).item())
            generator = torch.Generator().manual_seed(int(seed))
        text_emb = self.encode_text(text, code)
        retrieved = None
        use_retrieval = (self.retrieval is not None) if retrieval is None else bool(retrieval)
        if lexicon is not None and retrieval is False:
            raise ValueError("signs / a lexicon give keyframes: they cannot be used without retrieval")
        if keyframes is None and (use_retrieval or lexicon is not None or motion == "lexicon"):
            retrieved = self._retrieve(text, code, speed, seed, lexicon, tokens)
            if num_frames is None and retrieved.num_frames > MAX_FRAMES:
                raise ValueError(f"signing this text at speed {speed:g} takes {retrieved.num_frames} frames; the limit "
                                 f"is {MAX_FRAMES}: use shorter text or a higher speed")
            if num_frames is not None:
                self._num_frames(text, code, text_emb, num_frames, speed, None)  # validates the range
                retrieved = retime(retrieved, int(num_frames))
            if (motion or self.retrieval_motion) == "lexicon":
                return self._lexicon_output(retrieved, text, segmenter, seed, start)
            # The take starts and ends at rest: holding its first and last frame too lets the model draw
            # the rise to the first sign and the return after the last between poses it knows (a model
            # whose path starts and ends at rest by itself, anchor "keyframes+rest", does not need them).
            held = retrieved.keyframes if self._path_ends_at_rest else \
                np.union1d(retrieved.keyframes, [0, retrieved.num_frames - 1])
            keyframes = Keyframes.from_pose_sequence(retrieved, held)
            num_frames = None
        T = self._num_frames(text, code, text_emb, num_frames, speed, keyframes)
        kf = mask = None
        if keyframes is not None:
            from signspark.flow.multistream import padded_length

            kf, mask = keyframes.condition(T, padded_length(T, self.frame_multiple))
        from signspark.flow.multistream import features_to_numpy, sample_full_body

        feats, nfe = sample_full_body(self.models, text_emb, [T], keyframes=kf, keyframe_mask=mask, steps=steps,
                                      sampler=sampler, guidance=guidance, generator=generator, device=self.device,
                                      frame_multiple=self.frame_multiple)
        if self.smoothing > 0:
            from signspark.flow.anchor import smooth_between_keyframes

            held = None if mask is None else mask[:1, :, :T].to(feats.device)
            feats = smooth_between_keyframes(feats[:1, :, :T].float(), held, self.smoothing)
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
        out = GenerationOutput(pose=pose, features=features, nfe=nfe, steps=int(steps), sampler=sampler,
                               guidance=g, seconds=0.0, seed=seed)
        annotate(out, segmenter, "lexicon" if retrieved is not None else "")
        out.seconds = time.perf_counter() - start
        return out

    def _lexicon_output(self, take: PoseSequence, text: str, segmenter, seed: int | None,
                        start: float) -> GenerationOutput:
        """A retrieved take as the clip itself (``motion="lexicon"``): its poses, segments, glosses and
        keyframes; no model evaluation."""
        from signspark.pose.streams import params_to_full

        pose = PoseSequence(params={k: np.asarray(v, np.float32).copy() for k, v in take.params.items()},
                            betas=take.betas.copy(), fps=take.fps, language=take.language, text=text,
                            gloss=take.gloss, segments=take.segments.copy(), keyframes=take.keyframes.copy())
        features = params_to_full(pose.params).numpy().astype(np.float32)
        out = GenerationOutput(pose=pose, features=features, nfe=0, steps=0, sampler="lexicon", guidance=None,
                               seconds=0.0, seed=seed)
        annotate(out, segmenter, "lexicon")
        out.seconds = time.perf_counter() - start
        return out

    def _retrieve(self, text: str, lang: str, speed: float, seed: int | None, given=None,
                  tokens: list[str] | None = None) -> PoseSequence:
        """The lexicon's take of ``text`` (segments, labels and keyframes: each sign's onset, middle and
        offset, and the turning points of signs with a path). ``given``: a lexicon used before the
        language's own; ``tokens``: its signs to sign, in order, instead of reading the text."""
        from signspark.signs.lexicon import LexiconChain, lexicon_for
        from signspark.signs.takes import sign_text, take

        seed = 0 if seed is None else int(seed)
        if tokens is not None:
            return take(tokens, given, text=text, seed=seed, speed=speed, fps=self.fps)
        lexicon = None
        if self.retrieval == "fingerspelling":
            from signspark.signs.fingerspelling import AlphabetLexicon

            lexicon = AlphabetLexicon(lang)
        lexicon = lexicon or lexicon_for(lang)
        if given is not None:
            lexicon = LexiconChain([given, lexicon])
        return sign_text(text, lang, seed=seed, speed=speed, fps=self.fps, lexicon=lexicon)

    def text_to_video(self, text: str, lang: str, folder: str | os.PathLike, *, stem: str | None = None,
                      render=None, ply_frame: int | None = None, npz: bool = True, segments: bool = True,
                      keyframes: Keyframes | PoseSequence | None = None, segmenter=None,
                      max_frames: int | None = None, progress: Callable[[int, int], None] | None = None,
                      also=None, left_handed: bool = False, glb: bool = False,
                      on_chunk: Callable[[Any], None] | None = None,
                      on_generated: Callable[[GenerationOutput], None] | None = None, **kwargs):
        """Text (and/or keyframes) -> finished files in ``folder``: the one call from a request to a video.

        Generates the clip (see :meth:`__call__`; ``kwargs`` are its options, among them ``signs=``
        (HamNoSys / SiGML signs to sign in order) and ``lexicon=`` (a user lexicon)), finds segments with
        ``segmenter`` when the lexicon gave none, then writes ``<stem>.mp4`` (``render``: a
        :class:`signspark.render.RenderOptions`, default front view with captions), the avatar at
        ``ply_frame`` as ``.ply`` (None: none), the PoseSequence ``.npz`` and the segments as JSON
        and ELAN (see :func:`signspark.outputs.write_outputs`). A clip longer than ``max_frames``
        is refused (ValueError) before anything is written.

        ``left_handed`` mirrors the signing (a left-handed signer, on the pose; the returned
        output's ``pose`` is the mirrored one), ``glb`` adds the animated ``<stem>.glb``, and
        ``on_chunk(VideoChunk)`` receives the video in short finished pieces while it renders
        (see :func:`signspark.outputs.write_outputs`); ``on_generated(out)`` is called with the
        generated clip before its files are written (a page can show its timing meanwhile).

        Returns:
            ``(GenerationOutput, OutputFiles)``.
        """
        from signspark.outputs import file_stem, write_outputs

        if render is None:
            from signspark.render import RenderOptions

            render = RenderOptions(caption=True, highlight_keyframes=False)
        render = render.resolved()  # a bad view or backend is refused before the work
        out = self(text, lang, keyframes=keyframes, segmenter=segmenter, **kwargs)
        if max_frames is not None and out.num_frames > max_frames:
            raise ValueError(f"the clip would have {out.num_frames} frames ({out.num_frames / out.pose.fps:.1f} s); "
                             f"the limit here is {max_frames}: use shorter text or a higher signing speed")
        if left_handed:
            from signspark.outputs import left_handed_output

            out = left_handed_output(out)
        if on_generated is not None:
            on_generated(out)
        files = write_outputs(out, folder, stem or file_stem(out.pose.text or text), video=render, ply_frame=ply_frame,
                              npz=npz, segments=segments, progress=progress, also=also, glb=glb, on_chunk=on_chunk)
        return out, files

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
        """Write a single-stream generator in our folder format: config.json + model.safetensors (the UNet),
        the length model as the component ``length_model/``."""
        from signspark import hub

        if len(self.models) != 1:
            raise ValueError("only single-stream generators are saved in the SignSparK format")
        stream, model = next(iter(self.models.items()))
        components = {LENGTH_MODEL: self.length_model} if self.length_model is not None else {}
        cfg = generator_config(model.config.to_dict(), stream, self.text_encoder.config(), self.languages,
                               None, self.seq_len, self.fps, self.tag_template, self.retrieval, self.retrieval_motion,
                               self.smoothing)
        return hub.save_pretrained(folder, model, cfg, card=card, components=components)


def annotate(out: GenerationOutput, segmenter=None, source: str = "") -> GenerationOutput:
    """Fill in a clip's segments, BIO tags, per-sign labels and keyframes (in place).

    Segments the clip already has (from the lexicon) are kept; otherwise ``segmenter``
    (FAST, :class:`signspark.segment.Segmenter`) finds them, and their onset/middle/offset
    become the keyframes if none were held. Labels are the clip's gloss when it names one
    sign per segment, else the signs the language's lexicon reads in the text when their
    number matches.
    """
    seq = out.pose
    if len(seq.segments):
        out.segments_from = source or "given"
    elif segmenter is not None:
        from signspark.pose.hand_features import hand_features

        result = segmenter.segment_clip(*hand_features(seq))
        seq.segments = np.asarray(result.segments, np.int64).reshape(-1, 2)
        out.segments_from = "fast"
    if not len(seq.segments):
        return out
    out.tags = segments_to_tags(seq.segments, seq.num_frames)
    if len(seq.keyframes) == 0:
        seq.keyframes = np.asarray(select_keyframes(seq.segments.tolist(), "onset_middle_offset"), np.int64)
    names = seq.gloss.split()
    if len(names) != len(seq.segments):
        names = _text_signs(seq.text, seq.language)
    out.labels = names if len(names) == len(seq.segments) else None
    return out


def _text_signs(text: str, language: str) -> list[str]:
    """The signs the language's lexicon reads in ``text`` ([] when it cannot)."""
    if not text or not language:
        return []
    import warnings

    from signspark.signs.lexicon import is_pause, lexicon_for

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return [t for t in lexicon_for(language).tokens(text) if not is_pause(t)]
    except (ValueError, LookupError):
        return []


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
