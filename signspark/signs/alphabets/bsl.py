"""BSL two-handed manual alphabet (right hand dominant) and digits.

Sources: the British two-handed fingerspelling alphabet as published in BSL
teaching material. Vowels: the dominant index touches a fingertip of the open
non-dominant hand - A thumb, E index, I middle, O ring, U little finger.
Consonants use their standard two-handed forms (e.g. D: curved index and thumb
against the upright index; F: two fingers across two fingers; G: fist on
fist; L: index on the palm; M/N: three/two fingers on the palm; X: crossed
index fingers). C is one-handed. Digits use the common one-handed forms
(1-5 counted from the index, 6-9 thumb-based).

Approximations (marked per letter): B, K, Q, S, W, Z and the digits 6-9 have
regional variants; one plausible form is used. Contacts are placed by
inverse kinematics to within about a centimetre of the touched point.
"""

from __future__ import annotations

from . import Alphabet, Contact, Letter, Movement, Place, letters_of

BASE_OPEN = Place("base", palm="back", axis="up-right")          # spread hand, tips up and to the right
BASE_FLAT = Place("base", palm="right-back", axis="up")           # flat palm offered to the dominant hand
BASE_INDEX = Place("base", palm="right", axis="up")
BASE_FIST = Place("base", palm="right", axis="forward")

TOUCH = Place("neutral", palm="down-back", axis="left-forward")  # the dominant index pointing at a fingertip
ON_PALM = Place("neutral", palm="down-left", axis="left-forward")  # fingertips against the offered palm


def vowel(name: str, finger: str) -> Letter:
    return Letter(name, "index", TOUCH, base_shape="open_5", base_place=BASE_OPEN,
                  contact=Contact("index_tip", f"{finger}_tip", "distal", 0.012))


