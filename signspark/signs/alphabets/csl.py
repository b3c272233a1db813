"""CSL: the Chinese manual alphabet (汉语手指字母方案, 1963), one-handed, and digits.

Sources: the published scheme (30 handshapes: the 26 pinyin letters plus ZH,
CH, SH, NG), whose text describes each letter by finger positions and palm
direction, e.g. A: thumb up, the other four fingers in a fist; E: middle,
ring and little finger spread and pointing left, back of the hand outward,
thumb resting on the bent index; G: index pointing left; K: index up, middle
at a right angle, thumb on the middle finger; M/N: three/two fingers bent
down over the thumb; P: thumb-index ring with the other fingers pointing down;
Q: thumb pinching index and middle. Digits use the Chinese one-hand number
gestures (6 = thumb and little finger, 7 = thumb, index and middle pinched,
8 = thumb and index, 9 = hooked index, 0 = fist).

The SignWriting transcription of the scheme (``fingerspelling/data/csl.json``
of the ``signwriting`` Python package, 0.1.19) was used to check handshape and
palm facing: it confirms X (crossed index and middle) and R (thumb and index
spread, pointing left, palm toward the signer), draws F with index and middle
together pointing left, U as the flat hand (fingers together) with the thumb
out, and J (the hooked index) and C side-on.

Palm directions are the chart's; "palm forward, a little to the left" (手心向前偏左)
is the forward palm turned toward the midline that every one-handed letter gets
from the signer (see :class:`~signspark.signs.alphabets.Place`).

Approximations (marked per letter): the forms for S, T, W, Z, ZH, CH, SH and
NG are reconstructed from the scheme's principle (shapes imitating the capital
Latin letter, doubled letters adding a finger) and may differ from the
official drawings; Ü is U with a small shake.
"""

from __future__ import annotations

from . import Alphabet, Letter, Movement, Place, letters_of

FL = Place("neutral", palm="forward", axis="up")           # 手心向前偏左: the signer's turn toward the midline adds 偏左
IN_WEB = Place("neutral", palm="left", axis="up")           # 虎口朝里: thumb-index web toward the signer
POINT_LEFT = Place("neutral", palm="back", axis="left")     # 指尖朝左, 手背向外
IN = Place("neutral", palm="back", axis="up")
SHAKE = Movement(path=((0, 0, 0), (-0.025, 0, 0), (0.01, 0, 0), (-0.015, 0, 0)), duration=1.6)
APPROX = "reconstructed form (see module docstring)"

ALPHABET = Alphabet("CSL", letters_of([
    Letter("A", "fist_thumb_up", Place("neutral", palm="left", axis="up")),
    Letter("B", "flat_thumb_in", FL),
    Letter("C", "c", IN_WEB),
    Letter("D", "fist_thumb_front", Place("neutral", palm="left", axis="forward-up")),
    Letter("E", "e_csl", POINT_LEFT),
    Letter("F", "u", POINT_LEFT),
    Letter("G", "index", POINT_LEFT),
    Letter("H", "u", FL),
    Letter("I", "index", FL),
    Letter("J", "x", Place("neutral", palm="left-forward", axis="up")),
    Letter("K", "index_up_middle_forward", IN_WEB),
    Letter("L", "index_thumb_out", FL),
    Letter("M", "bent_three_thumb_under", Place("neutral", palm="forward-left-down", axis="up")),
    Letter("N", "bent_two_thumb_under", Place("neutral", palm="forward-left-down", axis="up")),
    Letter("O", "o", IN_WEB),
    Letter("P", "f", Place("neutral", palm="left", axis="down-forward")),
    Letter("Q", "pinch", Place("neutral", palm="left-back", axis="up")),
    Letter("R", "index_thumb_out", POINT_LEFT),
    Letter("S", "hook_two_thumb_out", FL, note=APPROX),
    Letter("T", "t", FL, note=APPROX),
    Letter("U", "flat_thumb_out", Place("neutral", palm="forward", axis="up")),
    Letter("Ü", "flat_thumb_out", Place("neutral", palm="forward", axis="up"), move=SHAKE, note=APPROX),
    Letter("V", "v", Place("neutral", palm="forward", axis="up")),
    Letter("W", "w", Place("neutral", palm="forward", axis="up"), note=APPROX),
    Letter("X", "r", FL),
    Letter("Y", "pinky_thumb_out", FL),
    Letter("Z", "hooked_index_middle", POINT_LEFT, note=APPROX),
    Letter("ZH", "hook_two_thumb_out", POINT_LEFT, note=APPROX),
    Letter("CH", "c_index", IN_WEB, note=APPROX),
    Letter("SH", "index_middle_thumb_out", POINT_LEFT, note=APPROX),
    Letter("NG", "bent_two_thumb_under", Place("neutral", palm="down", axis="forward"), note=APPROX),
    Letter("0", "fist_thumb_front", FL),
    Letter("1", "index", IN),
    Letter("2", "v", IN),
    Letter("3", "w", IN),
    Letter("4", "four", IN),
    Letter("5", "open_5", IN),
    Letter("6", "thumb_pinky_out", IN),
    Letter("7", "pinch", Place("neutral", palm="back", axis="up-forward")),
    Letter("8", "thumb_index_out", IN),
    Letter("9", "x", IN),
]), description=__doc__ or "")
