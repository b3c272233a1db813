"""DSGS: the manual alphabet of German-speaking Switzerland (one-handed), umlauts, CH, SCH and digits.

Sources:

* The online DSGS grammar handbook (dsgs-handbuch.ch, chapter 13 "Fingeralphabet"): the alphabet
  was introduced between 1975 and 1980 and is close to the one used in the other German-speaking
  countries; every letter has its own handshape, and so do Ä, Ö, Ü and the combinations CH and SCH;
  the palm of the dominant hand faces forward at upper-body height, except C and CH (palm to the
  side), G and H (palm toward the body) and P and Q (palm to the side).
* The SignWriting transcription of the alphabet shipped by the ``signwriting`` Python package
  (0.1.19, ``fingerspelling/data/sgg.json``, one FSW string per letter), read symbol by symbol and
  compared with the German one (``gsg.json``): G is the index *and thumb* pointing sideways (the
  G of the American alphabet, where German DGS points the index alone); T is a closed hand with
  the index hooked onto the thumb (not the German T); M and N are written in the wall plane, palm
  forward (DGS: palm down); P is the K hand tilted, Q the G hand pointing down; D, O and X are
  written palm forward; Ä, Ö, Ü are A, O, U with a small repeated movement; digits 1-5 count from
  the thumb, palm toward the signer, 6-9 add the other hand showing 5. Two extra entries carry no
  letter name ("¨", "^"); their symbols are those of SCH and CH (next point).
* The DSGS lexicon of the same package (``hamnosys/parallel.json``) has the letters CH and SCH as
  signs: CH is a C formed by the thumb against index and middle finger (HamNoSys ``hamcee12`` with
  index and middle finger, fingers up, palm to the side; SignWriting symbol S128, which is also the
  transcription's unlabelled "^" entry); SCH is the open spread hand (HamNoSys ``hamfinger2345
  hamthumboutmod``, SignWriting S14c, the transcription's "¨" entry).
* Orthography: Swiss Standard German has no ß (it writes ss), so the alphabet has no ß letter
  (the ``swiss_german`` spelling of :mod:`signspark.signs.text_to_letters` spells ß as S S).

Letters that are reconstructions rather than forms confirmed by the sources (each carries a note):

* T: the transcription's symbol (index hooked onto the thumb) is modelled as the index rounded
  onto the thumb tip.
* P, Q: orientation chosen to satisfy both the transcription (tilted K hand; G hand pointing down)
  and the handbook (palm to the side).
* 0: the transcription writes two open hands (ten); the O hand is used for the digit 0, as in DGS.
"""

from __future__ import annotations

from . import Alphabet, Letter, Movement, Place, letters_of

FWD = Place("neutral", palm="forward", axis="up")
SIDE = Place("neutral", palm="left-forward", axis="up")            # C, CH: palm to the side
POINT_LEFT = Place("neutral", palm="back", axis="left")            # G, H: palm toward the body
IN = Place("neutral", palm="back", axis="up")                      # digits 1-5
FIVE = Place("base", palm="back", axis="up")

REPEAT = Movement(path=((0, 0, 0), (0, -0.025, 0), (0, -0.006, 0), (0, -0.025, 0)), duration=1.6)  # umlauts
J_TURN = Movement(path=((0, 0, 0), (0.0, -0.01, 0), (0.01, -0.02, 0)), end=Place("neutral", palm="back", axis="up"),
                  duration=1.6)
Z_PATH = Movement(path=((0.03, 0.03, 0), (-0.03, 0.03, 0), (0.03, -0.03, 0), (-0.03, -0.03, 0)), duration=2.2)


def two_handed_number(name: str, shape: str) -> Letter:
    """6-9: the dominant hand shows 1-4 beside the other hand's open 5."""
    return Letter(name, shape, IN, base_shape="open_5", base_place=FIVE)


ALPHABET = Alphabet("DSGS", letters_of([
    Letter("A", "fist_thumb_side", FWD),
    Letter("B", "flat_thumb_in", FWD),
    Letter("C", "c", SIDE),
    Letter("D", "d", FWD),
    Letter("E", "e", FWD),
    Letter("F", "f", FWD),
    Letter("G", "g", POINT_LEFT),
    Letter("H", "u", POINT_LEFT),
    Letter("I", "pinky", FWD),
    Letter("J", "pinky", FWD, move=J_TURN),
    Letter("K", "k", FWD),
    Letter("L", "index_thumb_out", FWD),
    Letter("M", "bent_three_thumb_under", FWD),
    Letter("N", "bent_two_thumb_under", FWD),
    Letter("O", "o", FWD),
    Letter("P", "k", Place("neutral", palm="left", axis="forward-up"),
           note="K hand tilted forward, palm to the side: transcription (tilted K) and handbook (palm to the "
                "side) combined"),
    Letter("Q", "g", Place("neutral_low", palm="left", axis="down-forward"),
           note="G hand pointing down, palm to the side: transcription and handbook combined"),
    Letter("R", "r", FWD),
    Letter("S", "fist_thumb_front", FWD),
    Letter("T", "ring_index", FWD,
           note="transcribed as the index hooked onto the thumb; modelled as the index rounded onto the thumb tip"),
    Letter("U", "u", FWD),
    Letter("V", "v", FWD),
    Letter("W", "w", FWD),
    Letter("X", "x", FWD),
    Letter("Y", "pinky_thumb_out", FWD),
    Letter("Z", "index", FWD, move=Z_PATH),
    Letter("Ä", "fist_thumb_side", FWD, move=REPEAT),
    Letter("Ö", "o", FWD, move=REPEAT),
    Letter("Ü", "u", FWD, move=REPEAT),
    Letter("CH", "c_index_middle", SIDE),
    Letter("SCH", "open_5", FWD),
    Letter("0", "o", Place("neutral", palm="left-forward", axis="up"),
           note="the transcription writes ten (two open hands); the O hand is used for 0"),
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
