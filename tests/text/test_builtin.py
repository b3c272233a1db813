"""The built-in character-position text encoder."""

from __future__ import annotations

import torch

from signspark.text.builtin import BuiltinTextEncoder, char_code, normalize_text, split_language_tag


def slots(enc: BuiltinTextEncoder, emb: torch.Tensor) -> torch.Tensor:
    """(max_chars, char_dims) view of the per-position part of one embedding."""
    used = enc.header_dims + enc.max_chars * enc.char_dims
    return emb[enc.header_dims:used].reshape(enc.max_chars, enc.char_dims)


def spell_back(enc, emb, alphabet):
    """Recover the characters from the slots by the nearest character code."""
    codes = torch.stack([char_code(c, enc.char_dims) for c in alphabet])
    out = []
    for row in slots(enc, emb):
        if row.abs().sum() == 0:
            break
        out.append(alphabet[int((codes @ row).argmax())])
    return "".join(out)


def test_layout_and_determinism():
    enc = BuiltinTextEncoder()
    assert enc.dim == 640 and enc.max_chars == 38
    e = enc.encode(["<ASL> hello world"])
    assert e.shape == (1, 640) and e.dtype == torch.float32
    assert torch.equal(e, BuiltinTextEncoder().encode(["<ASL> hello world"]))
    # The codes are part of trained checkpoints: they must never change between versions or machines.
    assert torch.allclose(char_code("a")[:3], torch.tensor([-0.2174, -0.1257, 0.2907]), atol=1e-4)
    assert abs(float(char_code("你").norm()) - 1.0) < 1e-6


def test_order_matters_not_only_the_bag_of_characters():
    enc = BuiltinTextEncoder()
    dog, god = enc.encode(["dog", "god"])
    assert not torch.allclose(dog, god)
    assert torch.allclose(dog[:32], god[:32])               # same length, same characters: same header
    assert torch.equal(slots(enc, dog)[1], slots(enc, god)[1])   # shared middle letter 'o'
    assert not torch.equal(slots(enc, dog)[0], slots(enc, god)[0])


def test_spelling_can_be_read_back_from_the_embedding():
    enc = BuiltinTextEncoder()
    alphabet = "abcdefghijklmnopqrstuvwxyzäöüß0123456789 你好谢"
    for text in ["hello world", "grüße aus köln", "你好 谢谢", "abc 123"]:
        expected = normalize_text(text)
        assert spell_back(enc, enc.encode([text])[0], alphabet) == expected


def test_normalisation_latin_umlauts_and_fullwidth():
    enc = BuiltinTextEncoder()
    a, b, c, d, e, f = enc.encode(["Straße", "STRASSE", "Müller", "Mu\u0308ller", "ｈｅｌｌｏ", "  hello\t\n"])
    assert torch.equal(a, b)            # case-folding: ß -> ss
    assert torch.equal(c, d)            # composed and decomposed umlaut are the same character
    assert torch.equal(e, f)            # full-width forms and whitespace runs are normalised
    assert not torch.equal(c, enc.encode(["Muller"])[0])   # but ü is not u
    assert normalize_text("Grüße  AUS\tKöln") == "grüsse aus köln"


def test_cjk_is_spelled_per_character():
    enc = BuiltinTextEncoder()
    x, y = enc.encode(["你好", "好你"])
    assert not torch.equal(x, y)
    assert x[5] == 1.0 and x[6] == 0.0            # all CJK, no Latin letters
    assert x[1] == 2 / enc.max_chars


def test_language_tag_goes_to_the_header_only():
    enc = BuiltinTextEncoder()
    assert split_language_tag("<DGS> hallo") == ("DGS", "hallo")
    assert split_language_tag("hallo <DGS>") == (None, "hallo <DGS>")
    asl, dgs, bare = enc.encode(["<ASL> hallo", "<DGS> hallo", "hallo"])
    assert torch.equal(asl[32:], dgs[32:]) and torch.equal(asl[32:], bare[32:])
    assert not torch.equal(asl[8:16], dgs[8:16]) and bare[8:16].abs().sum() == 0
    kept = BuiltinTextEncoder(strip_tag=False).encode(["<ASL> hallo"])[0]
    assert kept[1] * 38 == len("<asl> hallo")


def test_length_header_and_truncation():
    enc = BuiltinTextEncoder()
    short, long_, empty = enc.encode(["ab", "x" * 100, ""])
    assert short[2] < long_[2]
    assert short[3] == 0 and long_[3] == 1
    assert torch.count_nonzero(slots(enc, long_).abs().sum(1)) == enc.max_chars
    assert empty.abs().sum() == 0
