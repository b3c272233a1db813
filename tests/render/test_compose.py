import numpy as np
import pytest

from signspark.render import parse_color
from signspark.render.compose import caption_for_frame, draw_border, draw_caption, side_by_side


def test_caption_names_the_current_sign():
    segs = np.array([[0, 4], [8, 12]])
    assert caption_for_frame(2, "hello world", "HELLO WORLD", segs) == ["hello world", "HELLO"]
    assert caption_for_frame(10, "hello world", "HELLO WORLD", segs) == ["hello world", "WORLD"]
    assert caption_for_frame(6, "hello world", "HELLO WORLD", segs) == ["hello world"]
    assert caption_for_frame(9, "abc", "", segs, segment_labels=["A", "B"]) == ["abc", "B"]
    assert caption_for_frame(1, "", "ONE TWO THREE", segs) == ["ONE TWO THREE", "sign 1/2"]


def test_compose_helpers():
    a = np.full((40, 30, 3), 255, np.uint8)
    b = np.full((40, 30, 3), 255, np.uint8)
    s = side_by_side([a, b], ["reference", "generated"])
    assert s.shape == (40, 64, 3)
    assert (s[:, :30] != 255).any()  # the label was drawn
    with pytest.raises(ValueError, match="height"):
        side_by_side([a, np.zeros((10, 30, 3), np.uint8)])
    bordered = draw_border(a, (230, 60, 40), width=3)
    assert (bordered[0, 0] == (230, 60, 40)).all() and (bordered[20, 15] == 255).all()
    cap = draw_caption(np.full((100, 120, 3), 255, np.uint8), ["hello", "HELLO"])
    assert cap[-5:].mean() < 200 and (cap[:50] == 255).all()


def test_parse_color():
    assert parse_color("white") == (255, 255, 255)
    assert parse_color("#10a0FF") == (16, 160, 255)
    assert parse_color((1, 2, 3)) == (1, 2, 3)
    for bad in ("#12345", "purple-ish", (1, 2), (0, 0, 300)):
        with pytest.raises(ValueError):
            parse_color(bad)
