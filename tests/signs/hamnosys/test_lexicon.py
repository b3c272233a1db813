"""HamNoSys lexicons: words -> glosses, fingerspelling fallback in a chain, user lexicons from files."""

import dataclasses

import numpy as np
import pytest
from hamnosys_lexicon import names

from signspark.signs.fingerspelling import AlphabetLexicon
from signspark.signs.hamnosys import HamNoSysError, write_sigml
from signspark.signs.hamnosys.lexicon import HamNoSysLexicon, sign_sequence
from signspark.signs.hamnosys.lexicon_files import LexiconFileError, load_lexicon
from signspark.signs.languages import get_language, register_language, unregister_language
from signspark.signs.lexicon import PAUSE, STOP, LexiconChain, lexicon_for
from signspark.signs.signers import DEFAULT_SIGNER
from signspark.signs.takes import sign_text

KIND = names("flathand thumboutmod extfingero palmd chest lrat moved smallmod")
DU = names("finger2 thumbacrossmod extfingero palmd chest moveo smallmod")
MORGEN = names("flathand extfingeru palml chin")


@pytest.fixture(scope="module")
def lexicon():
    return HamNoSysLexicon({"KIND": KIND, "DU": DU, "MORGEN_FRÜH": MORGEN, "VATER_1": DU, "STRASSE": KIND}, "DGS")


def test_words_map_to_glosses(lexicon):
    assert lexicon.tokens("Kind du") == ["KIND", PAUSE, "DU"]
    assert lexicon.tokens("morgen  früh, Vater") == ["MORGEN_FRÜH", STOP, "VATER_1"]   # phrase, variant
    assert lexicon.tokens("Straße") == ["STRASSE"]                                     # case folding
    with pytest.raises(ValueError, match="no sign for \\['Haus'\\]"):
        lexicon.tokens("Kind Haus")


def test_a_chain_fingerspells_unknown_words(lexicon):
    chain = LexiconChain([lexicon, AlphabetLexicon("DGS")])
    assert chain.tokens("Das Kind!") == ["D", "A", "S", PAUSE, "KIND"]
    seq = sign_text("Das Kind", "DGS", lexicon=chain)
    assert seq.gloss == "D A S KIND" and len(seq.segments) == 4
    assert chain.form("KIND", DEFAULT_SIGNER).hold_keys and not chain.form("D", DEFAULT_SIGNER).hold_keys
    with pytest.raises(ValueError, match="one language"):
        LexiconChain([lexicon, AlphabetLexicon("ASL")])


def test_a_language_names_its_lexicons():
    base = get_language("DGS")
    register_language(dataclasses.replace(base, code="TESTSL", lexicons=(
        lambda code: HamNoSysLexicon({"KIND": KIND}, code),)))
    try:
        lex = lexicon_for("TESTSL")
        assert isinstance(lex, LexiconChain) and lex.tokens("kind da") == ["KIND", PAUSE, "D", "A"]
    finally:
        unregister_language("TESTSL")
    assert isinstance(lexicon_for("DGS"), AlphabetLexicon)   # no lexicons named: the alphabet, as before


def test_forms_are_cached_and_describe_the_sign(lexicon):
    a = lexicon.form("KIND", DEFAULT_SIGNER)
    assert lexicon.form("KIND", DEFAULT_SIGNER) is a and a.label == "KIND"
    assert lexicon.describe("KIND").parts[0].start.dominant.location.site == "chest"
    assert "KIND" in lexicon and "HAUS" not in lexicon
    with pytest.raises(KeyError, match="HAUS"):
        lexicon.describe("HAUS")


def test_bad_entries_name_the_gloss():
    with pytest.raises(HamNoSysError, match="BAD"):
        HamNoSysLexicon({"BAD": "hamflathand hamparbegin"}, "DGS")


def test_sign_sequence_names_and_orders_signs():
    lex, tokens = sign_sequence([("KIND", KIND), DU, ("KIND", DU)], "DGS")
    assert tokens == ["KIND", PAUSE, "SIGN2", PAUSE, "KIND~2"]
    with pytest.raises(ValueError, match="no signs"):
        sign_sequence([], "DGS")


def test_csv_user_lexicon_reports_bad_rows_by_line(tmp_path):
    f = tmp_path / "signs.csv"
    f.write_text("gloss,hamnosys,comment\n"
                 f"KIND,{KIND},child\n"
                 "DU,finger2 thumbacrossmod extfingero palmd chest moveo smallmod,short names\n"
                 "BAD,hamflathand hamnosuchsymbol,\n"
                 ",hamfist,\n"
                 f"KIND,{DU},again\n", encoding="utf-8")
    loaded = load_lexicon(f, "DGS")
    assert sorted(loaded.lexicon.entries) == ["DU", "KIND"]
    assert [p.split(":")[1] for p in loaded.problems] == ["4", "5", "6"]
    assert "hamnosuchsymbol" in loaded.problems[0]


def test_sigml_folder_user_lexicon(tmp_path):
    (tmp_path / "a.sigml").write_text(write_sigml([("KIND", KIND), (None, DU)]), encoding="utf-8")
    (tmp_path / "broken.sigml").write_text("<sigml><hns_sign>", encoding="utf-8")
    loaded = load_lexicon(tmp_path, "DGS")
    assert sorted(loaded.lexicon.entries) == ["A_2", "KIND"]
    assert len(loaded.problems) == 1 and "broken.sigml" in loaded.problems[0]


def test_user_lexicon_limits_and_errors(tmp_path, monkeypatch):
    from signspark.signs.hamnosys import lexicon_files

    with pytest.raises(LexiconFileError, match="no such"):
        load_lexicon(tmp_path / "none.csv", "DGS")
    bad = tmp_path / "x.txt"
    bad.write_text("gloss,hamnosys\n")
    with pytest.raises(LexiconFileError, match=".csv file"):
        load_lexicon(bad, "DGS")
    empty = tmp_path / "e.csv"
    empty.write_text("gloss,hamnosys\nX,hamnope\n")
    with pytest.raises(LexiconFileError, match="no usable sign.*e.csv:2"):
        load_lexicon(empty, "DGS")
    header = tmp_path / "h.csv"
    header.write_text("name,notation\nX,hamfist\n")
    with pytest.raises(LexiconFileError, match="header"):
        load_lexicon(header, "DGS")
    monkeypatch.setattr(lexicon_files, "MAX_LEXICON_BYTES", 10)
    with pytest.raises(LexiconFileError, match="at most 10"):
        load_lexicon(empty, "DGS")
    monkeypatch.setattr(lexicon_files, "MAX_LEXICON_BYTES", 10_000_000)
    monkeypatch.setattr(lexicon_files, "MAX_ROWS", 1)
    two = tmp_path / "two.csv"
    two.write_text(f"gloss,hamnosys\nA,{KIND}\nB,{DU}\n")
    with pytest.raises(LexiconFileError, match="more than 1 rows"):
        load_lexicon(two, "DGS")


def test_signs_from_text_lines_and_sigml():
    from signspark.signs.hamnosys import to_sigml
    from signspark.signs.hamnosys.lexicon_files import signs_from_text

    assert signs_from_text("KIND: hamflathand hamchest\n\nhamfist hamchin") == [
        ("KIND", "hamflathand hamchest"), "hamfist hamchin"]
    sigml = to_sigml("hamflathand hamextfingero hampalmd hamchest", gloss="KIND")
    assert [s.gloss for s in signs_from_text(sigml)] == ["KIND"]
    with pytest.raises(ValueError, match="no signs"):
        signs_from_text("  \n ")
