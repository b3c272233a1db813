"""HamNoSys 4 strings -> :class:`~.description.SignDescription`.

    >>> sign = parse("hamflathand hamthumboutmod hamextfingeru hampalml hamchest hamtouch")
    >>> sign.parts[0].start.dominant.location.site, sign.parts[0].start.dominant.location.contact.kind
    ('chest', 'touch')

Grammar (symbol categories from :mod:`.symbols`; ``*`` any number, ``?`` optional)::

    sign          := part (PLUS part)*                       -- compounds
    part          := symmetry? NONDOMINANT? configuration action*
    symmetry      := SYMMETRY (FINGER_BEND | SIZE | NONIPSI | ALTERNATING)*
    configuration := (handshape | direction(EXT_FINGER) | direction(PALM) | location | split)*
                     -- each slot at most once per hand, in any order
    split         := parbegin NONDOMINANT? configuration PLUS NONDOMINANT? configuration parend
                     -- sides holding only hand sites make a hand constellation: split CONTACT* location?
    handshape     := (HANDSHAPE | ETC) (THUMB_MOD | FINGER_BEND | DIGIT | FINGER_PART | ETC | BETWEEN DIGIT)*
                     (BETWEEN handshape)?
    direction(C)  := C+ ORI_RELATIVE? (BETWEEN direction(C))? ORI_RELATIVE?
    location      := (SIDE | BODY_SITE | ARM_SITE | HAND_SITE | DIGIT | FINGER_PART | CONTACT
                      | contact)+ (BETWEEN location)?
    contact       := seqbegin CONTACT location seqend        -- the contact and the hand part making it
    modifier      := SIZE | MANNER | SIZE_CHANGE
    action        := movement | REPLACE modifier* configuration modifier*
                   | configuration                          (an implicit change of posture)
                   | location                               (target of the movement before, else a Goto)
                   | REPETITION (ALTERNATING | ETC | modifier)*  (repeats the actions before it in its bracket)
                   | modifier                               (qualifies the action before)
                   | parbegin action* parend                (parallel)
                   | parbegin action+ PLUS action+ parend   (split: dominant + nondominant)
                   | seqbegin action* seqend | fusionbegin action* fusionend
    movement      := (STRAIGHT | CIRCLE | LOCAL | NO_MOTION)
                     (ARC | PATH | ELLIPSE | SIZE_CHANGE | CLOCK | SIZE | MANNER | contact)*
                     (BETWEEN movement)?
                     -- path symbols written after the movement's target still qualify it

The readings of brackets follow the DSGS lexicon's usage: ``hamseqbegin`` opening on a contact symbol
(``hampalm [hamtouch hamfingertip]``) says which part of the moving hand makes the contact; otherwise it
groups a sequence. ``hamspace`` and ``hamversion40`` are read and ignored; alternatives, co-reference,
``hammime`` and punctuation raise ``HamNoSysUnsupported``.

The parser reads left to right with one symbol of look-ahead plus a look inside a bracket (is there a
``hamplus`` at its top level, does it open on a contact, does it hold only posture symbols): no
backtracking, so time is linear in the length times the nesting depth. Input is capped at ``MAX_SYMBOLS``
symbols and brackets at ``MAX_NESTING`` levels; recursion (brackets, ``hambetween`` chains, repetitions of
repetitions) is capped too, so hostile input fails with ``HamNoSysError`` rather than ``RecursionError``.

Errors name the offending symbol and its 0-based position among the input's symbols.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from .description import (
    Action, Configuration, Constellation, Contact, DirectionSpec, FingerSpec, Goto, Handshape, HandSite,
    Location, Movement, Parallel, Posture, Repeat, Replace, Sequence, SignDescription, SignPart, Split, Symmetry,
)
from .errors import HamNoSysError, HamNoSysUnsupported
from .symbols import Category as C
from .tokens import MAX_SYMBOLS, Token, tokenize

__all__ = ["parse", "parse_names", "MAX_NESTING", "MAX_SYMBOLS"]

#: The deepest bracket nesting accepted (the DSGS lexicon uses at most 4).
MAX_NESTING = 16
_MAX_RECURSION = 3 * MAX_NESTING  # brackets + between chains + nested repetitions
_MAX_CONTACTS = 4  # contacts written in a row at one location

_OPEN = {"hamparbegin": "hamparend", "hamseqbegin": "hamseqend", "hamfusionbegin": "hamfusionend"}
_CLOSE = {v: k for k, v in _OPEN.items()}
_IGNORED = {"hamspace", "hamversion40"}  # carry no meaning for the description
_UNSUPPORTED = {C.ALTERNATIVE, C.COREF, C.META, C.PUNCTUATION}

_LOCATION = {C.BODY_SITE, C.ARM_SITE, C.HAND_SITE, C.DIGIT, C.FINGER_PART, C.SIDE, C.CONTACT}
_HANDISH = {C.HAND_SITE, C.DIGIT, C.FINGER_PART}
_POSTURE = {C.HANDSHAPE, C.ETC, C.EXT_FINGER, C.PALM, C.NONDOMINANT} | _LOCATION
_POSTURE_INNER = _POSTURE | {C.THUMB_MOD, C.FINGER_BEND, C.BETWEEN, C.ORI_RELATIVE, C.PLUS}
_MOVE = {C.STRAIGHT, C.CIRCLE, C.LOCAL, C.NO_MOTION}
_MOVE_MODIFIER = {C.ARC, C.PATH, C.ELLIPSE, C.SIZE_CHANGE, C.CLOCK, C.SIZE, C.MANNER}

_THUMB = {"hamthumboutmod": "out", "hamthumbacrossmod": "across", "hamthumbopenmod": "open"}
_BEND = {"hamfingerstraightmod": "straight", "hamfingerbendmod": "bent", "hamfingerhookmod": "hooked",
         "hamdoublebent": "doublebent", "hamdoublehooked": "doublehooked"}
_DIGIT = {"hamthumb": 1, "hamindexfinger": 2, "hammiddlefinger": 3, "hamringfinger": 4, "hampinky": 5}
_MODIFIER = {"hamsmallmod": "small", "hamlargemod": "large", "hamfast": "fast", "hamslow": "slow",
             "hamtense": "tense", "hamrest": "rest", "hamhalt": "halt"}
_REPEAT = {"hamrepeatfromstart": ("fromstart", False), "hamrepeatfromstartseveral": ("fromstart", True),
           "hamrepeatcontinue": ("continue", False), "hamrepeatcontinueseveral": ("continue", True),
           "hamrepeatreverse": ("reverse", False)}


def parse(text: str) -> SignDescription:
    """Parse one HamNoSys string (Private Use Area characters, or symbol names separated by spaces/commas).

    Raises ``HamNoSysError`` (a ``ValueError``; ``.symbol``, ``.position``, ``.reason``) when the input is
    malformed, and ``HamNoSysUnsupported`` (a subclass) for symbols this parser does not interpret.
    """
    return _Parser(tokenize(text)).sign()


def parse_names(names: Iterable[str]) -> SignDescription:
    """Parse a sequence of symbol names (``["hamflathand", "hamextfingeru", ...]``)."""
    names = list(names)
    if len(names) > MAX_SYMBOLS:
        raise HamNoSysError(f"HamNoSys input has {len(names)} symbols; at most {MAX_SYMBOLS} are accepted",
                            position=MAX_SYMBOLS, reason="too long")
    if any(not isinstance(n, str) or not n or any(ch in n for ch in " ,\t\r\n") for n in names):
        raise HamNoSysError("symbol names must be non-empty strings without spaces or commas", reason="bad name")
    return parse(" ".join(names))


def _chain(first: Contact | None, second: Contact) -> Contact:
    if first is None:
        return second
    return dataclasses.replace(first, then=_chain(first.then, second))


def _contact_count(contact: Contact | None) -> int:
    n = 0
    while contact is not None:
        n, contact = n + 1, contact.then
    return n


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.count = len(tokens)
        self.names = tuple(t.name for t in tokens)
        for t in tokens:
            if t.symbol.category in _UNSUPPORTED and t.name not in _IGNORED:
                raise HamNoSysUnsupported(
                    f"{t.name} at position {t.position} is not supported ({t.symbol.category.value})",
                    symbol=t.name, position=t.position, reason="unsupported symbol")
        self.toks = [t for t in tokens if t.name not in _IGNORED]
        self.match = self._match_brackets()
        self.i = 0

    # ----------------------------------------------------------------------------------------- helpers
    def _error(self, index: int | None, expected: str, reason: str = "unexpected symbol") -> HamNoSysError:
        if index is None or index >= len(self.toks):
            return HamNoSysError(f"unexpected end of input at position {self.count}: expected {expected}",
                                 position=self.count, reason=reason)
        t = self.toks[index]
        return HamNoSysError(f"unexpected {t.name} at position {t.position}: expected {expected}",
                             symbol=t.name, position=t.position, reason=reason)

    def _deeper(self, depth: int) -> int:
        if depth + 1 > _MAX_RECURSION:
            t = self.toks[min(self.i, len(self.toks) - 1)]
            raise HamNoSysError(f"structure too deeply nested at {t.name} (position {t.position})",
                                symbol=t.name, position=t.position, reason="too deeply nested")
        return depth + 1

    def _cat(self, end: int, offset: int = 0) -> C | None:
        k = self.i + offset
        return self.toks[k].symbol.category if k < end else None

    def _name(self, end: int, offset: int = 0) -> str | None:
        k = self.i + offset
        return self.toks[k].name if k < end else None

    def _match_brackets(self) -> dict[int, int]:
        match: dict[int, int] = {}
        stack: list[int] = []
        for k, t in enumerate(self.toks):
            if t.name in _OPEN:
                stack.append(k)
                if len(stack) > MAX_NESTING:
                    raise HamNoSysError(f"{t.name} at position {t.position} nests brackets deeper than "
                                        f"{MAX_NESTING} levels", symbol=t.name, position=t.position,
                                        reason="too deeply nested")
            elif t.name in _CLOSE:
                if not stack:
                    raise HamNoSysError(f"{t.name} at position {t.position} has no opening {_CLOSE[t.name]}",
                                        symbol=t.name, position=t.position, reason="unbalanced brackets")
                o = stack.pop()
                if _OPEN[self.toks[o].name] != t.name:
                    opener = self.toks[o]
                    raise HamNoSysError(f"{t.name} at position {t.position} closes {opener.name} at position "
                                        f"{opener.position}", symbol=t.name, position=t.position,
                                        reason="unbalanced brackets")
                match[o] = k
        if stack:
            t = self.toks[stack[-1]]
            raise HamNoSysError(f"{t.name} at position {t.position} is never closed", symbol=t.name,
                                position=t.position, reason="unbalanced brackets")
        return match

    def _top_level_plus(self, o: int) -> list[int]:
        """Indices of ``hamplus`` directly inside the bracket opened at ``o`` (not in nested brackets)."""
        out, k, close = [], o + 1, self.match[o]
        while k < close:
            if k in self.match:
                k = self.match[k] + 1
                continue
            if self.toks[k].name == "hamplus":
                out.append(k)
            k += 1
        return out

    def _is_posture_split(self, o: int) -> bool:
        """Is the bracket at ``o`` ``hamparbegin`` posture ``hamplus`` posture ``hamparend``?

        Both sides must start with a posture symbol and hold nothing but posture symbols and contact
        brackets; otherwise the bracket is read as actions.
        """
        if self.toks[o].name != "hamparbegin":
            return False
        pluses = self._top_level_plus(o)
        if len(pluses) != 1:
            return False
        first, second = self.toks[o + 1], self.toks[pluses[0] + 1]
        if first.symbol.category not in _POSTURE or second.symbol.category not in _POSTURE:
            return False
        k, close = o + 1, self.match[o]
        while k < close:
            if k in self.match:
                if not self._is_contact_bracket(k):
                    return False
                k = self.match[k] + 1
                continue
            if self.toks[k].symbol.category not in _POSTURE_INNER:
                return False
            k += 1
        return True

    def _is_contact_bracket(self, o: int) -> bool:
        return (self.toks[o].name == "hamseqbegin" and o + 1 < len(self.toks)
                and self.toks[o + 1].symbol.category is C.CONTACT)

    # -------------------------------------------------------------------------------------- structure
    def sign(self) -> SignDescription:
        end = len(self.toks)
        if end == 0:
            raise HamNoSysError("HamNoSys input holds no meaningful symbol", reason="empty")
        parts = [self.part(end)]
        while self.i < end:  # part() stops only at a top-level hamplus
            plus = self.i
            self.i += 1
            if self.i >= end:
                raise self._error(plus, "a sign part after it, not the end of input", reason="empty part")
            parts.append(self.part(end))
        return SignDescription(parts=tuple(parts), symbols=self.names)

    def part(self, end: int) -> SignPart:
        symmetry = self.symmetry(end)
        nondominant_only = self._name(end) == "hamnondominant"
        if nondominant_only:
            self.i += 1
        body = self.i
        config = self.configuration(end, 0)
        actions = self.actions(end, 0, top=True)
        if self.i == body:
            raise self._error(self.i, "a handshape, orientation, location or movement", reason="empty part")
        return SignPart(start=config, actions=actions, symmetry=symmetry, nondominant_only=nondominant_only)

    def symmetry(self, end: int) -> Symmetry | None:
        if self._cat(end) is not C.SYMMETRY:
            return None
        kind = "lr" if self._name(end) == "hamsymmlr" else "par"
        self.i += 1
        modifiers, alternating = [], False
        while self._cat(end) in (C.FINGER_BEND, C.SIZE, C.NONIPSI, C.ALTERNATING):
            if self._cat(end) is C.ALTERNATING:
                alternating = True
            else:
                modifiers.append(self.toks[self.i].symbol.short)
            self.i += 1
        return Symmetry(kind=kind, modifiers=tuple(modifiers), alternating=alternating)

    # -------------------------------------------------------------------------------------- postures
    def configuration(self, end: int, depth: int) -> Configuration:
        """Handshape, orientation, location (in any order, each once), possibly split between the hands."""
        dom: dict = {}
        nondom: dict | None = None
        constellation: Constellation | None = None
        while self.i < end:
            c = self._cat(end)
            if c in (C.HANDSHAPE, C.ETC) and "handshape" not in dom:
                dom["handshape"] = self.handshape(end, depth)
            elif c is C.EXT_FINGER and "ext_finger" not in dom:
                dom["ext_finger"] = self.direction(end, C.EXT_FINGER, depth)
            elif c is C.PALM and "palm" not in dom:
                dom["palm"] = self.direction(end, C.PALM, depth)
            elif c in _LOCATION and "location" not in dom and constellation is None:
                dom["location"] = self.location(end, depth)
            elif c is C.BRACKET and self._is_posture_split(self.i) and constellation is None:
                o = self.i
                left, right = self.split_postures(end, depth)
                if self._only_hand_site(left) and self._only_hand_site(right) and "location" not in dom:
                    constellation = self.constellation(end, depth, left, right)
                    continue
                nondom = {} if nondom is None else nondom
                for side, fields in ((left, dom), (right, nondom)):
                    for field in ("handshape", "ext_finger", "palm", "location"):
                        if getattr(side, field) is not None:
                            if field in fields:
                                raise self._error(o, f"no second {field.replace('_', ' ')} for a hand",
                                                  reason="repeated posture field")
                            fields[field] = getattr(side, field)
            else:
                break
        return Configuration(dominant=Posture(**dom), nondominant=Posture(**nondom) if nondom else None,
                             constellation=constellation)

    @staticmethod
    def _only_hand_site(p: Posture) -> bool:
        return (p.handshape is None and p.ext_finger is None and p.palm is None and p.location is not None
                and p.location.site is None and p.location.hand is not None and p.location.side is None)

    def constellation(self, end: int, depth: int, left: Posture, right: Posture) -> Constellation:
        contact = None
        while self._cat(end) is C.CONTACT and _contact_count(contact) < _MAX_CONTACTS:
            contact = _chain(contact, Contact(self.toks[self.i].symbol.short))
            self.i += 1
        where = self.location(end, depth) if self._cat(end) in _LOCATION else None
        assert left.location is not None and right.location is not None
        return Constellation(dominant=left.location.hand, nondominant=right.location.hand, contact=contact,
                             location=where)

    def split_postures(self, end: int, depth: int) -> tuple[Posture, Posture]:
        """``hamparbegin`` posture ``hamplus`` posture ``hamparend`` at ``self.i`` -> (dominant, nondominant)."""
        o = self.i
        close, plus = self.match[o], self._top_level_plus(o)[0]
        depth = self._deeper(depth)
        sides = []
        for lo, hi in ((o + 1, plus), (plus + 1, close)):
            self.i = lo
            if self._name(hi) == "hamnondominant":
                self.i += 1
            sides.append(self.posture(hi, depth))
        self.i = close + 1
        return sides[0], sides[1]

    def posture(self, end: int, depth: int) -> Posture:
        """A posture that must fill ``self.i .. end`` exactly (one side of a split)."""
        config = self.configuration(end, depth)
        if self.i != end:
            raise self._error(self.i, "a handshape, orientation or location in this side of the split")
        if config.nondominant is not None or config.constellation is not None:
            raise self._error(end, "no split inside a split", reason="nested split")
        return config.dominant

    def handshape(self, end: int, depth: int) -> Handshape:
        t = self.toks[self.i]
        self.i += 1
        base, etc = (None, True) if t.symbol.category is C.ETC else (t.symbol.short, False)
        thumb = bend = between = None
        fingers: list[FingerSpec] = []
        cur: dict | None = None

        def flush() -> None:
            nonlocal cur
            if cur is not None:
                fingers.append(FingerSpec(digits=tuple(cur["digits"]), bend=cur["bend"], part=cur["part"],
                                          between=cur["between"]))
            cur = None

        while self.i < end:
            c, name = self._cat(end), self._name(end)
            if c is C.THUMB_MOD:
                flush()
                thumb = _THUMB[name]
            elif c is C.FINGER_BEND:
                if cur is not None and cur["bend"] is None and cur["part"] is None:
                    cur["bend"] = _BEND[name]
                elif cur is None and bend is None and not fingers:
                    bend = _BEND[name]
                else:
                    flush()
                    cur = {"digits": [], "bend": _BEND[name], "part": None, "between": False}
            elif c is C.DIGIT:
                if cur is not None and cur["bend"] is None and cur["part"] is None:
                    cur["digits"].append(_DIGIT[name])
                else:
                    flush()
                    cur = {"digits": [_DIGIT[name]], "bend": None, "part": None, "between": False}
            elif c is C.FINGER_PART:
                if cur is not None and cur["part"] is None:
                    cur["part"] = self.toks[self.i].symbol.short
                else:
                    flush()
                    cur = {"digits": [], "bend": None, "part": self.toks[self.i].symbol.short, "between": False}
            elif c is C.ETC:
                etc = True
            elif c is C.BETWEEN and self._cat(end, 1) is C.DIGIT and cur is not None and cur["digits"]:
                cur["between"] = True
            elif c is C.BETWEEN and self._cat(end, 1) in (C.HANDSHAPE, C.ETC):
                self.i += 1
                flush()
                between = self.handshape(end, self._deeper(depth))
                break
            else:
                break
            self.i += 1
        flush()
        return Handshape(base=base, thumb=thumb, bend=bend, fingers=tuple(fingers), between=between, etc=etc)

    def direction(self, end: int, cat: C, depth: int) -> DirectionSpec:
        codes = []
        while self._cat(end) is cat:
            codes.append(self.toks[self.i].symbol.code)
            self.i += 1
        relative = False
        if self._cat(end) is C.ORI_RELATIVE:
            relative, self.i = True, self.i + 1
        between = None
        if self._cat(end) is C.BETWEEN and self._cat(end, 1) is cat:
            self.i += 1
            between = self.direction(end, cat, self._deeper(depth))
        if self._cat(end) is C.ORI_RELATIVE:
            relative, self.i = True, self.i + 1
        return DirectionSpec(codes=tuple(codes), between=between, relative=relative)

    def location(self, end: int, depth: int) -> Location:
        site = side = side_of = contact = between = None
        contact_first = False
        digits: list[int] = []
        parts: list[str] = []
        start = self.i
        while self.i < end:
            c, t = self._cat(end), self.toks[self.i]
            has_place = site is not None or bool(digits) or bool(parts)
            if c is C.SIDE:
                if side is not None:
                    break
                side = "at" if t.name == "hamlrat" else "beside"
                side_of = "dominant" if has_place else "nondominant"
            elif c in (C.BODY_SITE, C.ARM_SITE):
                if has_place:
                    break
                site = t.symbol.short
            elif c in _HANDISH:
                if c is C.DIGIT:
                    digits.append(_DIGIT[t.name])
                else:
                    parts.append(t.symbol.short)
            elif c is C.CONTACT:
                if _contact_count(contact) >= _MAX_CONTACTS:
                    break
                contact_first = contact_first or (contact is None and not has_place)
                contact = _chain(contact, Contact(t.symbol.short))
            elif c is C.BRACKET and self._is_contact_bracket(self.i):
                if _contact_count(contact) >= _MAX_CONTACTS:
                    break
                contact_first = contact_first or (contact is None and not has_place)
                contact = _chain(contact, self.contact_bracket(end, depth))
                continue
            elif (c is C.BETWEEN and self._cat(end, 1) in _LOCATION - {C.CONTACT}):
                self.i += 1
                between = self.location(end, self._deeper(depth))
                break
            else:
                break
            self.i += 1
        if self.i == start:
            raise self._error(self.i, "a location")
        hand = HandSite(digits=tuple(digits), parts=tuple(parts)) if digits or parts else None
        return Location(site=site, hand=hand, side=side, side_of=side_of, contact=contact, between=between,
                        contact_first=contact_first and site is not None)

    def contact_bracket(self, end: int, depth: int) -> Contact:
        """``hamseqbegin`` CONTACT hand-site ... ``hamseqend``: the contact and the active hand's part."""
        o = self.i
        close = self.match[o]
        self.i = o + 1
        inner = self.location(close, self._deeper(depth))
        if self.i != close:
            raise self._error(self.i, "a contact or a part of the hand inside this bracket")
        self.i = close + 1
        assert inner.contact is not None  # the bracket starts with a contact symbol
        part, at = inner.hand, None
        if inner.site is not None or inner.side is not None:
            at = dataclasses.replace(inner, hand=None, contact=None)
        elif inner.between is not None and inner.between.hand is not None:
            part = dataclasses.replace(part or HandSite(), between=inner.between.hand)
        return dataclasses.replace(inner.contact, part=part, at=at)

    # --------------------------------------------------------------------------------------- actions
    def actions(self, end: int, depth: int, top: bool = False) -> tuple[Action, ...]:
        acts: list[Action] = []
        while self.i < end:
            c, t = self._cat(end), self.toks[self.i]
            if c is C.PLUS:
                if top:
                    break
                raise self._error(self.i, "at most one hamplus in a bracket", reason="misplaced plus")
            if c in _MOVE:
                acts.append(self.movement(end, depth))
            elif c is C.REPLACE:
                self.i += 1
                acts.append(self.replace(end, depth))
            elif c in (C.HANDSHAPE, C.ETC, C.EXT_FINGER, C.PALM) or (
                    c is C.BRACKET and self._is_posture_split(self.i)):
                acts.append(self.replace(end, depth))
            elif c in _LOCATION or (c is C.BRACKET and self._is_contact_bracket(self.i)):
                where = self.location(end, depth)
                if acts and isinstance(acts[-1], Movement) and acts[-1].target is None:
                    acts[-1] = dataclasses.replace(acts[-1], target=where)
                else:
                    acts.append(Goto(where))
            elif c is C.REPETITION:
                acts = [self.repeat(end, depth, acts)]
            elif c is C.ALTERNATING and acts and isinstance(acts[-1], Repeat):
                acts[-1] = dataclasses.replace(acts[-1], alternating=True)
                self.i += 1
            elif c in _MOVE_MODIFIER and acts and isinstance(acts[-1], Movement):
                at = self.i
                acts[-1] = self.movement_modifiers(end, depth, acts[-1])
                if self.i == at:  # e.g. a second size for a movement that has one
                    acts[-1] = self._qualify(acts[-1], t)
                    self.i += 1
            elif c in (C.SIZE, C.MANNER) and acts:
                acts[-1] = self._qualify(acts[-1], t)
                self.i += 1
            elif t.name in _OPEN:
                acts.append(self.bracket(depth))
            else:
                raise self._error(self.i, "a movement, replacement, repetition, location or bracket")
        return tuple(acts)

    def _qualify(self, action: Action, t: Token) -> Action:
        word = _MODIFIER[t.name]
        if isinstance(action, Movement):
            if word in ("small", "large") and action.size is None:
                return dataclasses.replace(action, size=word)
            if word in ("fast", "slow") and action.speed is None:
                return dataclasses.replace(action, speed=word)
            return dataclasses.replace(action, manner=action.manner + (word,))
        if isinstance(action, Goto):
            raise HamNoSysError(f"{t.name} at position {t.position} follows a location, not an action",
                                symbol=t.name, position=t.position, reason="modifier after location")
        return dataclasses.replace(action, modifiers=action.modifiers + (word,))

    def replace(self, end: int, depth: int) -> Replace:
        modifiers = self._modifiers(end)
        at = self.i
        config = self.configuration(end, depth)
        if self.i == at:
            raise self._error(self.i, "a handshape, orientation or location after hamreplace")
        modifiers += self._modifiers(end)
        return Replace(dominant=config.dominant, nondominant=config.nondominant,
                       constellation=config.constellation, modifiers=tuple(modifiers))

    def _modifiers(self, end: int) -> list[str]:
        """Size, speed, manner and size-change symbols at ``self.i``, as words."""
        out = []
        while self._cat(end) in (C.SIZE, C.MANNER, C.SIZE_CHANGE):
            t = self.toks[self.i]
            out.append(_MODIFIER.get(t.name, t.symbol.short))
            self.i += 1
        return out

    def repeat(self, end: int, depth: int, body: list[Action]) -> Repeat:
        t = self.toks[self.i]
        nested, inner = 0, body[0] if len(body) == 1 else None
        while isinstance(inner, Repeat):
            nested += 1
            inner = inner.body[0] if len(inner.body) == 1 else None
        if nested >= MAX_NESTING:
            raise HamNoSysError(f"{t.name} at position {t.position}: too many repetitions in a row",
                                symbol=t.name, position=t.position, reason="too deeply nested")
        self.i += 1
        mode, several = _REPEAT[t.name]
        alternating = etc = False
        modifiers = []
        while True:
            c = self._cat(end)
            if c is C.ALTERNATING:
                alternating = True
            elif c is C.ETC:
                etc = True
            elif c in (C.SIZE, C.MANNER, C.SIZE_CHANGE):
                modifiers += self._modifiers(end)
                continue
            else:
                break
            self.i += 1
        return Repeat(body=tuple(body), mode=mode, several=several, alternating=alternating, etc=etc,
                      modifiers=tuple(modifiers))

    def bracket(self, depth: int) -> Action:
        o = self.i
        close, name = self.match[o], self.toks[o].name
        depth = self._deeper(depth)
        if name == "hamparbegin":
            pluses = self._top_level_plus(o)
            if pluses:
                if len(pluses) > 1:
                    raise self._error(pluses[1], "at most one hamplus in a bracket", reason="misplaced plus")
                self.i = o + 1
                left = self.actions(pluses[0], depth)
                self.i = pluses[0] + 1
                if self._name(close) == "hamnondominant":
                    self.i += 1
                right = self.actions(close, depth)
                if not left or not right:
                    raise self._error(pluses[0], "actions on both sides of hamplus", reason="empty split side")
                result: Action = Split(dominant=left, nondominant=right)
            else:
                self.i = o + 1
                result = Parallel(actions=self.actions(close, depth))
        else:
            self.i = o + 1
            result = Sequence(actions=self.actions(close, depth), fused=name == "hamfusionbegin")
        if self.i != close:  # pragma: no cover - actions() consumes up to the close or raises
            raise self._error(self.i, f"{self.toks[close].name}")
        if not getattr(result, "actions", True):
            raise self._error(close, "an action inside the bracket", reason="empty bracket")
        self.i = close + 1
        return result

    def movement(self, end: int, depth: int) -> Movement:
        t = self.toks[self.i]
        c = t.symbol.category
        self.i += 1
        f: dict = {}
        if c is C.STRAIGHT:
            f.update(kind="straight", direction=DirectionSpec((t.symbol.code,)))
        elif c is C.CIRCLE:
            f.update(kind="circle", direction=DirectionSpec((t.symbol.code,)))
        elif c is C.LOCAL:
            f.update(kind="local", local=t.symbol.short)
        else:
            f.update(kind="none")
        return self.movement_modifiers(end, depth, Movement(**f))

    def movement_modifiers(self, end: int, depth: int, move: Movement) -> Movement:
        """Read the path, size, speed, contact and ``hambetween`` symbols that qualify ``move``."""
        f = {field.name: getattr(move, field.name) for field in dataclasses.fields(move)}
        last = None
        while self.i < end:
            c, u = self._cat(end), self.toks[self.i]
            if c is C.ARC and f["arc"] is None:
                f["arc"] = u.symbol.code
            elif c is C.PATH:
                f["wavy" if u.name == "hamwavy" else "zigzag"] = True
            elif c is C.ELLIPSE and f["ellipse"] is None:
                f["ellipse"] = u.symbol.code
            elif c is C.SIZE_CHANGE and f["size_change"] is None:
                f["size_change"] = u.symbol.short
            elif c is C.CLOCK:
                if u.symbol.code == "full":
                    f["extra_turns"] += 1
                elif f["clock_start"] is None:
                    f["clock_start"] = u.symbol.code
                elif f["clock_end"] is None:
                    f["clock_end"] = u.symbol.code
                else:
                    break
            elif c is C.SIZE and last is C.PATH and f["path_size"] is None:
                f["path_size"] = _MODIFIER[u.name]
            elif c is C.SIZE and f["size"] is None:
                f["size"] = _MODIFIER[u.name]
            elif c is C.MANNER:
                word = _MODIFIER[u.name]
                if word in ("fast", "slow") and f["speed"] is None:
                    f["speed"] = word
                else:
                    f["manner"] += (word,)
            elif (c is C.BRACKET and self._is_contact_bracket(self.i)
                  and _contact_count(f["contact"]) < _MAX_CONTACTS):
                f["contact"] = _chain(f["contact"], self.contact_bracket(end, depth))
                last = c
                continue
            elif c is C.BETWEEN and self._cat(end, 1) in _MOVE and f["between"] is None:
                self.i += 1
                f["between"] = self.movement(end, self._deeper(depth))
                break
            else:
                break
            last = c
            self.i += 1
        return Movement(**f)
