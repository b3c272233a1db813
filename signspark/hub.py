"""Model folders on disk and on the Hugging Face Hub.

This is the only module that talks to the network. Everything else receives local folders.

A SignSparK model folder holds::

    config.json          small JSON config (a dataclass serialised with ``dataclasses.asdict``)
    model.safetensors    the weights (never pickle for our own files)
    README.md            optional model card (YAML front matter + markdown), see :func:`model_card`
    <component>/         optional parts of a pipeline, each a model folder of its own (as diffusers does)

Every model class loads and saves its folder the same way, through :class:`ModelFolderMixin`::

    model.save_pretrained("runs/fast")                   # atomic: the old folder or the new one, never half
    model = FastSegmenter.from_pretrained("org/name")    # or a local folder; subfolder="length_model" for a part
    folder = load_pretrained_folder("org/name")          # the files themselves

Hub access goes through ``huggingface_hub`` and honours its cache and ``HF_HUB_OFFLINE=1``
(read at call time, so setting it after import works). Offline and not cached gives a
:class:`HubOfflineError` that says what to do.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import torch

from .atomic import atomic_dir

__all__ = [
    "HubError", "HubOfflineError", "OFFICIAL_REPO_ID", "OFFICIAL_STREAMS", "OFFICIAL_CHECKPOINT",
    "OFFICIAL_LICENCE_NOTE", "CONFIG_NAME", "WEIGHTS_NAME", "CARD_NAME",
    "hub_cache_dir", "is_offline", "check_repo_id", "load_pretrained_folder", "download_file", "download_official",
    "save_pretrained", "write_model_files", "load_safetensors", "load_config", "load_weights", "push_to_hub",
    "model_card", "ModelFolderMixin",
]

logger = logging.getLogger(__name__)

CONFIG_NAME = "config.json"
WEIGHTS_NAME = "model.safetensors"
CARD_NAME = "README.md"

OFFICIAL_REPO_ID = "LionelLow/SignSparK"
OFFICIAL_STREAMS = ("hand", "body", "face")   # no "full" checkpoint was released
OFFICIAL_CHECKPOINT = "{stream}/ema_0.9999_200000.pt"
OFFICIAL_LICENCE_NOTE = (
    "The official SignSparK checkpoints are released for non-commercial research use only. "
    "By downloading them you accept the terms on the model page (https://huggingface.co/LionelLow/SignSparK). "
    "Each file is about 5.6 GB.")

_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.\-]*(/[A-Za-z0-9][\w.\-]*)?$")
_MAX_REPO_NAME = 96  # the Hub's limit on each part of an id


class HubError(OSError):
    """A model could not be fetched from the Hub (not found, no access, bad revision)."""


class HubOfflineError(HubError):
    """The Hub cannot be reached (offline mode or no connection) and the files are not cached."""


# ---------------------------------------------------------------------------------------------
# Reading

def is_offline() -> bool:
    """True when ``HF_HUB_OFFLINE`` (or ``TRANSFORMERS_OFFLINE``) is set, read now rather than at import."""
    from huggingface_hub import constants

    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        value = os.environ.get(name)
        if value is not None and value.strip() != "":
            return value.strip().upper() in {"1", "ON", "YES", "TRUE"}
    return bool(constants.HF_HUB_OFFLINE)


def hub_cache_dir() -> Path:
    """The Hugging Face cache folder, from ``HF_HUB_CACHE`` or ``HF_HOME`` as set now."""
    from huggingface_hub import constants

    env = os.environ
    if env.get("HF_HUB_CACHE"):
        return Path(env["HF_HUB_CACHE"]).expanduser()
    if env.get("HUGGINGFACE_HUB_CACHE"):
        return Path(env["HUGGINGFACE_HUB_CACHE"]).expanduser()
    if env.get("HF_HOME"):
        return Path(env["HF_HOME"]).expanduser() / "hub"
    return Path(constants.HF_HUB_CACHE)


def _looks_like_repo_id(name: str) -> bool:
    return (bool(_REPO_ID.match(name)) and not name.startswith((".", "~")) and ".." not in name
            and all(len(part) <= _MAX_REPO_NAME for part in name.split("/")))


def check_repo_id(name: str, label: str = "repo id") -> str:
    """``name`` if it is a Hub repo id (``"org/name"`` or ``"name"``), else :class:`HubError` naming ``label``.

    For commands that only download: a local path (``../..``, ``""``) or an overlong name is refused
    here rather than taken as a folder of this machine or sent to the Hub.
    """
    text = str(name)
    if not _looks_like_repo_id(text):
        shown = repr(text) if len(text) <= 60 else f"{text[:40]!r}... ({len(text)} characters)"
        raise HubError(f"{label} {shown} is not a Hub repo id: expected 'org/name' (letters, digits, '-', '_', "
                       f"'.'; at most {_MAX_REPO_NAME} characters each, not starting with '.' and without '..')")
    return text


def _hub_errors(repo_id: str, revision: str | None, what: str):
    """Context manager turning huggingface_hub exceptions into clear :class:`HubError` messages."""
    import contextlib

    from huggingface_hub import errors

    @contextlib.contextmanager
    def guard():
        rev = f" at revision {revision!r}" if revision else ""
        try:
            yield
        except errors.LocalEntryNotFoundError as e:
            if is_offline():
                reason, hint = "offline mode is on (HF_HUB_OFFLINE=1)", "unset HF_HUB_OFFLINE and run once online"
            else:
                reason, hint = "the Hub could not be reached", "check the connection and try again"
            raise HubOfflineError(
                f"cannot get {what} of {repo_id!r}{rev}: not in the local Hugging Face cache ({hub_cache_dir()}) "
                f"and {reason}. To fix: {hint} (`signspark download` fetches files ahead of time), "
                f"or pass a local folder instead of a Hub id.") from e
        except errors.RevisionNotFoundError as e:
            raise HubError(f"revision {revision!r} does not exist in {repo_id!r}: use a branch, tag "
                           f"or commit of that repository") from e
        except errors.RepositoryNotFoundError as e:
            raise HubError(f"Hub repository {repo_id!r} was not found, or it is private/gated: check the "
                           f"name, or log in with `hf auth login` if you have access") from e
        except errors.EntryNotFoundError as e:
            raise HubError(f"{what} does not exist in {repo_id!r}{rev}") from e
        except errors.HfHubHTTPError as e:
            raise HubError(f"could not fetch {what} from {repo_id!r}{rev}: {e}") from e
        except errors.OfflineModeIsEnabled as e:
            raise HubOfflineError(f"{what} from {repo_id!r} needs the network, but offline mode is on "
                                  f"(HF_HUB_OFFLINE=1)") from e

    return guard()


def load_pretrained_folder(path_or_repo_id: str | os.PathLike, revision: str | None = None,
                           allow_patterns: Iterable[str] | None = None, repo_type: str = "model") -> Path:
    """A local folder holding the model's files.

    A local folder is returned as is. Anything else must be a Hub repo id (``"org/name"``): its
    snapshot (only the files matching ``allow_patterns``, if given) is fetched into the Hugging
    Face cache with ``huggingface_hub.snapshot_download`` (with progress bars), or found there
    when offline. ``revision`` is a branch, tag or commit hash (pin a commit for reproducibility).

    Raises:
        FileNotFoundError: a path-like argument that is not an existing folder.
        HubOfflineError: offline (or no connection) and not in the cache.
        HubError: the repository or revision does not exist, or access was refused.
    """
    path = Path(path_or_repo_id).expanduser()
    if path.is_dir():
        return path
    if path.exists():
        raise NotADirectoryError(f"{str(path)!r} is a file; expected a model folder or a Hub repo id")
    name = str(path_or_repo_id)
    if not _looks_like_repo_id(name):
        raise FileNotFoundError(f"{name!r} is neither an existing folder nor a Hub repo id like 'org/name'")

    from huggingface_hub import snapshot_download

    patterns = list(allow_patterns) if allow_patterns is not None else None
    with _hub_errors(name, revision, "the model files"):
        folder = snapshot_download(name, revision=revision, repo_type=repo_type, allow_patterns=patterns,
                                   cache_dir=hub_cache_dir(), local_files_only=is_offline())
    return Path(folder)


def download_file(repo_id: str, filename: str, revision: str | None = None,
                  local_dir: str | os.PathLike | None = None, repo_type: str = "model") -> Path:
    """Fetch one file of a Hub repository (cached; progress bar while downloading) and return its path.

    With ``local_dir`` the file is placed at ``local_dir/filename`` instead of in the cache.
    """
    from huggingface_hub import hf_hub_download

    with _hub_errors(repo_id, revision, f"file {filename!r}"):
        path = hf_hub_download(repo_id, filename, revision=revision, repo_type=repo_type,
                               cache_dir=hub_cache_dir(), local_dir=local_dir, local_files_only=is_offline())
    return Path(path)


def download_official(streams: Iterable[str] = OFFICIAL_STREAMS, revision: str | None = None,
                      repo_id: str = OFFICIAL_REPO_ID, local_dir: str | os.PathLike | None = None,
                      notice: bool = True) -> dict[str, Path]:
    """Fetch the official checkpoints ``<stream>/ema_0.9999_200000.pt``; returns ``{stream: path}``.

    These weights are for **non-commercial research use only** (see :data:`OFFICIAL_LICENCE_NOTE`);
    about 5.6 GB each. Load them with ``torch.load(path, map_location="cpu", weights_only=True, mmap=True)``.
    ``notice`` logs that licence note as a warning (the CLI prints it itself).
    """
    streams = list(dict.fromkeys(streams))
    bad = [s for s in streams if s not in OFFICIAL_STREAMS]
    if not streams or bad:
        hint = " (no 'full' checkpoint was released)" if "full" in bad else ""
        raise ValueError(f"unknown official stream(s) {bad or streams}{hint}; choose from {', '.join(OFFICIAL_STREAMS)}")
    if notice:
        logger.warning(OFFICIAL_LICENCE_NOTE)
    return {s: download_file(repo_id, OFFICIAL_CHECKPOINT.format(stream=s), revision=revision, local_dir=local_dir)
            for s in streams}


def load_safetensors(folder: str | os.PathLike, name: str = WEIGHTS_NAME,
                     device: str | torch.device = "cpu") -> dict[str, torch.Tensor]:
    """Read ``folder/name`` into a dict of tensors on ``device``."""
    from safetensors.torch import load_file

    path = Path(folder) / name
    if not path.is_file():
        raise FileNotFoundError(f"no weights file {name!r} in {str(folder)!r}; expected a folder written by "
                                f"save_pretrained (config.json + {WEIGHTS_NAME})")
    return load_file(str(path), device=str(device))


def load_config(folder: str | os.PathLike, name: str = CONFIG_NAME) -> dict[str, Any]:
    """Read ``folder/config.json`` as a dict."""
    path = Path(folder) / name
    if not path.is_file():
        raise FileNotFoundError(f"no {name} in {str(folder)!r}; expected a model folder written by save_pretrained")
    from .safe_json import load_json

    data = load_json(path)  # size, nesting and numbers checked: a folder may come from anyone
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object, got {type(data).__name__}")
    return data


# ---------------------------------------------------------------------------------------------
# Writing

def _tensors_for_saving(tensors_or_module: torch.nn.Module | Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    state = tensors_or_module.state_dict() if isinstance(tensors_or_module, torch.nn.Module) else tensors_or_module
    out: dict[str, torch.Tensor] = {}
    seen: set[int] = set()
    for key, value in state.items():
        if not isinstance(value, torch.Tensor):
            raise TypeError(f"cannot save {key!r}: expected a torch.Tensor, got {type(value).__name__}")
        t = value.detach().to("cpu").contiguous()
        ptr = t.untyped_storage().data_ptr()
        if ptr in seen and t.numel() > 0:
            t = t.clone()  # safetensors refuses tensors that share memory (tied weights)
        seen.add(t.untyped_storage().data_ptr())
        out[key] = t
    return out


def _write_extra(dest: Path, content: str | bytes | os.PathLike) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        dest.write_bytes(content)
    elif isinstance(content, str):
        dest.write_text(content, encoding="utf-8")
    else:
        src = Path(content)
        if src.is_dir():
            shutil.copytree(src, dest)
        else:
            shutil.copy2(src, dest)


def _config_text(config: Mapping[str, Any] | Any) -> str:
    if dataclasses.is_dataclass(config) and not isinstance(config, type):
        config = dataclasses.asdict(config)
    if not isinstance(config, Mapping):
        raise TypeError(f"config must be a dict or a dataclass instance, got {type(config).__name__}")
    return json.dumps(dict(config), indent=2, ensure_ascii=False) + "\n"  # fails early if not serialisable


def write_model_files(folder: str | os.PathLike, tensors_or_module: torch.nn.Module | Mapping[str, torch.Tensor],
                      config: Mapping[str, Any] | Any, card: str | None = None) -> Path:
    """Write ``config.json`` + ``model.safetensors`` (+ ``README.md``) into ``folder`` as it is (not atomic:
    for a folder that is itself being written atomically, e.g. a checkpoint or a pipeline's component)."""
    from safetensors.torch import save_file

    folder = Path(folder)
    text = _config_text(config)
    tensors = _tensors_for_saving(tensors_or_module)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / CONFIG_NAME).write_text(text, encoding="utf-8")
    save_file(tensors, str(folder / WEIGHTS_NAME), metadata={"format": "pt"})
    if card is not None:
        (folder / CARD_NAME).write_text(card, encoding="utf-8")
    return folder


