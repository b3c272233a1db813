"""Writers: official .pt tag dict, JSON reports, ELAN files read back with pympi."""

import json

import numpy as np
import pytest
import torch
from pympi.Elan import Eaf

from signspark.keyframes import segments_to_tags
from signspark.segment.export import (
    KEYFRAME_TIER,
    SIGN_TIER,
    clip_report,
    read_eaf_segments,
    write_eaf,
    write_json,
    write_pt,
)

SEGMENTS = [(0, 4), (10, 10), (13, 30), (40, 49)]
TAGS = segments_to_tags(SEGMENTS, 50)


def test_pt_is_official_form(tmp_path):
    path = write_pt(tmp_path / "tags.pt", {"a": TAGS, "b": np.zeros(3, np.int64)})
    data = torch.load(path, weights_only=True)
    assert set(data) == {"a", "b"}
    assert data["a"].dtype == torch.int64 and data["a"].shape == (50,)
    assert data["a"].tolist() == TAGS.tolist()
    assert [p.name for p in tmp_path.iterdir()] == ["tags.pt"]  # no temporary left behind


def test_json_report(tmp_path):
    path = write_json(tmp_path / "out.json", {"clip": TAGS}, fps=25)
    doc = json.loads(path.read_text())
    rep = doc["clips"]["clip"]
    assert doc["fps"] == 25 and doc["policy"] == "onset_middle_offset"
    assert [(s["start"], s["end"]) for s in rep["segments"]] == SEGMENTS
    assert rep["segments"][2]["start_s"] == pytest.approx(13 / 25)
    assert rep["segments"][2]["end_s"] == pytest.approx(31 / 25)   # end of the last frame
    assert rep["tags"] == TAGS.tolist()
    assert rep["keyframes"] == [0, 2, 4, 10, 13, 21, 30, 40, 44, 49]
    assert rep["keyframe_times_s"] == pytest.approx([k / 25 for k in rep["keyframes"]])
    assert rep["num_frames"] == 50 and rep["duration_s"] == pytest.approx(2.0)


def test_json_policy_uniform():
    rep = clip_report(TAGS, fps=50, policy="uniform", k=2)
    assert rep["keyframes"] == [0, 4, 10, 13, 30, 40, 49]
    with pytest.raises(ValueError, match="fps"):
        clip_report(TAGS, fps=0)


@pytest.mark.parametrize("fps", [25.0, 29.97, 50.0])
def test_eaf_round_trip(tmp_path, fps):
    media = tmp_path / "clip.mp4"
    media.write_bytes(b"")
    path = write_eaf(tmp_path / "clip.eaf", TAGS, fps=fps, media=media)
    assert read_eaf_segments(path, fps=fps) == SEGMENTS
    eaf = Eaf(str(path))
    assert set(eaf.get_tier_names()) == {SIGN_TIER, KEYFRAME_TIER}
    kfs = sorted(eaf.get_annotation_data_for_tier(KEYFRAME_TIER))
    assert [int(v) for _, _, v in kfs] == [0, 2, 4, 10, 13, 21, 30, 40, 44, 49]
    for start, end, v in kfs:
        assert start == round(int(v) * 1000 / fps) and 0 < end - start <= round(1000 / fps) + 1
    (desc,) = eaf.media_descriptors
    assert desc["MEDIA_URL"] == media.resolve().as_uri() and desc["RELATIVE_MEDIA_URL"] == "./clip.mp4"
    assert desc["MIME_TYPE"] == "video/mp4"


def test_eaf_without_signs(tmp_path):
    path = write_eaf(tmp_path / "none.eaf", np.zeros(20, np.int64))
    assert read_eaf_segments(path) == []
