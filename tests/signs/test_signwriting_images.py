"""SignWriting pictures of lexicon entries: PNG, bounded, cached, clear errors on bad FSW."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from signspark.signs.dsgs import gloss_index
from signspark.signs.signwriting_images import (SignWritingError, check_fsw, save_signwriting_png, signwriting_image,
                                                signwriting_png)


def test_an_entry_renders_to_png(tmp_path):
    fsw = gloss_index().describe("KIND").fsw
    png = signwriting_png(fsw)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    img = Image.open(io.BytesIO(png))
    assert img.mode == "RGBA" and 8 < max(img.size) <= 256
    assert img.getchannel("A").getextrema()[1] == 255          # something is drawn
    assert signwriting_png(fsw) is png                          # cached
    save_signwriting_png(fsw, tmp_path / "kind.png", scale=1)
    assert Image.open(tmp_path / "kind.png").size == signwriting_image(fsw, scale=1).size


def test_size_is_bounded():
    fsw = gloss_index().describe("LERNEN").fsw
    big = signwriting_image(fsw, scale=8, max_side=64)
    assert max(big.size) == 64
    assert signwriting_image(fsw, scale=2).size[0] == 2 * signwriting_image(fsw, scale=1).size[0]
    with pytest.raises(SignWritingError, match="max_side"):
        signwriting_png(fsw, max_side=5000)
    with pytest.raises(SignWritingError, match="scale"):
        signwriting_png(fsw, scale=0)


@pytest.mark.parametrize("bad,match", [
    ("", "empty"), ("hello", "not a Formal SignWriting"), ("M507x531S15a50495x47", "valid up to character 8"),
    ("M507x531S38c00495x470", "outside"), (None, "string"), ("M" + "S10000490x490" * 200, "characters long")])
def test_bad_fsw_gives_a_clear_error(bad, match):
    with pytest.raises(SignWritingError, match=match):
        signwriting_png(bad)


def test_check_fsw_accepts_the_lexicon():
    index = gloss_index()
    for name in ("KIND", "KINDER", "WASSER", "FREUND"):
        assert check_fsw(" " + index.describe(name).fsw + "\n") == index.describe(name).fsw


def test_sign_pictures_for_dsgs_glosses_and_none_for_letters():
    from signspark.signs.signwriting_images import sign_pictures

    pics = sign_pictures(["KINDER", "A", "NO-SUCH-SIGN"], "DSGS")
    assert pics[0] is not None and max(pics[0].size) <= 96
    assert pics[1] is None and pics[2] is None
    assert sign_pictures(["H", "I"], "ASL") == [None, None]
