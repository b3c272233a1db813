"""Text -> fingerspelled letters: English, German (umlauts, ß, SCH), Chinese via pinyin."""

import warnings

import pytest

from signspark.signs.text_to_letters import (MAX_CHARS, PAUSE, STOP, SpellingError, UnsupportedCharacterWarning,
                                                   letters)
from signspark.signs.languages import UnknownLanguageError


def test_english_letters_digits_and_pauses():
    # punctuation is a (longer) pause, not dropped; a trailing one is not signed
    assert letters("Hi, Bob 42!", "ASL") == ["H", "I", STOP, "B", "O", "B", PAUSE, "4", "2"]
    assert letters("  café  ", "BSL") == ["C", "A", "F", "E"]
    assert letters("Straße", "ASL") == ["S", "T", "R", "A", "S", "S", "E"]


def test_german_umlauts_eszett_and_sch():
    assert letters("Straße", "DGS") == ["S", "T", "R", "A", "ß", "E"]
    assert letters("Äpfel über Öl", "DGS") == ["Ä", "P", "F", "E", "L", PAUSE, "Ü", "B", "E", "R", PAUSE, "Ö", "L"]
    assert letters("Schule", "DGS") == ["SCH", "U", "L", "E"]
    assert letters("Tisch", "DGS") == ["T", "I", "SCH"]
    assert "SCH" not in letters("Schule", "ASL")


def test_chinese_pinyin_initials_and_ng():
    assert letters("你好", "CSL") == ["N", "I", "H", "A", "O"]
    assert letters("长城", "CSL") == ["CH", "A", "NG", "CH", "E", "NG"]
    assert letters("上海", "CSL") == ["SH", "A", "NG", "H", "A", "I"]
    assert letters("中国", "CSL") == ["ZH", "O", "NG", "G", "U", "O"]
    assert letters("绿", "CSL") == ["L", "Ü"]
    assert letters("ni hao", "CSL") == ["N", "I", PAUSE, "H", "A", "O"]


def test_unsupported_characters_warn_and_are_skipped():
    with pytest.warns(UnsupportedCharacterWarning, match="☃"):
        assert letters("a☃b", "ASL") == ["A", "B"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        letters("a☃b", "ASL", warn=False)


@pytest.mark.parametrize("text", ["", "   ", "☃☃", "!!!"])
def test_nothing_to_spell_is_an_error(text):
    with pytest.raises(SpellingError):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            letters(text, "ASL")


def test_too_long_and_unknown_language():
    with pytest.raises(SpellingError, match=str(MAX_CHARS)):
        letters("a" * (MAX_CHARS + 1), "ASL")
    with pytest.raises(UnknownLanguageError):
        letters("hello", "XSL")


def test_punctuation_becomes_a_stop_pause():
    assert letters("ab.cd", "ASL") == ["A", "B", STOP, "C", "D"]
    assert letters("ab ; cd?! ef", "DGS") == ["A", "B", STOP, "C", "D", STOP, "E", "F"]
    assert letters("!ab", "ASL") == ["A", "B"]          # never leading
    assert letters("你好，世界。", "CSL") == ["N", "I", "H", "A", "O", STOP, "SH", "I", "J", "I", "E"]
    assert letters("\u201cab\u201d (cd)", "BSL") == ["A", "B", PAUSE, "C", "D"]   # quotes and brackets stay silent
