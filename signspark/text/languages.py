"""Sign languages the project knows, and the official language-tag text prefix.

The official models see ``"<{language}> {translation}"`` (e.g. ``"<ASL> hello"``).
Tags come from the data; a checkpoint may override the template or the set of
languages through its config.
"""

from __future__ import annotations

import dataclasses

__all__ = ["SignLanguage", "LANGUAGES", "UnknownLanguageError", "get_language", "tag_text", "DEFAULT_TAG_TEMPLATE"]

DEFAULT_TAG_TEMPLATE = "<{code}> {text}"


@dataclasses.dataclass(frozen=True)
class SignLanguage:
    """A sign language and the spoken language its input text is written in."""

    code: str          # "ASL"
    name: str          # "American Sign Language"
    spoken: str        # ISO 639-1 code of the input text, e.g. "en"
    spoken_name: str   # "English"


LANGUAGES: dict[str, SignLanguage] = {
    "ASL": SignLanguage("ASL", "American Sign Language", "en", "English"),
    "BSL": SignLanguage("BSL", "British Sign Language", "en", "English"),
    "DGS": SignLanguage("DGS", "German Sign Language (Deutsche Gebärdensprache)", "de", "German"),
    "CSL": SignLanguage("CSL", "Chinese Sign Language", "zh", "Chinese"),
}


class UnknownLanguageError(ValueError):
    """The requested sign language is not supported by this model."""


def get_language(code: str, allowed: "list[str] | None" = None) -> SignLanguage:
    """Look up a sign language by code (case-insensitive).

    ``allowed`` restricts the choice to what a checkpoint was trained on.
    """
    key = (code or "").strip().upper()
    choices = allowed if allowed is not None else list(LANGUAGES)
    if key not in LANGUAGES or key not in choices:
        raise UnknownLanguageError(
            f"unknown sign language {code!r}; this model supports {', '.join(choices)}")
    return LANGUAGES[key]


def tag_text(text: str, code: str, template: str = DEFAULT_TAG_TEMPLATE) -> str:
    """Prefix text with its language tag, e.g. ``tag_text("hello", "ASL") == "<ASL> hello"``."""
    return template.format(code=code, text=text)
