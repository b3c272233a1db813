"""DSGS: German text -> glosses of the lexicon the signwriting package ships, fingerspelling for the rest."""

from __future__ import annotations

import pytest

from signspark.signs.lexicon import lexicon_for

from signspark.signs.dsgs import (DROPPED, GlossIndex, SignEntry, gloss_index, gloss_text, is_fingerspelled,
                                  letter_of)
from signspark.signs.dsgs.entries import name_from_gloss_id, split_variant
from signspark.signs.languages import get_language, resolve
from signspark.signs.text_to_letters import PAUSE, STOP, SpellingError


@pytest.fixture(scope="module")
def index() -> GlossIndex:
    return gloss_index()


@pytest.fixture(scope="module")
def animatable() -> GlossIndex:
    return gloss_index(hamnosys_only=True)


def _signs(tokens):
    return [t for t in tokens if not is_fingerspelled(t) and t not in (PAUSE, STOP)]


# ------------------------------------------------------------------------------------------------ the lexicon
def test_lexicon_is_read_from_the_signwriting_package(index):
    s = index.stats()
    assert s.entries == 3772 and s.with_hamnosys == 1364
    assert 1600 <= s.glosses_with_hamnosys <= 1700 and s.glosses > s.glosses_with_hamnosys
    kind = index.describe("KIND")
    assert kind.hamnosys and kind.fsw.startswith("M") and "KIND" in kind.german
    assert index.hamnosys["KIND"] == kind.hamnosys[0]


def test_animatable_index_has_only_signs_with_hamnosys(animatable):
    assert len(animatable) == len(animatable.hamnosys) == animatable.stats().glosses_with_hamnosys
    assert all(animatable[g].hamnosys for g in animatable.glosses)


@pytest.mark.parametrize("name,expected", [
    ("KLEIN_D", ("KLEIN", "D")), ("BESTEHEN_1", ("BESTEHEN", "1")), ("EISENBAHN_B_1", ("EISENBAHN", "B_1")),
    ("ÄGYPTEN_INT", ("ÄGYPTEN", "INT")), ("GUTEN_MORGEN", ("GUTEN_MORGEN", "")), ("MEINST_DU?", ("MEINST_DU", "")),
    ("GLÄNZEN(D)", ("GLÄNZEN", "")), ("KIND", ("KIND", ""))])
def test_variant_suffixes(name, expected):
    assert split_variant(name) == expected


@pytest.mark.parametrize("gloss_id,name", [
    ("S3-05019-V_LICHT", "LICHT"), ("ZIMMER-00037", "ZIMMER"), ("MURMELTIER--07192", "MURMELTIER"),
    ("KRANK-4", "KRANK_4"), ("AFFE--BETONT-", "AFFE"), ("MUSS-HABEN-S4-04257", "MUSS_HABEN"),
    ("S3-00222-K1_PROBLEM-A", "PROBLEM_A"), ("GELDBEUTEL-", "GELDBEUTEL")])
def test_names_from_gloss_ids(gloss_id, name):
    assert name_from_gloss_id(gloss_id) == name


def test_preferred_variant_is_deterministic():
    def entry(name, ham, pos):
        return SignEntry(f"{pos:05d}", (name,), ("\ue001",) if ham else (), "M500x500S10000490x490", position=pos)

    entries = [entry("KLEIN", False, 0), entry("KLEIN_D", True, 1), entry("KLEIN_A", True, 2), entry("KLEIN_2", False, 3)]
    forward = GlossIndex(entries)
    backward = GlossIndex(list(reversed(entries)))
    # entries with HamNoSys first, then the lowest variant (A before D); input order does not matter
    assert forward.best("KLEIN") == backward.best("KLEIN") == "KLEIN_A"
    assert forward.word("klein").gloss == "KLEIN_A"
    assert forward.best("KLEIN_D") == "KLEIN_D"            # a variant asked for by name is that variant
    assert GlossIndex(entries[:1] + entries[3:]).best("KLEIN") == "KLEIN"   # no HamNoSys anywhere: the plain name
    assert GlossIndex([entry("KLEIN_B", True, 0), entry("KLEIN_1", True, 1)]).best("KLEIN") == "KLEIN_1"


def test_real_lexicon_variants_prefer_hamnosys(index):
    # GEHEN has no HamNoSys; GEHEN_A is the first variant that has it
    assert not index["GEHEN"].hamnosys and index.best("GEHEN") == "GEHEN_A" == gloss_index().best("GEHEN")
    assert index.word("gehst").gloss == "GEHEN_A"


# ----------------------------------------------------------------------------------------------- text -> glosses
def test_die_kinder_lernen(index):
    out = gloss_text("Die Kinder lernen", index)
    assert [t.text for t in out] == ["KINDER", PAUSE, "LERNEN"]
    assert all(t.entry is not None and t.entry.hamnosys for t in out if t.kind == "sign")
    assert index.tokens("Die Kinder lernen") == ["KINDER", PAUSE, "LERNEN"]


