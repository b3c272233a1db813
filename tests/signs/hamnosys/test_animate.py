"""HamNoSys signs -> key poses: coverage of the DSGS lexicon, and what the key poses hold (checked with
forward kinematics: handshape, finger direction, contact, symmetry, circles, repetition, takes)."""

import itertools
from collections import Counter

import numpy as np
import pytest
from hamnosys_lexicon import lexicon_entries, names

from signspark.signs.hamnosys import HamNoSysError, parse, read_sigml, write_sigml
from signspark.signs.hamnosys.animator import MAX_KEYS, animate, animate_hamnosys, plan
from signspark.signs.hamnosys.directions import direction, mirror_vector
from signspark.signs.hamnosys.handshapes import HandshapeSpec, handshape, selected_fingers
from signspark.signs.hamnosys.locations import body_location, hand_location
from signspark.signs.hamnosys.surface import posed_vertices, rest_body, signed_distance, vertex_normals
from signspark.signs.handshapes import hand_pose
from signspark.signs.kinematics import FINGER_JOINTS, WRIST, forward, pose_vector
from signspark.signs.signers import DEFAULT_SIGNER

MIN_ANIMATED = 0.95
SAMPLE = 25  # every 25th entry is solved into poses in the test (all of them in bench/hamnosys_coverage.py)


def fk(pose):
    return forward(pose_vector(body_pose=pose[:21], left_hand_pose=pose[21:36], right_hand_pose=pose[36:]),
                   rest_body(DEFAULT_SIGNER.betas).skel)


def angle(a, b):
    return np.degrees(np.arccos(np.clip(a @ b / np.linalg.norm(a) / np.linalg.norm(b), -1, 1)))


def test_every_lexicon_entry_is_planned_or_reported():
    """Every entry that parses gets key states (no posture solved: fast), or a reason."""
    failures, planned = Counter(), 0
    for entry in lexicon_entries():
        try:
            p = plan(parse(entry["hamnosys"][0]))
        except HamNoSysError as exc:
            failures[exc.reason] += 1
            continue
        assert 1 <= len(p.keys) <= MAX_KEYS + 2 and p.keys[0][0] == 0.0
        assert len(p.keys) == 1 or p.keys[-1][0] == 1.0
        planned += 1
    assert planned / len(lexicon_entries()) >= MIN_ANIMATED, failures
    assert set(failures) <= {"unbalanced brackets", "unexpected symbol"}, failures


def test_a_sample_of_the_lexicon_animates():
    done, notes = 0, Counter()
    sample = lexicon_entries()[::SAMPLE]
    for entry in sample:
        try:
            form = animate(parse(entry["hamnosys"][0]), label=entry["hns_gloss"][0])
        except HamNoSysError:
            continue
        assert all(np.isfinite(p).all() and p.shape == (51, 3) for _, p in form.keys)
        assert form.label == entry["hns_gloss"][0] and form.duration >= 2.5
        notes.update(n.split(":")[0] for n in form.notes)
        done += 1
    assert done / len(sample) >= MIN_ANIMATED, (done, len(sample))


def _contact(pose, side, spec_shape, part):
    P, G = fk(pose)
    hand = pose[36:] if side == "right" else pose[21:36]
    rb = rest_body(DEFAULT_SIGNER.betas)
    pt = hand_location(hand.reshape(-1), side, part, selected_fingers(spec_shape), rb.betas)
    return pt.world(P, G, rb.skel.rest)[0], P, G


@pytest.mark.parametrize("text, shape, ext", [
    ("flathand thumboutmod extfingero palmd chest lrat moved smallmod", HandshapeSpec("flathand", "thumboutmod"), "o"),
    ("finger2 thumbacrossmod extfingeruo palmd shoulders movel", HandshapeSpec("finger2", "thumbacrossmod"), "uo"),
    ("fist extfingerul palmr shoulders lrat circleo", HandshapeSpec("fist"), "ul"),
])
def test_keys_hold_the_handshape_and_the_finger_direction(text, shape, ext):
    form = animate_hamnosys(names(text))
    assert len(form.keys) >= 3 and form.hold_keys and form.duration > 2.5
    for _, pose in form.keys:
        assert np.allclose(pose[36:].reshape(-1), hand_pose(handshape(shape), "right"), atol=1e-6)
        P, _ = fk(pose)
        axis = P[FINGER_JOINTS("right", "middle")[0]] - P[WRIST["right"]]
        assert angle(axis, direction(ext)) <= 20


