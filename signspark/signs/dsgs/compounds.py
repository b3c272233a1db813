"""German compounds -> parts that are signs of the lexicon (``Wassertank`` -> WASSER + T-A-N-K).

A word that is not in the lexicon as a whole (nor its lemma) is cut into pieces by dynamic
programming: a piece of at least :data:`MIN_PART` letters is a sign when the index has it (the last
piece, which carries the inflection, may also match through its lemma); a sign that is not the last
piece may be followed by a linking element (Fugen-s, -es, -n, -en, -er, -e: ``Arbeit·s·zimmer``)
or have lost its final -e (``Schul·haus``: SCHULE).
Pieces that are not signs are fingerspelled; they too have at least :data:`MIN_PART` letters. The cut that covers the most letters with signs wins
(then the one with fewer pieces, then the earliest cut); it is used only when signs cover at least
:data:`MIN_COVER` of the word, so names and loanwords stay fingerspelled.
"""

from __future__ import annotations

import dataclasses

from .index import GlossIndex, Match

__all__ = ["CompoundPart", "split_compound", "MIN_WORD", "MIN_PART", "MIN_COVER", "LINKS"]

MIN_WORD = 6         # shorter words are not split
MIN_PART = 3         # shortest piece that may be a sign
MIN_COVER = 0.6      # share of the word's letters that signs must cover
LINKS = ("S", "ES", "N", "EN", "ER", "E")


@dataclasses.dataclass(frozen=True)
class CompoundPart:
    """A piece of a compound: its letters (upper case, linking element included) and its sign, if any."""

    text: str
    match: Match | None


def split_compound(word: str, index: GlossIndex) -> list[CompoundPart] | None:
    """``word`` cut into signs and fingerspelled pieces, or None when no good cut exists."""
    w = word.upper().replace("ẞ", "SS")
    n = len(w)
    if n < MIN_WORD or not w.isalpha():
        return None
    cache: dict[tuple[int, int], tuple[Match, int] | None] = {}

    def sign_at(i: int, j: int) -> tuple[Match, int] | None:
        """A sign for w[i:j] (with a linking element at its end when not last): (match, sign letters)."""
        if (i, j) not in cache:
            found = None
            last = j == n
            piece = w[i:j]
            forms = [(piece, len(piece))]
            if not last:
                forms += [(piece[:-len(link)], len(piece) - len(link)) for link in LINKS if piece.endswith(link)]
                forms.append((piece + "E", len(piece)))          # Schul·haus: SCHULE
            for stem, size in forms:
                if len(stem) < MIN_PART:
                    continue
                m = index.word(stem.capitalize(), lemmas=last, noun=True)
                if m is not None:
                    found = (m, size)
                    break
            cache[(i, j)] = found
        return cache[(i, j)]

    # best[i]: (covered letters, -pieces) for w[:i] and the cut that gives it
    best: list[tuple[tuple[int, int], list[tuple[int, int, Match | None]]] | None] = [None] * (n + 1)
    best[0] = ((0, 0), [])
    for j in range(1, n + 1):
        for i in range(j):
            if best[i] is None:
                continue
            (cov, neg), cut = best[i]
            hit = sign_at(i, j) if j - i >= MIN_PART else None
            if hit is not None:
                cand = ((cov + hit[1], neg - 1), cut + [(i, j, hit[0])])
            elif j - i < MIN_PART or (cut and cut[-1][2] is None):
                continue            # no one- or two-letter scraps; two spelled pieces in a row are one piece
            else:
                cand = ((cov, neg - 1), cut + [(i, j, None)])
            if best[j] is None or cand[0] > best[j][0]:
                best[j] = cand
    (covered, _), cut = best[n]
    if covered < MIN_COVER * n or all(m is None for _, _, m in cut) or len(cut) < 2:
        return None
    return [CompoundPart(w[i:j], m) for i, j, m in cut]