def test_inflected_words_go_through_their_lemma(index):
    out = gloss_text("Kindern lernt Häuser", index)
    assert [(t.text, t.how) for t in out if t.kind == "sign"] == [("KIND", "lemma"), ("LERNEN", "lemma"),
                                                                   ("HAUS", "lemma")]


def test_articles_and_copula_are_dropped(index):
    assert {"der", "die", "das", "ein", "eine", "ist", "sind"} <= DROPPED
    toks = index.tokens("Das Kind ist klein")
    assert toks == ["KIND", PAUSE, "KLEIN"]
    with pytest.raises(SpellingError, match="nothing to sign"):
        index.tokens("der die das")


def test_unknown_names_are_fingerspelled(index):
    out = gloss_text("Xaver lernt", index)
    assert out[0].kind == "spell" and out[0].letters == ("X", "A", "V", "E", "R") and out[0].how == "spelled"
    toks = index.tokens("Xaver lernt")
    assert toks == ["FA:X", "FA:A", "FA:V", "FA:E", "FA:R", PAUSE, "LERNEN"]
    assert [letter_of(t) for t in toks[:5]] == list("XAVER")
    assert all(t in index for t in toks if t != PAUSE)
    assert index.describe("FA:X").name == "X"


def test_swiss_spelling_in_fingerspelled_words(index):
    letters = gloss_text("Schach Grüsse Straße", index)
    spelled = [t.letters for t in letters if t.kind == "spell"]
    assert ("SCH", "A", "CH") in spelled                       # SCH and CH are letters
    assert any("ß" not in s and s[-3:] == ("S", "S", "E") for s in spelled)   # ß is spelled S S


def test_numbers(index):
    out = gloss_text("3 Kinder, 2026", index)
    assert (out[0].kind, out[0].text, out[0].how) == ("sign", "DREI", "number")
    assert out[-1].kind == "spell" and out[-1].letters == ("2", "0", "2", "6")
    assert out[-2].text == STOP
    assert gloss_text("891", index)[0].text == "891"            # a number that is itself a gloss
    assert gloss_text("007", index)[0].letters == ("0", "0", "7")


def test_punctuation_gives_pauses(index):
    toks = index.tokens("Kinder, lernen! Wasser")
    assert toks == ["KINDER", STOP, "LERNEN", STOP, "WASSER"]
    # never leading, trailing or doubled; a dropped word leaves no extra pause
    assert index.tokens("...Kinder  -  die ,; Wasser?!") == ["KINDER", STOP, "WASSER"]
    assert index.tokens("„Kinder“ (lernen)") == ["KINDER", PAUSE, "LERNEN"]


def test_compounds_are_split_into_known_parts(index):
    out = gloss_text("Wassertank", index)
    assert out[0].kind == "sign" and out[0].text == "WASSER" and out[0].how == "compound"
    assert out[1].kind == "spell" and out[1].letters == ("T", "A", "N", "K")
    assert [t.text for t in gloss_text("Kinderzimmern", index)] == ["KINDER", "ZIMMER"]
    schul = gloss_text("Schulhaus", index)                   # Schul- lost the -e of SCHULE
    assert [t.kind for t in schul] == ["sign", "sign"] and schul[1].text == "HAUS"
    assert gloss_text("Kindergarten", index)[0].how == "exact"   # the whole word first
    assert gloss_text("Bernhard", index)[0].kind == "spell"     # not enough of it is signs


def test_umlauts_lost_in_gloss_ids_still_match(index):
    m = index.word("früher")
    assert m is not None and m.how == "folded" and m.gloss == "FRHER"


def test_same_text_same_glosses(index):
    text = "Meine Familie ist gross, die Kinder gehen in die Schule."
    assert index.tokens(text) == GlossIndex().tokens(text)


@pytest.mark.parametrize("bad,match", [("", "empty"), ("   ", "empty"), ("x" * 201, "200"), (None, "string")])
def test_bad_text(index, bad, match):
    with pytest.raises(SpellingError, match=match):
        gloss_text(bad, index)


# ------------------------------------------------------------------------------------------------ the registry
def test_registry_record():
    rec = get_language("dsgs")
    assert (rec.code, rec.iso639_3, rec.spoken, rec.spoken_name, rec.spelling) == (
        "DSGS", "sgg", "de", "Deutsch", "swiss_german")
    assert rec.name == "Swiss German Sign Language (Deutschschweizerische Gebärdensprache)"
    assert rec.get_alphabet().language == "DSGS"
    factory = resolve(rec.lexicons[0])
    lex = factory(rec.code)
    assert lex.language == "DSGS" and lex.complete and lex is lexicon_for("DSGS")
    assert all(g in lex for g in lex.tokens("Die Kinder lernen") if g.strip())   # every gloss it finds animates
    assert "Die Kinder lernen" in rec.examples
    for text in rec.examples:
        assert _signs(lex.tokens(text)), text                 # every example has at least one sign
    with pytest.raises(ValueError, match="DSGS"):
        factory("DGS")
