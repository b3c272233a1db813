"""A lexicon of signs written in HamNoSys: glosses -> parsed descriptions -> animated key poses.

:class:`HamNoSysLexicon` implements :class:`~signspark.signs.lexicon.Lexicon` for entries
``{gloss: HamNoSys}`` (a string of Private Use Area characters or symbol names, or an already parsed
:class:`~.description.SignDescription`, e.g. from gestural SiGML):

* :meth:`~HamNoSysLexicon.tokens` / :meth:`~HamNoSysLexicon.lookup`: words -> glosses, case-insensitive
  after Unicode normalisation (NFKC, case folding: ``Straße`` = ``STRASSE``); a gloss written with
  underscores is a phrase (``MORGEN_FRÜH`` = "morgen früh"), and a variant suffix (``VATER_1``,
  ``NEIN_A``) may be left out (the first such variant answers). Phrases of up to
  :data:`MAX_PHRASE_WORDS` words, longest first. Alone, a word it does not know is an error; in a
  :class:`~signspark.signs.lexicon.LexiconChain` before the manual alphabet it is fingerspelled;
* :meth:`~HamNoSysLexicon.describe`: the parsed sign; :meth:`~HamNoSysLexicon.form`: its key poses
  (:func:`.animator.animate`), kept in memory per (gloss, signer) and on disk per (notation, signer)
  (:mod:`.form_cache`: a sign animated once on a machine is read back afterwards).

:func:`sign_sequence` turns given signs (HamNoSys strings, descriptions, SiGML signs, or
``(gloss, sign)`` pairs) into a lexicon and the tokens of a take that signs them in order.
"""

from __future__ import annotations

import collections
import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping

from ..lexicon import PAUSE, Lexicon, SignForm, is_pause, split_words
from ..signers import Signer
from .form_cache import animate_cached
from .description import SignDescription
from .errors import HamNoSysError
from .parser import parse
from .sigml import SiGMLSign

__all__ = ["HamNoSysLexicon", "sign_sequence", "normalise_words", "MAX_PHRASE_WORDS", "MAX_ENTRIES",
           "MAX_SIGNS"]

MAX_PHRASE_WORDS = 4
MAX_ENTRIES = 100_000     # entries of one lexicon
MAX_SIGNS = 50            # signs given for one take (sign_sequence)
_CACHE = 512              # animated forms kept per lexicon
_VARIANT = re.compile(r"_(\d+|[A-Za-z])$")


def normalise_words(text: str) -> str:
    """Text -> the form words are matched in: NFKC, case-folded, underscores and runs of spaces as one
    space (``"MORGEN_FRÜH"`` -> ``"morgen früh"``)."""
    t = unicodedata.normalize("NFKC", text).casefold().replace("_", " ")
    return " ".join(t.split())


class HamNoSysLexicon(Lexicon):
    """Signs written in HamNoSys (see the module docstring).

    Args:
        entries: ``{gloss: HamNoSys string or SignDescription}`` (at most :data:`MAX_ENTRIES`).
        language: the sign-language code the signs belong to (``"DGS"``); any string of letters/digits.
        parsed: ``{gloss: SignDescription}`` already parsed from those strings by the caller (they are
            not parsed again); optional.
        checked: the caller knows that every string parses (e.g. from an earlier run): each is parsed
            when its sign is first described, not here.

    Raises:
        HamNoSysError: an entry does not parse (the message names the gloss).
        ValueError: an empty gloss, too many entries.
    """

    kind = "hamnosys"

    def __init__(self, entries: Mapping[str, str | SignDescription], language: str,
                 parsed: Mapping[str, SignDescription] | None = None, checked: bool = False):
        if len(entries) > MAX_ENTRIES:
            raise ValueError(f"a HamNoSys lexicon holds at most {MAX_ENTRIES} entries, got {len(entries)}")
        self.language = str(language).upper()
        self.entries: Mapping[str, SignDescription] = _Descriptions()
        self.hamnosys: dict[str, str] = {}
        self._keys: dict[str, str] = {}
        aliases: dict[str, str] = {}
        for gloss, sign in entries.items():
            if not isinstance(gloss, str) or not gloss.strip() or is_pause(gloss):
                raise ValueError(f"bad gloss {gloss!r}: a gloss is a non-empty name")
            gloss = gloss.strip()
            if isinstance(sign, str):
                try:
                    desc = parsed.get(gloss) if parsed is not None else None
                    if not isinstance(desc, SignDescription):
                        desc = sign if checked else parse(sign)
                except HamNoSysError as exc:
                    raise type(exc)(f"{gloss}: {exc}", symbol=exc.symbol, position=exc.position,
                                    reason=exc.reason) from None
                self.hamnosys[gloss] = sign
            elif isinstance(sign, SignDescription):
                desc = sign
            else:
                raise TypeError(f"{gloss}: expected a HamNoSys string or a SignDescription, got "
                                f"{type(sign).__name__}")
            self.entries.add(gloss, desc)
            self._keys.setdefault(normalise_words(gloss), gloss)
            base = _VARIANT.sub("", gloss)
            if base != gloss and base:
                aliases.setdefault(normalise_words(base), gloss)
        for key, gloss in aliases.items():
            self._keys.setdefault(key, gloss)
        self._forms: collections.OrderedDict = collections.OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.entries)

    def lookup(self, words: list[str], start: int) -> tuple[str, int] | None:
        """The gloss of the longest phrase at ``words[start]`` (words separated by :data:`PAUSE` entries,
        as :func:`~signspark.signs.lexicon.split_words` gives them): ``(gloss, number of words)`` or None."""
        for n in range(MAX_PHRASE_WORDS, 0, -1):
            idx = [start + 2 * k for k in range(n)]
            if idx[-1] >= len(words) or any(words[j - 1] != PAUSE for j in idx[1:]):
                continue
            gloss = self._keys.get(normalise_words(" ".join(words[j] for j in idx)))
            if gloss is not None:
                return gloss, n
        return None

    def tokens(self, text: str) -> list[str]:
        words = split_words(text)
        out, unknown, i = [], [], 0
        while i < len(words):
            if is_pause(words[i]):
                out.append(words[i])
                i += 1
                continue
            found = self.lookup(words, i)
            if found is None:
                unknown.append(words[i])
                i += 1
                continue
            out.append(found[0])
            i += 2 * found[1] - 1
        if unknown:
            raise ValueError(f"the {self.language} HamNoSys lexicon has no sign for {unknown}; use it in a "
                             f"LexiconChain before the manual alphabet to fingerspell such words")
        if not out:
            raise ValueError(f"nothing to sign in {text!r}")
        return out

    def describe(self, name: str) -> SignDescription:
        try:
            return self.entries[name]
        except KeyError:
            raise KeyError(f"the {self.language} HamNoSys lexicon has no sign {name!r}") from None

    def form(self, name: str, signer: Signer, variant: int = 0) -> SignForm:
        """The animated sign (``variant`` is ignored: a repeated sign is signed the same way again)."""
        key = (name, signer)
        with self._lock:  # a server signs two requests at once with one lexicon
            form = self._forms.get(key)
            if form is not None:
                self._forms.move_to_end(key)
                return form
        form = animate_cached(self.describe(name), signer, name, notation=self.hamnosys.get(name))
        with self._lock:
            self._forms[key] = form
            if len(self._forms) > _CACHE:
                self._forms.popitem(last=False)
        return form

    def __contains__(self, name: str) -> bool:
        return name in self.entries


