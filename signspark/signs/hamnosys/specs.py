"""Parsed HamNoSys (:mod:`.description`) -> the posture layer's words (:mod:`.handshapes`, :mod:`.locations`).

The translation of one written posture field at a time, shared by the animator:

* :func:`handshape_spec`: a :class:`~.description.Handshape` -> :class:`~.handshapes.HandshapeSpec`
  (basic form, thumb and bending modifiers, selected fingers, per-finger bends, ``hambetween``);
* :func:`hand_part`: a :class:`~.description.HandSite` -> a :data:`~.locations.HAND_PARTS` name
  (``index_pad``, ``palm``, ``fingertips``, ...);
* :func:`contact_distance`: a :class:`~.description.Contact` kind -> a posture distance
  (``"touch"``, ``"close"``, ``"armextended"`` or None).

Each returns what it could read and appends what it had to approximate to ``notes`` as
``"feature: detail"`` strings (never raises on a well-formed description).
"""

from __future__ import annotations

from .description import Contact, Handshape, HandSite
from .handshapes import HandshapeSpec

__all__ = ["handshape_spec", "hand_part", "contact_distance", "FINGERS_BY_DIGIT", "DEFAULT_HANDSHAPE"]

FINGERS_BY_DIGIT = {1: "thumb", 2: "index", 3: "middle", 4: "ring", 5: "pinky"}
DEFAULT_HANDSHAPE = HandshapeSpec("flathand")
_THUMB = {"out": "thumboutmod", "across": "thumbacrossmod", "open": "thumbopenmod"}
_BEND = {"straight": "fingerstraightmod", "bent": "fingerbendmod", "hooked": "fingerhookmod",
         "doublebent": "doublebent", "doublehooked": "doublehooked"}
_FINGER_PART = {"fingertip": "tip", "fingernail": "nail", "fingerpad": "pad", "fingermidjoint": "midjoint",
                "fingerbase": "base", "fingerside": "side"}
_HAND_PART = {"palm": "palm", "handback": "back", "thumbside": "thumbside", "pinkyside": "pinkyside",
              "thumbball": "thumbball", "wristback": "wristback", "wristpulse": "wristpulse",
              "wristtoback": "wristback", "wristtopulse": "wristpulse", "wristtothumb": "thumbside",
              "wristtopinky": "pinkyside"}
_DISTANCE = {"touch": "touch", "close": "close", "armextended": "armextended",
             "brushing": "touch", "interlock": "touch", "cross": "touch"}


def handshape_spec(shape: Handshape, previous: HandshapeSpec | None, notes: list[str]) -> HandshapeSpec:
    """A written handshape -> a :class:`HandshapeSpec`; ``previous`` stands in for "as before / as the
    other hand" (``hametc`` without a basic form)."""
    if shape.base is None:
        base = previous or DEFAULT_HANDSHAPE
        if previous is None:
            notes.append("handshape: 'as the other hand' with no hand to copy; flat hand")
        return base
    selected: list[str] = []
    per_finger: dict[str, str] = {}
    for f in shape.fingers:
        names = [FINGERS_BY_DIGIT[d] for d in f.digits]
        if f.between:
            notes.append("handshape: a finger half-way between two; the first taken")
            names = names[:1]
        if f.part is not None:
            notes.append(f"handshape: the thumb at the {f.part} of the fingers is approximated by the basic form")
            continue
        if f.bend is not None:
            for n in names or ("index", "middle", "ring", "pinky"):
                if n != "thumb":
                    per_finger[n] = _BEND[f.bend]
            continue
        selected += [n for n in names if n not in selected]
    between = None
    if shape.between is not None:
        between = handshape_spec(shape.between, previous, notes)
    return HandshapeSpec(
        shape.base, thumb=_THUMB.get(shape.thumb) if shape.thumb else None,
        bend=_BEND[shape.bend] if shape.bend else None,
        fingers=tuple(selected) if selected and shape.base not in ("pinch12", "pinchall", "pinch12open") else None,
        per_finger=per_finger, between=between)


def hand_part(site: HandSite | None, selected: tuple[str, ...], notes: list[str], what: str = "hand part") -> str:
    """A place on a hand -> a :data:`~.locations.HAND_PARTS` name.

    ``selected`` are the hand's selected fingers (a finger part without digits is on them); several parts
    written in a row (``hamfingermidjoint hampalm``: the palm side of the middle joints) take the first.
    """
    if site is None:
        return "palm"
    if site.between is not None:
        notes.append(f"{what}: half-way between two places of the hand; the first taken")
    fingers = [FINGERS_BY_DIGIT[d] for d in site.digits]
    for p in site.parts:
        if p in _FINGER_PART:
            where = _FINGER_PART[p]
            if not fingers and where == "tip":
                return "fingertips"
            finger = fingers[0] if fingers else (selected[0] if selected else "index")
            return f"{finger}_{where}"
        if p in _HAND_PART:
            return _HAND_PART[p]
    if fingers:
        return f"{fingers[0]}_pad"
    notes.append(f"{what}: {site.parts} not known; the palm taken")
    return "palm"


def contact_distance(contact: Contact | None, notes: list[str]) -> str | None:
    """The distance a written contact asks for: ``"touch"``, ``"close"``, ``"armextended"`` or None (the
    ordinary distance). Brushing, interlocking and crossing hands are placed touching."""
    if contact is None:
        return None
    if contact.kind in ("brushing", "interlock", "cross"):
        notes.append(f"contact: {contact.kind} placed as touching")
    if contact.kind == "behind":
        notes.append("contact: behind the body is not modelled; the ordinary distance taken")
        return None
    if contact.then is not None:
        notes.append(f"contact: {contact.kind} then {contact.then.kind}; the first taken")
    return _DISTANCE.get(contact.kind)
