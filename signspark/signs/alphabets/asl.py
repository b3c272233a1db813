"""ASL manual alphabet and digits (one-handed, right hand dominant).

Sources: the standard American manual alphabet as taught in ASL courses and
dictionaries (letters A-Z, numbers 0-9 in citation form); the SignWriting
transcription of the alphabet (``fingerspelling/data/ase.json`` of the
``signwriting`` Python package, 0.1.19: handshape symbol, palm facing and
rotation per letter); the letter descriptions of the English Wikipedia article
"American manual alphabet" and of ASL teaching pages (e.g. E: "fingertips
bent down to touch the thumb, not a claw"; G: "thumb and index straight and
about a centimetre apart, pointing sideways"; K: "middle finger out, thumb
tip against it between index and middle").

Letters are signed in front of the dominant shoulder. The places give the
chart orientation; one-handed letters are then held as signers hold them
(palm turned toward the midline, fingers leaning toward the viewer; see
:class:`~signspark.signs.alphabets.Place`). Numbers 1-5 face the signer. J and
Z are traced (J: the little finger draws a hook down and toward the body, the
palm turning in; Z: the index draws a Z as the signer sees it).

Checked against the sources and corrected: C (open: thumb 4-5 cm from the
index tip, side-on), D (thumb tip on the middle fingertip, side-on), E (tips
bent onto the thumb held in front of them), G and Q (thumb parallel to the
index), G (index toward the viewer and the midline, palm toward the midline),
K and P (middle finger out at about 50 degrees, thumb tip in the V), X (a
raised hook, side-on).

Approximations: contacts and finger overlaps (M, N, T, R, E) are resolved as
nearby positions, not collisions; the thumb pad orientation is not modelled.
"""

from __future__ import annotations

from . import Alphabet, Letter, Movement, Place, letters_of

FWD = Place("neutral", palm="forward", axis="up")
SIDE = Place("neutral", palm="left-forward", axis="up")          # C, D, O, X: seen from the side
G_PLACE = Place("neutral", palm=(0.91, 0.0, -0.42), axis=(0.42, 0.0, 0.91), relaxed=False)  # index toward the viewer
POINT_LEFT = Place("neutral", palm="back", axis="left")          # G, H
IN = Place("neutral", palm="back", axis="up")                    # numbers 1-5

J_PATH = Movement(path=((0, 0, 0), (0, -0.04, 0.0), (0.02, -0.075, -0.01), (0.05, -0.07, -0.02)),
                  end=Place("neutral", palm="back-left", axis="up"))
Z_PATH = Movement(path=((0.03, 0.03, 0), (-0.03, 0.03, 0), (0.03, -0.03, 0), (-0.03, -0.03, 0)), duration=2.2)

ALPHABET = Alphabet("ASL", letters_of([
    Letter("A", "fist_thumb_side", FWD),
    Letter("B", "flat_thumb_in", FWD),
    Letter("C", "c", SIDE),
    Letter("D", "d", SIDE),
    Letter("E", "e", FWD),
    Letter("F", "f", FWD),
    Letter("G", "g", G_PLACE),
    Letter("H", "h", POINT_LEFT),
    Letter("I", "pinky", FWD),
    Letter("J", "pinky", FWD, move=J_PATH),
    Letter("K", "k", FWD),
    Letter("L", "index_thumb_out", FWD),
    Letter("M", "m", FWD),
    Letter("N", "n", FWD),
    Letter("O", "o", SIDE),
    Letter("P", "k", Place("neutral_low", palm="down-back", axis="forward-down")),
    Letter("Q", "g", Place("neutral_low", palm="back", axis="down-forward")),
    Letter("R", "r", FWD),
    Letter("S", "fist_thumb_front", FWD),
    Letter("T", "t", FWD),
    Letter("U", "u", FWD),
    Letter("V", "v", FWD),
    Letter("W", "w", FWD),
    Letter("X", "x", SIDE),
    Letter("Y", "pinky_thumb_out", FWD),
    Letter("Z", "index", FWD, move=Z_PATH),
    Letter("0", "o", SIDE),
    Letter("1", "index", IN),
    Letter("2", "v", IN),
    Letter("3", "three", IN),
    Letter("4", "four", IN),
    Letter("5", "open_5", IN),
    Letter("6", "six", FWD),
    Letter("7", "seven", FWD),
    Letter("8", "eight", FWD),
    Letter("9", "f", FWD),
]), description=__doc__ or "")
