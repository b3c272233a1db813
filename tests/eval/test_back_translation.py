import pytest

from signspark.eval.back_translation import (
    back_translation_scores, bleu, chrf, level_for_language, load_back_translator, rouge_l, text_scores, tokenize,
)


def test_identical_sentences_score_100():
    s = ["the weather is nice today", "see you tomorrow at the station"]
    scores = text_scores(s, s)
    assert all(v == pytest.approx(100.0) for v in scores.values())


def test_bleu_known_value_and_no_tokenisation():
    hyp, ref = ["the cat sat on the mat"], ["the cat sat on a mat"]
    # Unigram 5/6, bigram 3/5, trigram 2/4, 4-gram 1/3, no brevity penalty.
    expected = 100 * ((5 / 6) * (3 / 5) * (2 / 4) * (1 / 3)) ** 0.25
    assert bleu(hyp, ref) == pytest.approx(expected, rel=1e-6)
    assert bleu(hyp, ref, max_order=1) == pytest.approx(100 * 5 / 6)
    # No tokenisation: "mat." is not "mat".
    assert bleu(["a mat."], ["a mat"], max_order=1) == pytest.approx(50.0)


def test_chinese_is_scored_per_character():
    assert level_for_language("CSL") == "char" and level_for_language("asl") == "word"
    assert tokenize("今天 天气好", "char") == ["今", "天", "天", "气", "好"]
    hyp, ref = ["今天天气很好"], ["今天天气不好"]
    assert bleu(hyp, ref, level="word", max_order=1) == pytest.approx(0.0, abs=1e-6)  # one "word" each, different
    assert bleu(hyp, ref, level="char", max_order=1) == pytest.approx(100 * 5 / 6)


def test_rouge_l_known_value():
    # LCS("a b c d", "a c d e") = 3; P = R = 3/4 -> F = 0.75.
    assert rouge_l(["a b c d"], ["a c d e"]) == pytest.approx(75.0)
    assert rouge_l(["x y"], ["a b"]) == 0.0


def test_chrf_orders_quality():
    ref = ["guten morgen zusammen"]
    assert chrf(["guten morgen zusammen"], ref) > chrf(["guten abend"], ref) > chrf(["xyz"], ref)


def test_back_translation_hook():
    calls = []

    def translator(sequences, language):
        calls.append((len(sequences), language))
        return ["hello"] * len(sequences)

    scores = back_translation_scores([object(), object()], ["hello", "hello world"], translator, "ASL")
    assert calls == [(2, "ASL")] and scores["bleu1"] > 0
    with pytest.raises(ValueError, match="returned 1 sentences for 2"):
        back_translation_scores([object(), object()], ["a", "b"], lambda s, lang: ["x"], "ASL")


def test_load_back_translator(tmp_path, monkeypatch):
    (tmp_path / "my_bt.py").write_text("def make():\n    return lambda seqs, lang: ['x'] * len(seqs)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert load_back_translator("my_bt:make")([1, 2], "DGS") == ["x", "x"]
    for bad, msg in (("my_bt", "module:factory"), ("no_such_module_xyz:make", "cannot import"), ("my_bt:nope", "no attribute")):
        with pytest.raises(ValueError, match=msg):
            load_back_translator(bad)


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError, match="one each"):
        bleu(["a"], ["a", "b"])
    with pytest.raises(ValueError, match="level"):
        tokenize("a", "subword")
