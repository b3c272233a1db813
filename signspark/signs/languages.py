"""The sign-language registry: one :class:`SignLanguage` record per language.

Everything the code knows about a language in general lives in its record: codes,
the spoken language and script of its input text, whether text is counted in words
or characters, how text is fingerspelled and with which alphabet, which lexicons it
has, and the examples the demo offers. Hub model cards, the pipeline, evaluation,
the corpus generator, the CLI and the demo all read this registry; adding a
language is one :func:`register_language` call (or one entry below) plus its data
files (an alphabet module, lexicons).

The official models see ``"<{code}> {text}"`` (e.g. ``"<ASL> hello"``); a
checkpoint may override the template or restrict the languages through its config.

Example::

    >>> get_language("asl").iso639_3
    'ase'
    >>> tag_text("hello", "ASL")
    '<ASL> hello'
"""

from __future__ import annotations

import dataclasses
import importlib
from typing import Any

__all__ = ["SignLanguage", "LANGUAGES", "UnknownLanguageError", "get_language", "register_language",
           "unregister_language", "tag_text", "resolve", "DEFAULT_TAG_TEMPLATE", "SPELLINGS"]

DEFAULT_TAG_TEMPLATE = "<{code}> {text}"
SPELLINGS = ("latin", "german", "swiss_german", "pinyin")


@dataclasses.dataclass(frozen=True)
class SignLanguage:
    """A sign language and how text in its spoken language becomes signs.

    Attributes:
        code: the tag the models see and users type (``"ASL"``), upper case.
        name: English name.
        spoken: ISO 639-1 code of the input text (``"en"``).
        spoken_name: the spoken language's name in that language (``"English"``, ``"Deutsch"``).
        iso639_3: ISO 639-3 code of the sign language (``"ase"``); model cards list it.
        script: ISO 15924 script of the input text (``"Latn"``, ``"Hani"``).
        text_unit: ``"word"`` or ``"character"``: how text is counted (length fallback,
            back-translation scores).
        spelling: how text becomes letters of the manual alphabet: ``"latin"`` (A-Z, digits,
            accents dropped), ``"german"`` (plus Ä Ö Ü ß SCH), ``"swiss_german"`` (plus Ä Ö Ü SCH CH;
            ß spelled SS) or ``"pinyin"`` (Chinese through pinyin).
        alphabet: the manual alphabet, as ``"module:attribute"`` (loaded on first use) or an
            :class:`~signspark.signs.alphabets.Alphabet`.
        lexicons: sign lexicons tried before fingerspelling, each ``"module:factory"`` (a function
            of the language code returning a :class:`~signspark.signs.lexicon.Lexicon`) or a factory.
        examples: example texts the demo offers.
        two_handed_alphabet: the manual alphabet uses both hands (BSL).
    """

    code: str
    name: str
    spoken: str
    spoken_name: str
    iso639_3: str
    script: str = "Latn"
    text_unit: str = "word"
    spelling: str = "latin"
    alphabet: Any = None
    lexicons: tuple = ()
    examples: tuple[str, ...] = ()
    two_handed_alphabet: bool = False

    def __post_init__(self):
        if not self.code or self.code != self.code.upper() or not self.code.isalnum():
            raise ValueError(f"a sign language code is upper-case letters/digits, got {self.code!r}")
        if self.text_unit not in ("word", "character"):
            raise ValueError(f"{self.code}: text_unit must be 'word' or 'character', got {self.text_unit!r}")
        if self.spelling not in SPELLINGS:
            raise ValueError(f"{self.code}: spelling must be one of {SPELLINGS}, got {self.spelling!r}")

    @property
    def label(self) -> str:
        """Menu label, e.g. ``"ASL (English)"``."""
        return f"{self.code} ({self.spoken_name})"

    def get_alphabet(self):
        """The manual alphabet (:class:`~signspark.signs.alphabets.Alphabet`)."""
        if self.alphabet is None:
            raise LookupError(f"{self.code} has no manual alphabet")
        return resolve(self.alphabet)


def resolve(ref: Any) -> Any:
    """``"package.module:attribute"`` -> that attribute (imported on first use); other values unchanged."""
    if not isinstance(ref, str):
        return ref
    module, _, attr = ref.partition(":")
    obj = importlib.import_module(module)
    return getattr(obj, attr) if attr else obj


_ALPHABETS = "signspark.signs.alphabets"

LANGUAGES: dict[str, SignLanguage] = {}


def register_language(language: SignLanguage, replace: bool = False) -> SignLanguage:
    """Add a language to the registry (``replace=True`` to overwrite an existing code)."""
    if language.code in LANGUAGES and not replace:
        raise ValueError(f"sign language {language.code!r} is already registered")
    LANGUAGES[language.code] = language
    return language


def unregister_language(code: str) -> None:
    """Remove a language from the registry (tests, plug-ins)."""
    LANGUAGES.pop(code.upper(), None)


for _lang in (
    SignLanguage("ASL", "American Sign Language", "en", "English", "ase", alphabet=f"{_ALPHABETS}.asl:ALPHABET",
                 examples=("hello", "sign language")),
    SignLanguage("BSL", "British Sign Language", "en", "English", "bfi", alphabet=f"{_ALPHABETS}.bsl:ALPHABET",
                 examples=("hello",), two_handed_alphabet=True),
    SignLanguage("DGS", "German Sign Language (Deutsche Gebärdensprache)", "de", "Deutsch", "gsg",
                 spelling="german", alphabet=f"{_ALPHABETS}.dgs:ALPHABET", examples=("Hallo", "Grüße")),
    SignLanguage("CSL", "Chinese Sign Language", "zh", "中文", "csl", script="Hani", text_unit="character",
                 spelling="pinyin", alphabet=f"{_ALPHABETS}.csl:ALPHABET", examples=("你好", "谢谢")),
    # Swiss German Sign Language: Swiss Standard German text (no ß), lexical signs from the DSGS lexicon
    # that the signwriting package ships (glosses, HamNoSys, SignWriting), fingerspelling for the rest.
    SignLanguage("DSGS", "Swiss German Sign Language (Deutschschweizerische Gebärdensprache)", "de", "Deutsch", "sgg",
                 spelling="swiss_german", alphabet=f"{_ALPHABETS}.dsgs:ALPHABET",
                 lexicons=("signspark.signs.dsgs.lexicon:dsgs_lexicon",),
                 examples=("Die Kinder lernen", "Mein Freund wohnt in Zürich", "Morgen regnet es")),
):
    register_language(_lang)


class UnknownLanguageError(ValueError):
    """The requested sign language is not supported (by the registry or by this model)."""


def get_language(code: str, allowed: "list[str] | None" = None) -> SignLanguage:
    """Look up a sign language by code (case-insensitive).

    ``allowed`` restricts the choice to what a checkpoint was trained on.
    """
    key = (code or "").strip().upper() if isinstance(code, str) else ""
    choices = allowed if allowed is not None else list(LANGUAGES)
    if key not in LANGUAGES or key not in choices:
        raise UnknownLanguageError(
            f"unknown sign language {code!r}; {'this model supports' if allowed is not None else 'known:'} "
            f"{', '.join(choices)}")
    return LANGUAGES[key]


def tag_text(text: str, code: str, template: str = DEFAULT_TAG_TEMPLATE) -> str:
    """Prefix text with its language tag, e.g. ``tag_text("hello", "ASL") == "<ASL> hello"``."""
    return template.format(code=code, text=text)
