"""Parsing HamNoSys constructs into sign descriptions, and refusing malformed or hostile input."""

import pytest
from hamnosys_lexicon import names

from signspark.signs.hamnosys import (
    Goto, HamNoSysError, HamNoSysUnsupported, Movement, Parallel, Repeat, Replace, Sequence, Split,
    parse, parse_names, to_unicode, walk_actions,
)


def one_part(words):
    sign = parse(names(words))
    assert len(sign.parts) == 1
    return sign.parts[0]


def test_posture_of_a_one_handed_sign():
    part = one_part("flathand thumboutmod extfingeru palml chest touch")
    hand = part.start.dominant
    assert hand.handshape.base == "flathand" and hand.handshape.thumb == "out"
    assert hand.ext_finger.codes == ("u",) and hand.palm.codes == ("l",)
    assert hand.location.site == "chest" and hand.location.contact.kind == "touch"
    assert hand.palm_normal() == pytest.approx((1.0, 0.0, 0.0))
    assert part.start.nondominant is None and not part.two_handed and part.actions == ()


def test_unicode_and_names_give_the_same_description():
    words = names("finger2 fingerhookmod extfingero palmdl chest lrat replace palml fast repeatfromstartseveral")
    assert parse(to_unicode(words)) == parse(words) == parse_names(words.split())


def test_symmetric_two_handed_sign():
    part = one_part("symmlr fingerstraightmod largemod alternatingmotion flathand extfingero palmd shoulders "
                    "lrbeside moveo smallmod")
    assert part.symmetry.kind == "lr"
    assert part.symmetry.modifiers == ("fingerstraightmod", "largemod")
    assert part.symmetry.alternating and part.two_handed
    assert part.start.dominant.location.side == "beside"
    assert part.start.dominant.location.side_of == "dominant"
    (move,) = part.actions
    assert move.kind == "straight" and move.vector == (0.0, 0.0, 1.0) and move.size == "small"


def test_side_before_the_site_is_the_nondominant_side():
    loc = one_part("fist extfingeru palmd lrat shoulders close").start.dominant.location
    assert (loc.site, loc.side, loc.side_of, loc.contact.kind) == ("shoulders", "at", "nondominant", "close")


def test_a_contact_written_before_the_site_is_marked():
    """``hamtouch hamchest`` (the DSGS lexicon: symmetric hands touching each other there) is told apart
    from ``hamchest hamtouch`` (touching the chest)."""
    before = one_part("symmlr flathand extfingero palmd touch chest").start.dominant.location
    after = one_part("symmlr flathand extfingero palmd chest touch").start.dominant.location
    assert before.contact.kind == after.contact.kind == "touch" and before.site == after.site == "chest"
    assert before.contact_first and not after.contact_first
    assert not one_part("flathand extfingero palmd chest").start.dominant.location.contact_first


def test_contact_with_the_part_of_the_hand_and_the_other_hand():
    part = one_part("parbegin finger2 extfingero palmd plus flathand extfingeror palmr parend "
                    "palm seqbegin touch indexfinger fingermidjoint handback seqend")
    dom, nondom = part.start.dominant, part.start.nondominant
    assert dom.handshape.base == "finger2" and nondom.handshape.base == "flathand"
    assert nondom.ext_finger.codes == ("or",)
    loc = dom.location
    assert loc.site is None and loc.hand.parts == ("palm",)  # on the other hand's palm
    assert loc.contact.kind == "touch"
    assert loc.contact.part.digits == (2,) and loc.contact.part.parts == ("fingermidjoint", "handback")


def test_hand_constellation():
    part = one_part("parbegin fist extfingerl palml plus fist extfingerr palmr parend "
                    "parbegin thumbside plus pinkyside parend touch shoulders between chest moved")
    c = part.start.constellation
    assert c.dominant.parts == ("thumbside",) and c.nondominant.parts == ("pinkyside",)
    assert c.contact.kind == "touch"
    assert c.location.site == "shoulders" and c.location.between.site == "chest"
    assert part.start.nondominant.palm.codes == ("r",)


