"""Gestural SiGML (``<hamgestural_sign>``) -> :class:`~.description.SignDescription`.

Gestural SiGML spells HamNoSys out as elements with attributes. Interpreted here:

- ``<sign_manual>`` attributes ``both_hands``, ``lr_symm``, ``outofphase``, ``nondominant``;
- posture: ``<handconfig handshape thumbpos mainbend extfidir palmor>``, ``<split_handconfig>`` (two
  ``handconfig``: dominant, nondominant), ``<location_bodyarm location side contact>``,
  ``<location_hand location digits contact>``, ``<split_location>``;
- motion: ``<directedmotion direction size curve zigzag wavy>``, ``<circularmotion axis start end size>``,
  ``<wristmotion motion>``, ``<fingerplay>``, ``<nomotion>``, ``<par_motion>``, ``<seq_motion>``,
  ``<split_motion>``, ``<rpt_motion repetition>``, ``<tgt_motion>`` (a motion and its target location),
  ``<changeposture>``; posture elements after the first motion are changes of posture.

Anything else (non-manual detail, hand constellations, attributes such as ``second_handshape``) is
skipped and reported as a path in the ``unsupported`` list, or raises ``SiGMLError`` when ``strict``.
"""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET

from .description import (
    Action, Configuration, Contact, DirectionSpec, Goto, Handshape, HandSite, Location, Movement, Parallel,
    Posture, Repeat, Replace, Sequence, SignDescription, SignPart, Split, Symmetry,
)
from .errors import SiGMLError
from .symbols import Category, symbol_table

_MAX_DEPTH = 32
_HANDSHAPES = {"fist": "fist", "flat": "flathand", "finger2": "finger2", "finger23": "finger23",
               "finger23spread": "finger23spread", "finger2345": "finger2345", "pinch12": "pinch12",
               "pinchall": "pinchall", "pinch12open": "pinch12open", "cee12": "cee12", "ceeall": "ceeall",
               "cee12open": "ceeopen"}
_THUMB = {"out", "across", "open"}
_BEND = {"straight": "straight", "bent": "bent", "hooked": "hooked", "dblbent": "doublebent",
         "dblhooked": "doublehooked"}
_CONTACT = {"close", "touch", "interlock", "cross", "brushing", "behind", "armextended"}
_HAND_PARTS = {"tip": "fingertip", "nail": "fingernail", "pad": "fingerpad", "midjoint": "fingermidjoint",
               "base": "fingerbase", "side": "fingerside", "back": "handback", "palm": "palm",
               "thumbside": "thumbside", "pinkyside": "pinkyside", "thumbball": "thumbball",
               "wristback": "wristback", "wristpulse": "wristpulse"}
_SIDES = {"right_at": ("at", "dominant"), "right_beside": ("beside", "dominant"),
          "left_at": ("at", "nondominant"), "left_beside": ("beside", "nondominant")}
_WRIST = {"nodding", "swinging", "twisting", "stircw", "stirccw"}
_REPEAT = {"fromstart": ("fromstart", False), "fromstart_several": ("fromstart", True),
           "continue": ("continue", False), "continue_several": ("continue", True), "reverse": ("reverse", False)}
_POSTURE_TAGS = {"handconfig", "split_handconfig", "location_bodyarm", "location_hand", "split_location"}
_TRUE = {"true", "yes", "1"}


def _body_sites() -> set[str]:
    return {s.short for s in symbol_table().symbols if s.category in (Category.BODY_SITE, Category.ARM_SITE)}


def _is_direction(code: str | None) -> bool:
    return bool(code) and len(code) <= 3 and all(c in "udlroi" for c in code)


