"""Fingerspelling practice: words by length, letter-by-letter feedback."""

from __future__ import annotations

import pytest

from signspark.signs.practice import LENGTHS, check_answer, choose_word, practice_words, spelled_letters


@pytest.mark.parametrize("language", ["ASL", "BSL", "DGS", "CSL"])
@pytest.mark.parametrize("length", list(LENGTHS))
def test_words_have_the_chosen_length(language, length):
    words = practice_words(language, length)
    assert len(words) >= 5, (language, length)
    lo, hi = LENGTHS[length]
    for w in words:
        assert lo <= len(spelled_letters(w, language)) <= hi
        assert not any(c.isdigit() for c in w)


def test_choose_word_is_seeded_and_avoids_recent_words():
    assert choose_word("ASL", "medium", seed=1) == choose_word("ASL", "medium", seed=1)
    words = practice_words("ASL", "short")
    last = words[-1]
    assert choose_word("ASL", "short", seed=0, avoid=words[:-1]) == last
    assert choose_word("ASL", "short", seed=0, avoid=words) in words  # all seen: any word again
    with pytest.raises(ValueError, match="unknown word length"):
        choose_word("ASL", "huge")


def test_feedback_letter_by_letter():
    r = check_answer("friend", "frend", "ASL")
    assert [m.status for m in r.marks] == ["ok", "ok", "missing", "ok", "ok", "ok"]
    assert (r.correct, r.total, r.exact) == (5, 6, False) and r.score == pytest.approx(5 / 6)
    r = check_answer("cat", "CAT", "ASL")
    assert r.exact and r.score == 1.0
    r = check_answer("cat", "cap", "ASL")
    assert [(m.expected, m.typed, m.status) for m in r.marks] == [("C", "C", "ok"), ("A", "A", "ok"),
                                                                  ("T", "P", "wrong")]
    r = check_answer("cat", "caat", "ASL")
    assert [m.status for m in r.marks].count("extra") == 1 and r.correct == 3 and not r.exact
    r = check_answer("cat", "", "ASL")
    assert [m.status for m in r.marks] == ["missing"] * 3 and r.score == 0.0


def test_feedback_uses_the_alphabet_of_the_language():
    assert check_answer("Schule", "schule", "DGS").total == 4  # SCH is one letter of the DGS alphabet
    assert check_answer("Straße", "strasse", "DGS").correct == 5  # ß is its own letter; ss is two s
    assert check_answer("你好", "nihao", "CSL").exact  # pinyin typed for the characters
    assert check_answer("你好", "你好", "CSL").exact
    with pytest.raises(ValueError, match="nothing to fingerspell"):
        check_answer("!!", "a", "ASL")
