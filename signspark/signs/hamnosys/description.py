"""The typed result of parsing a HamNoSys sign: frozen dataclasses an animator turns into key poses.

Shape of a sign
---------------
A :class:`SignDescription` is one or more :class:`SignPart` (compounds are joined by ``hamplus`` at the
top level). Each part has:

- ``symmetry`` (:class:`Symmetry` or ``None``): both hands sign, the nondominant one mirroring (``"lr"``)
  or copying (``"par"``) the dominant one;
- ``nondominant_only``: the part is signed by the nondominant hand alone (``hamnondominant``);
- ``start`` (:class:`Configuration`): the initial posture of the dominant hand and, where written, of the
  nondominant hand, and the hands' constellation (which part of one hand is at which part of the other);
- ``actions``: what happens next, in order, as a tuple of actions (:data:`Action`): :class:`Movement`,
  :class:`Replace` (a change of handshape / orientation / location), :class:`Goto` (the hand goes to
  a location), :class:`Repeat`, :class:`Parallel` (simultaneous), :class:`Sequence` (in turn, or
  ``fused`` into one motion) and :class:`Split` (each hand does its own thing).

A :class:`Posture` holds what HamNoSys writes for one hand at one moment: :class:`Handshape`, extended
finger direction and palm orientation (each a :class:`DirectionSpec`), and :class:`Location`. Any field
may be ``None``: not written, so unchanged from before (or, for the nondominant hand of a symmetric sign,
derived from the dominant hand by the symmetry).

Conventions
-----------
- Names are HamNoSys symbol names without the ``ham`` prefix: ``"flathand"``, ``"chest"``, ``"fingertip"``.
- Direction codes are strings of ``u d l r o i`` (up, down, left, right, out/forward, in/towards the
  body), written for a right-dominant signer. :mod:`.directions` gives their unit vectors in the signer's
  frame: +x the signer's left, +y up, +z forward (here as plain ``(x, y, z)`` tuples of unit length).
- Digits are numbered 1 (thumb) to 5 (pinky).
- Sizes are relative (``"small"`` / ``None`` / ``"large"``, factors in :data:`SIZE_SCALE`); the
  animator chooses nominal lengths (:mod:`.paths`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Union

from . import directions

Vector = tuple[float, float, float]

#: Relative size factors of the size modifiers (a movement's nominal extent is the animator's choice).
SIZE_SCALE: dict[str | None, float] = {"small": 0.5, None: 1.0, "large": 1.6}


def _tuple(v) -> Vector:
    return (float(v[0]), float(v[1]), float(v[2]))


@dataclass(frozen=True)
class DirectionSpec:
    """A direction: one code, or several written in a row (combined: ``("uo", "ol")`` is between them).

    ``between``: a second direction; the meant one lies half-way (``hambetween``).
    ``relative``: ``hamorirelative`` followed it (the orientation is relative to the movement / other hand).
    """

    codes: tuple[str, ...]
    between: DirectionSpec | None = None
    relative: bool = False

    @property
    def vector(self) -> Vector:
        """Unit vector in the signer's frame (for palm codes: as written, see ``Posture.palm_normal``)."""
        v = directions.direction(self.codes[0])
        for code in self.codes[1:]:
            v = directions.mean_direction(v, code)
        if self.between is not None:
            v = directions.mean_direction(v, self.between.vector)
        return _tuple(v)


@dataclass(frozen=True)
class FingerSpec:
    """A handshape refinement for some digits: ``digits`` (1..5, may be empty for "all fingers"),
    their ``bend`` ("straight", "bent", "hooked", "doublebent", "doublehooked") and/or a finger ``part``
    ("fingertip", "fingerpad", ...: e.g. where the thumb touches), ``between``: half-way between the digits."""

    digits: tuple[int, ...] = ()
    bend: str | None = None
    part: str | None = None
    between: bool = False


@dataclass(frozen=True)
class Handshape:
    """A handshape: ``base`` form ("fist", "flathand", "finger2", "finger23", "finger23spread",
    "finger2345", "pinch12", "pinchall", "pinch12open", "cee12", "ceeall", "ceeopen"; ``None`` with
    ``etc`` for "as the other hand"), ``thumb`` ("out", "across", "open"), ``bend`` for all fingers,
    per-digit ``fingers`` refinements, and ``between`` another handshape (half-way between the two)."""

    base: str | None
    thumb: Literal["out", "across", "open"] | None = None
    bend: str | None = None
    fingers: tuple[FingerSpec, ...] = ()
    between: Handshape | None = None
    etc: bool = False


@dataclass(frozen=True)
class HandSite:
    """A place on a hand: ``digits`` (1..5, empty for the hand as a whole) and ``parts`` in writing order
    ("fingertip", "fingernail", "fingerpad", "fingermidjoint", "fingerbase", "fingerside", "palm",
    "handback", "thumbside", "pinkyside", "thumbball", "wristback", "wristpulse", ...).
    ``between``: a second site; the meant one lies half-way."""

    digits: tuple[int, ...] = ()
    parts: tuple[str, ...] = ()
    between: HandSite | None = None


