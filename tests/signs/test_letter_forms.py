"""The defining features of corrected letters, measured with forward kinematics.

Distances are centimetres between skeleton points (joint centres; a finger is about
1.8 cm thick, so touching fingertips are about 1-1.5 cm apart). The hand frame is
distal (wrist to middle knuckle), palmar (the way the palm faces) and radial (thumb side).
"""

import numpy as np
import pytest

from signspark.signs.alphabets import get_alphabet
from signspark.signs.arms import hand_world_points
from signspark.signs.handshapes import SHAPES, hand_points, hand_pose
from signspark.signs.kinematics import FINGERS, forward, pose_vector
from signspark.signs.placement import hand_point, letter_keyposes
from signspark.signs.signers import DEFAULT_SIGNER, sample_signer

CM = 100.0


def _hand(shape):
    """Points of a handshape in its own frame: (distal, palmar, radial) coordinates in cm."""
    pts = hand_points(hand_pose(SHAPES[shape]), "right")
    d = pts["middle_mcp"] / np.linalg.norm(pts["middle_mcp"])
    p = np.array([0.0, -1.0, 0.0])
    p = p - d * (d @ p)
    p /= np.linalg.norm(p)
    r = np.cross(d, p)
    if r @ (pts["index_mcp"] - pts["pinky_mcp"]) < 0:
        r = -r
    B = np.stack([d, p, r])
    return {k: CM * (B @ v) for k, v in pts.items() if "_R" not in k}


def _dist(a, b):
    return float(np.linalg.norm(a - b))


def _angle(u, v):
    u, v = u / np.linalg.norm(u), v / np.linalg.norm(v)
    return float(np.degrees(np.arccos(np.clip(u @ v, -1, 1))))


def _right_hand_world(letter, signer=DEFAULT_SIGNER):
    pose = np.asarray(letter_keyposes(letter, signer)[0][1])
    return hand_world_points(pose[:21], pose[36:], "right")


def test_e_fingertips_rest_on_a_thumb_held_in_front():
    h = _hand("e")
    thumb = h["thumb_tip"]
    for f in ("index", "middle", "ring"):
        tip = h[f"{f}_tip"]
        assert tip[0] > thumb[0] + 0.5, (f, tip, thumb)          # fingertips above (distal of) the thumb tip
        assert thumb[1] > tip[1] + 0.5, (f, tip, thumb)          # thumb in front of the fingers (palmar side)
    assert min(_dist(thumb, h[f"{f}_tip"]) for f in ("middle", "ring")) < 3.0   # the tips rest on it
    # not a fist: the fingertips stay well away from the palm's base
    assert min(h[f"{f}_tip"][0] for f in ("index", "middle", "ring")) > 8.0


def test_c_leaves_a_gap_and_o_closes_it():
    c, o = _hand("c"), _hand("o")
    assert 3.0 < _dist(c["thumb_tip"], c["index_tip"]) < 6.0
    assert _dist(c["thumb_tip"], c["middle_tip"]) > 4.0
    assert _dist(o["thumb_tip"], o["index_tip"]) < 1.5


def test_g_thumb_parallel_to_the_index():
    for shape in ("g",):
        h = _hand(shape)
        thumb_dir = h["thumb_tip"] - h["thumb_dip"]
        index_dir = h["index_tip"] - h["index_mcp"]
        assert _angle(thumb_dir, index_dir) < 25
        # beside the index (thumb side), not touching its middle and not spread away
        gap = h["thumb_tip"][2] - h["index_pip"][2]
        assert 1.0 < gap < 3.5


def test_k_thumb_tip_between_index_and_middle():
    h = _hand("k")
    t = h["thumb_tip"]
    a, b = h["index_pip"], h["middle_pip"]
    u = float((t - a) @ (b - a) / ((b - a) @ (b - a)))
    closest = a + np.clip(u, 0, 1) * (b - a)
    assert 0.15 < u < 0.85 and _dist(t, closest) < 2.0, (u, _dist(t, closest))
    # the middle finger points out (not nearly straight like V), the index stays up
    assert _angle(h["middle_tip"] - h["middle_mcp"], h["index_tip"] - h["index_mcp"]) > 35


def test_x_is_a_raised_hook():
    h = _hand("x")
    assert h["index_tip"][0] - h["index_mcp"][0] > 3.0            # above the knuckles, not inside the fist
    assert h["index_tip"][0] - max(h[f"{f}_tip"][0] for f in ("middle", "ring", "pinky")) > 4.0
    assert h["index_tip"][1] - h["index_pip"][1] > 1.5            # hooked toward the palm


@pytest.mark.parametrize("shape,finger", [("d", "middle"), ("f", "index"), ("o", "index")])
def test_thumb_contacts(shape, finger):
    h = _hand(shape)
    assert _dist(h["thumb_tip"], h[f"{finger}_tip"]) < 1.5


