"""``signspark corpus``: build the synthetic training corpus (official-schema LMDB files)."""

from __future__ import annotations

import argparse

from signspark.signs.languages import LANGUAGES

LANGS = tuple(code for code, lang in LANGUAGES.items() if lang.alphabet is not None)


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "corpus", help="build the built-in models' synthetic corpus (LMDB train/dev/test)",
        description=(
            "Generate training clips with simulated signers and write them as official-schema LMDB files: "
            "fingerspelled words and short phrases in the manual alphabets of ASL, BSL, DGS and CSL "
            "(<out>/<split>/fingerspell_<LANG>_<split>.lmdb; one segment per letter) and, for DSGS, "
            "sentences of lexical signs animated from the HamNoSys notation of its lexicon, some with a "
            "fingerspelled word (<out>/<split>/signs_DSGS_<split>.lmdb; one segment per sign, text = the "
            "German sentence). Per-frame BIO segments. Deterministic for a seed; needs no download."),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--out", required=True, help="output folder (created if missing)")
    p.add_argument("--clips", type=int, default=2000, help="clips per language, over all splits (1 to 1000000)")
    p.add_argument("--seed", type=int, default=0, help="random seed (0 to 2^32-1)")
    p.add_argument("--languages", nargs="+", default=list(LANGS), metavar="LANG",
                   help=f"sign languages to build ({' '.join(LANGS)})")
    p.add_argument("--splits", nargs=3, type=float, default=[0.8, 0.1, 0.1], metavar=("TRAIN", "DEV", "TEST"),
                   help="fractions of clips per split (sum to 1)")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    return p


def run(args) -> int:
    from signspark.cli import CLIError
    from signspark.data.corpus.generate import CorpusConfig, build_corpus, split_counts
    from signspark.signs.languages import UnknownLanguageError

    from signspark.options import check

    clips = check("clips", args.clips)
    seed = check("seed", args.seed)
    splits = tuple(check("split_fraction", f) for f in args.splits)
    try:
        cfg = CorpusConfig(clips=clips, seed=seed, languages=tuple(args.languages), splits=splits)
    except UnknownLanguageError as e:
        raise CLIError(f"{e}; choose from {' '.join(LANGS)}") from None
    except ValueError as e:
        raise CLIError(str(e)) from None
    from pathlib import Path

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise CLIError(f"--out {out} exists and is not a folder; the corpus is written into a folder")
    written = build_corpus(out, cfg, progress=not args.no_progress)
    counts = split_counts(cfg.clips, cfg.splits)
    for key, path in written.items():
        print(f"{key:10s} {counts[key.split('/')[1]]:6d} clips  {path}")
    return 0