@dataclass(frozen=True)
class Contact:
    """Distance or contact.

    - ``kind``: "close", "touch", "interlock", "cross", "brushing", "behind" or "armextended" (far, at
      arm's length); a location without a contact is at the ordinary, neutral distance;
    - ``part``: the part of the moving (dominant) hand that makes it, if written;
    - ``at``: the body location it is made with, when written inside the contact's bracket
      (``[brushing chin]``);
    - ``then``: a further contact written after it (e.g. brushing, then close).
    """

    kind: str
    part: HandSite | None = None
    at: Location | None = None
    then: Contact | None = None


@dataclass(frozen=True)
class Location:
    """Where a hand is.

    - ``site``: a body or arm location ("head", "forehead", "chest", "shoulders", "neutralspace",
      "upperarm", "elbowinside", ...), or ``None``;
    - ``hand``: a place on the OTHER hand (the hand is held at / touches it), or ``None``; when both
      ``site`` and ``hand`` are written, ``hand`` names the part of the moving hand held at ``site``;
    - ``side``: "at" (``hamlrat``, at the side) or "beside" (``hamlrbeside``, further out), or ``None``;
    - ``side_of``: "dominant" when the side symbol follows the site, "nondominant" when it precedes it;
    - ``contact``: distance / contact with the site;
    - ``contact_first``: the contact is written before the site (``hamtouch hamchest``, not ``hamchest
      hamtouch``); the DSGS lexicon writes it so for the two hands of a symmetric sign touching each
      other at a place on the midline (SCHWIMMEN, STALL), after it for each hand touching the body;
    - ``between``: a second location; the meant one is half-way between.
    """

    site: str | None = None
    hand: HandSite | None = None
    side: Literal["at", "beside"] | None = None
    side_of: Literal["dominant", "nondominant"] | None = None
    contact: Contact | None = None
    between: Location | None = None
    contact_first: bool = False


@dataclass(frozen=True)
class Posture:
    """One hand at one moment; a ``None`` field is not written (unchanged / taken from the other hand)."""

    handshape: Handshape | None = None
    ext_finger: DirectionSpec | None = None
    palm: DirectionSpec | None = None
    location: Location | None = None

    def palm_normal(self) -> Vector | None:
        """The outward palm normal (unit vector, signer's frame), or ``None`` without both directions.

        See :func:`.directions.palm_normal` for the rule.
        """
        if self.ext_finger is None or self.palm is None:
            return None
        return _tuple(directions.palm_normal(self.palm.vector, self.ext_finger.vector))

    def is_empty(self) -> bool:
        return self.handshape is None and self.ext_finger is None and self.palm is None and self.location is None


@dataclass(frozen=True)
class Constellation:
    """Two hands placed against each other: ``dominant`` site on the dominant hand is at ``nondominant``
    site of the other hand with ``contact``; ``location`` is where the pair is held (or ``None``)."""

    dominant: HandSite | None
    nondominant: HandSite | None
    contact: Contact | None = None
    location: Location | None = None


@dataclass(frozen=True)
class Configuration:
    """Postures of both hands at one moment: ``nondominant`` is ``None`` when HamNoSys writes nothing for
    it (one-handed, or symmetric and derived from ``dominant``)."""

    dominant: Posture
    nondominant: Posture | None = None
    constellation: Constellation | None = None


@dataclass(frozen=True)
class Symmetry:
    """Two-handed symmetry: ``kind`` "lr" (mirrored left-right, ``hamsymmlr``) or "par" (parallel,
    ``hamsymmpar``); ``modifiers``: symbol names written after it that refine it (e.g. "fingerstraightmod",
    "largemod", "nonipsi"), kept as written; ``alternating``: the hands move out of phase."""

    kind: Literal["lr", "par"]
    modifiers: tuple[str, ...] = ()
    alternating: bool = False


