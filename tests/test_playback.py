"""Cues for a learning player: sign times from segments, labels found in the text."""

from __future__ import annotations

import json

import numpy as np
import pytest

from signspark.playback import align_labels, cues, player_info
from signspark.pose.sequence import PoseSequence


def test_labels_are_found_in_the_text_in_order():
    assert align_labels("hello", list("HELLO")) == [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5)]
    assert align_labels("Hi, Bo!", ["H", "I", "B", "O"]) == [(0, 1), (1, 2), (4, 5), (5, 6)]
    assert align_labels("Schule", ["SCH", "U", "L", "E"]) == [(0, 3), (3, 4), (4, 5), (5, 6)]
    assert align_labels("Äpfel", ["A", "P", "F", "E", "L"])[0] == (0, 1)  # accents ignored
    assert align_labels("Straße", ["S", "T", "R", "A", "SS", "E"]) == [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 6)]
    assert align_labels("你好", ["N", "I", "H", "A", "O"]) == [None] * 5  # pinyin letters: not in the text
    assert align_labels("ab", ["A", "X", "B"]) == [(0, 1), None, (1, 2)]


def test_cues_time_the_signs():
    cs = cues([[5, 14], [20, 29]], 25.0, ["H", "I"], "hi")
    assert [(c.label, c.start, c.end, c.span) for c in cs] == [("H", 0.2, 0.6, (0, 1)), ("I", 0.8, 1.2, (1, 2))]
    assert [c.label for c in cues([[0, 4]], 25.0)] == ["sign 1"]
    assert [c.label for c in cues([[0, 4]], 25.0, ["A", "B"])] == ["sign 1"]  # labels that do not fit are not used
    with pytest.raises(ValueError, match="fps"):
        cues([[0, 4]], 0)


def test_player_info_is_json_and_can_hide_the_word():
    seq = PoseSequence.zeros(40, language="ASL", text="hi", segments=np.array([[5, 14], [20, 29]]))
    info = player_info(seq, ["H", "I"])
    assert json.loads(json.dumps(info)) == info
    assert info["fps"] == 25.0 and info["num_frames"] == 40 and info["duration"] == 1.6 and info["text"] == "hi"
    assert info["cues"][1] == {"index": 1, "label": "I", "start_frame": 20, "end_frame": 29, "start": 0.8,
                               "end": 1.2, "span": [1, 2]}
    hidden = player_info(seq, ["H", "I"], reveal=False)
    assert hidden["text"] == "" and [c["label"] for c in hidden["cues"]] == ["?", "?"]
    assert "hi" not in json.dumps(hidden)
