"""M-CLIP (``M-CLIP/XLM-Roberta-Large-Vit-B-16Plus``): the official SignSparK text encoder.

An XLM-R-large transformer followed by ``LinearTransformation`` (1024 -> 640). A batch is
tokenised with padding to its longest text and **no truncation**; the last hidden state is
mean-pooled over the attention mask and projected to 640 dims; no L2 normalisation.

Two ways to build it::

    enc = load_mclip("M-CLIP/XLM-Roberta-Large-Vit-B-16Plus")     # Hub id or local folder
    enc = mclip_from_official_state_dict(torch.load(ckpt, weights_only=True, mmap=True),
                                         "M-CLIP/XLM-Roberta-Large-Vit-B-16Plus")   # tokenizer only
    enc.encode(["<ASL> hello"])    # (1, 640)

The model class comes from the ``multilingual-clip`` package, but its constructor downloads all
of ``xlm-roberta-large`` and fails under transformers 5 (nested ``from_pretrained``). The
subclass here builds the transformer from the base *config* alone; the weights then come from
the M-CLIP files (or the official checkpoint). ``xlm-roberta-large``'s config is known here, so
the real model needs no base download at all.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch

from signspark.text.base import DEFAULT_CACHE_SIZE, TextEncoder

__all__ = ["MCLIPTextEncoder", "TextTooLongError", "load_mclip", "mclip_from_official_state_dict",
           "MCLIP_REPO_ID", "OFFICIAL_PREFIX", "xlmr_large_config"]

logger = logging.getLogger(__name__)

MCLIP_REPO_ID = "M-CLIP/XLM-Roberta-Large-Vit-B-16Plus"
OFFICIAL_PREFIX = "text_enc_model."
TOKENIZER_FILES = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
                   "sentencepiece.bpe.model", "config.json"]
MODEL_FILES = ["config.json", "model.safetensors", "pytorch_model.bin", *TOKENIZER_FILES]
_XLMR_LARGE_NAMES = {"xlm-roberta-large", "FacebookAI/xlm-roberta-large"}


class TextTooLongError(ValueError):
    """A text has more tokens than the text encoder's position embeddings allow."""


def xlmr_large_config():
    """The ``xlm-roberta-large`` architecture (its Hub ``config.json``), built without a download."""
    import transformers

    return transformers.XLMRobertaConfig(
        vocab_size=250002, hidden_size=1024, num_hidden_layers=24, num_attention_heads=16,
        intermediate_size=4096, hidden_act="gelu", hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1,
        max_position_embeddings=514, type_vocab_size=1, initializer_range=0.02, layer_norm_eps=1e-5,
        pad_token_id=1, bos_token_id=0, eos_token_id=2, position_embedding_type="absolute")


@functools.cache
def _mclip_model_class():
    """The ``MultilingualCLIP`` subclass that builds its transformer from a config (no weights download)."""
    import transformers
    from multilingual_clip import pt_multilingual_clip

    class MCLIPModel(pt_multilingual_clip.MultilingualCLIP):
        def __init__(self, config, base_config=None, *args, **kwargs):
            transformers.PreTrainedModel.__init__(self, config, *args, **kwargs)
            if base_config is None:
                base_config = _resolve_base_config(config.modelBase, None)
            self.transformer = transformers.AutoModel.from_config(base_config)
            self.LinearTransformation = torch.nn.Linear(config.transformerDimensions, config.numDims)
            self.post_init()

    return MCLIPModel


def _no_init():
    """Skip random initialisation (every weight is loaded right after construction)."""
    try:
        from transformers.initialization import no_init_weights
    except ImportError:  # transformers 4
        try:
            from transformers.modeling_utils import no_init_weights
        except ImportError:
            return contextlib.nullcontext()
    return no_init_weights()


def _resolve_base_config(model_base: str, folder: Path | None):
    """The XLM-R config named by M-CLIP's ``modelBase``: a folder (absolute, or relative to the
    M-CLIP folder), ``xlm-roberta-large`` (known, no download), or another Hub id (config only)."""
    import transformers

    from signspark import hub

    candidates = [Path(model_base).expanduser()]
    if folder is not None and not Path(model_base).is_absolute():
        candidates.insert(0, folder / model_base)
    for c in candidates:
        if (c / "config.json").is_file():
            return transformers.AutoConfig.from_pretrained(str(c))
    if model_base in _XLMR_LARGE_NAMES:
        return xlmr_large_config()
    base = hub.load_pretrained_folder(model_base, allow_patterns=["config.json"])
    if not (base / "config.json").is_file():
        raise FileNotFoundError(f"M-CLIP's base model {model_base!r} has no config.json ({base})")
    return transformers.AutoConfig.from_pretrained(str(base))


