"""The DSGS lexicon that signs: German text -> DSGS glosses and fingerspelling -> animated key poses.

:class:`DSGSLexicon` joins the gloss index (:class:`~.index.GlossIndex`: lemmas, variants,
compounds, numbers, dropped function words) with the HamNoSys animator
(:class:`~signspark.signs.hamnosys.lexicon.HamNoSysLexicon`) for the signs and the DSGS manual
alphabet (:class:`~signspark.signs.fingerspelling.AlphabetLexicon`) for the ``FA:`` letters of words
without a sign. It signs any text itself (``complete``), so :func:`signspark.signs.lexicon.lexicon_for`
returns it as it is. Only entries whose HamNoSys parses are kept: every gloss it names animates (which
ones parse is kept on disk between runs, :func:`unparsable`; each sign is parsed when first signed).

Example::

    >>> lex = dsgs_lexicon("DSGS")
    >>> lex.tokens("Die Kinder lernen")
    ['KINDER', ' ', 'LERNEN']
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import Any

from ..lexicon import Lexicon, SignForm
from ..signers import Signer
from .glossing import is_fingerspelled, letter_of

__all__ = ["DSGSLexicon", "dsgs_lexicon", "unparsable"]


class DSGSLexicon(Lexicon):
    """Swiss German Sign Language: glosses of the ``signwriting`` package's lexicon, fingerspelling otherwise."""

    kind = "dsgs"
    complete = True

    def __init__(self):
        from ..fingerspelling import AlphabetLexicon
        from ..hamnosys.lexicon import HamNoSysLexicon
        from .entries import load_entries
        from .index import GlossIndex

        self.language = "DSGS"
        signed = [e for e in load_entries() if e.names and e.has_hamnosys]
        # a few entries of the source have broken notation: their words are fingerspelled
        broken, parsed = unparsable([e.hamnosys[0] for e in signed])
        self.index = GlossIndex([e for e in signed if e.hamnosys[0] not in broken], hamnosys_only=True)
        notations = self.index.hamnosys
        self.signs = HamNoSysLexicon(notations, self.language, checked=True,
                                     parsed={g: parsed[n] for g, n in notations.items() if n in parsed})
        self.alphabet = AlphabetLexicon(self.language)

    def tokens(self, text: str) -> list[str]:
        return self.index.tokens(text)

    def describe(self, name: str) -> Any:
        if is_fingerspelled(name):
            return self.alphabet.describe(letter_of(name))
        return self.index.describe(name)

    def form(self, name: str, signer: Signer, variant: int = 0) -> SignForm:
        if is_fingerspelled(name):
            return self.alphabet.form(letter_of(name), signer, variant)
        return self.signs.form(name, signer, variant)

    def __contains__(self, name: str) -> bool:
        if is_fingerspelled(name):
            return letter_of(name) in self.alphabet
        return name in self.signs

    def names(self) -> list[str]:
        """Every gloss this lexicon can sign (corpus building)."""
        return list(self.index.hamnosys)


def unparsable(notations: list[str], folder: Path | None = None) -> tuple[set[str], dict]:
    """The notations among ``notations`` that do not parse, and the descriptions of those that do (parsed
    here) or ``{}`` (not parsed: the answer was kept from an earlier run).

    Parsing the whole lexicon takes about 0.4 s, so the answer is kept in ``<cache>/lexicons/``, keyed
    by the notations and the fingerprint of the code that reads them
    (:func:`~signspark.signs.cache_keys.code_fingerprint`); a missing, damaged or foreign file
    means they are parsed again (and the file written again, atomically). The signs are then parsed when
    first signed.
    """
    from ..cache_keys import cache_dir, code_fingerprint
    from ..hamnosys import HamNoSysError, parse

    unique = sorted(set(notations))
    key = hashlib.sha256("\0".join([code_fingerprint(), *unique]).encode()).hexdigest()
    folder = cache_dir() / "lexicons" if folder is None else folder
    path = folder / f"dsgs-unparsable-{key[:32]}.json"
    try:
        from signspark.safe_json import load_json

        data = load_json(path, max_bytes=1 << 20)
        broken = data["unparsable"]
        if data.get("key") != key or not isinstance(broken, list) or not set(broken) <= set(unique):
            raise ValueError("another lexicon's answer")
        return set(broken), {}
    except Exception:  # noqa: BLE001 - absent, damaged or foreign: parse them
        pass
    broken, parsed = set(), {}
    for n in unique:
        try:
            parsed[n] = parse(n)
        except HamNoSysError:
            broken.add(n)
    try:
        from signspark.atomic import atomic_file

        with atomic_file(path, "w") as fh:
            json.dump({"key": key, "unparsable": sorted(broken)}, fh, ensure_ascii=True)
        for old in folder.glob("dsgs-unparsable-*.json"):  # answers for older code or data
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only cache: parsed again next time
    return broken, parsed


@functools.cache
def dsgs_lexicon(language: str = "DSGS") -> DSGSLexicon:
    """The factory the DSGS registry record names in ``lexicons`` (built once, then shared)."""
    if str(language).upper() != "DSGS":
        raise ValueError(f"the DSGS lexicon serves DSGS only, not {language!r}")
    return DSGSLexicon()
