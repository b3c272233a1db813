"""BIO tags -> segments -> keyframes (signspark.keyframes), as the segmenter uses them."""

import numpy as np
import pytest

from signspark.keyframes import (
    keyframes_from_tags,
    random_keyframes,
    repair_bio,
    segment_bounds,
    segments_to_tags,
    select_keyframes,
    uniform_per_segment,
)


@pytest.mark.parametrize("tags,segments", [
    ([0, 2, 1, 1, 1, 0], [(1, 4)]),
    ([2, 1, 1, 2, 1, 1, 0], [(0, 5)]),          # a BEGIN inside a run does not split it (official semantics)
    ([1, 1, 0, 0, 2], [(0, 1), (4, 4)]),        # runs may start with 1; runs at both ends are closed
    ([0, 0, 0], []),
    ([2], [(0, 0)]),
])
def test_segment_bounds_official(tags, segments):
    assert segment_bounds(tags) == segments


@pytest.mark.parametrize("tags,keyframes", [
    ([0, 2, 1, 1, 1, 0], [1, 2, 4]),
    ([1, 1, 0, 0, 2], [0, 1, 4]),
    ([0, 1, 0, 2, 0], [1, 3]),
    ([0, 0], []),
])
def test_onset_middle_offset_official_examples(tags, keyframes):
    assert keyframes_from_tags(tags) == keyframes


@pytest.mark.parametrize("tags,repaired", [
    ([0, 1, 1, 1, 0], [0, 2, 1, 1, 0]),                   # run without BEGIN gets one
    ([0, 1, 0, 0], [0, 0, 0, 0]),                         # isolated 1 is noise
    ([1, 1, 1, 0, 0], [0, 0, 0, 0, 0]),                   # short run at frame 0 dropped (< 6)
    ([1, 1, 1, 1, 1, 1, 0], [2, 1, 1, 1, 1, 1, 0]),       # long run at frame 0 kept
    ([0, 2, 2, 2, 1, 0], [0, 2, 1, 1, 1, 0]),             # repeated BEGINs collapse
    ([0, 2, 1, 2, 1, 0], [0, 2, 1, 2, 1, 0]),             # BEGIN after 1 stays (two adjacent signs)
    ([2, 0, 2], [2, 0, 2]),                               # one-frame signs with a BEGIN are kept
])
def test_repair_bio(tags, repaired):
    out = repair_bio(tags)
    assert out.tolist() == repaired
    # always valid BIO: every run of non-zero tags starts with a BEGIN
    prev = np.concatenate([[0], out[:-1]])
    assert (out[(out > 0) & (prev == 0)] == 2).all()
    assert repair_bio(out).tolist() == out.tolist()  # idempotent


def test_tags_segments_round_trip():
    segs = [(0, 3), (6, 6), (9, 12)]
    tags = segments_to_tags(segs, 13)
    assert segment_bounds(tags) == segs
    assert tags[[0, 6, 9]].tolist() == [2, 2, 2]


def test_other_policies():
    segs = [(0, 8), (20, 21)]
    assert uniform_per_segment(segs, k=3) == [0, 4, 8, 20, 21]
    assert select_keyframes(segs, "every_frame") == list(range(9)) + [20, 21]
    a = random_keyframes(segs, k=2, generator=np.random.default_rng(5))
    assert a == random_keyframes(segs, k=2, generator=np.random.default_rng(5))
    assert len(a) == 4 and all(0 <= f <= 8 or 20 <= f <= 21 for f in a)
    with pytest.raises(ValueError, match="unknown keyframe policy"):
        select_keyframes(segs, "nope")


def test_select_keyframes_refuses_reversed_or_negative_segments():
    import pytest

    from signspark.keyframes import select_keyframes

    with pytest.raises(ValueError, match="inclusive"):
        select_keyframes([(3, 1)])
    with pytest.raises(ValueError, match="inclusive"):
        select_keyframes([(-2, 4)], "uniform", k=2)
    assert select_keyframes([(2, 6)]) == [2, 4, 6]