def test_circle_with_plane_and_shape():
    (move,) = one_part("fist extfingero palmd chest circleo smallmod ellipseh clockul clockfull").actions
    assert move.kind == "circle" and move.vector == (0.0, 0.0, 1.0)  # axis forward: a circle in the frontal plane
    assert move.size == "small" and move.ellipse == "h"
    assert move.clock_start == "ul" and move.extra_turns == 1


def test_straight_movement_path_and_target():
    (move,) = one_part("pinchall extfingeru palmul forehead lrat close moveil smallmod arcu zigzag largemod fast "
                       "forehead lrat touch").actions
    assert move.direction.codes == ("il",) and move.arc == "u" and move.zigzag
    assert (move.size, move.path_size, move.speed) == ("small", "large", "fast")
    assert move.target.site == "forehead" and move.target.contact.kind == "touch"


def test_brushing_contact_along_a_movement():
    (move,) = one_part("flathand extfingero palmd chest moved seqbegin brushing palm close seqend").actions
    assert move.contact.kind == "brushing" and move.contact.part.parts == ("palm",)
    assert move.contact.then.kind == "close"


def test_repetition_wraps_the_actions_before_it():
    part = one_part("finger2 extfingeru palmd shoulders moveo smallmod moved repeatfromstartseveral "
                    "alternatingmotion")
    (rep,) = part.actions
    assert isinstance(rep, Repeat) and rep.mode == "fromstart" and rep.several and rep.alternating
    assert [m.direction.codes for m in rep.body] == [("o",), ("d",)]
    (rep,) = one_part("flathand extfingeru palmd chest circlel repeatcontinue").actions
    assert rep.mode == "continue" and not rep.several
    (rep,) = one_part("flathand extfingeru palmd chest moveu repeatreverse").actions
    assert rep.mode == "reverse"


def test_parallel_action_and_replacement():
    (par,) = one_part("pinchall fingerstraightmod extfingeru palml forehead lrat "
                      "parbegin moveor replace palmd parend").actions
    assert isinstance(par, Parallel)
    move, change = par.actions
    assert isinstance(move, Movement) and move.direction.codes == ("or",)
    assert isinstance(change, Replace) and change.dominant.palm.codes == ("d",)
    assert change.dominant.handshape is None


def test_replacement_of_handshape_with_finger_detail():
    (change,) = one_part("pinchall fingerbendmod extfingeru palmdl shoulders replace finger2345 thumbacrossmod "
                         "pinky fingerhookmod halt").actions
    hs = change.dominant.handshape
    assert hs.base == "finger2345" and hs.thumb == "across"
    assert hs.fingers[0].digits == (5,) and hs.fingers[0].bend == "hooked"
    assert change.modifiers == ("halt",)


def test_between_forms():
    hand = one_part("flathand thumboutmod between finger2345 fingerbendmod extfingerul between extfingeru "
                    "palml chest").start.dominant
    assert hand.handshape.between.base == "finger2345" and hand.handshape.between.bend == "bent"
    assert hand.ext_finger.codes == ("ul",) and hand.ext_finger.between.codes == ("u",)


def test_split_sequence_fusion_and_nondominant():
    part = one_part("symmpar flathand extfingero palmd chest parbegin moved smallmod plus nomotion parend "
                    "seqbegin moveo movei seqend fusionbegin mover replace fist fusionend")
    split, seq, fused = part.actions
    assert isinstance(split, Split) and split.nondominant[0].kind == "none"
    assert isinstance(seq, Sequence) and not seq.fused and len(seq.actions) == 2
    assert isinstance(fused, Sequence) and fused.fused
    assert part.symmetry.kind == "par"
    assert one_part("nondominant flathand extfingeru palmd chest").nondominant_only


def test_compound_signs_are_parts():
    sign = parse(names("pinch12open extfingeru palml shoulders lrat moveo smallmod plus symmlr flathand "
                       "thumboutmod extfingerl palml head moveur"))
    assert len(sign.parts) == 2
    assert sign.parts[0].symmetry is None and sign.parts[1].symmetry.kind == "lr"
    assert sign.symbols[0] == "hampinch12open" and len(sign.symbols) == 15


def test_location_after_a_non_movement_is_a_goto():
    (par, goto) = one_part("flathand extfingeru palmd parbegin moveo replace palmu parend chest touch").actions
    assert isinstance(goto, Goto) and goto.location.site == "chest"