def test_a_contact_touches_and_keeps_touching_through_a_local_movement():
    form = animate_hamnosys(names("finger2 extfingeri palml chin touch twisting"))
    assert len(form.keys) >= 5
    chin_rest = body_location("chin", None, "right", False, DEFAULT_SIGNER.betas)
    rb = rest_body(DEFAULT_SIGNER.betas)
    for _, pose in form.keys:
        tip, P, G = _contact(pose, "right", HandshapeSpec("finger2"), "fingertips")
        chin = chin_rest.world(P, G, rb.skel.rest)[0]
        assert np.linalg.norm(tip - chin) < 0.01


def test_a_symmetric_sign_mirrors_the_other_hand():
    form = animate_hamnosys(names("symmlr flathand extfingeruo palmdl shoulders lrat moveo arcu repeatfromstart"))
    assert len(form.keys) >= 5
    for _, pose in form.keys:
        P, _ = fk(pose)
        for j in (WRIST, ):
            assert np.linalg.norm(P[j["left"]] - mirror_vector(P[j["right"]])) < 0.01
        assert np.linalg.norm(P[FINGER_JOINTS("left", "index")[2]]
                              - mirror_vector(P[FINGER_JOINTS("right", "index")[2]])) < 0.01


def _palm_centres(pose):
    P, G = fk(pose)
    J = rest_body(DEFAULT_SIGNER.betas).skel.rest
    return [hand_location(pose[sl].reshape(45), side, "palm").world(P, G, J)[0]
            for side, sl in (("right", slice(36, 51)), ("left", slice(21, 36)))]


def test_symmetric_hands_meet_only_when_the_contact_comes_before_the_place():
    """SCHWIMMEN (``hamtouch hamchest``): the hands touch each other in front of the chest. LEHREN
    (``hamshoulders hamclose``): each hand close to its own shoulder, not the two hands together."""
    meet = animate_hamnosys(names("symmlr flathand extfingero palmd touch chest"))
    pose = meet.keys[0][1]
    P, G = fk(pose)
    J = rest_body(DEFAULT_SIGNER.betas).skel.rest
    sides = [hand_location(pose[sl].reshape(45), side, "thumbside").world(P, G, J)[0]
             for side, sl in (("right", slice(36, 51)), ("left", slice(21, 36)))]
    assert np.linalg.norm(sides[0] - sides[1]) < 0.035, sides
    apart = animate_hamnosys(names("symmlr pinchall fingerstraightmod extfingeruo palmd shoulders close moveo"))
    right, left = _palm_centres(apart.keys[0][1])
    assert right[0] < -0.09 and left[0] > 0.09, (right, left)
    assert not any(n.startswith("two hands") for n in apart.notes)


def test_hands_meeting_side_by_side_touch_with_their_thumbs_and_do_not_overlap():
    """STRAUCH (``hamclose hamchest``, palms forward, fingers up): the hands come together thumb side to
    thumb side; their palm centres were both put at the midline, one hand through the other."""
    form = animate_hamnosys(names("symmlr finger2345 thumboutmod extfingeru palmd close chest"))
    pose = form.keys[0][1]
    right, left = _palm_centres(pose)
    assert left[0] - right[0] > 0.08, "the hands overlap"
    P, G = fk(pose)
    J = rest_body(DEFAULT_SIGNER.betas).skel.rest
    tips = [hand_location(pose[sl].reshape(45), side, "thumb_tip").world(P, G, J)[0]
            for side, sl in (("right", slice(36, 51)), ("left", slice(21, 36)))]
    assert 0.01 < tips[1][0] - tips[0][0] < 0.06, tips


def test_a_hand_held_at_the_other_hand_moves_when_only_it_moves():
    """LAPTOP: the dominant palm lies on the other palm, then lifts (moveu); the other hand stays. Before,
    a hand placed at the other hand took no movement of its own (119 DSGS entries did not move)."""
    form = animate_hamnosys(names("parbegin flathand extfingerl palmd plus flathand extfingerr palmu parend "
                                  "palm touch moveu"))
    (first_r, first_l), (last_r, last_l) = _palm_centres(form.keys[0][1]), _palm_centres(form.keys[-1][1])
    assert last_r[1] - first_r[1] > 0.08, (first_r, last_r)
    assert np.linalg.norm(last_l - first_l) < 0.005


def test_a_circle_is_a_closed_path_in_its_plane():
    form = animate_hamnosys(names("finger2 extfingeru palml chest lrat circleo"))   # axis forward: frontal plane
    tips = []
    for _, pose in form.keys:
        P, _ = fk(pose)
        tips.append(P[WRIST["right"]])
    tips = np.array(tips)
    assert len(tips) >= 9
    spread = tips.max(0) - tips.min(0)
    assert spread[0] > 0.06 and spread[1] > 0.06 and spread[2] < 0.5 * min(spread[0], spread[1])
    assert np.linalg.norm(tips[-1] - tips[0]) < 0.01
    centre = tips[1:-1].mean(0)
    r = np.linalg.norm((tips[1:-1] - centre)[:, :2], axis=1)
    assert r.std() < 0.3 * r.mean()   # round, not a line