@pytest.mark.parametrize("lang", ["ASL", "DGS"])
def test_d_and_f_contacts_hold_in_the_placed_letter(lang):
    alphabet = get_alphabet(lang)
    for name, finger in (("D", "middle"), ("F", "index")):
        w, R, pts = _right_hand_world(alphabet[name])
        assert CM * np.linalg.norm(pts["thumb_tip"] - pts[f"{finger}_tip"]) < 1.5, name


def _yaw_to_midline(letter, signer):
    _, R, _ = _right_hand_world(letter, signer)
    palm = R @ np.array([0.0, -1.0, 0.0])
    return float(np.degrees(np.arctan2(palm[0], palm[2]))), palm


@pytest.mark.parametrize("lang,name", [("ASL", "B"), ("ASL", "A"), ("ASL", "L"), ("DGS", "B"), ("DGS", "S")])
def test_spelling_palm_turns_toward_the_midline(lang, name):
    letter = get_alphabet(lang)[name]
    yaw, palm = _yaw_to_midline(letter, DEFAULT_SIGNER)
    assert 20 <= yaw <= 45, yaw                         # not square to the camera
    w, R, pts = _right_hand_world(letter)
    axis = pts["middle_mcp"] - w
    assert 0.03 < axis[2] / np.linalg.norm(axis) < 0.45   # fingers lean toward the viewer
    # sampled signers vary around it
    yaws = [_yaw_to_midline(letter, sample_signer(s))[0] for s in range(6)]
    assert np.std(yaws) > 1.0 and all(5 < y < 60 for y in yaws), yaws


def test_side_on_letters_and_asl_g_orientation():
    asl, dgs = get_alphabet("ASL"), get_alphabet("DGS")
    for letter in (asl["D"], dgs["D"], asl["C"], dgs["C"]):
        yaw, _ = _yaw_to_midline(letter, DEFAULT_SIGNER)
        assert 60 < yaw < 100, (letter.name, yaw)      # the palm faces the midline: seen side-on
    yaw, _ = _yaw_to_midline(asl["G"], DEFAULT_SIGNER)
    assert 95 < yaw < 135, yaw                          # palm toward the midline (and a little toward the body)
    w, R, pts = _right_hand_world(asl["G"])
    index = pts["index_tip"] - pts["index_mcp"]
    assert index[2] > 0.6 * np.linalg.norm(index) and index[0] > 0   # toward the viewer and the midline


def test_dgs_k_p_t_m_n():
    dgs = get_alphabet("DGS")
    assert dgs["K"].shape == dgs["P"].shape == "k"
    # P points down and sideways (toward the midline)
    w, R, pts = _right_hand_world(dgs["P"])
    index = pts["index_tip"] - pts["index_mcp"]
    index /= np.linalg.norm(index)
    assert index[1] < -0.3 and index[0] > 0.3, index
    # T: index toward the midline, thumb tip on its base (touching, unlike G)
    w, R, pts = _right_hand_world(dgs["T"])
    index = pts["index_tip"] - pts["index_mcp"]
    assert index[0] > 0.7 * np.linalg.norm(index)
    assert CM * min(np.linalg.norm(pts["thumb_tip"] - pts[k]) for k in ("index_mcp", "index_pip")) < 3.0
    assert dgs["T"].note                       # still marked: drawings differ
    # M and N: palm down, the fingers hanging down over the thumb (as the German descriptions draw them)
    for name in ("M", "N"):
        w, R, pts = _right_hand_world(dgs[name])
        assert (R @ np.array([0.0, -1.0, 0.0]))[1] < -0.7
        assert (pts["index_tip"] - pts["index_pip"])[1] < -0.015


def test_umlauts_move_down():
    dgs = get_alphabet("DGS")
    for name in ("Ä", "Ö", "Ü", "ß"):
        keys = letter_keyposes(dgs[name], DEFAULT_SIGNER)
        ys = []
        for _, pose in keys:
            P, _ = forward(pose_vector(body_pose=pose[:21], left_hand_pose=pose[21:36], right_hand_pose=pose[36:]))
            ys.append(P[21, 1])
        assert min(ys) < ys[0] - 0.02, (name, ys)


def test_remaining_reconstructions_are_listed():
    assert set(get_alphabet("DGS").approximations) == {"T", "ß"}
    assert {"S", "T", "W", "Z", "ZH", "CH", "SH", "NG"} <= set(get_alphabet("CSL").approximations)
    assert "R" not in get_alphabet("CSL").approximations and "X" not in get_alphabet("CSL").approximations


def test_hand_point_names_a_fingertip():
    letter = get_alphabet("ASL")["F"]
    w, R, pts = _right_hand_world(letter)
    assert np.allclose(hand_point(pts, w, R, "index_tip", "right"), pts["index_tip"])
    assert FINGERS[0] == "index"
