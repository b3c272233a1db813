"""Back-translation scores: translate generated signing back to text and compare with the input text.

No back-translation model ships with SignSparK. Plug one in as any callable
``translator(sequences, language) -> list[str]`` (a :class:`BackTranslator`), for
example a Sign Language Transformer trained on SMPL-X features; from the command
line, name it as ``--back-translator package.module:factory`` where ``factory()``
returns such a callable (see :func:`load_back_translator`).

Scores follow the usual back-translation protocol:

* BLEU-1..4: corpus BLEU from sacreBLEU with **no tokenisation** (``tokenize="none"``),
  floor smoothing 0.01 and effective order (the old ``raw_corpus_bleu``), on 0-100.
* chrF: corpus chrF (character 6-grams, beta 2), 0-100.
* ROUGE-L: sentence-level LCS F-measure (beta 1.2, as in coco-caption), averaged, x100.
* ``level="char"`` splits every sentence into characters (whitespace dropped) before
  BLEU and ROUGE — use it for Chinese (CSL). ``level="word"`` splits on whitespace.

Example::

    >>> text_scores(["the cat sat"], ["the cat sat down"])["bleu4"]
    >>> back_translation_scores(generated, texts, my_translator, language="CSL")
"""

from __future__ import annotations

import importlib
from typing import Callable, Protocol, Sequence

__all__ = [
    "BackTranslator", "level_for_language", "tokenize", "bleu", "chrf", "rouge_l", "text_scores",
    "back_translation_scores", "load_back_translator",
]


class BackTranslator(Protocol):
    def __call__(self, sequences: Sequence[object], language: str) -> list[str]:
        """PoseSequences of one sign language -> one spoken-language sentence each."""


def level_for_language(language: str) -> str:
    """``"char"`` for languages whose text is counted in characters (Chinese), else ``"word"``
    (the ``text_unit`` of the language's registry record; unknown languages are scored per word)."""
    from signspark.signs.languages import LANGUAGES

    record = LANGUAGES.get(language.upper())
    return "char" if record is not None and record.text_unit == "character" else "word"


def tokenize(sentence: str, level: str = "word") -> list[str]:
    """Split a sentence into word or character tokens."""
    if level == "word":
        return sentence.split()
    if level == "char":
        return [c for c in sentence if not c.isspace()]
    raise ValueError(f"level must be 'word' or 'char', got {level!r}")


def _prepare(hyps: Sequence[str], refs: Sequence[str], level: str) -> tuple[list[str], list[str]]:
    hyps, refs = list(hyps), list(refs)
    if len(hyps) != len(refs):
        raise ValueError(f"got {len(hyps)} hypotheses but {len(refs)} references; expected one each")
    if not hyps:
        raise ValueError("no sentences to score")
    return [" ".join(tokenize(h, level)) for h in hyps], [" ".join(tokenize(r, level)) for r in refs]


def bleu(hyps: Sequence[str], refs: Sequence[str], level: str = "word", max_order: int = 4) -> float:
    """Corpus BLEU-``max_order`` (0-100) without tokenisation."""
    from sacrebleu.metrics import BLEU

    h, r = _prepare(hyps, refs, level)
    metric = BLEU(tokenize="none", smooth_method="floor", smooth_value=0.01, effective_order=True,
                  max_ngram_order=max_order, force=True)
    return float(metric.corpus_score(h, [r]).score)


def chrf(hyps: Sequence[str], refs: Sequence[str]) -> float:
    """Corpus chrF (0-100) on the raw sentences."""
    from sacrebleu.metrics import CHRF

    h, r = list(hyps), list(refs)
    if len(h) != len(r) or not h:
        raise ValueError(f"need as many hypotheses as references (>0), got {len(h)} and {len(r)}")
    return float(CHRF().corpus_score(h, [r]).score)


def _lcs(a: Sequence[str], b: Sequence[str]) -> int:
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


def rouge_l(hyps: Sequence[str], refs: Sequence[str], level: str = "word", beta: float = 1.2) -> float:
    """Mean sentence ROUGE-L F-measure x 100."""
    h, r = _prepare(hyps, refs, level)
    total = 0.0
    for hs, rs in zip(h, r):
        ht, rt = hs.split(), rs.split()
        lcs = _lcs(ht, rt)
        if lcs == 0:
            continue
        p, rec = lcs / len(ht), lcs / len(rt)
        total += (1 + beta ** 2) * p * rec / (rec + beta ** 2 * p)
    return 100.0 * total / len(h)


def text_scores(hyps: Sequence[str], refs: Sequence[str], level: str = "word") -> dict[str, float]:
    """``{"bleu1".."bleu4", "chrf", "rouge_l"}`` for back-translated sentences against the input texts."""
    out = {f"bleu{n}": bleu(hyps, refs, level, n) for n in (1, 2, 3, 4)}
    out["chrf"] = chrf(hyps, refs)
    out["rouge_l"] = rouge_l(hyps, refs, level)
    return out


def back_translation_scores(sequences: Sequence[object], texts: Sequence[str], translator: BackTranslator,
                            language: str, level: str | None = None) -> dict[str, float]:
    """Back-translate ``sequences`` with ``translator`` and score against ``texts``.

    Args:
        sequences: generated PoseSequences, all of ``language``.
        texts: the spoken-language input of each.
        translator: see :class:`BackTranslator`.
        level: ``"word"`` or ``"char"``; chosen from the language when None.
    """
    hyps = list(translator(list(sequences), language))
    if len(hyps) != len(sequences):
        raise ValueError(f"back-translator returned {len(hyps)} sentences for {len(sequences)} clips")
    return text_scores(hyps, texts, level or level_for_language(language))


def load_back_translator(spec: str) -> Callable:
    """``"package.module:factory"`` -> ``factory()``, a :class:`BackTranslator`.

    Raises:
        ValueError: the spec is malformed, the module or attribute cannot be found, the factory
            fails or returns something that is not callable.
    """
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise ValueError(f"back-translator must be given as 'module:factory', got {spec!r}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        raise ValueError(f"cannot import back-translator module {module_name!r}: {e}") from None
    try:
        factory = getattr(module, attr)
    except AttributeError:
        raise ValueError(f"module {module_name!r} has no attribute {attr!r}") from None
    if not callable(factory):
        raise ValueError(f"{spec} is a {type(factory).__name__}, not a factory to call")
    try:
        translator = factory()
    except Exception as e:  # the user's factory: its error, named, instead of a traceback
        raise ValueError(f"{spec}() failed: {type(e).__name__}: {e}") from e
    if not callable(translator):
        raise ValueError(f"{spec}() returned {type(translator).__name__}, expected a callable translator")
    return translator
