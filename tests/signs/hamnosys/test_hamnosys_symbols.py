"""The symbol table read from the hamnosys package, and tokenising both spellings."""

import pytest

from signspark.signs.hamnosys import Category, HamNoSysError, symbol_table, to_names, to_unicode, tokenize


def test_table_has_every_row_with_a_category():
    table = symbol_table()
    assert len(table.symbols) == 209  # 209 rows (the last one has no line break), no name twice
    assert len(table.by_name) == 209
    assert all(isinstance(s.category, Category) for s in table.symbols)
    assert table.by_name["hamflathand"].codepoint == 0xE001
    assert table.by_name["hamsmallmod"].codepoint == 0xE0C6  # the row with a trailing space
    assert table.by_codepoint[0x00EE].name == "hambelowstomach"  # the "(Also 00EE)" note
    assert table.by_name["hambelowstomach"].codepoint == 0xE054


@pytest.mark.parametrize("name, category, code", [
    ("hamfinger23spread", Category.HANDSHAPE, None),
    ("hamthumbacrossmod", Category.THUMB_MOD, None),
    ("hamfingerhookmod", Category.FINGER_BEND, None),
    ("hamextfingeruo", Category.EXT_FINGER, "uo"),
    ("hampalmdl", Category.PALM, "dl"),
    ("hampalm", Category.HAND_SITE, None),
    ("hamshoulders", Category.BODY_SITE, None),
    ("hamlrat", Category.SIDE, None),
    ("hamtouch", Category.CONTACT, None),
    ("hammoveil", Category.STRAIGHT, "il"),
    ("hammoveX", Category.LOCAL, None),
    ("hamcircleuo", Category.CIRCLE, "uo"),
    ("hamclockfull", Category.CLOCK, "full"),
    ("hamarcu", Category.ARC, "u"),
    ("hamellipseur", Category.ELLIPSE, "ur"),
    ("hamsmallmod", Category.SIZE, None),
    ("hamrepeatcontinueseveral", Category.REPETITION, "continueseveral"),
    ("hamparbegin", Category.BRACKET, None),
    ("hamsymmlr", Category.SYMMETRY, None),
])
def test_categories(name, category, code):
    symbol = symbol_table().by_name[name]
    assert symbol.category is category
    assert symbol.code == code


def test_both_spellings_give_the_same_symbols():
    pua = "\ue001\ue00c\ue020\ue03e\ue052\ue0d1"
    spelled = "hamflathand hamthumboutmod, hamextfingeru,hampalml  HAMCHEST hamtouch"
    assert to_names(pua) == to_names(spelled) == [
        "hamflathand", "hamthumboutmod", "hamextfingeru", "hampalml", "hamchest", "hamtouch"]
    assert to_unicode(spelled) == pua
    assert to_unicode(to_names(pua)) == pua
    assert [t.position for t in tokenize(pua)] == list(range(6))


def test_unknown_symbols_are_named_with_their_position():
    with pytest.raises(HamNoSysError) as err:
        tokenize("hamflathand hamfoo hamtouch")
    assert err.value.symbol == "hamfoo" and err.value.position == 1
    assert "hamfoo" in str(err.value) and "position 1" in str(err.value)
    with pytest.raises(HamNoSysError) as err:
        tokenize("\ue001\ue0ff\ue0d1")
    assert err.value.symbol == "U+E0FF" and err.value.position == 1


def test_empty_and_non_string_input():
    with pytest.raises(HamNoSysError, match="empty"):
        tokenize("  , ")
    with pytest.raises(TypeError):
        tokenize(None)
