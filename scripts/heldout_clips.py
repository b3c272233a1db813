"""Regenerate the first clips of one language's held-out split of the built-in corpus, as an LMDB to evaluate.

``python -m train.build_builtin`` builds the whole synthetic corpus (``signspark corpus --clips 2000 --seed 0``,
every language, minutes to hours) and evaluates the first clips of its test split; the corpus is not kept.
This rebuilds only the clips an evaluation needs, exactly as that corpus holds them (same seed, language
order and split fractions: each clip's randomness depends only on those and its number), into
``OUT/<split>/<kind>_<LANG>_<split>.lmdb``::

    python scripts/heldout_clips.py --language DSGS --clips 20 --out runs/heldout
    signspark evaluate --data runs/heldout --tasks t2p --steps 1 4 8 --no-retrieval -o reports/builtin_dsgs_pure_t2p
"""

from __future__ import annotations

import argparse
import itertools


def main(argv: list[str] | None = None) -> int:
    from signspark.commands.corpus import LANGS

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--language", default="DSGS", help="sign language of the clips")
    ap.add_argument("--split", default="test", choices=["train", "dev", "test"])
    ap.add_argument("--clips", type=int, default=20, help="the first N clips of that split")
    ap.add_argument("--out", required=True, help="dataset folder to write")
    ap.add_argument("--corpus-clips", type=int, default=2000, help="clips per language of the corpus (its --clips)")
    ap.add_argument("--seed", type=int, default=0, help="the corpus's --seed")
    args = ap.parse_args(argv)

    from signspark.data import write_lmdb
    from signspark.data.corpus.generate import CorpusConfig, iter_clips, lmdb_path, split_counts
    from signspark.signs.languages import get_language

    code = get_language(args.language).code
    cfg = CorpusConfig(clips=args.corpus_clips, seed=args.seed, languages=tuple(LANGS))  # the corpus command's order
    n = min(args.clips, split_counts(cfg.clips, cfg.splits)[args.split])
    path = write_lmdb(lmdb_path(args.out, code, args.split),
                      itertools.islice(iter_clips(code, args.split, split_counts(cfg.clips, cfg.splits)[args.split],
                                                  cfg), n))
    print(f"{n} {code} {args.split} clips -> {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
