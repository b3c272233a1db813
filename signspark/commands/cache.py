"""``signspark cache``: the disk cache of animated signs - precompute a lexicon, show it, clear it."""

from __future__ import annotations

import argparse

DESCRIPTION = """\
Signs written in notation (the DSGS lexicon's HamNoSys, user lexicons, SiGML) are animated into key
poses the first time they are signed on this machine (0.2-2 s per sign: handshapes, inverse kinematics,
contact with the body) and read back from a disk cache afterwards (1-2 ms). A cached sign is keyed by
its notation, the signer, the body model and the version of the animation code, so a change to any of
them animates it afresh.

  signspark cache warm                       animate the whole DSGS lexicon for the default signer
                                             (1,673 glosses, 1,281 distinct signs: about 3 CPU
                                             minutes, 3 MB)
  signspark cache warm --signs KIND HAUS     only these glosses
  signspark cache info                       where the cache is, how many signs, how big
  signspark cache clear                      delete the cached signs

Where: $SIGNSPARK_CACHE_DIR/signs, else $XDG_CACHE_HOME/signspark/signs, else ~/.cache/signspark/signs.
Size: at most $SIGNSPARK_SIGN_CACHE_MB megabytes (default 100); the least recently used signs are
deleted beyond it. SIGNSPARK_SIGN_CACHE_MB=0 turns the cache off. Deleting the folder is always safe.
"""


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("cache", help="precompute, show or clear the disk cache of animated signs",
                       description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    warm = actions.add_parser(
        "warm", help="animate a lexicon's signs ahead of time (default: all of DSGS)",
        description="Animate every sign of a language's lexicon (or the glosses given) for the default signer "
                    "and store it in the disk cache, so that no request waits for a sign's first animation. "
                    "Signs already cached are skipped, so it can be stopped and run again.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    warm.add_argument("--lang", default="DSGS", help="sign language whose lexicon to animate")
    warm.add_argument("--signs", nargs="+", metavar="GLOSS", help="only these glosses (as the lexicon names them)")
    warm.add_argument("--limit", type=int, metavar="N", help="only the first N signs of the lexicon")
    warm.add_argument("--workers", type=int, default=1,
                      help="processes animating at once, 1 to 64 (about the number of cores; each loads the "
                           "lexicon first)")
    warm.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    actions.add_parser("info", help="where the cache is, how many signs it holds and their size",
                       description="Print the cache folder, the number of cached signs, their size and the bound.")
    actions.add_parser("clear", help="delete every cached sign",
                       description="Delete the cached signs (they are animated again when next signed).")
    return p


def _folder_line(stats) -> str:
    return (f"{stats.folder}: {stats.files} signs, {stats.bytes / 1e6:.2f} MB "
            f"(bound {stats.max_bytes / 1e6:g} MB, $SIGNSPARK_SIGN_CACHE_MB)")


def run(args: argparse.Namespace) -> int:
    from signspark.cli import CLIError
    from signspark.signs.hamnosys.form_cache import ENV_MAX_MB, default_form_cache, sign_cache_dir

    cache = default_form_cache()
    if cache is None:
        if args.action == "info":
            print(f"the disk cache of signs is off ({ENV_MAX_MB}=0); it would be in {sign_cache_dir()}")
            return 0
        raise CLIError(f"the disk cache of signs is off ({ENV_MAX_MB}=0); unset it or give a size in MB")
    if args.action == "info":
        print(_folder_line(cache.stats()))
        return 0
    if args.action == "clear":
        n = cache.clear()
        print(f"deleted {n} cached signs from {cache.folder}")
        return 0
    return _warm(args, cache, CLIError)


def _warm(args, cache, CLIError) -> int:
    from signspark.signs.languages import UnknownLanguageError, get_language
    from signspark.signs.precompute import BYTES_PER_SIGN, cacheable_signs, precompute_signs

    try:
        code = get_language(args.lang).code
    except UnknownLanguageError as e:
        raise CLIError(str(e)) from None
    from signspark.options import check

    workers = check("workers", args.workers)  # 10**6 was taken: as many processes as batches of signs
    if args.limit is not None and args.limit < 1:
        raise CLIError(f"--limit must be at least 1, got {args.limit}")
    known = cacheable_signs(code)
    if not known:
        raise CLIError(f"{code} has no lexicon of signs to animate: its words are fingerspelled")
    names = known
    if args.signs:
        unknown = [s for s in args.signs if s not in known]
        if unknown:
            raise CLIError(f"the {code} lexicon has no sign {', '.join(unknown)} (glosses are upper case, e.g. "
                           f"{', '.join(known[:3])})")
        names = args.signs
    if args.limit is not None:
        names = names[:args.limit]
    if len(names) * BYTES_PER_SIGN > 0.8 * cache.max_bytes:
        raise CLIError(f"{len(names)} signs take about {len(names) * BYTES_PER_SIGN / 1e6:.1f} MB, more than the cache "
                       f"keeps ({cache.max_bytes / 1e6:g} MB): raise $SIGNSPARK_SIGN_CACHE_MB")
    bar = None
    if not args.no_progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(names), unit="sign", desc=f"{code} signs")

    def progress(name: str, outcome: str) -> None:
        if bar is not None:
            bar.set_postfix_str(name[:20], refresh=False)
            bar.update(1)

    try:
        report = precompute_signs(code, names, workers=workers, progress=progress)
    except (RuntimeError, ValueError) as e:
        raise CLIError(str(e)) from None
    finally:
        if bar is not None:
            bar.close()
    print(f"{report.total} {code} signs: {report.animated} animated, {report.cached} already cached, "
          f"{len(report.failed)} failed")
    for name, why in list(report.failed.items())[:10]:
        print(f"  {name}: {why}")
    print(_folder_line(cache.stats()))
    return 1 if report.failed else 0