class _Reader:
    def __init__(self, strict: bool) -> None:
        self.strict = strict
        self.unsupported: list[str] = []
        self.sites = _body_sites()

    def skip(self, path: str, what: str) -> None:
        if self.strict:
            raise SiGMLError(f"<{path}>: {what} is not supported", element=path)
        self.unsupported.append(path)

    def attrs(self, el: ET.Element, path: str, known: set[str]) -> dict[str, str]:
        for name in el.attrib:
            if name not in known:
                self.skip(f"{path}@{name}", f"attribute {name}={el.attrib[name]!r}")
        return {k: v for k, v in el.attrib.items() if k in known}

    # ---------------------------------------------------------------------------------------- posture
    def handconfig(self, el: ET.Element, path: str) -> Posture:
        a = self.attrs(el, path, {"handshape", "thumbpos", "mainbend", "extfidir", "palmor"})
        handshape = ext = palm = None
        if "handshape" in a:
            base = _HANDSHAPES.get(a["handshape"])
            if base is None:
                self.skip(f"{path}@handshape", f"handshape {a['handshape']!r}")
            else:
                thumb = a.get("thumbpos") if a.get("thumbpos") in _THUMB else None
                if "thumbpos" in a and thumb is None:
                    self.skip(f"{path}@thumbpos", f"thumbpos {a['thumbpos']!r}")
                bend = _BEND.get(a.get("mainbend", ""))
                if "mainbend" in a and bend is None:
                    self.skip(f"{path}@mainbend", f"mainbend {a['mainbend']!r}")
                handshape = Handshape(base=base, thumb=thumb, bend=bend)
        for key in ("extfidir", "palmor"):
            if key in a:
                ok = _is_direction(a[key]) and (key == "extfidir" or all(c in "udlr" for c in a[key]))
                if not ok:
                    self.skip(f"{path}@{key}", f"direction {a[key]!r}")
                elif key == "extfidir":
                    ext = DirectionSpec((a[key],))
                else:
                    palm = DirectionSpec((a[key],))
        return Posture(handshape=handshape, ext_finger=ext, palm=palm)

    def location(self, el: ET.Element, path: str) -> Location | None:
        if el.tag == "location_bodyarm":
            a = self.attrs(el, path, {"location", "side", "contact"})
            site = a.get("location")
            if site is not None and site not in self.sites:
                self.skip(f"{path}@location", f"location {site!r}")
                site = None
            side = _SIDES.get(a.get("side", ""))
            if "side" in a and side is None:
                self.skip(f"{path}@side", f"side {a['side']!r}")
            loc = Location(site=site, side=side[0] if side else None, side_of=side[1] if side else None)
        else:
            a = self.attrs(el, path, {"location", "digits", "contact"})
            part = _HAND_PARTS.get(a.get("location", ""))
            if "location" in a and part is None:
                self.skip(f"{path}@location", f"hand location {a['location']!r}")
            digits = a.get("digits", "")
            if digits and not all(d in "12345" for d in digits):
                self.skip(f"{path}@digits", f"digits {digits!r}")
                digits = ""
            loc = Location(hand=HandSite(digits=tuple(int(d) for d in digits), parts=(part,) if part else ()))
        contact = a.get("contact")
        if contact is not None:
            if contact in _CONTACT:
                loc = dataclasses.replace(loc, contact=Contact(contact))
            else:
                self.skip(f"{path}@contact", f"contact {contact!r}")
        return loc

    def split(self, el: ET.Element, path: str) -> tuple[Posture, Posture]:
        kids = list(el)
        if len(kids) != 2:
            raise SiGMLError(f"<{path}> needs two children (dominant, nondominant), found {len(kids)}",
                             element=path)
        return tuple(self.posture_element(k, f"{path}/{k.tag}[{i}]") for i, k in enumerate(kids))  # type: ignore

    def posture_element(self, el: ET.Element, path: str) -> Posture:
        if el.tag == "handconfig":
            return self.handconfig(el, path)
        if el.tag in ("location_bodyarm", "location_hand"):
            return Posture(location=self.location(el, path))
        raise SiGMLError(f"<{path}> is not a hand configuration or location", element=path)

    def configuration(self, elements: list[tuple[ET.Element, str]]) -> Configuration:
        dom: dict = {}
        nondom: dict = {}
        for el, path in elements:
            if el.tag in ("split_handconfig", "split_location"):
                left, right = self.split(el, path)
                pairs = ((left, dom), (right, nondom))
            else:
                pairs = ((self.posture_element(el, path), dom),)
            for posture, fields in pairs:
                for f in dataclasses.fields(posture):
                    value = getattr(posture, f.name)
                    if value is not None:
                        fields[f.name] = value
        return Configuration(dominant=Posture(**dom), nondominant=Posture(**nondom) if nondom else None)

    # ---------------------------------------------------------------------------------------- motion
    def motion(self, el: ET.Element, path: str, depth: int) -> Action | None:
        if depth > _MAX_DEPTH:
            raise SiGMLError(f"<{path}> nests motions deeper than {_MAX_DEPTH} levels", element=path)
        tag = el.tag
        if tag == "directedmotion":
            a = self.attrs(el, path, {"direction", "size", "curve", "zigzag", "wavy", "manner"})
            if not _is_direction(a.get("direction")):
                raise SiGMLError(f"<{path}> needs a direction attribute of u d l r o i letters", element=path)
            curve = a.get("curve")
            if curve is not None and curve not in ("u", "d", "l", "r"):
                self.skip(f"{path}@curve", f"curve {curve!r}")
                curve = None
            return Movement(kind="straight", direction=DirectionSpec((a["direction"],)), arc=curve,
                            zigzag=a.get("zigzag", "").lower() in _TRUE, wavy=a.get("wavy", "").lower() in _TRUE,
                            size=self.size(a, path), **self.speed(a, path))
        if tag == "circularmotion":
            a = self.attrs(el, path, {"axis", "start", "end", "size", "manner"})
            if not _is_direction(a.get("axis")):
                raise SiGMLError(f"<{path}> needs an axis attribute of u d l r o i letters", element=path)
            return Movement(kind="circle", direction=DirectionSpec((a["axis"],)), clock_start=a.get("start"),
                            clock_end=a.get("end"), size=self.size(a, path), **self.speed(a, path))
        if tag == "wristmotion":
            a = self.attrs(el, path, {"motion", "size", "manner"})
            if a.get("motion") not in _WRIST:
                self.skip(f"{path}@motion", f"wrist motion {a.get('motion')!r}")
                return None
            return Movement(kind="local", local=a["motion"], size=self.size(a, path), **self.speed(a, path))
        if tag in ("fingerplay", "nomotion"):
            self.attrs(el, path, set())
            return Movement(kind="local", local="fingerplay") if tag == "fingerplay" else Movement(kind="none")
        if tag == "changeposture":
            config = self.configuration([(k, f"{path}/{k.tag}[{i}]") for i, k in enumerate(el)])
            return Replace(dominant=config.dominant, nondominant=config.nondominant)
        if tag in ("par_motion", "seq_motion", "split_motion", "rpt_motion", "tgt_motion"):
            return self.compound(el, path, depth)
        self.skip(path, f"element <{tag}>")
        return None

    def size(self, a: dict[str, str], path: str) -> str | None:
        size = a.get("size")
        if size in (None, "small", "large"):
            return size
        if size == "big":
            return "large"
        self.skip(f"{path}@size", f"size {size!r}")
        return None

    def speed(self, a: dict[str, str], path: str) -> dict:
        manner = a.get("manner")
        if manner is None:
            return {}
        if manner in ("fast", "slow"):
            return {"speed": manner}
        if manner in ("tense", "rest", "halt"):
            return {"manner": (manner,)}
        self.skip(f"{path}@manner", f"manner {manner!r}")
        return {}

    def actions(self, el: ET.Element, path: str, depth: int) -> tuple[Action, ...]:
        out = []
        for i, kid in enumerate(el):
            kid_path = f"{path}/{kid.tag}[{i}]"
            if kid.tag in ("location_bodyarm", "location_hand"):
                out.append(Goto(self.location(kid, kid_path)))
                continue
            action = self.motion(kid, kid_path, depth + 1)
            if action is not None:
                out.append(action)
        return tuple(out)

    def compound(self, el: ET.Element, path: str, depth: int) -> Action | None:
        tag = el.tag
        if tag == "rpt_motion":
            a = self.attrs(el, path, {"repetition"})
            mode = _REPEAT.get(a.get("repetition", "fromstart"))
            if mode is None:
                self.skip(f"{path}@repetition", f"repetition {a['repetition']!r}")
                mode = ("fromstart", False)
            return Repeat(body=self.actions(el, path, depth), mode=mode[0], several=mode[1])
        self.attrs(el, path, set())
        if tag == "split_motion":
            kids = list(el)
            if len(kids) != 2:
                raise SiGMLError(f"<{path}> needs two motions (dominant, nondominant), found {len(kids)}",
                                 element=path)
            halves = [self.motion(k, f"{path}/{k.tag}[{i}]", depth + 1) for i, k in enumerate(kids)]
            return Split(dominant=tuple(h for h in halves[:1] if h), nondominant=tuple(h for h in halves[1:] if h))
        actions = self.actions(el, path, depth)
        if tag == "par_motion":
            return Parallel(actions=actions)
        if tag == "seq_motion":
            return Sequence(actions=actions)
        # tgt_motion: a motion followed by the location it ends at
        moves = [a for a in actions if not isinstance(a, Goto)]
        targets = [a.location for a in actions if isinstance(a, Goto)]
        if len(moves) == 1 and isinstance(moves[0], Movement) and len(targets) == 1:
            return dataclasses.replace(moves[0], target=targets[0])
        return Sequence(actions=actions)

    # ------------------------------------------------------------------------------------------ sign
    def sign(self, el: ET.Element, path: str) -> tuple[SignDescription, tuple[str, ...]]:
        nonmanual: list[str] = []
        manuals = []
        for i, kid in enumerate(el):
            if kid.tag == "sign_nonmanual":
                nonmanual += [d.tag for d in kid.iter() if d is not kid]
            elif kid.tag == "sign_manual":
                manuals.append((kid, f"{path}/sign_manual[{i}]"))
            else:
                self.skip(f"{path}/{kid.tag}[{i}]", f"element <{kid.tag}>")
        if len(manuals) != 1:
            raise SiGMLError(f"<{path}> needs exactly one <sign_manual>, found {len(manuals)}", element=path)
        manual, mpath = manuals[0]
        a = self.attrs(manual, mpath, {"both_hands", "lr_symm", "outofphase", "nondominant"})
        symmetry = None
        if a.get("both_hands", "").lower() in _TRUE:
            symmetry = Symmetry(kind="lr" if a.get("lr_symm", "").lower() in _TRUE else "par",
                                alternating=a.get("outofphase", "").lower() in _TRUE)
        postures: list[tuple[ET.Element, str]] = []
        actions: list[Action] = []
        for i, kid in enumerate(manual):
            kid_path = f"{mpath}/{kid.tag}[{i}]"
            if kid.tag in _POSTURE_TAGS and not actions:
                postures.append((kid, kid_path))
            elif kid.tag in _POSTURE_TAGS:
                config = self.configuration([(kid, kid_path)])
                if config.dominant.location is not None and config.nondominant is None and \
                        config.dominant.handshape is None and config.dominant.ext_finger is None:
                    action: Action | None = Goto(config.dominant.location)
                else:
                    action = Replace(dominant=config.dominant, nondominant=config.nondominant)
                actions.append(action)
            else:
                action = self.motion(kid, kid_path, 1)
                if action is not None:
                    actions.append(action)
        part = SignPart(start=self.configuration(postures), actions=tuple(actions), symmetry=symmetry,
                        nondominant_only=a.get("nondominant", "").lower() in _TRUE)
        return SignDescription(parts=(part,), symbols=()), tuple(nonmanual)


def read_gestural(element: ET.Element, path: str, *, strict: bool = False
                  ) -> tuple[SignDescription, tuple[str, ...], tuple[str, ...]]:
    """One ``<hamgestural_sign>`` -> (description, non-manual element names, unsupported paths).

    The description's ``symbols`` is empty (gestural SiGML has no symbol string).
    """
    reader = _Reader(strict)
    description, nonmanual = reader.sign(element, path)
    return description, nonmanual, tuple(reader.unsupported)
