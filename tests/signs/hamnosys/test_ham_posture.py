"""HamNoSys postures: orientation, contact, distance, symmetry and no hand inside the body, checked with
forward kinematics and the posed body mesh."""

import functools
import warnings

import numpy as np
import pytest

from signspark.signs.arms import ReachError
from signspark.signs.hamnosys.directions import direction, mirror_vector, palm_normal
from signspark.signs.hamnosys.handshapes import HandshapeSpec, handshape
from signspark.signs.hamnosys.locations import body_location, hand_location
from signspark.signs.hamnosys.posture import (HandPostureSpec, ReachWarning, contact_part, mirror_spec,
                                              solve_posture, solve_posture_detail)
from signspark.signs.hamnosys.surface import posed_vertices, rest_body, signed_distance, vertex_normals
from signspark.signs.handshapes import hand_pose
from signspark.signs.kinematics import FINGER_JOINTS, WRIST, forward, pose_vector
from signspark.signs.signers import DEFAULT_SIGNER, sample_signer

S = HandPostureSpec
FLAT = HandshapeSpec("flathand")
INDEX = HandshapeSpec("finger2")

# name -> (dominant, nondominant or "mirror" or None)
POSTURES = {
    "index_tip_on_chin": (S(INDEX, "i", "l", "hamchin", distance="touch"), None),
    "flat_hand_on_chest": (S(FLAT, "l", "l", "chest", distance="touch"), None),
    "flat_hand_close_to_chest": (S(FLAT, "l", "l", "chest", distance="close"), None),
    "palm_on_right_cheek": (S(FLAT, "u", "ul", "cheek", distance="touch"), None),
    "index_tip_on_nose": (S(INDEX, "i", "d", "nose", distance="touch"), None),
    "fingertips_close_to_forehead": (S(HandshapeSpec("finger23"), "ul", "d", "forehead", side="ipsi",
                                       distance="close"), None),
    "fist_on_stomach": (S(HandshapeSpec("fist", thumb="thumbacrossmod"), "l", "l", "stomach", distance="touch"),
                        None),
    "index_tip_on_other_shouldertop": (S(INDEX, "d", "l", "shouldertop", side="contra", distance="touch"), None),
    "hands_symmetric_at_shoulders": (S(HandshapeSpec("flathand", thumb="thumboutmod"), "u", "d", "shoulders",
                                       side="ipsi"), "mirror"),
    "hands_symmetric_on_chest": (S(HandshapeSpec("finger2345", thumb="thumboutmod"), "l", "l", "chest",
                                   side="ipsi", distance="touch"), "mirror"),
    "index_on_other_palm": (S(INDEX, "d", "l", "palm", distance="touch"),
                            S(FLAT, "r", "u", "chest", distance=0.25)),
    "beside_head": (S(FLAT, "u", "l", "head", beside=True), None),
    "arm_extended": (S(HandshapeSpec("finger2"), "o", "l", "shoulders", side="ipsi", distance="armextended"), None),
}


@functools.lru_cache(maxsize=None)
def solved(name, signer=DEFAULT_SIGNER):
    dom, nd = POSTURES[name]
    if nd == "mirror":
        nd = mirror_spec(dom)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ReachWarning)
        result = solve_posture_detail(dom, nd, signer)
    rb = rest_body(signer.betas)
    pose = result.pose
    P, G = forward(pose_vector(body_pose=pose[:21], left_hand_pose=pose[21:36], right_hand_pose=pose[36:]), rb.skel)
    V = posed_vertices(pose, signer.betas)
    return dom, nd, result, P, G, V, rb


def _palm_from_knuckles(P, side):
    w = P[WRIST[side]]
    a = P[FINGER_JOINTS(side, "index")[0]] - w
    b = P[FINGER_JOINTS(side, "pinky")[0]] - w
    n = np.cross(a, b) * (1 if side == "right" else -1)
    return n / np.linalg.norm(n)


def _angle(a, b):
    return np.degrees(np.arccos(np.clip(a @ b / np.linalg.norm(a) / np.linalg.norm(b), -1, 1)))


def _hands(dom, nd):
    return [("right", dom)] + ([("left", nd)] if nd is not None else [])


@pytest.mark.parametrize("name", sorted(POSTURES))
def test_orientation_and_handshape(name):
    dom, nd, result, P, G, V, rb = solved(name)
    for side, spec in _hands(dom, nd):
        axis = P[FINGER_JOINTS(side, "middle")[0]] - P[WRIST[side]]
        assert _angle(axis, direction(spec.extended_finger)) < 15, side
        assert _angle(_palm_from_knuckles(P, side), palm_normal(spec.palm, spec.extended_finger)) < 20, side
        hand = result.pose[36:] if side == "right" else result.pose[21:36]
        assert np.allclose(hand.reshape(-1), hand_pose(handshape(spec.handshape), side), atol=1e-9)


def _contact_world(result, side, spec, P, G, rb):
    hand45 = result.pose[36:] if side == "right" else result.pose[21:36]
    from signspark.signs.hamnosys.handshapes import selected_fingers

    pt = hand_location(hand45.reshape(-1), side, contact_part(spec), selected_fingers(spec.handshape), rb.betas)
    return pt.world(P, G, rb.skel.rest)[0]


