"""German words -> lookup keys: Swiss spelling in upper case, and lemmas through ``simplemma``.

Gloss names are upper case and use Swiss spelling (``GROSS``, never ``GROß``), so a word's key is its
upper case with ß written SS (:func:`key`). :func:`lemma_keys` adds the keys of its lemmas
(``Kindern`` -> ``KIND``, ``lernt`` -> ``LERNEN``, ``große`` -> ``GROSS``): ``simplemma`` (MIT; its
German data ships in the wheel, nothing is downloaded) is asked for the word as written and in lower
case, since a capitalised word at the start of a sentence may be a verb or an adjective.
"""

from __future__ import annotations

import functools

__all__ = ["key", "lemma_keys", "lemmatizer", "LemmatizerMissing"]


class LemmatizerMissing(ImportError):
    """``simplemma`` is not installed."""


def key(word: str) -> str:
    """A word as gloss names write it: upper case, ß as SS (``"Straße"`` -> ``"STRASSE"``)."""
    return word.upper().replace("ẞ", "SS")


@functools.lru_cache(maxsize=1)
def lemmatizer():
    """simplemma's lemmatizer on its memory-frugal dictionary backend: the same lemmas as
    ``simplemma.lemmatize``, but the German dictionary is read as an indexed stream instead of being
    decoded into a dict of 1.1 M words (~125 MB less), and the index is kept on disk
    (:mod:`.lemma_index`): ready in about 0.2 s instead of 2 s in a new process."""
    try:
        from simplemma import Lemmatizer
        from simplemma.strategies import DefaultStrategy
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise LemmatizerMissing("German lemmas need simplemma: pip install simplemma==2.0.0") from exc
    try:
        from .lemma_index import IndexedDictionaryFactory

        strategy = DefaultStrategy(dictionary_factory=IndexedDictionaryFactory())
    except ImportError:  # pragma: no cover - another simplemma layout
        strategy = DefaultStrategy(low_memory=True)
    return Lemmatizer(lemmatization_strategy=strategy)


@functools.lru_cache(maxsize=65536)
def lemma_keys(word: str, noun: bool = False) -> tuple[str, ...]:
    """Keys of the lemmas of ``word`` (German), most likely first, without ``key(word)`` itself;
    ``noun``: read it as a noun only (capitalised; ``Aufgaben`` -> AUFGABE, never the verb AUFGEBEN)."""
    lemmatize = lemmatizer().lemmatize
    own = key(word)
    out: list[str] = []
    forms = (word.capitalize(),) if noun else (word, word.lower(), word.capitalize())
    for form in dict.fromkeys(forms):
        lemma = lemmatize(form, "de")
        k = key(lemma)
        if k != own and k not in out:
            out.append(k)
    return tuple(out)