class _Descriptions(Mapping):
    """gloss -> :class:`SignDescription`; a notation known to parse is parsed when first asked for."""

    def __init__(self):
        self._items: dict[str, str | SignDescription] = {}

    def add(self, gloss: str, sign: str | SignDescription) -> None:
        self._items[gloss] = sign

    def __getitem__(self, gloss: str) -> SignDescription:
        sign = self._items[gloss]
        if isinstance(sign, str):
            try:
                sign = parse(sign)
            except HamNoSysError as exc:
                raise type(exc)(f"{gloss}: {exc}", symbol=exc.symbol, position=exc.position,
                                reason=exc.reason) from None
            self._items[gloss] = sign  # two threads may both parse it: the same description either way
        return sign

    def __contains__(self, gloss) -> bool:
        return gloss in self._items

    def __iter__(self):
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


def _gloss_of(item) -> tuple[str | None, str | SignDescription]:
    if isinstance(item, SiGMLSign):
        return item.gloss, item.description if item.description is not None else item.hamnosys
    if isinstance(item, tuple) and len(item) == 2:
        return item[0], item[1]
    if isinstance(item, (str, SignDescription)):
        return None, item
    raise TypeError(f"a sign is a HamNoSys string, a SignDescription, a SiGMLSign or a (gloss, sign) pair; "
                    f"got {type(item).__name__}")


def sign_sequence(signs: Iterable, language: str) -> tuple[HamNoSysLexicon, list[str]]:
    """Given signs, in order -> (a lexicon of them, the tokens of a take that signs them).

    Each sign is a HamNoSys string, a :class:`~.description.SignDescription`, a
    :class:`~.sigml.SiGMLSign` or a ``(gloss, sign)`` pair; a sign without a gloss is called ``SIGN1``,
    ``SIGN2``, ... by its position. The same gloss given twice with different notation gets a suffix
    (``KIND~2``). At most :data:`MAX_SIGNS` signs.

    Raises:
        ValueError: no signs, too many, or one that does not parse (:class:`~.errors.HamNoSysError`,
            naming the sign).
    """
    items = list(signs)
    if not items:
        raise ValueError("no signs given")
    if len(items) > MAX_SIGNS:
        raise ValueError(f"at most {MAX_SIGNS} signs per take, got {len(items)}")
    entries: dict[str, str | SignDescription] = {}
    tokens: list[str] = []
    for k, item in enumerate(items, 1):
        gloss, sign = _gloss_of(item)
        gloss = (gloss or "").strip() or f"SIGN{k}"
        name, n = gloss, 1
        while name in entries and entries[name] != sign:
            n += 1
            name = f"{gloss}~{n}"
        entries[name] = sign
        if tokens:
            tokens.append(PAUSE)
        tokens.append(name)
    return HamNoSysLexicon(entries, language), tokens
