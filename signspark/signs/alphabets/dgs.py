"""DGS: the German manual alphabet (Deutsches Fingeralphabet, one-handed) and digits.

Sources: published descriptions of the German one-handed fingerspelling
alphabet (the letter forms taught with DGS). It shares most forms with the
international one-handed alphabet; German-specific points kept here:

* G and H point sideways with the hand closed toward the body; M and N hang the
  fingers down over the thumb with the palm down; P is the index forward with
  the middle finger down and the thumb on it; Q points index and thumb down;
  J is the I hand turned about the vertical axis; Z is traced with the index.
* Ä, Ö, Ü are A, O, U with a short sideways shake; SCH is its own letter
  (spread, bent fingers); ß is the S hand tracing a small Z-like stroke.
* Digits count from the thumb (1 = thumb, 2 = thumb + index, 3 = thumb +
  index + middle, 4 = four fingers, 5 = open hand) with the palm toward the
  body; 6-9 add the other hand showing 5.

Approximations (marked per letter): T, SCH and ß follow one common drawing;
regional forms exist.
"""

from __future__ import annotations

from . import Alphabet, Letter, Movement, Place, letters_of

FWD = Place("neutral", palm="forward", axis="up")
SIDE = Place("neutral", palm="left-forward", axis="up")
POINT_LEFT = Place("neutral", palm="back", axis="left")
DOWN = Place("neutral", palm="down", axis="forward")
IN = Place("neutral", palm="back", axis="up")
FIVE = Place("base", palm="back", axis="up")

SHAKE = Movement(path=((0, 0, 0), (-0.025, 0, 0), (0.01, 0, 0), (-0.015, 0, 0)), duration=1.6)
J_TURN = Movement(path=((0, 0, 0), (0.0, -0.01, 0), (0.01, -0.02, 0)), end=Place("neutral", palm="back", axis="up"),
                  duration=1.6)
Z_PATH = Movement(path=((0.03, 0.03, 0), (-0.03, 0.03, 0), (0.03, -0.03, 0), (-0.03, -0.03, 0)), duration=2.2)
SZ_PATH = Movement(path=((0.02, 0.015, 0), (-0.02, 0.015, 0), (0.02, -0.015, 0), (-0.02, -0.015, 0)), duration=2.0)


def two_handed_number(name: str, shape: str) -> Letter:
    return Letter(name, shape, IN, base_shape="open_5", base_place=FIVE)


ALPHABET = Alphabet("DGS", letters_of([
    Letter("A", "fist_thumb_side", FWD),
    Letter("B", "flat_thumb_in", FWD),
    Letter("C", "c", SIDE),
    Letter("D", "d", FWD),
    Letter("E", "e", FWD),
    Letter("F", "f", FWD),
    Letter("G", "index", POINT_LEFT),
    Letter("H", "u", POINT_LEFT),
    Letter("I", "pinky", FWD),
    Letter("J", "pinky", FWD, move=J_TURN),
    Letter("K", "three", FWD),
    Letter("L", "index_thumb_out", FWD),
    Letter("M", "bent_three_thumb_under", DOWN),
    Letter("N", "bent_two_thumb_under", DOWN),
    Letter("O", "o", SIDE),
    Letter("P", "index_forward_middle_down", DOWN),
    Letter("Q", "g", Place("neutral_low", palm="back", axis="down-forward")),
    Letter("R", "r", FWD),
    Letter("S", "fist_thumb_front", FWD),
    Letter("T", "t", FWD, note="drawn like the international T (thumb between index and middle)"),
    Letter("U", "u", FWD),
    Letter("V", "v", FWD),
    Letter("W", "w", FWD),
    Letter("X", "x", SIDE),
    Letter("Y", "pinky_thumb_out", FWD),
    Letter("Z", "index", FWD, move=Z_PATH),
    Letter("Ä", "fist_thumb_side", FWD, move=SHAKE),
    Letter("Ö", "o", SIDE, move=SHAKE),
    Letter("Ü", "u", FWD, move=SHAKE),
    Letter("SCH", "claw_5", Place("neutral", palm="forward-down", axis="up-forward"),
           note="spread, bent fingers; one common form"),
    Letter("ß", "fist_thumb_front", FWD, move=SZ_PATH, note="S hand with a Z-like stroke; one common form"),
    Letter("0", "o", SIDE),
    Letter("1", "fist_thumb_up", IN),
    Letter("2", "thumb_index_out", IN),
    Letter("3", "thumb_index_middle_up", IN),
    Letter("4", "four", IN),
    Letter("5", "open_5", IN),
    two_handed_number("6", "fist_thumb_up"),
    two_handed_number("7", "thumb_index_out"),
    two_handed_number("8", "thumb_index_middle_up"),
    two_handed_number("9", "four"),
]), description=__doc__ or "")
