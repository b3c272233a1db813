"""How much everyday German text the DSGS lexicon signs, and how much is left to fingerspelling.

Glosses five short everyday paragraphs (school, family, weather, food, travel; written for this
benchmark, Swiss spelling) with :mod:`signspark.signs.dsgs` and prints, for the whole lexicon and for
its signs with HamNoSys (the ones an avatar can animate): the share of all words and of content words
that became a sign, were partly signed (compounds), were fingerspelled or were dropped (articles,
copula); how signs were found; and the words left to fingerspelling, most frequent first. It starts
with the lexicon's own figures (entries, entries with HamNoSys, distinct glosses).

    python bench/dsgs_coverage.py
    python bench/dsgs_coverage.py --show 40
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

from signspark.signs.dsgs import DROPPED, GlossIndex, gloss_index, gloss_word
from signspark.signs.dsgs.glossing import words

PARAGRAPHS = {
    "school": (
        "Am Montag beginnt die Schule um acht Uhr. Die Lehrerin erklärt den Kindern eine neue Aufgabe. "
        "Wir lernen lesen, schreiben und rechnen. In der Pause spielen die Schüler draussen. "
        "Nach dem Unterricht mache ich meine Hausaufgaben und gehe mit meinem Freund nach Hause."),
    "family": (
        "Meine Familie ist gross. Mein Vater arbeitet in einem Büro und meine Mutter ist Ärztin. "
        "Ich habe zwei Schwestern und einen kleinen Bruder. Am Sonntag besuchen wir die Grossmutter. "
        "Sie kocht für alle und erzählt Geschichten von früher. Die Kinder lachen viel."),
    "weather": (
        "Heute ist das Wetter schön und warm. Die Sonne scheint und der Himmel ist blau. "
        "Morgen soll es regnen und am Abend kommt ein Gewitter. Im Winter schneit es in den Bergen, "
        "dann ist es kalt und wir brauchen warme Kleider. Im Frühling blühen die Blumen."),
    "food": (
        "Zum Frühstück trinke ich Kaffee mit Milch und esse Brot mit Butter und Käse. "
        "Am Mittag kochen wir Suppe und Gemüse. Die Kinder essen gern Schokolade und Äpfel. "
        "Am Abend gehen wir ins Restaurant. Das Essen ist gut, aber teuer. Ich bezahle mit Geld."),
    "travel": (
        "Nächste Woche fahren wir mit dem Zug nach Bern. Der Bahnhof ist nicht weit von unserem Haus. "
        "Die Reise dauert zwei Stunden. In der Stadt besuchen wir ein Museum und gehen am See spazieren. "
        "Im Sommer fliegen wir mit dem Flugzeug nach Italien in die Ferien."),
}

# Function words, for the "content words" figure only (the glosser drops just the articles and the copula).
FUNCTION_WORDS = DROPPED | frozenset("""
ich du er sie es wir ihr mich dich sich uns euch mir dir ihm ihn ihnen man
mein meine meinen meinem meiner dein deine sein seine unser unsere unserem euer ihre
in im an am auf aus bei beim mit nach von vom zu zum zur vor über unter für um durch gegen ohne ins
und oder aber denn weil dass wenn als ob dann so auch noch schon sehr gern viel
soll sollen kann können will wollen muss müssen habe hast hat haben
""".split())

KINDS = ("sign", "partial", "spelled", "dropped")


def classify(word: str, index: GlossIndex) -> tuple[str, list]:
    """``(kind, tokens)``: ``sign`` (all signs), ``partial`` (signs and fingerspelling), ``spelled`` or ``dropped``."""
    items = gloss_word(word, index)
    if not items:
        return "dropped", items
    signs = sum(t.kind == "sign" for t in items)
    return ("sign" if signs == len(items) else "partial" if signs else "spelled"), items


def shares(counter: Counter, total: int) -> str:
    return "  ".join(f"{k} {counter[k] / total:6.1%}" for k in KINDS) if total else "(no words)"


def report(title: str, index: GlossIndex, show: int) -> None:
    print(f"\n== {title} ==")
    all_kinds, content_kinds, how, unmatched = Counter(), Counter(), Counter(), Counter()
    n_all = n_content = 0
    for name, text in PARAGRAPHS.items():
        para = Counter()
        pieces = [p for kind, p in words(text) if kind in ("word", "number")]
        for w in pieces:
            kind, items = classify(w, index)
            para[kind] += 1
            all_kinds[kind] += 1
            n_all += 1
            if w.lower() not in FUNCTION_WORDS:
                content_kinds[kind] += 1
                n_content += 1
            how.update(t.how for t in items if t.kind == "sign")
            if kind in ("spelled", "partial"):
                unmatched[w.lower()] += 1
        print(f"  {name:8s} {len(pieces):3d} words   {shares(para, len(pieces))}")
    print(f"  all words     ({n_all:3d}): {shares(all_kinds, n_all)}")
    print(f"  content words ({n_content:3d}): {shares(content_kinds, n_content)}")
    print("  signs found by: " + ", ".join(f"{k} {v}" for k, v in how.most_common()))
    print(f"  fingerspelled or partly signed words ({sum(unmatched.values())}, {len(unmatched)} distinct), "
          "most frequent first (lower case):")
    line = ", ".join(f"{w} {n}" if n > 1 else w for w, n in unmatched.most_common(show))
    print("    " + (line or "(none)") + (" ..." if len(unmatched) > show else ""))


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--show", type=int, default=60, help="unmatched words to list per lexicon (default 60)")
    args = p.parse_args(argv)

    t0 = time.perf_counter()
    full = gloss_index()
    with_ham = gloss_index(hamnosys_only=True)
    built = time.perf_counter() - t0
    s = full.stats()
    print("DSGS lexicon (signwriting package, hamnosys/parallel.json)")
    print(f"  entries {s.entries}; named {s.named}; with HamNoSys {s.with_hamnosys}")
    print(f"  distinct gloss names {s.glosses} ({s.bases} without variant suffixes); "
          f"with HamNoSys {s.glosses_with_hamnosys} ({with_ham.stats().bases} without variant suffixes)")
    print(f"  index build {built:.2f} s")
    t1 = time.perf_counter()
    report("all signs (SignWriting; HamNoSys where present)", full, args.show)
    report("signs with HamNoSys (animatable)", with_ham, args.show)
    n = sum(len(text.split()) for text in PARAGRAPHS.values())
    print(f"\nglossing time: {(time.perf_counter() - t1) / (2 * n) * 1e3:.2f} ms per word (lemmatiser warm-up included)")


if __name__ == "__main__":
    main()
