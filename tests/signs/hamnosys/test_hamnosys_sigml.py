"""SiGML in and out: round trips, gestural SiGML, and refusing unsafe or malformed documents."""

import pytest

from signspark.signs.hamnosys import (
    MAX_SIGML_BYTES, Movement, Repeat, SiGMLError, parse, read_sigml, to_sigml, to_unicode, write_sigml,
)

# flathand thumbout extfinger-u palm-d shoulders close move-o small
DEIN = "\ue001\ue00c\ue020\ue03c\ue051\ue0d0\ue089\ue0c6"


def test_round_trip_unicode_to_sigml_and_back():
    xml = to_sigml(DEIN, gloss="DEIN")
    assert "<hamflathand />" in xml and 'gloss="DEIN"' in xml and xml.startswith("<?xml")
    (sign,) = read_sigml(xml)
    assert sign.kind == "hns" and sign.gloss == "DEIN" and sign.hamnosys == DEIN
    assert sign.description == parse(DEIN)


def test_names_spelling_and_escaped_gloss():
    xml = write_sigml([('A & "B" <c>', "hamfist hamextfingeru hampalmd hamchest"), (None, DEIN)])
    first, second = read_sigml(xml)
    assert first.gloss == 'A & "B" <c>' and first.hamnosys == to_unicode("hamfist hamextfingeru hampalmd hamchest")
    assert second.gloss is None and second.hamnosys == DEIN


def test_reads_jasigning_style_documents():
    xml = ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE sigml SYSTEM "sigml.dtd">\n'
           '<sigml><hns_sign gloss="x"><hamnosys_nonmanual><hnm_mouthpicture picture="V"/></hamnosys_nonmanual>'
           '<hamnosys_manual><hamflathand/><hamextfingeru/><hampalml/><hamchest/><hamtouch/></hamnosys_manual>'
           '</hns_sign></sigml>')
    (sign,) = read_sigml(xml.encode("utf-8"))
    assert sign.nonmanual == ("hnm_mouthpicture",)
    assert sign.description.parts[0].start.dominant.location.contact.kind == "touch"


def test_gestural_sign():
    xml = """<sigml><hamgestural_sign gloss="G">
      <sign_nonmanual><head_tier><head_movement movement="NO"/></head_tier></sign_nonmanual>
      <sign_manual both_hands="true" lr_symm="true" outofphase="true">
        <handconfig handshape="flat" thumbpos="out" extfidir="u" palmor="l"/>
        <location_bodyarm location="chest" side="right_beside" contact="touch"/>
        <handconstellation contact="touch"/>
        <rpt_motion repetition="fromstart_several">
          <directedmotion direction="o" size="small" curve="u"/>
        </rpt_motion>
        <tgt_motion><circularmotion axis="i" size="large"/><location_bodyarm location="forehead"/></tgt_motion>
        <handconfig extfidir="o"/>
      </sign_manual></hamgestural_sign></sigml>"""
    (sign,) = read_sigml(xml)
    assert sign.kind == "gestural" and sign.gloss == "G" and sign.hamnosys is None
    assert sign.nonmanual == ("head_tier", "head_movement")
    assert sign.unsupported == ("hamgestural_sign[0]/sign_manual[1]/handconstellation[2]",)
    part = sign.description.parts[0]
    assert part.symmetry.kind == "lr" and part.symmetry.alternating
    hand = part.start.dominant
    assert hand.handshape.base == "flathand" and hand.handshape.thumb == "out"
    assert (hand.ext_finger.codes, hand.palm.codes) == (("u",), ("l",))
    assert (hand.location.site, hand.location.side, hand.location.contact.kind) == ("chest", "beside", "touch")
    rep, circle, change = part.actions
    assert isinstance(rep, Repeat) and rep.several and rep.body[0].arc == "u" and rep.body[0].size == "small"
    assert isinstance(circle, Movement) and circle.kind == "circle" and circle.target.site == "forehead"
    assert change.dominant.ext_finger.codes == ("o",)
    with pytest.raises(SiGMLError) as err:
        read_sigml(xml, strict=True)
    assert err.value.element.endswith("handconstellation[2]") and "handconstellation" in str(err.value)


def test_billion_laughs_is_refused():
    lol = "".join(f'<!ENTITY lol{k} "{("&lol%d;" % (k - 1)) * 10 if k else "lol"}">' for k in range(10))
    bomb = f'<?xml version="1.0"?><!DOCTYPE sigml [{lol}]><sigml><hns_sign>&lol9;</hns_sign></sigml>'
    with pytest.raises(SiGMLError, match="unsafe"):
        read_sigml(bomb)


def test_external_entities_are_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("hamflathand")
    xxe = (f'<?xml version="1.0"?><!DOCTYPE sigml [<!ENTITY x SYSTEM "file://{secret}">]>'
           '<sigml><hns_sign gloss="&x;"><hamnosys_manual><hamfist/></hamnosys_manual></hns_sign></sigml>')
    with pytest.raises(SiGMLError, match="unsafe"):
        read_sigml(xxe)


@pytest.mark.parametrize("xml, element, message", [
    ("<sigml><hns_sign><hamnosys_manual><hamfist/><hamfoo/></hamnosys_manual></hns_sign></sigml>",
     "hns_sign[0]/hamnosys_manual/hamfoo", "hamfoo"),
    ("<sigml><hns_sign gloss='a'/></sigml>", "hns_sign[0]", "hamnosys_manual"),
    ("<sigml><other/></sigml>", "other[0]", "not a sign"),
    ("<signs/>", "signs", "root element"),
    ("<sigml><hns_sign><hamnosys_manual><hamfist/><hamparend/></hamnosys_manual></hns_sign></sigml>",
     "hns_sign[0]/hamnosys_manual", "hamparend at position 1"),
    ("<sigml><hamgestural_sign><sign_manual><directedmotion/></sign_manual></hamgestural_sign></sigml>",
     "hamgestural_sign[0]/sign_manual[0]/directedmotion[0]", "direction"),
])
def test_malformed_documents_name_the_element(xml, element, message):
    with pytest.raises(SiGMLError, match=message) as err:
        read_sigml(xml)
    assert err.value.element == element


def test_not_xml_and_too_large():
    with pytest.raises(SiGMLError, match="well-formed"):
        read_sigml("<sigml><hns_sign></sigml>")
    with pytest.raises(SiGMLError, match="over the limit"):
        read_sigml("<sigml>" + " " * MAX_SIGML_BYTES + "</sigml>")


def test_describe_false_skips_parsing():
    xml = "<sigml><hns_sign><hamnosys_manual><hamfist/><hamparend/></hamnosys_manual></hns_sign></sigml>"
    (sign,) = read_sigml(xml, describe=False)
    assert sign.description is None and sign.hamnosys == "\ue000\ue0e3"