@dataclass(frozen=True)
class Movement:
    """One movement of the hand(s).

    ``kind``:
      - "straight": along ``direction`` (the direction of travel);
      - "circle": round ``direction`` as axis (see :func:`.directions.circle_basis` for the sense);
      - "local": in place, ``local`` is "fingerplay", "nodding", "swinging", "twisting", "stircw",
        "stirccw", "movecross" or "moveX";
      - "none": ``hamnomotion`` (a hand that stays still, mostly in a :class:`Split`).

    Path: ``arc`` is the side the path bulges to (a direction code), ``wavy`` / ``zigzag`` mark an
    undulating path, ``ellipse`` ("h", "v", "ur", "ul") squashes a circle along that in-plane axis,
    ``size_change`` ("increasing"/"decreasing") makes a spiral, ``clock_start`` / ``clock_end`` are the
    circle's start and end clock positions (codes "u", "ur", ...) and ``extra_turns`` counts ``hamclockfull``.
    ``size`` ("small"/"large"/None) scales the extent, ``path_size`` the amplitude of a wavy or zigzag
    path; ``speed`` ("fast"/"slow"/None);
    ``manner`` other symbols ("tense", "rest", "halt").
    ``between``: another movement; the meant one is half-way. ``contact``: contact made along the way
    (e.g. brushing), ``target``: where the movement ends.
    """

    kind: Literal["straight", "circle", "local", "none"]
    direction: DirectionSpec | None = None
    local: str | None = None
    arc: str | None = None
    wavy: bool = False
    zigzag: bool = False
    ellipse: str | None = None
    size_change: Literal["increasing", "decreasing"] | None = None
    clock_start: str | None = None
    clock_end: str | None = None
    extra_turns: int = 0
    size: Literal["small", "large"] | None = None
    path_size: Literal["small", "large"] | None = None
    speed: Literal["fast", "slow"] | None = None
    manner: tuple[str, ...] = ()
    between: Movement | None = None
    contact: Contact | None = None
    target: Location | None = None

    @property
    def vector(self) -> Vector | None:
        """Unit vector of the direction of travel (straight) or of the axis (circle); else ``None``."""
        return self.direction.vector if self.direction is not None else None

    @property
    def scale(self) -> float:
        """Relative size factor (:data:`SIZE_SCALE`)."""
        return SIZE_SCALE[self.size]


@dataclass(frozen=True)
class Replace:
    """The hand(s) change to a new posture (``hamreplace``): fields of ``dominant`` / ``nondominant``
    that are not ``None`` change; ``modifiers`` ("fast", "halt", ...) qualify the change."""

    dominant: Posture
    nondominant: Posture | None = None
    constellation: Constellation | None = None
    modifiers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Goto:
    """The hand goes to ``location`` (a location written among the actions without a movement before it)."""

    location: Location


@dataclass(frozen=True)
class Repeat:
    """``body`` is repeated. ``mode``: "fromstart" (go back and do it again), "continue" (carry on from
    where it ended), "reverse" (back and forth); ``several``: more than once (else once more);
    ``alternating``: the hands alternate; ``etc``: "and so on".

    ``body`` is the actions before the repetition symbol in the same bracket; an empty ``body`` means
    the repetition was the first thing in its bracket and repeats what precedes the bracket.
    """

    body: tuple[Action, ...]
    mode: Literal["fromstart", "continue", "reverse"]
    several: bool = False
    alternating: bool = False
    etc: bool = False
    modifiers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Parallel:
    """``actions`` happen at the same time (``hamparbegin ... hamparend`` without ``hamplus``)."""

    actions: tuple[Action, ...]
    modifiers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sequence:
    """``actions`` happen one after the other (``hamseqbegin ... hamseqend``), or as one smooth motion
    when ``fused`` (``hamfusionbegin ... hamfusionend``)."""

    actions: tuple[Action, ...]
    fused: bool = False
    modifiers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Split:
    """The hands act differently at the same time: ``dominant`` and ``nondominant`` action lists
    (``hamparbegin A hamplus B hamparend``)."""

    dominant: tuple[Action, ...]
    nondominant: tuple[Action, ...]
    modifiers: tuple[str, ...] = ()


Action = Union[Movement, Replace, Goto, Repeat, Parallel, Sequence, Split]


@dataclass(frozen=True)
class SignPart:
    """One sign (or one element of a compound): see the module docstring."""

    start: Configuration
    actions: tuple[Action, ...] = ()
    symmetry: Symmetry | None = None
    nondominant_only: bool = False

    @property
    def two_handed(self) -> bool:
        """Both hands sign (symmetry, a written nondominant posture, a constellation, or a split action)."""
        if self.symmetry is not None or self.start.nondominant is not None or self.start.constellation:
            return True
        return any(isinstance(a, Split) for a in walk_actions(self.actions))


@dataclass(frozen=True)
class SignDescription:
    """A parsed HamNoSys sign: ``parts`` (one, or several for a compound) and the ``symbols`` it was
    parsed from (names, in order, including ones that carry no meaning such as ``hamspace``)."""

    parts: tuple[SignPart, ...]
    symbols: tuple[str, ...]

    @property
    def two_handed(self) -> bool:
        return any(p.two_handed for p in self.parts)


def walk_actions(actions: tuple[Action, ...]):
    """Yield every action in ``actions`` and inside them (depth first, in writing order)."""
    stack = list(reversed(actions))
    while stack:
        action = stack.pop()
        yield action
        if isinstance(action, Split):
            stack.extend(reversed(action.dominant + action.nondominant))
        elif isinstance(action, (Parallel, Sequence)):
            stack.extend(reversed(action.actions))
        elif isinstance(action, Repeat):
            stack.extend(reversed(action.body))