ALPHABET = Alphabet("BSL", letters_of([
    vowel("A", "thumb"),
    vowel("E", "index"),
    vowel("I", "middle"),
    vowel("O", "ring"),
    vowel("U", "pinky"),
    Letter("B", "o", Place("neutral", palm="left", axis="up"), base_shape="o",
           base_place=Place("base", palm="right", axis="up"),
           contact=Contact("index_mid", "index_mid", "palmar", 0.03),
           note="two O hands side by side; regional forms differ"),
    Letter("C", "c", Place("neutral", palm="left-forward", axis="up")),
    Letter("D", "c_index", Place("neutral", palm="left", axis="up"), base_shape="index", base_place=BASE_INDEX,
           contact=Contact("index_tip", "index_dip", "palmar", 0.013)),
    Letter("F", "u", Place("neutral", palm="back", axis="left"), base_shape="u",
           base_place=Place("base", palm="back", axis="up"),
           contact=Contact("middle_mid", "index_mid", "dorsal", 0.018)),
    Letter("G", "fist_thumb_front", Place("neutral", palm="left", axis="forward"), base_shape="fist_thumb_front",
           base_place=BASE_FIST, contact=Contact("pinky_pip", "index_pip", "radial", 0.03)),
    Letter("H", "flat_thumb_side", Place("neutral", palm="down", axis="forward-left"), base_shape="flat_thumb_side",
           base_place=Place("base", palm="up", axis="forward-right"),
           contact=Contact("palm", "palm", "palmar", 0.025),
           move=Movement(path=((0, 0, -0.02), (0, 0, 0.05)), duration=1.6)),
    Letter("J", "index", TOUCH, base_shape="flat_thumb_side",
           base_place=BASE_FLAT, contact=Contact("index_tip", "middle_tip", "palmar", 0.012),
           move=Movement(path=((0, 0, 0), (0, -0.05, 0), (0.01, -0.08, 0.01)), duration=1.8)),
    Letter("K", "x", Place("neutral", palm="down", axis="left"), base_shape="index",
           base_place=Place("base", palm="back", axis="up-right"),
           contact=Contact("index_dip", "index_mid", "dorsal", 0.015),
           note="hooked index on the upright index; regional forms differ"),
    Letter("L", "index", Place("neutral", palm="down", axis="left"), base_shape="flat_thumb_side",
           base_place=BASE_FLAT, contact=Contact("index_mid", "palm", "palmar", 0.015)),
    Letter("M", "three_together", ON_PALM, base_shape="flat_thumb_side", base_place=BASE_FLAT,
           contact=Contact("middle_tip", "palm", "palmar", 0.012)),
    Letter("N", "u", ON_PALM, base_shape="flat_thumb_side", base_place=BASE_FLAT,
           contact=Contact("middle_tip", "palm", "palmar", 0.012)),
    Letter("P", "ring_index", Place("neutral", palm="left", axis="up-left"), base_shape="index",
           base_place=BASE_INDEX, contact=Contact("thumb_tip", "index_tip", "distal", 0.012)),
    Letter("Q", "ring_index", TOUCH, base_shape="index",
           base_place=BASE_INDEX, contact=Contact("index_tip", "index_mcp", "palmar", 0.02),
           note="ring hand hooked below the upright index; regional forms differ"),
    Letter("R", "x", ON_PALM, base_shape="flat_thumb_side",
           base_place=BASE_FLAT, contact=Contact("index_dip", "palm", "palmar", 0.015)),
    Letter("S", "pinky", Place("neutral", palm="back", axis="left"), base_shape="pinky",
           base_place=Place("base", palm="back", axis="right"),
           contact=Contact("pinky_dip", "pinky_dip", "ulnar", 0.02),
           note="little fingers linked; drawn as touching little fingers"),
    Letter("T", "index", Place("neutral", palm="down", axis="left"), base_shape="flat_thumb_side",
           base_place=BASE_FLAT, contact=Contact("index_tip", "pinky_mcp", "ulnar", 0.012)),
    Letter("V", "v", ON_PALM, base_shape="flat_thumb_side", base_place=BASE_FLAT,
           contact=Contact("index_tip", "palm", "palmar", 0.012)),
    Letter("W", "open_5", Place("neutral", palm="back", axis="up-left"), base_shape="open_5",
           base_place=Place("base", palm="forward", axis="up-right"),
           contact=Contact("middle_mid", "middle_mid", "palmar", 0.02),
           note="spread fingers of both hands meeting (interlocking not modelled)"),
    Letter("X", "index", Place("neutral", palm="back", axis="up-left"), base_shape="index",
           base_place=Place("base", palm="back", axis="up-right"),
           contact=Contact("index_mid", "index_mid", "dorsal", 0.016)),
    Letter("Y", "index", TOUCH, base_shape="open_5",
           base_place=BASE_OPEN, contact=Contact("index_tip", "web", "dorsal", 0.012)),
    Letter("Z", "flat_thumb_side", ON_PALM, base_shape="flat_thumb_side",
           base_place=BASE_FLAT, contact=Contact("middle_tip", "palm", "palmar", 0.012),
           move=Movement(path=((0, 0.02, 0), (0, -0.03, 0), (0, 0.02, 0), (0, -0.03, 0)), duration=2.0),
           note="fingers brushed down the palm twice; forms differ"),
    Letter("0", "o", Place("neutral", palm="left-forward", axis="up")),
    Letter("1", "index", Place("neutral", palm="back", axis="up")),
    Letter("2", "v", Place("neutral", palm="back", axis="up")),
    Letter("3", "three", Place("neutral", palm="back", axis="up")),
    Letter("4", "four", Place("neutral", palm="back", axis="up")),
    Letter("5", "open_5", Place("neutral", palm="back", axis="up")),
    Letter("6", "fist_thumb_up", Place("neutral", palm="back", axis="up"), note="regional forms differ"),
    Letter("7", "thumb_index_out", Place("neutral", palm="back", axis="up"), note="regional forms differ"),
    Letter("8", "thumb_index_middle_up", Place("neutral", palm="back", axis="up"), note="regional forms differ"),
    Letter("9", "four_thumb", Place("neutral", palm="back", axis="up"), note="regional forms differ"),
]), description=__doc__ or "")
