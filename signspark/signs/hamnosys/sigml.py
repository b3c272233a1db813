"""SiGML (the JASigning XML format) in and out.

Written and read (HamNoSys SiGML, one element per symbol, named as in the symbol table)::

    <sigml>
      <hns_sign gloss="DEIN">
        <hamnosys_nonmanual/>
        <hamnosys_manual>
          <hamflathand/><hamthumboutmod/><hamextfingeru/>...
        </hamnosys_manual>
      </hns_sign>
    </sigml>

Also read: ``<hamgestural_sign>`` (gestural SiGML), whose manual elements are turned into a
:class:`~.description.SignDescription` by :mod:`.sigml_gestural`; elements and attribute values it does
not interpret are listed in ``SiGMLSign.unsupported`` (or raise with ``strict=True``).

    >>> xml = write_sigml([("DEIN", "\\ue001\\ue00c\\ue020\\ue03c\\ue051\\ue0d0\\ue089\\ue0c6")])
    >>> read_sigml(xml)[0].hamnosys == "\\ue001\\ue00c\\ue020\\ue03c\\ue051\\ue0d0\\ue089\\ue0c6"
    True

Safety: XML is parsed with ``defusedxml`` (entity declarations, external entities and DTD retrieval are
refused, so "billion laughs" and XXE documents raise ``SiGMLError``); documents over ``MAX_SIGML_BYTES``
or with more than ``MAX_ELEMENTS`` elements are refused before being walked.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass

import defusedxml
import defusedxml.ElementTree as SafeET

from .description import SignDescription
from .errors import HamNoSysError, SiGMLError
from .parser import parse_names
from .symbols import symbol_table
from .tokens import tokenize, to_unicode

__all__ = ["SiGMLSign", "read_sigml", "write_sigml", "to_sigml", "MAX_SIGML_BYTES", "MAX_ELEMENTS"]

#: The largest document accepted, in bytes (UTF-8) or characters.
MAX_SIGML_BYTES = 1_000_000
#: The most elements a document may hold.
MAX_ELEMENTS = 100_000


@dataclass(frozen=True)
class SiGMLSign:
    """One sign read from SiGML.

    ``kind``: "hns" (``<hns_sign>``) or "gestural" (``<hamgestural_sign>``); ``gloss`` its gloss
    attribute; ``hamnosys`` the manual part as a Private Use Area string (``None`` for gestural signs);
    ``description`` the parsed sign (``None`` when reading with ``describe=False``); ``nonmanual`` the
    element names inside the non-manual part, kept but not interpreted; ``unsupported`` the elements and
    attribute values of a gestural sign that were skipped, as paths (``"sign_manual/handconstellation"``).
    """

    kind: str
    gloss: str | None
    hamnosys: str | None
    description: SignDescription | None
    nonmanual: tuple[str, ...] = ()
    unsupported: tuple[str, ...] = ()


def _parse_xml(text: str | bytes) -> ET.Element:
    if not isinstance(text, (str, bytes)):
        raise TypeError(f"SiGML must be str or bytes, got {type(text).__name__}")
    if len(text) > MAX_SIGML_BYTES:
        raise SiGMLError(f"SiGML document of {len(text)} bytes is over the limit of {MAX_SIGML_BYTES}")
    try:
        root = SafeET.fromstring(text)
    except defusedxml.DefusedXmlException as exc:
        raise SiGMLError(f"SiGML document refused as unsafe XML: {exc}") from exc
    except ET.ParseError as exc:
        raise SiGMLError(f"SiGML document is not well-formed XML: {exc}") from exc
    for count, _ in enumerate(root.iter(), 1):
        if count > MAX_ELEMENTS:
            raise SiGMLError(f"SiGML document has more than {MAX_ELEMENTS} elements")
    if root.tag != "sigml":
        raise SiGMLError(f"the root element is <{root.tag}>, expected <sigml>", element=root.tag)
    return root


def _read_hns(element: ET.Element, path: str, describe: bool) -> SiGMLSign:
    manual = [child for child in element if child.tag == "hamnosys_manual"]
    if len(manual) != 1:
        raise SiGMLError(f"<{path}> needs exactly one <hamnosys_manual>, found {len(manual)}", element=path)
    for child in element:
        if child.tag not in ("hamnosys_manual", "hamnosys_nonmanual"):
            raise SiGMLError(f"<{path}/{child.tag}> is not expected in an hns_sign", element=f"{path}/{child.tag}")
    table = symbol_table()
    names = []
    for k, child in enumerate(manual[0]):
        symbol = table.by_name.get(child.tag)
        if symbol is None:
            raise SiGMLError(f"<{child.tag}> (symbol {k} of {path}/hamnosys_manual) is not a HamNoSys symbol",
                             element=f"{path}/hamnosys_manual/{child.tag}")
        names.append(symbol.name)
    if not names:
        raise SiGMLError(f"<{path}/hamnosys_manual> is empty", element=f"{path}/hamnosys_manual")
    description = None
    if describe:
        try:
            description = parse_names(names)
        except HamNoSysError as exc:
            raise SiGMLError(f"<{path}>: {exc}", element=f"{path}/hamnosys_manual") from exc
    nonmanual = tuple(child.tag for nm in element if nm.tag == "hamnosys_nonmanual" for child in nm.iter()
                      if child is not nm)
    return SiGMLSign(kind="hns", gloss=element.get("gloss"), hamnosys=to_unicode(names), description=description,
                     nonmanual=nonmanual)


def read_sigml(text: str | bytes, *, describe: bool = True, strict: bool = False) -> list[SiGMLSign]:
    """Read every sign of a SiGML document, in order.

    ``describe``: also parse each sign into a ``SignDescription`` (a HamNoSys error becomes a
    ``SiGMLError`` naming the sign). ``strict``: raise on gestural elements that are not interpreted
    instead of listing them in ``SiGMLSign.unsupported``. Raises ``SiGMLError`` for unsafe, oversized or
    malformed documents, naming the offending element.
    """
    from .sigml_gestural import read_gestural  # gestural SiGML is a separate concern

    root = _parse_xml(text)
    signs = []
    for k, element in enumerate(root):
        path = f"{element.tag}[{k}]"
        if element.tag == "hns_sign":
            signs.append(_read_hns(element, path, describe))
        elif element.tag == "hamgestural_sign":
            description, nonmanual, unsupported = read_gestural(element, path, strict=strict)
            signs.append(SiGMLSign(kind="gestural", gloss=element.get("gloss"), hamnosys=None,
                                   description=description if describe else None, nonmanual=nonmanual,
                                   unsupported=unsupported))
        else:
            raise SiGMLError(f"<{element.tag}> (child {k} of <sigml>) is not a sign: expected <hns_sign> or "
                             "<hamgestural_sign>", element=path)
    return signs


def write_sigml(signs: Iterable[tuple[str | None, str]]) -> str:
    """A SiGML document (str, with an XML declaration) holding one ``<hns_sign>`` per ``(gloss, hamnosys)``.

    ``hamnosys`` is a HamNoSys string (Private Use Area characters or symbol names); ``gloss`` may be
    ``None`` (no attribute). Raises ``HamNoSysError`` for a string with unknown symbols.
    """
    root = ET.Element("sigml")
    for gloss, hamnosys in signs:
        sign = ET.SubElement(root, "hns_sign", {"gloss": gloss} if gloss is not None else {})
        ET.SubElement(sign, "hamnosys_nonmanual")
        manual = ET.SubElement(sign, "hamnosys_manual")
        for token in tokenize(hamnosys):
            ET.SubElement(manual, token.name)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def to_sigml(hamnosys: str, gloss: str | None = None) -> str:
    """A SiGML document for one sign (see :func:`write_sigml`)."""
    return write_sigml([(gloss, hamnosys)])
