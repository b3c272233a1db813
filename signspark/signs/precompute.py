"""Animate a language's whole sign lexicon ahead of time, into the disk cache of animated signs.

A sign is animated from its notation the first time it is signed on a machine (0.2-2 s) and read back
from :mod:`signspark.signs.hamnosys.form_cache` ever after. :func:`precompute_signs` does that first
time for every sign of a language's lexicons (DSGS: 1,673 glosses, 1,281 distinct signs, about 3 CPU
minutes and 3 MB on disk) so that no request waits for it; ``signspark cache warm`` calls it.

Example::

    report = precompute_signs("DSGS", names=["KIND", "HAUS"])
    report.animated, report.cached, report.failed
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable

from .signers import DEFAULT_SIGNER, Signer

__all__ = ["PrecomputeReport", "cacheable_signs", "precompute_signs", "warm_examples", "BYTES_PER_SIGN"]

BYTES_PER_SIGN = 2_500   # a cached sign on disk, on average (DSGS lexicon: 2.35 kB)


@dataclasses.dataclass
class PrecomputeReport:
    """What :func:`precompute_signs` did: ``animated`` signs were animated and stored, ``cached`` ones
    were there already, ``failed`` maps a gloss to why it could not be animated."""

    language: str
    animated: int = 0
    cached: int = 0
    failed: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.animated + self.cached + len(self.failed)


def _hamnosys_lexicons(language: str):
    from .hamnosys.lexicon import HamNoSysLexicon
    from .lexicon import LexiconChain, lexicon_for

    lex = lexicon_for(language)
    parts = lex.lexicons if isinstance(lex, LexiconChain) else [lex]
    out = []
    for part in parts:
        signs = part if isinstance(part, HamNoSysLexicon) else getattr(part, "signs", None)
        if isinstance(signs, HamNoSysLexicon):
            out.append(signs)
    return out


def cacheable_signs(language: str) -> list[str]:
    """Glosses of ``language``'s lexicons that are animated from notation (and so cached), in order;
    empty for a language that only fingerspells."""
    names: dict[str, None] = {}
    for lex in _hamnosys_lexicons(language):
        names.update(dict.fromkeys(lex.entries))
    return list(names)


def _warm(language: str, names: list[str], signer: Signer) -> list[tuple[str, str]]:
    """``(gloss, "animated" | "cached" | "failed: why")`` for each sign (one worker's share)."""
    from .hamnosys.form_cache import animate_cached, default_form_cache

    cache = default_form_cache()
    if cache is None:
        raise RuntimeError("the disk cache of signs is turned off (SIGNSPARK_SIGN_CACHE_MB=0)")
    lexicons = _hamnosys_lexicons(language)
    out = []
    for name in names:
        lex = next((x for x in lexicons if name in x), None)
        if lex is None:
            out.append((name, f"failed: the {language} lexicon has no sign {name!r}"))
            continue
        notation = lex.hamnosys.get(name)
        try:
            key = cache.key(notation if notation is not None else lex.describe(name), signer)
            if cache.get(key, name) is not None:
                out.append((name, "cached"))
                continue
            animate_cached(lex.describe(name), signer, name, notation=notation, cache=cache)
            out.append((name, "animated"))
        except Exception as e:  # noqa: BLE001 - one sign that fails must not stop the others
            out.append((name, f"failed: {type(e).__name__}: {e}"))
    return out


def precompute_signs(language: str = "DSGS", names: Iterable[str] | None = None, signer: Signer = DEFAULT_SIGNER,
                     workers: int = 1, progress: Callable[[str, str], None] | None = None,
                     batch: int = 8) -> PrecomputeReport:
    """Animate every sign of ``language``'s lexicons (or the glosses ``names``) into the disk cache.

    Args:
        language: a language whose record names sign lexicons (``DSGS``).
        names: only these glosses (default: :func:`cacheable_signs`).
        signer: whom to animate them for (default: the signer of every request without one).
        workers: processes animating at once (each loads the lexicon first, a few seconds); the cache
            is safe with several writers.
        progress: called as ``progress(gloss, outcome)`` after each sign.
        batch: signs handed to a worker at a time.

    Raises:
        ValueError: the language has no lexicon of signs to animate, or ``workers`` < 1.
        RuntimeError: the disk cache is turned off.
    """
    from .hamnosys.form_cache import default_form_cache
    from .languages import get_language

    code = get_language(language).code
    if int(workers) < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    if default_form_cache() is None:
        raise RuntimeError("the disk cache of signs is turned off (SIGNSPARK_SIGN_CACHE_MB=0): nothing to fill")
    todo = list(dict.fromkeys(names)) if names is not None else cacheable_signs(code)
    if names is None and not todo:
        raise ValueError(f"{code} has no lexicon of signs to animate (its words are fingerspelled)")
    report = PrecomputeReport(code)

    def record(results):
        for name, outcome in results:
            if outcome == "animated":
                report.animated += 1
            elif outcome == "cached":
                report.cached += 1
            else:
                report.failed[name] = outcome.removeprefix("failed: ")
            if progress is not None:
                progress(name, outcome)

    batches = [todo[i:i + batch] for i in range(0, len(todo), batch)]
    if int(workers) == 1 or len(batches) <= 1:
        for b in batches:
            record(_warm(code, b, signer))
        return report
    import concurrent.futures
    import multiprocessing

    # spawn: a fresh interpreter per worker (forking a process that has run torch can hang its thread pool)
    with concurrent.futures.ProcessPoolExecutor(int(workers), mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(_warm, code, b, signer) for b in batches]
        try:
            for f in concurrent.futures.as_completed(futures):
                record(f.result())
        except BaseException:
            for f in futures:
                f.cancel()
            raise
    return report


def warm_examples(language: str, signer: Signer = DEFAULT_SIGNER) -> int:
    """Load ``language``'s lexicon (DSGS: the lexicon and the German lemmatizer, about 1 s) and make the
    signs of its registry examples ready (read from the disk cache, or animated once); returns how many.

    What a server does at start-up so that its first visitor does not wait for them; the whole lexicon
    (:func:`precompute_signs`) is minutes of work, left to ``signspark cache warm``.
    """
    from .languages import get_language
    from .lexicon import is_pause, lexicon_for

    record = get_language(language)
    lex = lexicon_for(record.code)
    names = dict.fromkeys(t for text in record.examples for t in lex.tokens(text) if not is_pause(t))
    for name in names:
        lex.form(name, signer)
    return len(names)
