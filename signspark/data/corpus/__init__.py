"""Synthetic training corpora, written as official-schema LMDBs (``signspark corpus``).

Takes are made from what :mod:`signspark.signs` knows (manual alphabets today), with
simulated signers, speeds and transitions; one BIO segment per sign.

* :func:`build_corpus` / :class:`CorpusConfig` - train/dev/test LMDB files.
* :func:`words` - the built-in word lists the takes are drawn from.
"""

from .generate import CorpusConfig, build_corpus, split_counts
from .wordlists import words

__all__ = ["build_corpus", "CorpusConfig", "split_counts", "words"]
