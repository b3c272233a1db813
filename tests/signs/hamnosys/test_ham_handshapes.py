"""HamNoSys handshapes -> finger angles."""

import numpy as np
import pytest

from signspark.signs.handshapes import CURLED, hand_pose, resolved_thumb
from signspark.signs.hamnosys.handshapes import (BASIC_FORMS, BENDS, HandshapeSpec, finger_name, handshape,
                                                 selected_fingers)

FOUR = ("index", "middle", "ring", "pinky")


def _straight(f):
    return f.mcp == 0 and f.pip == 0 and f.dip == 0


@pytest.mark.parametrize("basic", sorted(BASIC_FORMS))
def test_every_basic_form_builds_a_finite_pose(basic):
    shape = handshape("ham" + basic)
    pose = hand_pose(shape, "right")
    assert pose.shape == (45,) and np.isfinite(pose).all()
    assert np.degrees(np.abs(pose)).max() < 130


@pytest.mark.parametrize("basic, extended", [
    ("flathand", FOUR), ("finger2", ("index",)), ("finger23", ("index", "middle")),
    ("finger23spread", ("index", "middle")), ("finger2345", FOUR), ("fist", ())])
def test_selected_fingers_are_straight_and_the_others_curled(basic, extended):
    shape = handshape(basic)
    for f in FOUR:
        assert _straight(getattr(shape, f)) == (f in extended), f
        if f not in extended:
            assert getattr(shape, f) == CURLED.with_spread(0.0)


def test_spread_forms_spread_and_flat_hand_does_not():
    assert handshape("finger23spread").index.spread - handshape("finger23spread").middle.spread > 10
    assert handshape("finger23").index.spread == handshape("finger23").middle.spread == 0
    assert handshape("finger2345").index.spread > 0 > handshape("finger2345").pinky.spread
    assert handshape("flathand").index.spread == 0


def test_thumb_modifiers_change_the_thumb():
    flat = resolved_thumb(handshape("flathand"))
    out = resolved_thumb(handshape(HandshapeSpec("flathand", thumb="hamthumboutmod")))
    across = resolved_thumb(handshape(HandshapeSpec("flathand", thumb="thumbacrossmod")))
    assert out.add < flat.add < across.add          # out: away from the index; across: over the palm
    assert across.opp > 40
    # L hand: index with the thumb out
    assert resolved_thumb(handshape(HandshapeSpec("finger2", thumb="thumboutmod"))).opp < 10


def test_bending_applies_to_the_selected_fingers_only():
    shape = handshape(HandshapeSpec("finger23", bend="hamfingerbendmod"))
    assert (shape.index.mcp, shape.index.pip) == (BENDS["fingerbendmod"].mcp, BENDS["fingerbendmod"].pip)
    assert shape.middle.mcp == BENDS["fingerbendmod"].mcp
    assert shape.ring == CURLED.with_spread(0.0)
    hooked = handshape(HandshapeSpec("flathand", bend="fingerhookmod"))
    assert all(getattr(hooked, f).pip == 90 and getattr(hooked, f).mcp == 10 for f in FOUR)


def test_per_finger_bending_and_finger_selection():
    shape = handshape(HandshapeSpec("flathand", per_finger={"3": "fingerbendmod"}))
    assert shape.middle.mcp == 80 and _straight(shape.index) and _straight(shape.ring)
    horns = HandshapeSpec("fist", fingers=("2", "hamfinger5"))
    assert selected_fingers(horns) == ("index", "pinky")
    shape = handshape(horns)
    assert _straight(shape.index) and _straight(shape.pinky) and shape.middle.mcp > 80


def test_between_is_halfway():
    a, b = handshape("flathand"), handshape("fist")
    mid = handshape(HandshapeSpec("flathand", between=HandshapeSpec("fist")))
    for f in FOUR:
        for k in ("mcp", "pip", "dip"):
            assert getattr(mid, f).__getattribute__(k) == pytest.approx(
                0.5 * (getattr(getattr(a, f), k) + getattr(getattr(b, f), k)))
    ta, tb, tm = resolved_thumb(a), resolved_thumb(b), resolved_thumb(mid)
    assert tm.opp == pytest.approx(0.5 * (ta.opp + tb.opp), abs=1e-3)


def test_pinch_thumb_meets_the_index_tip():
    from signspark.signs.handshapes import hand_points

    pts = hand_points(hand_pose(handshape("pinch12"), "right"), "right")
    closed = np.linalg.norm(pts["thumb_tip"] - pts["index_tip"])
    assert closed < 0.02
    open_pts = hand_points(hand_pose(handshape(HandshapeSpec("pinch12", thumb="thumbopenmod")), "right"), "right")
    assert np.linalg.norm(open_pts["thumb_tip"] - open_pts["index_tip"]) > closed + 0.01
    f = handshape("pinch12open")
    assert _straight(f.middle) and _straight(f.pinky)


def test_unknown_names_are_clear_errors():
    with pytest.raises(ValueError, match="basic handshape"):
        handshape("hamclaw")
    with pytest.raises(ValueError, match="thumb modifier"):
        handshape(HandshapeSpec("flathand", thumb="hamthumbsideways"))
    with pytest.raises(ValueError, match="bending"):
        handshape(HandshapeSpec("flathand", bend="wiggly"))
    with pytest.raises(ValueError, match="finger"):
        finger_name("7")


def test_specs_are_hashable():
    a = HandshapeSpec("flathand", per_finger={"middle": "fingerbendmod"})
    b = HandshapeSpec("flathand", per_finger={"middle": "fingerbendmod"})
    assert hash(a) == hash(b) and a == b


def _thumb_gap(spec: HandshapeSpec, finger: str) -> float:
    from signspark.signs.handshapes import hand_points

    pts = hand_points(hand_pose(handshape(spec), "right"), "right")
    return float(np.linalg.norm(pts["thumb_tip"] - pts[f"{finger}_tip"]))


@pytest.mark.parametrize("basic, finger", [("pinchall", "middle"), ("pinch12", "index"), ("pinch12open", "index")])
@pytest.mark.parametrize("bend", [None, "fingerstraightmod", "fingerbendmod", "fingerhookmod"])
def test_a_bent_pinch_stays_a_pinch(basic, finger, bend):
    """pinchall + fingerstraightmod is the flat O (LEHREN, INFORMIEREN): the bending says how the fingers
    meet the thumb; straight fingers that leave the thumb make an open hand instead."""
    assert _thumb_gap(HandshapeSpec(basic, bend=bend), finger) < 0.03
    if bend == "fingerstraightmod":
        f = getattr(handshape(HandshapeSpec(basic, bend=bend)), finger)
        assert f.mcp > 60 and f.pip < 35, "flat: bent at the knuckles, the fingers nearly straight"
        assert f.pip < getattr(handshape(basic), finger).pip


@pytest.mark.parametrize("basic", ["cee12", "ceeall"])
def test_a_straight_cee_is_a_flat_cee(basic):
    """ceeall + fingerstraightmod: fingers straight but bent at the knuckles, the thumb opposite them (a
    flat C), not a flat hand."""
    shape = handshape(HandshapeSpec(basic, bend="fingerstraightmod"))
    assert shape.index.pip == shape.index.dip == 0 and 30 <= shape.index.mcp <= 70
    assert 0.03 < _thumb_gap(HandshapeSpec(basic, bend="fingerstraightmod"), "index") < 0.08
