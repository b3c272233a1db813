"""HamNoSys directions, the palm rule and circles (one module for the parser and the posture layer)."""

import itertools

import numpy as np
import pytest

from signspark.signs.arms import hand_rotation as nominal_rotation
from signspark.signs.hamnosys import parse
from signspark.signs.hamnosys.directions import (EXTFINGER_NAMES, MOVE_NAMES, PALM_NAMES, circle_basis, direction,
                                                 letters_of, mean_direction, mirror_letters, mirror_vector,
                                                 palm_normal)
from signspark.signs.hamnosys.orientation import hand_rotation
from signspark.signs.kinematics import FINGER_JOINTS, WRIST, skeleton


def test_letters_are_the_signers_directions():
    assert np.allclose(direction("hamextfingerl"), [1, 0, 0])   # the signer's left is +x
    assert np.allclose(direction("r"), [-1, 0, 0])
    assert np.allclose(direction("hammoveo"), [0, 0, 1])        # away from the signer: +z
    assert np.allclose(direction("i"), [0, 0, -1])
    assert np.allclose(direction("uo"), np.array([0, 1, 1]) / np.sqrt(2))
    assert np.allclose(direction("uol"), np.ones(3) / np.sqrt(3))


def test_all_26_directions_are_distinct_unit_vectors():
    words = set()
    for a, b, c in itertools.product(("", "u", "d"), ("", "l", "r"), ("", "o", "i")):
        if a + b + c:
            words.add(a + b + c)
    vecs = np.array([direction(w) for w in sorted(words)])
    assert len(vecs) == 26
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1)
    assert len({tuple(np.round(v, 6)) for v in vecs}) == 26
    for n in EXTFINGER_NAMES + MOVE_NAMES:
        assert np.isclose(np.linalg.norm(direction(n)), 1)


def test_bad_directions_are_rejected():
    for bad in ("hamextfingerx", "ud", "", "lr"):
        with pytest.raises(ValueError):
            direction(bad)
    with pytest.raises(ValueError, match="relative"):
        palm_normal("o", "u")


@pytest.mark.parametrize("finger, palm, expected", [
    ("o", "d", (0, -1, 0)), ("o", "l", (1, 0, 0)), ("o", "u", (0, 1, 0)),
    ("u", "d", (0, 0, 1)), ("u", "u", (0, 0, -1)), ("u", "l", (1, 0, 0)),   # fingers up: d = palm away
    ("d", "d", (0, 0, -1)),
    ("l", "l", (0, 0, -1)), ("l", "d", (0, -1, 0)),                         # fingers left, palm l: toward the body
    ("r", "r", (0, 0, -1)),
    ("i", "l", (1, 0, 0)), ("i", "d", (0, -1, 0)),                          # pointing at oneself: literal
])
def test_palm_orientation_relative_to_the_finger(finger, palm, expected):
    assert np.allclose(palm_normal("hampalm" + palm, "hamextfinger" + finger), expected, atol=1e-9)


def test_palm_is_perpendicular_and_the_rule_is_mirror_symmetric():
    for f in EXTFINGER_NAMES:
        for p in PALM_NAMES:
            n = palm_normal(p, f)
            assert abs(n @ direction(f)) < 1e-9
            assert np.allclose(palm_normal(mirror_letters(p), mirror_letters(f)), mirror_vector(n), atol=1e-9)
    assert mirror_letters("hamextfingerul") == "hamextfingerur"
    assert letters_of("hampalmdl") == "dl"


@pytest.mark.parametrize("side", ["right", "left"])
def test_hand_rotation_points_the_real_metacarpus(side):
    skel = skeleton()
    J = skel.rest
    rest_axis = J[FINGER_JOINTS(side, "middle")[0]] - J[WRIST[side]]
    rest_axis /= np.linalg.norm(rest_axis)
    for f, p in (("uo", "d"), ("l", "l"), ("o", "r"), ("di", "u")):
        H = hand_rotation(side, f, p, skel)
        assert np.allclose(H @ H.T, np.eye(3), atol=1e-9)
        assert np.degrees(np.arccos(np.clip(H @ rest_axis @ direction(f), -1, 1))) < 0.5
        # same as the nominal rotation of arms.py up to the small rest correction
        N = nominal_rotation(side, direction(f), palm_normal(p, f))
        assert np.degrees(np.arccos(np.clip((np.trace(N.T @ H) - 1) / 2, -1, 1))) < 10


@pytest.mark.parametrize("axis", ["o", "i", "u", "d", "l", "ul", "do"])
def test_circle_basis_is_right_handed(axis):
    v = direction(axis)
    a, b = circle_basis(v)
    assert abs(a @ b) < 1e-9 and abs(a @ v) < 1e-9
    assert np.allclose(np.cross(a, b), v)


def test_between_is_half_way_and_palm_labels_may_be_vectors():
    s = 2 ** -0.5
    assert np.allclose(mean_direction("o", "l"), [s, 0, s])
    assert np.allclose(mean_direction("u", "d"), [0, 1, 0])          # opposite: the first
    label = mean_direction("d", "l")                                # "palm d between palm l"
    assert np.allclose(palm_normal(label, "o"), [s, -s, 0])


def test_the_parser_reads_directions_from_this_module():
    """One rule for both layers: the parser's palm normal is the posture layer's, fingers back included."""
    for finger in ("o", "u", "l", "il", "i", "dl"):
        for palm in ("d", "l", "dr", "ul"):
            hand = parse(f"hamflathand hamextfinger{finger} hampalm{palm}").parts[0].start.dominant
            assert np.allclose(hand.palm_normal(), palm_normal(palm, finger), atol=1e-9)


def test_fingers_pointing_back_follow_the_dsgs_lexicon():
    """CHINA: index finger back-left (il), palm dr, its pad on the shoulder: the palm faces the body."""
    n = palm_normal("dr", "il")
    assert n[2] < -0.3 and n[1] < -0.5
