"""HamNoSys coverage on the DSGS lexicon that the ``signwriting`` package ships: parser and animator.

Parses every entry of ``signwriting/hamnosys/parallel.json`` that has HamNoSys (an entry counts as
parsed when all its strings parse) and prints: entries, parsed, failed, failure reasons by count,
unsupported symbols by count, the symbols that failures point at, and the parse time per sign.
Then animates the first string of every parsed entry (every ``--every``-th; ``--every 0`` skips it)
into key poses for the default signer and prints: entries animated, what was approximated (the
features named in ``SignForm.notes``) by count, the most frequent notes in full, key poses per sign,
and the time per sign (parse + animate; postures solved once each, as a lexicon caches them).

    python -m bench.hamnosys_coverage
    python bench/hamnosys_coverage.py --show 20 --every 5
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections import Counter
from importlib import resources

import numpy as np

from signspark.signs.hamnosys import HamNoSysError, HamNoSysUnsupported, parse, to_names


def lexicon() -> list[dict]:
    """The lexicon's entries that carry HamNoSys."""
    text = resources.files("signwriting.hamnosys").joinpath("parallel.json").read_text(encoding="utf-8")
    return [e for e in json.loads(text) if e.get("hamnosys")]


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--show", type=int, default=10, help="failures to print in full (default 10)")
    p.add_argument("--repeats", type=int, default=3, help="timed passes over the lexicon; the best is reported")
    p.add_argument("--every", type=int, default=1,
                   help="animate every N-th entry (default 1: all, several minutes; 0: no animation)")
    args = p.parse_args(argv)

    entries = lexicon()
    strings = [s for e in entries for s in e["hamnosys"]]
    failures: list[tuple[str, HamNoSysError]] = []
    for entry in entries:
        for text in entry["hamnosys"]:
            try:
                parse(text)
            except HamNoSysError as exc:
                failures.append((entry.get("hns_gloss", [entry["sign_id"]])[0], exc))
                break
    reasons = Counter(exc.reason for _, exc in failures)
    unsupported = Counter(exc.symbol for _, exc in failures if isinstance(exc, HamNoSysUnsupported))
    pointed = Counter(exc.symbol for _, exc in failures)
    ignored = Counter(n for s in strings for n in to_names(s) if n in ("hamspace", "hamversion40"))

    best = float("inf")
    for _ in range(max(1, args.repeats)):
        t0 = time.perf_counter()
        for text in strings:
            try:
                parse(text)
            except HamNoSysError:
                pass
        best = min(best, time.perf_counter() - t0)

    parsed = len(entries) - len(failures)
    print(f"entries:  {len(entries)} ({len(strings)} HamNoSys strings)")
    print(f"parsed:   {parsed} ({parsed / len(entries):.2%})")
    print(f"failed:   {len(failures)}")
    print("failure reasons:")
    for reason, n in reasons.most_common() or [("(none)", 0)]:
        print(f"  {n:5d}  {reason}")
    print("unsupported symbols:")
    for name, n in unsupported.most_common() or [("(none)", 0)]:
        print(f"  {n:5d}  {name}")
    print("symbols that failures point at:")
    for name, n in pointed.most_common() or [("(none)", 0)]:
        print(f"  {n:5d}  {name}")
    print("symbols read but carrying no meaning:")
    for name, n in ignored.most_common() or [("(none)", 0)]:
        print(f"  {n:5d}  {name}")
    print(f"parse time: {best / len(strings) * 1e3:.3f} ms per sign "
          f"({len(strings)} strings in {best:.3f} s, best of {max(1, args.repeats)})")
    for gloss, exc in failures[:args.show]:
        print(f"  {gloss}: {exc}")
    if args.every > 0:
        animation(entries[::args.every], args.show)


def animation(entries: list[dict], show: int) -> None:
    """Animate the entries' first strings and print the figures."""
    from signspark.signs.hamnosys.animator import animate

    animate(parse(entries[0]["hamnosys"][0]))  # load the body and build the caches outside the timing
    animated, exact, failed, keys = 0, 0, [], []
    features: Counter = Counter()
    signs_with: Counter = Counter()
    details: Counter = Counter()
    seconds = 0.0
    parsed = 0
    for entry in entries:
        gloss = entry.get("hns_gloss", [entry["sign_id"]])[0]
        t0 = time.perf_counter()
        try:
            sign = parse(entry["hamnosys"][0])
        except HamNoSysError:
            continue
        parsed += 1
        try:
            form = animate(sign, label=gloss)
        except Exception as exc:  # noqa: BLE001 - a benchmark reports every failure and goes on
            failed.append((gloss, f"{type(exc).__name__}: {exc}"))
            continue
        finally:
            seconds += time.perf_counter() - t0
        animated += 1
        keys.append(len(form.keys))
        kinds = [n.split(":")[0] for n in form.notes]
        exact += not kinds
        features.update(kinds)
        signs_with.update(set(kinds))
        details.update({re.sub(r"\d+(\.\d+)?", "#", n) for n in form.notes})
    print(f"animated: {animated} of {len(entries)} entries tried ({animated / len(entries):.2%}; "
          f"{animated / max(parsed, 1):.2%} of those that parse)")
    print(f"without notes: {exact} ({exact / max(animated, 1):.2%} of those animated)")
    print(f"key poses per sign: mean {np.mean(keys):.1f}, max {max(keys)}")
    print("approximated or left out (feature: notes, signs with it):")
    for kind, n in features.most_common() or [("(none)", 0)]:
        print(f"  {n:5d}  {signs_with[kind]:5d}  {kind}")
    print(f"most frequent notes (numbers as #; signs with it), {show} shown:")
    for note, n in details.most_common(show):
        print(f"  {n:5d}  {note}")
    print(f"animation time: {seconds / max(len(entries), 1) * 1e3:.0f} ms per sign (parse + animate; "
          f"{len(entries)} signs in {seconds:.1f} s)")
    for gloss, msg in failed[:show]:
        print(f"  {gloss}: {msg}")


if __name__ == "__main__":
    main()
