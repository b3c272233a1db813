"""Timing of a spelled take: holds, doubled letters, pauses at words and punctuation, learner speed."""

import numpy as np
import pytest

from signspark.signs import spell
from signspark.signs.alphabets import get_alphabet
from signspark.signs.placement import letter_keyposes
from signspark.signs.signers import DEFAULT_SIGNER
from signspark.signs.kinematics import FINGERS, forward, pose_vector
from signspark.signs.motion import MAX_CLIP_FRAMES


def _tip(seq, frame, finger="index"):
    P, _ = forward(pose_vector(body_pose=seq.params["body_pose"][frame],
                               left_hand_pose=seq.params["left_hand_pose"][frame],
                               right_hand_pose=seq.params["right_hand_pose"][frame]))
    return P[21] if finger is None else P[55 + 5 + FINGERS.index(finger)]


def _gaps(seq):
    s = seq.segments
    return s[1:, 0] - s[:-1, 1] - 1


def test_each_letter_has_a_clear_hold():
    seq = spell("abcdefg", "ASL")
    lengths = seq.segments[:, 1] - seq.segments[:, 0] + 1
    assert lengths.min() >= 2 and np.median(lengths) >= 3
    # the middle frame of every hold shows the letter itself (arm and handshape), not a blend
    # with its neighbours
    asl = get_alphabet("ASL")
    for (s, e), name in zip(seq.segments[1:-1], seq.gloss.split()[1:-1]):
        m = (s + e) // 2
        own = np.asarray(letter_keyposes(asl[name], DEFAULT_SIGNER)[0][1])
        assert np.abs(seq.params["body_pose"][m] - own[:21].reshape(63)).max() < 0.01, name
        assert np.abs(seq.params["right_hand_pose"][m] - own[36:].reshape(45)).max() < 0.03, name


@pytest.mark.parametrize("lang,text,double", [("ASL", "hello", 2), ("DGS", "Hallo", 2), ("BSL", "feet", 1)])
def test_doubled_letters_move_between_their_holds(lang, text, double):
    seq = spell(text, lang)
    (s1, e1), (s2, e2) = seq.segments[double], seq.segments[double + 1]
    assert s2 > e1 + 1                                  # two holds, not one long one
    held = _tip(seq, e1)
    path = [np.linalg.norm(_tip(seq, f) - held) for f in range(e1, s2 + 1)]
    assert max(path) > 0.012, path                      # a visible slide or bounce (> 1.2 cm)


def test_word_gaps_and_punctuation_pause():
    plain = spell("ab cd", "ASL")
    stop = spell("ab. cd", "ASL")
    comma = spell("ab,cd", "ASL")
    joined = spell("abcd", "ASL")
    assert plain.gloss == stop.gloss == comma.gloss == "A B C D"
    g_join, g_word, g_stop = _gaps(joined)[1], _gaps(plain)[1], _gaps(stop)[1]
    assert g_word > g_join + 3                          # a word gap is a pause
    assert g_stop > g_word + 3                          # punctuation pauses longer
    assert _gaps(comma)[1] == g_stop
    # during the punctuation pause the hand drops a little
    e, s = stop.segments[1, 1], stop.segments[2, 0]
    assert min(_tip(stop, f)[1] for f in range(e, s)) < _tip(stop, e)[1] - 0.01


def test_slow_speed_lengthens_holds_more_than_transitions():
    normal, slow = spell("abcdef", "ASL", seed=2), spell("abcdef", "ASL", seed=2, speed=0.5)
    hold = lambda s: float(np.mean(s.segments[:, 1] - s.segments[:, 0] + 1))
    trans = lambda s: float(np.mean(_gaps(s)))
    assert hold(slow) > 1.7 * hold(normal)
    assert trans(normal) < trans(slow) < 1.7 * trans(normal)
    fast = spell("abcdef", "ASL", seed=2, speed=2.0)
    assert fast.num_frames < normal.num_frames < slow.num_frames


def test_too_slow_is_a_clear_error_naming_speed():
    with pytest.raises(ValueError, match="speed"):
        spell("hello world", "ASL", speed=0.02)
    with pytest.raises(ValueError, match="speed"):
        spell("hello", "ASL", speed=0)
    with pytest.raises(ValueError, match="speed"):
        spell("hello", "ASL", speed=float("nan"))
    assert spell("hello world", "ASL", speed=0.2).num_frames <= MAX_CLIP_FRAMES


def test_clip_limit_matches_the_pipeline():
    from signspark.pipeline import MAX_FRAMES

    assert MAX_CLIP_FRAMES == MAX_FRAMES