def _surface_world(spec, side, P, G, rb):
    loc = body_location(spec.location, spec.side, side, spec.beside, rb.betas)
    return loc.world(P, G, rb.skel.rest)[:2]


@pytest.mark.parametrize("name", [n for n, (d, _) in POSTURES.items() if d.distance in ("touch", "close")
                                  and d.location not in ("palm",)])
def test_contacts_touch_and_close_hands_keep_their_distance(name):
    dom, nd, result, P, G, V, rb = solved(name)
    for side, spec in _hands(dom, nd):
        if spec.distance not in ("touch", "close"):
            continue
        q, n = _surface_world(spec, side, P, G, rb)
        c = _contact_world(result, side, spec, P, G, rb)
        gap = np.linalg.norm(c - q)
        if spec.distance == "touch":
            assert gap < 0.01, (side, gap)
            # and the hand really meets the skin: some hand vertex within 5 mm of the body surface
            hand = V[rb.mask(f"{side}_hand")]
            sd = signed_distance(hand, V, vertex_normals(V, rb.faces), rb.mask("head", "neck", "torso", "legs"))
            assert abs(sd).min() < 0.005, (side, abs(sd).min())
        else:
            assert 0.04 <= gap <= 0.07, (side, gap)
            assert (c - q) @ n > 0.035  # in front of the skin, not inside


def test_index_tip_touches_the_other_palm():
    dom, nd, result, P, G, V, rb = solved("index_on_other_palm")
    palm = hand_location(result.pose[21:36].reshape(-1), "left", "palm", (), rb.betas).world(P, G, rb.skel.rest)[0]
    tip = _contact_world(result, "right", dom, P, G, rb)
    assert np.linalg.norm(tip - palm) < 0.01


@pytest.mark.parametrize("name", sorted(POSTURES))
def test_no_hand_inside_the_body(name):
    dom, nd, result, P, G, V, rb = solved(name)
    N = vertex_normals(V, rb.faces)
    body = rb.mask("head", "neck", "torso", "legs")
    for side, _ in _hands(dom, nd):
        sd = signed_distance(V[rb.mask(f"{side}_hand")], V, N, body)
        assert sd.min() > -0.005, (side, sd.min())


@pytest.mark.parametrize("name", ["hands_symmetric_at_shoulders", "hands_symmetric_on_chest"])
def test_symmetric_hands_mirror_across_the_midline(name):
    dom, nd, result, P, G, V, rb = solved(name)
    for j in (WRIST, ):
        assert np.allclose(P[j["left"]], mirror_vector(P[j["right"]]), atol=2e-3)
    for f in ("index", "thumb", "pinky"):
        for k in range(3):
            l, r = FINGER_JOINTS("left", f)[k], FINGER_JOINTS("right", f)[k]
            assert np.allclose(P[l], mirror_vector(P[r]), atol=2e-3)
    assert np.allclose(V[rb.mask("left_hand")].mean(0), mirror_vector(V[rb.mask("right_hand")].mean(0)), atol=3e-3)


def test_distances_order_and_the_extended_arm():
    _, _, r_touch, *_ = solved("flat_hand_on_chest")
    _, _, r_close, *_ = solved("flat_hand_close_to_chest")
    assert r_close.targets["right"][2] > r_touch.targets["right"][2] + 0.04
    dom, _, r, P, G, V, rb = solved("arm_extended")
    reach = np.linalg.norm(rb.skel.rest[WRIST["right"]] - rb.skel.rest[17])
    assert np.linalg.norm(P[WRIST["right"]] - P[17]) > 0.85 * reach
    assert r.targets["right"][2] > 0.4  # far in front


def test_beside_the_head_is_out_to_the_side():
    dom, _, r, P, G, V, rb = solved("beside_head")
    ear = body_location("ear", "ipsi").point
    assert P[WRIST["right"]][0] < ear[0] - 0.08  # further to the signer's right than the ear


def test_an_idle_hand_rests_by_the_side():
    _, _, r, P, *_ = solved("index_tip_on_chin")
    assert P[WRIST["left"]][1] < P[16][1] - 0.3  # left wrist hangs well below the shoulder


def test_other_signer_shapes_still_touch():
    signer = sample_signer(5)
    assert any(abs(b) > 0.3 for b in signer.betas)
    dom, nd, result, P, G, V, rb = solved("index_tip_on_chin", signer)
    q, _ = _surface_world(dom, "right", P, G, rb)
    assert np.linalg.norm(_contact_world(result, "right", dom, P, G, rb) - q) < 0.01


def test_unreachable_targets_warn_or_raise():
    far = S(FLAT, "o", "d", "chest", distance=1.5)
    with pytest.warns(ReachWarning, match="out of reach"):
        pose = solve_posture(far)
    assert pose.shape == (51, 3) and np.isfinite(pose).all()
    with pytest.raises(ReachError, match="chest"):
        solve_posture(far, strict=True)


def test_bad_specs_are_clear_errors():
    with pytest.raises(ValueError, match="unknown location"):
        solve_posture(S(FLAT, "o", "d", "hamknee"))
    with pytest.raises(ValueError, match="distance"):
        solve_posture(S(FLAT, "o", "d", "chest", distance="hamfar"))
    with pytest.raises(ValueError, match="each hand"):
        solve_posture(S(FLAT, "o", "d", "palm"), S(FLAT, "o", "d", "palm"))