def save_pretrained(folder: str | os.PathLike, tensors_or_module: torch.nn.Module | Mapping[str, torch.Tensor],
                    config: Mapping[str, Any] | Any, card: str | None = None,
                    extra_files: Mapping[str, str | bytes | os.PathLike] | None = None,
                    components: Mapping[str, "ModelFolderMixin"] | None = None) -> Path:
    """Write ``config.json`` + ``model.safetensors`` (+ ``README.md``) into ``folder``, atomically.

    Everything is written into a temporary sibling folder which then replaces ``folder``: a crash
    never leaves a half-written model, and an existing folder is replaced as a whole.

    Args:
        tensors_or_module: a module (its ``state_dict()`` is saved) or a ``{name: tensor}`` dict.
        config: a JSON-serialisable dict or a dataclass instance.
        card: model card text (see :func:`model_card`), written as ``README.md``.
        extra_files: ``{relative name: content}``; ``str`` is written as UTF-8 text, ``bytes`` as is,
            a ``Path`` is copied (file or folder).
        components: ``{subfolder: model}``: parts of a pipeline, each written as a model folder of
            its own inside ``folder`` (load one with ``Model.from_pretrained(folder, subfolder=name)``).
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"{str(folder)!r} exists and is not a folder")
    _config_text(config)  # a bad config fails before anything is written
    with atomic_dir(folder) as tmp:
        write_model_files(tmp, tensors_or_module, config, card)
        for name, content in (extra_files or {}).items():
            _write_extra(tmp / _relative(name), content)
        for name, model in (components or {}).items():
            write_model_files(tmp / _relative(name), model, model.config_dict())
    return folder


def _relative(name: str) -> Path:
    rel = Path(name)
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        raise ValueError(f"file name {name!r} must be a relative path inside the model folder")
    return rel


def load_weights(model: torch.nn.Module, folder: str | os.PathLike, name: str = WEIGHTS_NAME,
                 assign: bool = False) -> torch.nn.Module:
    """Load ``folder/name`` into ``model`` (every key must match; ``assign`` for a model built on
    the meta device). Raises ValueError naming the folder when the weights do not fit the model."""
    tensors = load_safetensors(folder, name)
    missing, unexpected = model.load_state_dict(tensors, strict=False, assign=assign)
    if missing or unexpected:
        raise ValueError(f"{folder}: the weights in {name} do not match the model's config "
                         f"(missing {sorted(missing)[:5]}, unexpected {sorted(unexpected)[:5]})")
    return model


class ModelFolderMixin:
    """``save_pretrained`` / ``from_pretrained`` for a ``torch.nn.Module`` with a ``config`` dataclass.

    A subclass sets ``config_class`` (a dataclass with ``to_dict()`` or plain fields, and
    ``from_dict(dict)``); ``from_config`` builds the module from a config dict (override it when
    the constructor takes something else). Loading reads ``config.json``, builds the module and
    loads ``model.safetensors`` with every key checked.
    """

    config_class: type = None  # type: ignore[assignment]

    def config_dict(self) -> dict[str, Any]:
        config = self.config  # type: ignore[attr-defined]
        return config.to_dict() if hasattr(config, "to_dict") else dataclasses.asdict(config)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]):
        return cls(cls.config_class.from_dict(dict(config)))

    def save_pretrained(self, folder: str | os.PathLike, card: str | None = None,
                        components: Mapping[str, "ModelFolderMixin"] | None = None) -> Path:
        """Write the model folder atomically (see :func:`save_pretrained`)."""
        return save_pretrained(folder, self, self.config_dict(), card=card, components=components)

    @classmethod
    def from_pretrained(cls, path_or_repo_id: str | os.PathLike, *, subfolder: str | None = None,
                        revision: str | None = None, device: str | torch.device = "cpu",
                        dtype: torch.dtype | None = None):
        """A model folder (local or a Hub repo id; ``subfolder`` for a pipeline's component), in eval mode."""
        folder = load_pretrained_folder(path_or_repo_id, revision=revision)
        if subfolder:
            folder = folder / _relative(subfolder)
        try:
            model = cls.from_config(load_config(folder))
        except (TypeError, KeyError) as e:
            raise ValueError(f"{folder}: config.json does not describe a {cls.__name__} ({e})") from None
        load_weights(model, folder)
        return model.to(device=device, dtype=dtype).eval()


def push_to_hub(folder: str | os.PathLike, repo_id: str, token: str | None = None, private: bool = False,
                commit_message: str = "Upload SignSparK model", revision: str | None = None):
    """Create ``repo_id`` (if needed) and upload the model folder to it; returns the commit info.

    ``token`` defaults to the one saved by ``hf auth login`` (or ``HF_TOKEN``).
    """
    from huggingface_hub import HfApi

    folder = Path(folder)
    if not (folder / CONFIG_NAME).is_file():
        raise FileNotFoundError(f"{str(folder)!r} is not a model folder (no {CONFIG_NAME}); write it with save_pretrained")
    if not _looks_like_repo_id(repo_id):
        raise ValueError(f"{repo_id!r} is not a Hub repo id; expected 'user/name' or 'org/name'")
    if is_offline():
        raise HubOfflineError("cannot upload while offline mode is on (HF_HUB_OFFLINE=1)")
    api = HfApi(token=token)
    with _hub_errors(repo_id, revision, "the upload"):
        api.create_repo(repo_id=repo_id, repo_type="model", private=private, exist_ok=True)
        return api.upload_folder(folder_path=str(folder), repo_id=repo_id, repo_type="model",
                                 commit_message=commit_message, revision=revision)


def model_card(name: str, languages: Iterable[str], data: Iterable[str] | str, metrics: Mapping[str, float] | None,
               licence: str, description: str, tags: Iterable[str] = (), repo_id: str | None = None) -> str:
    """A model card (``README.md``) with Hub YAML front matter.

    Args:
        name: title of the model.
        languages: sign-language codes (``"ASL"``, ``"DGS"``...) and/or ISO language codes; sign
            languages are listed with their spoken language and ISO 639-3 code (ASL -> en, ase).
        data: the training data: Hub dataset ids (``"org/name"``, not an existing local path) are
            linked in the front matter; any other string is mentioned in the text only.
        metrics: ``{name: value}``, shown as a table.
        licence: a Hub licence id, e.g. ``"apache-2.0"`` or ``"cc-by-nc-4.0"``.
        description: markdown paragraph(s) describing the model.
        tags: extra Hub tags (``signspark`` and ``sign-language`` are always there).
        repo_id: where the card will live; adds a loading snippet.
    """
    from huggingface_hub import ModelCardData

    from signspark.signs.languages import LANGUAGES

    codes: list[str] = []
    for lang in languages:
        key = lang.strip()
        if key.upper() in LANGUAGES:
            codes += [LANGUAGES[key.upper()].spoken, LANGUAGES[key.upper()].iso639_3]
        elif key:
            codes.append(key.lower())
    codes = list(dict.fromkeys(codes))
    data = [data] if isinstance(data, str) else list(data)
    datasets = [d for d in data if "/" in d and _looks_like_repo_id(d) and not Path(d).exists()]
    meta = ModelCardData(language=codes or None, license=licence, library_name="signspark",
                         tags=list(dict.fromkeys(["signspark", "sign-language", "sign-language-production", *tags])),
                         datasets=datasets or None)
    lines = ["---", meta.to_yaml().strip(), "---", "", f"# {name}", "", description.strip(), ""]
    if data:
        lines += ["## Training data", ""] + [f"- {d}" for d in data] + [""]
    if metrics:
        lines += ["## Metrics", "", "| metric | value |", "| --- | --- |"]
        lines += [f"| {k} | {v:.4g} |" if isinstance(v, float) else f"| {k} | {v} |" for k, v in metrics.items()]
        lines.append("")
    if repo_id:
        lines += ["## Usage", "", "```python", "from signspark.hub import load_pretrained_folder", "",
                  f"folder = load_pretrained_folder({repo_id!r})  # config.json + model.safetensors", "```", ""]
    lines += [f"Licence: `{licence}`.", ""]
    return "\n".join(lines)
