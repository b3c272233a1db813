"""DGS: the German manual alphabet (Deutsches Fingeralphabet, one-handed) and digits.

Sources: published letter-by-letter descriptions of the German one-handed
fingerspelling alphabet (the "Deutsches Fingeralphabet" tables of
kryptografie.de and fakoo.de: e.g. K "index up, middle finger diagonally
forward, thumb up beside the middle finger"; M "palm down, index, middle and
ring finger stretched downward, thumb under the fingers"; P "palm down, index
forward, middle finger down, thumb touching the middle finger"); the
SignWriting transcription of the alphabet (``fingerspelling/data/gsg.json`` of
the ``signwriting`` Python package, 0.1.19: handshape, palm facing and
movement per letter: C, D, O, T and X side-on, M and N in the floor plane,
umlauts with an up-down movement, SCH an open 5 hand); and the English
Wikipedia article "American manual alphabet", which lists the German
differences (T is G with the thumb on the index's base knuckle; Ä, Ö, Ü and ß
are A, O, U and S with a downward movement; SCH is a 5 hand, palm forward).

It shares most forms with the international one-handed alphabet. German points:

* G and H point sideways with the hand closed toward the body; M and N hang the
  fingers down over the thumb with the palm down (as all sources draw them);
  K is the index up with the middle finger forward and the thumb beside it; P
  is that hand turned palm down, pointing down and sideways; Q points index and
  thumb down; J is the I hand turned about the vertical axis; Z is traced with
  the index; T points the index toward the midline with the thumb on its base.
* Ä, Ö, Ü are A, O, U with a short down-up-down movement; SCH is its own
  letter (the open, spread hand, palm forward); ß is the S hand moved down.
* Digits count from the thumb (1 = thumb, 2 = thumb + index, 3 = thumb +
  index + middle, 4 = four fingers, 5 = open hand) with the palm toward the
  body; 6-9 add the other hand showing 5.

Approximations (marked per letter): T (the thumb's exact position on the
index differs between drawings) and ß (a Z-like stroke is also seen).
"""

from __future__ import annotations

from . import Alphabet, Letter, Movement, Place, letters_of

FWD = Place("neutral", palm="forward", axis="up")
SIDE = Place("neutral", palm="left-forward", axis="up")            # C, D, O, X: seen from the side
POINT_LEFT = Place("neutral", palm="back", axis="left")
DOWN = Place("neutral", palm="down", axis="forward")
IN = Place("neutral", palm="back", axis="up")
FIVE = Place("base", palm="back", axis="up")

SHAKE = Movement(path=((0, 0, 0), (0, -0.03, 0), (0, -0.008, 0), (0, -0.03, 0)), duration=1.6)   # umlauts: down-up-down
DOWN_STROKE = Movement(path=((0, 0.01, 0), (0, -0.035, 0)), duration=1.4)
J_TURN = Movement(path=((0, 0, 0), (0.0, -0.01, 0), (0.01, -0.02, 0)), end=Place("neutral", palm="back", axis="up"),
                  duration=1.6)
Z_PATH = Movement(path=((0.03, 0.03, 0), (-0.03, 0.03, 0), (0.03, -0.03, 0), (-0.03, -0.03, 0)), duration=2.2)


def two_handed_number(name: str, shape: str) -> Letter:
    return Letter(name, shape, IN, base_shape="open_5", base_place=FIVE)


ALPHABET = Alphabet("DGS", letters_of([
    Letter("A", "fist_thumb_side", FWD),
    Letter("B", "flat_thumb_in", FWD),
    Letter("C", "c", SIDE),
    Letter("D", "d", SIDE),
    Letter("E", "e", FWD),
    Letter("F", "f", FWD),
    Letter("G", "index", POINT_LEFT),
    Letter("H", "u", POINT_LEFT),
    Letter("I", "pinky", FWD),
    Letter("J", "pinky", FWD, move=J_TURN),
    Letter("K", "k", FWD),
    Letter("L", "index_thumb_out", FWD),
    Letter("M", "bent_three_thumb_under", DOWN),
    Letter("N", "bent_two_thumb_under", DOWN),
    Letter("O", "o", SIDE),
    Letter("P", "k", Place("neutral_low", palm="down", axis=(0.65, -0.55, 0.52))),   # index down and sideways
    Letter("Q", "g_open", Place("neutral_low", palm="back", axis="down-forward")),
    Letter("R", "r", FWD),
    Letter("S", "fist_thumb_front", FWD),
    Letter("T", "t_dgs", Place("neutral", palm="back-down", axis="left"),
           note="German T: index toward the midline, thumb tip on its base knuckle; drawings differ in the "
                "thumb's exact position"),
    Letter("U", "u", FWD),
    Letter("V", "v", FWD),
    Letter("W", "w", FWD),
    Letter("X", "x", SIDE),
    Letter("Y", "pinky_thumb_out", FWD),
    Letter("Z", "index", FWD, move=Z_PATH),
    Letter("Ä", "fist_thumb_side", FWD, move=SHAKE),
    Letter("Ö", "o", SIDE, move=SHAKE),
    Letter("Ü", "u", FWD, move=SHAKE),
    Letter("SCH", "open_5", FWD),
    Letter("ß", "fist_thumb_front", FWD, move=DOWN_STROKE, note="S hand moved down; a Z-like stroke is also seen"),
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
