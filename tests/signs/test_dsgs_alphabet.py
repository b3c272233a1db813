"""The DSGS manual alphabet spells any German text the Swiss way (Ä Ö Ü, CH, SCH letters; ß as S S)."""

from __future__ import annotations

import json
from importlib import resources

import numpy as np
import pytest

from signspark.signs import spell
from signspark.signs.alphabets import get_alphabet
from signspark.signs.handshapes import SHAPES
from signspark.signs.text_to_letters import PAUSE, letters


def test_every_letter_uses_a_known_handshape():
    alphabet = get_alphabet("DSGS")
    assert set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") | {"Ä", "Ö", "Ü", "CH", "SCH"} == set(alphabet.letters)
    for letter in alphabet.letters.values():
        assert letter.shape in SHAPES and (letter.base_shape is None or letter.base_shape in SHAPES)
    assert "ß" not in alphabet                             # Swiss spelling has no ß


def test_the_signwriting_transcription_has_every_letter_we_have():
    # the package's transcription (sgg.json) names a-z, ä ö ü and 0-9; CH and SCH are signs of the lexicon
    data = json.loads(resources.files("signwriting.fingerspelling").joinpath("data/sgg.json").read_text("utf-8"))
    alphabet = get_alphabet("DSGS")
    named = {k.upper() for k in data if k.isalnum()}
    assert named <= set(alphabet.letters)
    assert set(alphabet.letters) - named == {"CH", "SCH"}


def test_german_text_is_spelled_the_swiss_way():
    assert letters("Straße", "DSGS") == ["S", "T", "R", "A", "S", "S", "E"]
    assert letters("Schach", "DSGS") == ["SCH", "A", "CH"]
    assert letters("Äpfel Öl Übel", "DSGS") == ["Ä", "P", "F", "E", "L", PAUSE, "Ö", "L", PAUSE, "Ü", "B", "E", "L"]
    assert letters("GROẞ", "DSGS") == ["G", "R", "O", "S", "S"]
    assert letters("Straße", "DGS")[-2] == "ß"               # DGS keeps its own ß


def test_every_letter_of_german_text_is_spelled():
    text = "Zwölf Boxkämpfer jagen Viktor quer über den großen Sylter Deich 0123456789"
    seq = spell(text, "DSGS")
    names = seq.gloss.split()
    alphabet = get_alphabet("DSGS")
    assert all(n in alphabet for n in names)
    assert {"Ö", "Ä", "Ü", "CH"} <= set(names) and "ß" not in names
    assert len(seq.segments) == len(names)
    assert np.isfinite(seq.params["right_hand_pose"]).all()


def test_dsgs_differs_from_dgs_where_the_sources_say():
    dsgs, dgs = get_alphabet("DSGS"), get_alphabet("DGS")
    assert dsgs["G"].shape == "g" and dgs["G"].shape == "index"     # index and thumb, not the index alone
    assert dsgs["T"].shape != dgs["T"].shape
    assert dsgs["M"].place.palm == "forward" and dgs["M"].place.palm == "down"
    assert set(dsgs.approximations) == {"P", "Q", "T", "0"}
    for name in ("A", "B", "E", "F", "I", "K", "L", "R", "S", "U", "V", "W", "Y"):
        assert dsgs[name].shape == dgs[name].shape, name


@pytest.mark.parametrize("name", ["CH", "SCH", "Ä", "T"])
def test_special_letters_spell(name):
    seq = spell({"CH": "ch", "SCH": "sch", "Ä": "ä", "T": "t"}[name], "DSGS")
    assert seq.gloss == name and seq.num_frames > 0
