"""Body locations are found on the body as it is posed when signing starts (arms down), not on the T-pose:
they lie on the skin of that posture, the arm places face the way a signer means them, and a sign at
the top of the shoulder has its hand there."""

import numpy as np
import pytest

from signspark.signs.arms import rest_body_pose
from signspark.signs.hamnosys import animate_hamnosys
from signspark.signs.hamnosys.locations import ARM_LOCATIONS, BODY_LOCATIONS, PAIRED, body_location, hand_location
from signspark.signs.hamnosys.surface import arms_down_body, posed_vertices, rest_body
from signspark.signs.kinematics import forward, pose_vector

# DSGS WOHNEN: both hands, bent V, fingers up, above the shoulders, moving down
WOHNEN = ("hamsymmlr hamfinger23spread hamthumbacrossmod hamfingerbendmod hamextfingeru hampalmul "
          "hamshouldertop hamlrat hammoved")


def _fk(pose):
    return forward(pose_vector(body_pose=pose[:21], left_hand_pose=pose[21:36], right_hand_pose=pose[36:]),
                   rest_body().skel)


def _arms_down():
    pose = np.zeros((51, 3))
    pose[:21] = rest_body_pose()
    return pose


def _places():
    for name in BODY_LOCATIONS:
        sides = ("left", "right") if name in PAIRED + ARM_LOCATIONS else (None, "left", "right")
        for side in sides:
            yield name, side


def test_body_locations_lie_on_the_skin_with_the_arms_down():
    """Posed with the arms down, every place is on the posed mesh (the body model's own forward pass).
    On the T-pose the top of the shoulder is where the raised arm's skin was: 5 cm off."""
    pose = _arms_down()
    P, G = _fk(pose)
    V = posed_vertices(pose)
    J = rest_body().skel.rest
    for name, side in _places():
        for beside in (False, True):
            if beside and name == "neutralspace":
                continue
            q = body_location(name, side, "right", beside).world(P, G, J)[0]
            gap = float(np.linalg.norm(V - q, axis=1).min())
            assert gap < 0.004, (name, side, beside, gap)


def test_arm_places_face_the_way_a_signer_means_them():
    """On the hanging arm: the elbow's point is at its back, the crease in front, the upper arm is touched
    from the front and the lower arm on its back (outward with the palm toward the thigh), beside the
    upper arm is its outer side; each places its hand outside the arm."""
    body = arms_down_body()
    P, G, J = body.joints, body.rotations, body.rest.skel.rest
    expect = {"elbow": [0, 0, -1.0], "elbowinside": [0, 0, 1.0], "upperarm": [0, 0, 1.0], "lowerarm": [1.0, 0, 0]}
    for name, d in expect.items():
        q, n, facing = body_location(name, "left", "right").world(P, G, J)
        assert facing @ np.asarray(d) > 0.95, (name, facing)
        assert n @ np.asarray(d) > 0.5, (name, n)
    q, _, facing = body_location("upperarm", "left", "right", beside=True).world(P, G, J)
    assert facing[0] > 0.95 and q[0] > body_location("upperarm", "left", "right").world(P, G, J)[0][0] + 0.02


@pytest.mark.parametrize("key", [0, -1])
def test_a_sign_at_the_top_of_the_shoulders_has_its_hands_there(key):
    """WOHNEN: the hands start at the top of the shoulders (in front of them and a little above), not at
    the temples, and are still near them after moving down; the arm reaches (no reach note)."""
    form = animate_hamnosys(WOHNEN, label="WOHNEN")
    assert not [n for n in form.notes if n.startswith("reach")], form.notes
    pose = form.keys[key][1]
    P, G = _fk(pose)
    J = rest_body().skel.rest
    for side, sl in (("right", slice(36, 51)), ("left", slice(21, 36))):
        palm = hand_location(pose[sl].reshape(45), side, "palm").world(P, G, J)[0]
        top = body_location("shouldertop", side).world(P, G, J)[0]
        chin = body_location("chin").world(P, G, J)[0]
        ear = body_location("ear", side).world(P, G, J)[0]
        assert np.linalg.norm(palm - top) < 0.17, (side, palm, top)
        assert palm[1] < chin[1] - 0.03, "the hand is at the face, not the shoulder"
        assert np.linalg.norm(palm - ear) > 0.15
        assert np.sign(palm[0]) == np.sign(top[0]), "each hand at its own shoulder"
