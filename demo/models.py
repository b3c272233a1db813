"""Which models a demo server lets its visitors choose.

A public server (the default, and the Hugging Face Space) offers the built-in model, the
official SignSparK model and the model folders its operator named at launch
(``signspark demo --allow-model DIR``); nothing a visitor types can make it read another
folder of the server or download another Hub repository. A refused choice gets one message,
the same for every refused value, so that the answers cannot be used to explore the
server's file system. ``--any-model`` (local, trusted use) lets any Hub repo id or folder
be typed into the model box.

The menu shows a folder by its name (the last parts of its path where two names agree),
never by its full path.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

__all__ = ["BUILTIN", "OFFICIAL", "ModelMenu", "ModelNotOffered", "refusal"]

BUILTIN = "built-in"
OFFICIAL = "official"
_BUILTIN_ALIASES = ("", "builtin", "built-in", "default")


class ModelNotOffered(ValueError):
    """The chosen model is not on this server's menu."""


def refusal(label: str, choices) -> str:
    """The message for a value outside a fixed menu (the same whatever the value was)."""
    return f"{label} must be one of {', '.join(str(c) for c in choices)}."


@dataclasses.dataclass(frozen=True)
class ModelMenu:
    """The models offered: built-in, official, ``folders`` (named at launch) and, with
    ``any_model``, whatever a visitor types (a Hub repo id or a folder of the server)."""

    folders: tuple[Path, ...] = ()
    any_model: bool = False

    @classmethod
    def for_launch(cls, allow: tuple | list = (), any_model: bool = False,
                   default: str | None = None) -> "tuple[ModelMenu, str]":
        """The menu for launch options, and the menu entry of the initial choice ``default``.

        Args:
            allow: model folders visitors may choose (each must exist).
            any_model: accept anything typed (a Hub repo id or a local folder).
            default: the initial choice: built-in (None), official, a folder (added to the menu)
                or, with ``any_model``, a Hub repo id.

        Raises:
            ValueError: a folder does not exist, or ``default`` is neither built-in, official nor a
                folder while ``any_model`` is off.
        """
        folders = []
        for d in allow:
            p = Path(d).expanduser()
            if not p.is_dir():
                raise ValueError(f"--allow-model {d}: no such folder")
            folders.append(p.resolve())
        key = (default or "").strip()
        if key.lower() not in _BUILTIN_ALIASES and key.lower() != OFFICIAL and not any_model:
            p = Path(key).expanduser()
            if not p.is_dir():
                raise ValueError(f"--model {key}: not a model folder here; a Hub repo id other than the official "
                                 f"model needs --any-model (local, trusted use only)")
            if p.resolve() not in folders:
                folders.append(p.resolve())
        menu = cls(tuple(folders), any_model)
        return menu, menu.entry_for(key)

    def entries(self) -> dict[str, str]:
        """``{menu entry: what is loaded}``: built-in, official, then each folder under its shortest unique name."""
        out = {BUILTIN: BUILTIN, OFFICIAL: OFFICIAL}
        depth = 1
        while True:
            names = [Path(*f.parts[-depth:]).as_posix() for f in self.folders]
            clash = len(set(names)) < len(names) or any(n.lower() in (BUILTIN, OFFICIAL) for n in names)
            if not clash or depth >= max((len(f.parts) for f in self.folders), default=1):
                break
            depth += 1
        if clash:  # the same folder twice, or nothing left to tell them apart: full paths
            names = [f.as_posix() for f in self.folders]
        out.update({n: str(f) for n, f in zip(names, self.folders)})
        return out

    def choices(self) -> list[str]:
        """The menu's entries."""
        return list(self.entries())

    def entry_for(self, choice: str | None) -> str:
        """The menu entry of a launch choice (a folder given by its path), or the choice itself."""
        key = (choice or "").strip()
        if key.lower() in _BUILTIN_ALIASES:
            return BUILTIN
        if key.lower() == OFFICIAL:
            return OFFICIAL
        p = Path(key).expanduser()
        for entry, source in self.entries().items():
            if p.is_dir() and source == str(p.resolve()):
                return entry
        return key

    def source(self, choice: str | None) -> str:
        """What to load for a visitor's choice: ``"built-in"``, ``"official"``, a folder, or (with
        ``any_model``) the text as typed.

        Raises:
            ModelNotOffered: the choice is not on the menu (one message for every refused value;
                the file system is not looked at).
        """
        key = "" if choice is None else str(choice).strip()
        if key.lower() in _BUILTIN_ALIASES:
            return BUILTIN
        if key.lower() == OFFICIAL:
            return OFFICIAL
        entries = self.entries()
        if key in entries:
            return entries[key]
        if key in entries.values():  # a folder named by the path it was launched with
            return key
        if self.any_model:
            return key
        raise ModelNotOffered(refusal("Model", entries))