@contextlib.contextmanager
def _quiet_transformers():
    """Silence transformers' 'model of type M-CLIP to instantiate a model of type ...' warnings."""
    import transformers

    level = transformers.logging.get_verbosity()
    transformers.logging.set_verbosity_error()
    try:
        yield
    finally:
        transformers.logging.set_verbosity(level)


def _load_tokenizer(folder: Path):
    import transformers

    with _quiet_transformers():
        try:
            return transformers.AutoTokenizer.from_pretrained(str(folder))
        except (OSError, ValueError, KeyError):
            pass
        try:  # a folder whose config.json names a model type AutoTokenizer does not know (M-CLIP)
            return transformers.XLMRobertaTokenizer.from_pretrained(str(folder))
        except (OSError, ValueError, KeyError) as e:
            raise FileNotFoundError(f"no usable XLM-R tokenizer in {folder} ({e}); expected tokenizer.json "
                                    f"or sentencepiece.bpe.model with tokenizer_config.json") from e


def _read_weights(folder: Path) -> dict[str, torch.Tensor]:
    if (folder / "model.safetensors").is_file():
        from safetensors.torch import load_file

        return load_file(str(folder / "model.safetensors"))
    if (folder / "pytorch_model.bin").is_file():
        try:  # memory-mapped: the real file is 2.2 GB
            return torch.load(folder / "pytorch_model.bin", map_location="cpu", weights_only=True, mmap=True)
        except RuntimeError:  # legacy (non-zip) serialisation cannot be memory-mapped
            return torch.load(folder / "pytorch_model.bin", map_location="cpu", weights_only=True)
    raise FileNotFoundError(f"no M-CLIP weights in {folder}: expected model.safetensors or pytorch_model.bin")


def _load_into(model: torch.nn.Module, weights: Mapping[str, torch.Tensor], where: str) -> None:
    weights = {k: v for k, v in weights.items() if not k.endswith("position_ids")}  # stale buffer in old files
    expected = model.state_dict()
    missing = sorted(set(expected) - set(weights))
    unexpected = sorted(set(weights) - set(expected))
    wrong = [f"{k}: {tuple(weights[k].shape)} vs {tuple(expected[k].shape)}"
             for k in expected if k in weights and weights[k].shape != expected[k].shape]
    if missing or unexpected or wrong:
        raise ValueError(f"M-CLIP weights from {where} do not fit the model: missing {missing[:5]}"
                         f"{'...' if len(missing) > 5 else ''}, unexpected {unexpected[:5]}"
                         f"{'...' if len(unexpected) > 5 else ''}, wrong shapes {wrong[:5]}")
    model.load_state_dict(weights, strict=True)


class MCLIPTextEncoder(TextEncoder):
    """Frozen M-CLIP text encoder (see the module docstring). Output ``(B, 640)`` float32.

    Args:
        model: a ``MultilingualCLIP`` (attributes ``transformer`` and ``LinearTransformation``).
        tokenizer: the matching XLM-R tokenizer.
        source: the config returned by :meth:`config` (how to rebuild this encoder).
        batch_size: texts per forward pass when many uncached texts arrive at once.
    """

    def __init__(self, model: torch.nn.Module, tokenizer, source: Mapping[str, Any] | None = None,
                 batch_size: int = 32, cache_size: int = DEFAULT_CACHE_SIZE):
        super().__init__(model.LinearTransformation.out_features, cache_size=cache_size)
        self.model = model
        self.tokenizer = tokenizer
        self.batch_size = int(batch_size)
        self._source = dict(source or {"type": "mclip"})
        cfg = model.transformer.config
        # XLM-R numbers positions from pad_token_id + 1, so 514 embeddings allow 512 tokens.
        self.max_tokens = int(cfg.max_position_embeddings) - int(cfg.pad_token_id or 0) - 1
        self._freeze()

    def config(self) -> dict[str, Any]:
        return dict(self._source)

    def tokenize(self, texts: list[str]) -> dict[str, torch.Tensor]:
        """Tokenise as the official code does (pad to the longest, no truncation), checking the length."""
        batch = self.tokenizer(texts, padding=True, return_tensors="pt")
        counts = batch["attention_mask"].sum(dim=1)
        too_long = [(t, int(c)) for t, c in zip(texts, counts) if c > self.max_tokens]
        if too_long:
            text, count = too_long[0]
            shown = text if len(text) <= 60 else text[:57] + "..."
            raise TextTooLongError(f"text {shown!r} has {count} tokens, more than the {self.max_tokens} the text "
                                   f"encoder can read; split it into shorter sentences")
        return batch

    def _encode(self, texts: list[str]) -> torch.Tensor:
        device = self.device
        rows = []
        for start in range(0, len(texts), self.batch_size):
            batch = {k: v.to(device) for k, v in self.tokenize(texts[start:start + self.batch_size]).items()}
            hidden = self.model.transformer(**batch)[0]                      # (B, L, 1024)
            mask = batch["attention_mask"].unsqueeze(2).to(hidden.dtype)     # (B, L, 1)
            pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1)
            rows.append(self.model.LinearTransformation(pooled).float())
        return torch.cat(rows)