def test_a_repeated_circle_goes_round_again_without_a_stop():
    """FAMILIE (circle, hamrepeatfromstart): the hand is back at the start when the circle closes, so it
    goes round again at once; a return key there held the hand still in the middle of the sign."""
    p = plan(parse(names("finger2345 thumboutmod extfingerl palmd chest circleu smallmod repeatfromstart")))
    inner = p.keys[1:-1]   # the first and the last key are the holds at the ends
    for (u0, r0, _), (u1, r1, _) in itertools.pairwise(inner):
        assert r0 != r1, f"the hand stands still from u={u0:.2f} to u={u1:.2f}"


def test_a_repetition_repeats():
    once = animate_hamnosys(names("flathand extfingero palmd chest lrat moved"))
    twice = animate_hamnosys(names("flathand extfingero palmd chest lrat moved repeatfromstart"))
    several = animate_hamnosys(names("flathand extfingero palmd chest lrat moved repeatfromstartseveral"))
    assert len(once.keys) < len(twice.keys) < len(several.keys)
    assert once.duration < twice.duration < several.duration
    start, end = once.keys[0][1], once.keys[-1][1]
    seen_end = sum(np.allclose(p, end, atol=1e-6) for _, p in twice.keys)
    seen_start = sum(np.allclose(p, start, atol=1e-6) for _, p in twice.keys)
    assert seen_end >= 3 and seen_start >= 3   # each with its hold


def test_a_replacement_changes_the_handshape_during_the_sign():
    form = animate_hamnosys(names("finger2345 extfingeru palmd forehead lrat replace pinchall"))
    assert not np.allclose(form.keys[0][1][36:], form.keys[-1][1][36:])
    assert np.allclose(form.keys[-1][1][36:].reshape(-1), hand_pose(handshape(HandshapeSpec("pinchall")), "right"))


def test_unsupported_parts_are_noted_not_fatal():
    form = animate_hamnosys(names("flathand extfingeru palml chest fingerplay"))
    assert any(n.startswith("finger play") for n in form.notes)
    static = animate_hamnosys(names("flathand extfingeru palml chest touch"))
    assert len(static.keys) == 1 and not static.hold_keys and static.duration == 2.5


def test_sigml_signs_animate():
    xml = write_sigml([("DEIN", names("flathand thumboutmod extfingeru palmd shoulders close moveo smallmod"))])
    sign = read_sigml(xml)[0]
    form = animate(sign.description, label=sign.gloss)
    assert form.label == "DEIN" and len(form.keys) >= 3


def test_a_take_holds_every_key_pose_of_a_moving_sign():
    from signspark.signs.fingerspelling import AlphabetLexicon
    from signspark.signs.hamnosys.lexicon import HamNoSysLexicon
    from signspark.signs.lexicon import LexiconChain
    from signspark.signs.takes import take

    lex = LexiconChain([HamNoSysLexicon({"KREIS": names("finger2 extfingeru palml chest lrat circleo")}, "DGS"),
                        AlphabetLexicon("DGS")])
    seq = take(lex.tokens("Kreis ab"), lex, text="Kreis ab")
    assert seq.gloss == "KREIS A B" and len(seq.segments) == 3
    form = lex.form("KREIS", DEFAULT_SIGNER)
    s, e = seq.segments[0]
    inside = [f for f in seq.keyframes if s <= f <= e]
    assert len(inside) >= len(form.keys) - 1
    body = seq.params["body_pose"].reshape(-1, 21, 3)
    assert np.allclose(body[s], form.keys[0][1][:21], atol=1e-4)
    assert np.allclose(body[e], form.keys[-1][1][:21], atol=1e-4)
    # letters keep their onset, middle and offset keyframes only
    for s2, e2 in seq.segments[1:]:
        assert sorted(f for f in seq.keyframes if s2 <= f <= e2) == sorted({s2, (s2 + e2) // 2, e2})


def test_a_touching_hand_moved_along_the_body_stays_on_it():
    """A flat hand on the stomach moving up (16 cm) slides up the front of the body; it used to end
    1.2 cm off the skin, where the body curves back under the chest."""
    form = animate_hamnosys(names("flathand extfingerl palml stomach touch moveu largemod"))
    rb = rest_body(DEFAULT_SIGNER.betas)
    for _, pose in (form.keys[1], form.keys[-1]):
        V = posed_vertices(pose, DEFAULT_SIGNER.betas)
        gap = signed_distance(V[rb.mask("right_hand")], V, vertex_normals(V, rb.faces),
                              rb.mask("head", "neck", "torso")).min()
        assert abs(gap) < 0.006, gap
