"""Which DSGS notations parse is kept between runs; the signs themselves are parsed when first signed."""

from __future__ import annotations

import pytest

from signspark.signs.dsgs.lexicon import DSGSLexicon, unparsable
from signspark.signs.hamnosys import HamNoSysError, parse
from signspark.signs.hamnosys.lexicon import HamNoSysLexicon

GOOD = ["hamflathand hamextfingeru hampalml hamshoulders", "hamfist hamextfingero hampalmd hamchest"]
BAD = ["hamflathand hambetween"]


def test_the_answer_is_kept_and_checked(tmp_path, monkeypatch):
    broken, parsed = unparsable(GOOD + BAD, tmp_path)
    assert broken == set(BAD) and set(parsed) == set(GOOD)
    files = list(tmp_path.glob("dsgs-unparsable-*.json"))
    assert len(files) == 1
    import signspark.signs.hamnosys as ham

    monkeypatch.setattr(ham, "parse", lambda text: pytest.fail("parsed although the answer was kept"))
    assert unparsable(GOOD + BAD, tmp_path) == (set(BAD), {})
    monkeypatch.undo()
    for damage in ("{not json", '{"key": "another", "unparsable": []}', '{"unparsable": ["not one of them"]}'):
        files[0].write_text(damage)
        assert unparsable(GOOD + BAD, tmp_path)[0] == set(BAD)
    assert unparsable(GOOD, tmp_path) == (set(), {n: parse(n) for n in GOOD})  # other notations: another answer
    assert len(list(tmp_path.glob("dsgs-unparsable-*.json"))) == 1  # the older answer is gone


def test_checked_notations_are_parsed_when_described():
    lex = HamNoSysLexicon({"A": GOOD[0], "B": BAD[0]}, "DGS", checked=True)
    assert "B" in lex and len(lex) == 2 and list(lex.entries) == ["A", "B"]
    assert lex.describe("A") == parse(GOOD[0])
    with pytest.raises(HamNoSysError, match="^B: "):
        lex.describe("B")
    with pytest.raises(HamNoSysError, match="^B: "):
        HamNoSysLexicon({"A": GOOD[0], "B": BAD[0]}, "DGS")  # unchecked: refused at once, as before


def test_a_second_lexicon_is_the_same(tmp_path, monkeypatch):
    monkeypatch.setenv("SIGNSPARK_CACHE_DIR", str(tmp_path))
    first, second = DSGSLexicon(), DSGSLexicon()  # parsed, then read back
    assert list(first.signs.entries) == list(second.signs.entries)
    assert first.tokens("Der kleine Freund wohnt im Haus") == second.tokens("Der kleine Freund wohnt im Haus")
    assert all(first.signs.describe(g) == second.signs.describe(g) for g in list(first.signs.entries)[::50])