def load_mclip(path_or_repo_id: str | Path = MCLIP_REPO_ID, revision: str | None = None,
               **kwargs: Any) -> MCLIPTextEncoder:
    """Load an M-CLIP text encoder from a local folder or a Hub repo id (cached; offline-aware).

    The folder holds the M-CLIP ``config.json`` (``model_type: "M-CLIP"``, ``modelBase``),
    ``model.safetensors`` or ``pytorch_model.bin``, and the XLM-R tokenizer files. ``modelBase``
    only supplies the architecture (never its weights). Extra ``kwargs`` go to :class:`MCLIPTextEncoder`.
    """
    from multilingual_clip.Config_MCLIP import MCLIPConfig

    from signspark import hub

    folder = hub.load_pretrained_folder(path_or_repo_id, revision=revision, allow_patterns=MODEL_FILES)
    config_path = folder / "config.json"
    if not config_path.is_file():
        raise FileNotFoundError(f"{folder} has no config.json; expected an M-CLIP model folder")
    raw = json.loads(config_path.read_text(encoding="utf-8"))
    if raw.get("model_type") != "M-CLIP" or "modelBase" not in raw:
        raise ValueError(f"{config_path} is not an M-CLIP config (model_type {raw.get('model_type')!r}); "
                         f"expected e.g. {MCLIP_REPO_ID}")
    config = MCLIPConfig(modelBase=raw["modelBase"], transformerDimSize=raw.get("transformerDimensions", 1024),
                         imageDimSize=raw.get("numDims", 640))
    base_config = _resolve_base_config(raw["modelBase"], folder)
    with _quiet_transformers(), _no_init():
        model = _mclip_model_class()(config, base_config=base_config)
    _load_into(model, _read_weights(folder), str(folder))
    tokenizer = _load_tokenizer(folder)
    source = {"type": "mclip", "source": str(path_or_repo_id), "revision": revision}
    return MCLIPTextEncoder(model.eval(), tokenizer, source=source, **kwargs)