def test_walk_actions_visits_nested_actions():
    part = one_part("flathand extfingeru palmd chest parbegin moveo replace palmu parend repeatfromstart")
    kinds = [type(a).__name__ for a in walk_actions(part.actions)]
    assert kinds == ["Repeat", "Parallel", "Movement", "Replace"]


@pytest.mark.parametrize("words, symbol, position", [
    ("flathand extfingeru parend", "hamparend", 2),                  # closes nothing
    ("flathand parbegin moveo seqend", "hamseqend", 3),              # closes the wrong bracket
    ("flathand extfingeru parbegin moveo", "hamparbegin", 2),        # never closed
    ("flathand extfingeru palml chest symmlr", "hamsymmlr", 4),      # symmetry in the middle
    ("flathand extfingeru palml chest moveo replace", None, 6),     # replace with nothing after it
    ("flathand extfingeru parbegin moveo plus moved plus moveu parend", "hamplus", 6),
    ("flathand plus", "hamplus", 1),                                 # a compound with no second part
    ("between flathand", "hambetween", 0),
])
def test_malformed_input_names_symbol_and_position(words, symbol, position):
    with pytest.raises(HamNoSysError) as err:
        parse(names(words))
    assert err.value.symbol == symbol and err.value.position == position
    assert f"position {position}" in str(err.value)
    if symbol:
        assert symbol in str(err.value)


def test_unsupported_symbols_are_reported():
    with pytest.raises(HamNoSysUnsupported) as err:
        parse(names("flathand altbegin extfingeru metaalt extfingero altend"))
    assert err.value.symbol == "hamaltbegin" and err.value.position == 1
    assert isinstance(err.value, ValueError)


def test_too_long_input_is_refused():
    ok = "hamflathand hamextfingeru hampalmd hamchest " + " ".join(["hammoveo"] * 990)
    assert len(parse(ok).parts[0].actions) == 990
    with pytest.raises(HamNoSysError, match="at most 1000") as err:
        parse(ok + " hammoveo" * 20)
    assert err.value.reason == "too long"
    with pytest.raises(HamNoSysError, match="at most 1000"):
        parse("\ue001" + "\ue089" * 5000)
    with pytest.raises(HamNoSysError, match="at most 1000"):
        parse("x" * 10_000_000)


@pytest.mark.parametrize("text", [
    "hamflathand " + "hamparbegin " * 17 + "hammoveo" + " hamparend" * 17,
    "hamflathand hamextfingeru " + " hambetween ".join(["hamextfingero"] * 400),
    "hamflathand " + " hambetween ".join(["hamflathand"] * 400),
    "hamflathand hamextfingeru hampalmd hammoveo " + " hambetween ".join(["hammoveo"] * 400),
    "hamflathand hamextfingeru hampalmd hamchest hammoveo " + " ".join(["hamrepeatfromstart"] * 400),
])
def test_hostile_nesting_fails_cleanly(text):
    with pytest.raises(HamNoSysError) as err:
        parse(text)
    assert err.value.position is not None and err.value.symbol is not None


def test_long_runs_of_contacts_stay_flat():
    part = parse("hamflathand hamextfingeru hampalmd hamchest " + " ".join(["hamtouch"] * 900)).parts[0]
    depth, contact = 0, part.start.dominant.location.contact
    while contact is not None:
        depth, contact = depth + 1, contact.then
    assert depth <= 4
    assert all(isinstance(a, Goto) for a in part.actions)


def test_a_bracket_with_movements_is_an_action_split_even_if_it_starts_with_a_location():
    (split,) = one_part("flathand extfingeru palmd parbegin chest moveo plus nomotion parend").actions
    assert isinstance(split, Split)
    assert isinstance(split.dominant[0], Goto) and split.dominant[1].kind == "straight"


def test_a_symmetry_alone_is_not_a_sign():
    with pytest.raises(HamNoSysError) as err:
        parse("hamsymmlr")
    assert err.value.position == 1 and err.value.reason == "empty part"


def test_palm_normal_uses_between_directions():
    hand = one_part("flathand extfingero palmd between palml").start.dominant
    s = 2 ** -0.5
    assert hand.palm_normal() == pytest.approx((s, -s, 0.0))
