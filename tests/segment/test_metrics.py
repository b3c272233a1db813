"""Frame accuracy, onset F1 within ±k frames, segment F1 at IoU >= 0.5."""

import pytest

from signspark.segment.metrics import frame_accuracy, onset_f1, onsets, score_clips, segment_f1


def test_frame_accuracy():
    assert frame_accuracy([0, 1, 2, 0], [0, 1, 1, 0]) == 0.75
    with pytest.raises(ValueError, match="differ in length"):
        frame_accuracy([0, 1], [0])


def test_onsets_include_begins_inside_runs():
    assert onsets([1, 1, 0, 2, 1, 2, 1, 0]) == [0, 3, 5]


def test_onset_f1_tolerance():
    true = [0, 0, 0, 0, 0, 2, 1, 1, 1, 1]
    assert onset_f1([0, 0, 0, 2, 1, 1, 1, 1, 1, 1], true, tolerance=2) == 1.0   # 2 frames early
    assert onset_f1([0, 0, 2, 1, 1, 1, 1, 1, 1, 1], true, tolerance=2) == 0.0   # 3 frames early
    assert onset_f1([0] * 10, [0] * 10) == 1.0


def test_onsets_match_one_to_one():
    # two predicted onsets near one true onset: one match, one false positive
    assert onset_f1([0, 2, 2, 1, 0], [0, 2, 1, 1, 0], tolerance=2) == pytest.approx(2 * 1 / 3)


def test_segment_f1_iou_threshold():
    true = [0, 2, 1, 1, 1, 0, 0, 0, 0, 0]                # (1, 4)
    assert segment_f1([0, 2, 1, 1, 0, 0, 0, 0, 0, 0], true) == 1.0   # (1,3): IoU 3/4
    assert segment_f1([0, 0, 0, 2, 1, 1, 1, 0, 0, 0], true) == 0.0   # (3,6): IoU 2/6
    # split in two: (1,2) has IoU 2/4 = 0.5 (a match), (4,5) IoU 1/5 (a false positive)
    assert segment_f1([0, 2, 1, 0, 2, 1, 0, 0, 0, 0], true) == pytest.approx(2 * 1 / 3)
    assert segment_f1([0] * 10, [0] * 10) == 1.0
    assert segment_f1([0] * 10, true) == 0.0


def test_score_clips_sums_counts():
    pairs = [([0, 2, 1, 1, 0], [0, 2, 1, 1, 0]), ([0, 0, 0, 0, 0], [2, 1, 1, 0, 0])]
    s = score_clips(pairs)
    assert s.num_clips == 2 and s.num_frames == 10
    assert s.frame_accuracy == pytest.approx(7 / 10)
    assert s.segment_f1 == pytest.approx(2 * 1 / (1 + 2))
    assert s.onset_f1 == pytest.approx(2 * 1 / (1 + 2))