def _infer_xlmr_config(weights: Mapping[str, torch.Tensor], tokenizer_folder: Path, num_attention_heads: int | None):
    """An XLM-R config whose sizes match ``weights`` (keys without the ``transformer.`` prefix)."""
    import transformers

    try:
        vocab, hidden = weights["embeddings.word_embeddings.weight"].shape
        positions = weights["embeddings.position_embeddings.weight"].shape[0]
        type_vocab = weights["embeddings.token_type_embeddings.weight"].shape[0]
        intermediate = weights["encoder.layer.0.intermediate.dense.weight"].shape[0]
    except KeyError as e:
        raise ValueError(f"the state dict has no M-CLIP transformer weight {e}; expected "
                         f"'{OFFICIAL_PREFIX}transformer.*' keys from an official SignSparK checkpoint") from None
    layers = 1 + max(int(m.group(1)) for k in weights if (m := re.match(r"encoder\.layer\.(\d+)\.", k)))
    reference = None
    if hidden == 1024 and layers == 24 and vocab == 250002:
        reference = xlmr_large_config()
    else:
        cfg_path = tokenizer_folder / "config.json"
        if cfg_path.is_file():
            raw = json.loads(cfg_path.read_text(encoding="utf-8"))
            if raw.get("model_type") == "xlm-roberta":
                reference = transformers.AutoConfig.from_pretrained(str(tokenizer_folder))
            elif raw.get("model_type") == "M-CLIP" and "modelBase" in raw:   # the M-CLIP repo itself
                reference = _resolve_base_config(raw["modelBase"], tokenizer_folder)
            if reference is not None and reference.hidden_size != hidden:
                reference = None
    heads = num_attention_heads or (reference.num_attention_heads if reference is not None else max(1, hidden // 64))
    if hidden % heads:
        raise ValueError(f"hidden size {hidden} is not divisible by {heads} attention heads; pass num_attention_heads")
    return transformers.XLMRobertaConfig(
        vocab_size=vocab, hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=heads,
        intermediate_size=intermediate, max_position_embeddings=positions, type_vocab_size=type_vocab,
        layer_norm_eps=reference.layer_norm_eps if reference is not None else 1e-5,
        hidden_act=reference.hidden_act if reference is not None else "gelu",
        pad_token_id=1, bos_token_id=0, eos_token_id=2)


def mclip_from_official_state_dict(state_dict: Mapping[str, torch.Tensor], tokenizer_path_or_repo: str | Path = MCLIP_REPO_ID,
                                   revision: str | None = None, num_attention_heads: int | None = None,
                                   **kwargs: Any) -> MCLIPTextEncoder:
    """Build M-CLIP from the ``text_enc_model.*`` weights inside an official SignSparK checkpoint.

    Only the tokenizer is fetched (from ``tokenizer_path_or_repo``: the M-CLIP repo,
    ``xlm-roberta-large`` or a local folder). The XLM-R sizes are read from the weight shapes;
    the head count (not visible in shapes) is 16 for XLM-R-large, else taken from the tokenizer
    folder's ``config.json`` (an XLM-R config, or an M-CLIP config's ``modelBase``) of the same width, else
    ``hidden // 64``, unless ``num_attention_heads`` is given. ``position_ids`` keys are ignored.
    """
    from multilingual_clip.Config_MCLIP import MCLIPConfig

    from signspark import hub

    text = {k[len(OFFICIAL_PREFIX):]: v for k, v in state_dict.items() if k.startswith(OFFICIAL_PREFIX)}
    transformer = {k[len("transformer."):]: v for k, v in text.items() if k.startswith("transformer.")}
    if not transformer or "LinearTransformation.weight" not in text:
        raise ValueError(f"no text encoder in this state dict: expected '{OFFICIAL_PREFIX}transformer.*' and "
                         f"'{OFFICIAL_PREFIX}LinearTransformation.*' keys (an official SignSparK checkpoint)")
    tok_folder = hub.load_pretrained_folder(tokenizer_path_or_repo, revision=revision, allow_patterns=TOKENIZER_FILES)
    base_config = _infer_xlmr_config(transformer, tok_folder, num_attention_heads)
    out_dim, in_dim = text["LinearTransformation.weight"].shape
    config = MCLIPConfig(modelBase="xlm-roberta-large", transformerDimSize=in_dim, imageDimSize=out_dim)
    with _quiet_transformers(), _no_init():
        model = _mclip_model_class()(config, base_config=base_config)
    _load_into(model, text, "the official checkpoint")
    tokenizer = _load_tokenizer(tok_folder)
    if len(tokenizer) > base_config.vocab_size:
        raise ValueError(f"tokenizer from {tokenizer_path_or_repo!r} has {len(tokenizer)} tokens but the checkpoint's "
                         f"embedding has {base_config.vocab_size}: use the XLM-R tokenizer that matches the checkpoint")
    source = {"type": "mclip", "weights": "official_state_dict", "tokenizer": str(tokenizer_path_or_repo),
              "revision": revision}
    return MCLIPTextEncoder(model.eval(), tokenizer, source=source, **kwargs)


def from_config(params: Mapping[str, Any], folder: str | Path | None = None,
                state_dict: Mapping[str, torch.Tensor] | None = None) -> "MCLIPTextEncoder":
    """The ``"mclip"`` entry of the text-encoder registry (:mod:`signspark.text.encoder`): ``source`` (a
    folder, relative ones looked up in ``folder`` first, or a Hub id) and ``revision``; an encoder built
    from an official checkpoint (``"weights": "official_state_dict"``) needs ``state_dict`` and ``tokenizer``."""
    revision = params.get("revision")
    if params.get("weights") == "official_state_dict":
        if state_dict is None:
            raise ValueError("this M-CLIP encoder takes its weights from the official checkpoint: "
                             "pass state_dict=<the checkpoint's state dict>")
        return mclip_from_official_state_dict(state_dict, _in_folder(params["tokenizer"], folder), revision=revision)
    if "source" not in params:
        raise ValueError("an 'mclip' text encoder config needs a 'source' (folder or Hub id)")
    return load_mclip(_in_folder(params["source"], folder), revision=revision)


def _in_folder(source: str, folder: str | Path | None) -> str:
    if folder is not None and not Path(source).is_absolute() and (Path(folder) / source).exists():
        return str(Path(folder) / source)
    return source
