"""A parsed HamNoSys sign -> a :class:`~signspark.signs.lexicon.SignForm`: key poses along the sign.

The animator walks a :class:`~.description.SignDescription` and keeps, for each hand, what HamNoSys has
said so far (:class:`HandState`: handshape, extended finger direction, palm normal, location, distance,
contact part and the displacement a movement has added). Every turning point of the sign becomes a key
pose, solved by :func:`~.posture.solve_posture` (so a touching hand touches, at every key):

* the start posture (the onset);
* straight movements (26 directions, small / normal / large 5 / 10 / 16 cm; arcs, wavy and zigzag
  paths), circles and ellipses (a key every 45 degrees, in the plane and sense written), local
  movements (wrist nodding, swinging, twisting; stirring; finger play, approximated) - see :mod:`.paths`;
  a movement's target location ends it there;
* replacements (``hamreplace``: a new handshape, orientation or location) and ``Goto`` locations;
* repetitions: from the start (the hand goes back and does it again), continued (it carries on from
  where it ended), reversed (back and forth); once more, or twice more for "several";
* parallel actions combined into one path, sequences one after the other, split actions (each hand its
  own) side by side;
* two hands: ``hamsymmlr`` - the non-dominant hand mirrors the dominant one across the sagittal plane
  (directions, palm and path with x negated), ``hamsymmpar`` - it moves in parallel, or a non-dominant
  posture of its own; hand constellations place the dominant hand's part at the other hand's part.

Conventions: the signer is right-handed (the dominant hand is the right hand, as in fingerspelling);
body frame metres, +x the signer's left, +y up, +z forward. A side written after a place
(``hamchest hamlrat``) is the dominant side of the body, before it the non-dominant side, for either
hand; the mirrored hand of a symmetric sign goes to its own side. A symmetric sign written at the midline
(``hamchest`` without a side) has each hand at its own side (touching or close to the body there when the
contact follows the place: ``hamchest hamtouch``), or, when the contact is written before the place
(``hamtouch hamchest``), the hands meeting in front of it. An orientation that is not written is the
natural one (fingers up and forward, palm toward the midline and down); a location that is not written
is neutral space on the hand's own side.

Nothing written is refused: what cannot be animated exactly is approximated and said in
``SignForm.notes`` (``"feature: detail"``); only a description with no hand at all raises
:class:`AnimationError`. Key poses are bounded by :data:`MAX_KEYS`.

Timing (``SignForm.duration``, in letter units, one fingerspelled letter = 1): 2.5 for a sign that only
holds its posture; with movement, a hold of 1 plus the movements' times (:func:`.paths.movement_time`),
so repetitions take longer still; at most :data:`MAX_DURATION`. ``u`` of each key pose is its share of
that time.
"""

from __future__ import annotations

import dataclasses
import functools
import warnings

import numpy as np

from ..lexicon import SignForm
from ..signers import DEFAULT_SIGNER, Signer
from .description import (Action, Configuration, Goto, Location, Movement, Parallel, Posture, Repeat, Replace,
                          Sequence, SignDescription, SignPart, Split)
from .directions import direction, mirror_vector, palm_normal, rotate
from .errors import HamNoSysError
from .handshapes import HandshapeSpec, selected_fingers
from .locations import BODY_LOCATIONS, HAND_PARTS, body_location
from .parser import parse
from .paths import PathPoint, movement_path, movement_time
from .posture import HandPostureSpec, ReachWarning, solve_posture_detail
from .specs import DEFAULT_HANDSHAPE, contact_distance, hand_part, handshape_spec
from .surface import arms_down_body

__all__ = ["animate", "animate_hamnosys", "plan", "SignPlan", "HandState", "AnimationError", "MAX_KEYS", "MAX_DURATION",
           "STATIC_DURATION"]

MAX_KEYS = 48            # key poses per sign, at most
MAX_DURATION = 20.0      # letter units (about 4.4 s for the default signer)
STATIC_DURATION = 2.5    # a sign without movement, letter units
_HOLD = 0.5              # hold at the start and at the end of a moving sign, letter units
_CHANGE = 1.2            # a replacement or a goto, letter units
_RETURN = 0.8            # going back to the start before a repetition, letter units
_MEET = 0.012            # symmetric hands meeting at the midline: each one's meeting part this far (m) to its side
_CLOSE_GAP = 0.01        # ... and this much further when they only come close (hamclose)
_Vec = tuple[float, float, float]
_ZERO: _Vec = (0.0, 0.0, 0.0)


class AnimationError(HamNoSysError):
    """A sign description that gives no hand anything to do."""


def _vec(v) -> _Vec:
    return tuple(round(float(x), 6) for x in np.asarray(v, np.float64).reshape(3))  # type: ignore[return-value]


@dataclasses.dataclass(frozen=True)
class HandState:
    """One hand at one key: what the posture layer needs (see :class:`~.posture.HandPostureSpec`).

    ``ext`` is the extended finger direction and ``palm`` the absolute outward palm normal (unit vectors,
    body frame); ``offset`` (metres, body frame) the displacement movements have added to the location.
    ``meet``: the contact was written before the place (:attr:`.description.Location.contact_first`): in a
    symmetric sign at the midline, the hands touch (or come close to) each other there.
    """

    shape: HandshapeSpec
    ext: _Vec
    palm: _Vec
    location: str | None = "neutralspace"
    side: str | None = "ipsi"
    beside: bool = False
    distance: str | float | None = None
    contact: str | None = None
    offset: _Vec = _ZERO
    meet: bool = False

    def spec(self) -> HandPostureSpec:
        return HandPostureSpec(self.shape, self.ext, self.palm, self.location, self.side, self.beside,
                               self.distance, self.contact, self.offset)

    @property
    def selected(self) -> tuple[str, ...]:
        try:
            return selected_fingers(self.shape)
        except ValueError:
            return ()


@dataclasses.dataclass(frozen=True)
class _Hands:
    right: HandState | None
    left: HandState | None

    def get(self, hand: str) -> HandState | None:
        return self.right if hand == "right" else self.left

    def put(self, hand: str, state: HandState | None) -> _Hands:
        return dataclasses.replace(self, **{hand: state})


@dataclasses.dataclass(frozen=True)
class _Ctx:
    """Who acts: ``primary`` the hand the notation's actions are written for, ``secondary`` the hand
    that follows it by ``symmetry`` ("lr" mirrored, "par" parallel) or None."""

    primary: str = "right"
    secondary: str | None = None
    symmetry: str | None = None
    alternating: bool = False


_Key = tuple[float, _Hands]   # (time since the previous key, letter units; the hands)


def _body_side(side_of: str | None) -> str:
    """HamNoSys ``hamlrat`` / ``hamlrbeside`` after a place: the dominant (right) side of the body; before
    it: the non-dominant (left) side, whichever hand goes there."""
    return "right" if side_of == "dominant" else "left"


def _natural_palm(ext: np.ndarray, hand: str) -> np.ndarray:
    """Palm toward the midline and a little down, perpendicular to the fingers."""
    n = np.array([1.0 if hand == "right" else -1.0, -0.6, -0.3])
    for cand in (n, np.array([0.0, -1.0, 0.0]), np.array([0.0, 0.0, -1.0])):
        p = cand - ext * (cand @ ext)
        if np.linalg.norm(p) > 0.2:
            return p / np.linalg.norm(p)
    return np.array([0.0, 1.0, 0.0])  # pragma: no cover - the three candidates span space


def _default_state(hand: str) -> HandState:
    ext = direction("uo") if hand == "right" else direction("uo")
    return HandState(DEFAULT_HANDSHAPE, _vec(ext), _vec(_natural_palm(ext, hand)))


def _same_place(a: _Hands, b: _Hands, tol: float = 0.002) -> bool:
    """The hands of ``a`` and ``b`` are the same but for offsets under ``tol`` metres apart."""
    for x, y in ((a.right, b.right), (a.left, b.left)):
        if x is None or y is None:
            if x is not y:
                return False
        elif (dataclasses.replace(x, offset=_ZERO) != dataclasses.replace(y, offset=_ZERO)
              or np.linalg.norm(np.subtract(x.offset, y.offset)) > tol):
            return False
    return True


class _Animator:
    def __init__(self, signer: Signer, notes: list[str]):
        self.signer = signer
        self.notes = notes
        self.truncated = False

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    # --------------------------------------------------------------------------- postures
    def orientation(self, p: Posture, prev: HandState, hand: str) -> tuple[_Vec, _Vec]:
        ext = np.asarray(prev.ext)
        palm = np.asarray(prev.palm)
        if p.ext_finger is not None:
            ext = np.asarray(p.ext_finger.vector)
            if p.palm is None:
                q = palm - ext * (palm @ ext)
                palm = q / np.linalg.norm(q) if np.linalg.norm(q) > 0.3 else _natural_palm(ext, hand)
        if p.palm is not None:
            try:
                palm = palm_normal(np.asarray(p.palm.vector), ext)
            except ValueError:
                self.note("orientation: palm written parallel to the fingers; natural palm taken")
                palm = _natural_palm(ext, hand)
        if (p.ext_finger is not None and p.ext_finger.relative) or (p.palm is not None and p.palm.relative):
            self.note("orientation: relative orientation (hamorirelative) read as absolute")
        return _vec(ext), _vec(palm)

    def place(self, loc: Location, state: HandState, hand: str, other: HandState | None) -> HandState:
        """``state`` moved to a written location (offset reset)."""
        notes: list[str] = []
        f: dict = {"offset": _ZERO}
        if loc.site is not None:
            if loc.site in BODY_LOCATIONS:
                f.update(location=loc.site, side=None, beside=False, contact=None)
            else:
                notes.append(f"location: {loc.site!r} is not a body location; neutral space taken")
                f.update(location="neutralspace", side="ipsi", beside=False, contact=None)
            if loc.hand is not None:
                f["contact"] = hand_part(loc.hand, state.selected, notes, "contact part")
        elif loc.hand is not None:
            f.update(location=hand_part(loc.hand, other.selected if other else (), notes, "location"),
                     side=None, beside=False)
        if loc.side is not None:
            f.update(side=_body_side(loc.side_of), beside=loc.side == "beside")
        contact = loc.contact
        if contact is not None:
            f["distance"] = contact_distance(contact, notes)
            f["meet"] = loc.contact_first
            if contact.part is not None:
                f["contact"] = hand_part(contact.part, state.selected, notes, "contact part")
            if contact.at is not None and loc.site is None and contact.at.site in BODY_LOCATIONS:
                f.update(location=contact.at.site, side=None, beside=False)
                if contact.at.side is not None:
                    f["side"] = _body_side(contact.at.side_of)
        elif loc.site is not None or loc.hand is not None:
            f.update(distance=None, meet=False)
        new = dataclasses.replace(state, **f)
        if new.location == "neutralspace" and new.distance in ("touch", "close") and loc.site is None:
            new = dataclasses.replace(new, side=None)   # a contact with nothing else: the other hand (spread)
        elif new.location == "neutralspace" and new.side is None:
            new = dataclasses.replace(new, side="ipsi")
        if loc.between is not None:
            new = self.between(new, loc.between, hand, other, notes)
        for n in notes:
            self.note(n)
        return new

    def between(self, state: HandState, loc: Location, hand: str, other, notes: list[str]) -> HandState:
        """Half-way between ``state``'s location and ``loc``: an offset between their rest points."""
        second = self.place(dataclasses.replace(loc, between=None), state, hand, other)
        if state.location in BODY_LOCATIONS and second.location in BODY_LOCATIONS:
            betas = self.signer.betas
            body = arms_down_body(betas)   # where the places are when the arms are down (not the T-pose)

            def at(s: HandState) -> np.ndarray:
                return body_location(s.location, s.side, hand, s.beside, betas).world(
                    body.joints, body.rotations, body.rest.skel.rest)[0]

            return dataclasses.replace(state, offset=_vec(0.5 * (at(second) - at(state))))
        notes.append("location: half-way between places on a hand; the first taken")
        return state

    def posture(self, p: Posture, prev: HandState | None, hand: str, other: HandState | None) -> HandState:
        """A written posture over the hand's previous state (fields not written stay)."""
        state = prev or _default_state(hand)
        if prev is None:
            if p.handshape is None:
                self.note("handshape: not written; flat hand")
            if p.ext_finger is None:
                self.note("orientation: extended finger direction not written; natural one taken")
        if p.handshape is not None:
            shape = handshape_spec(p.handshape, other.shape if other is not None and p.handshape.base is None
                                   else state.shape if prev is not None else None, self.notes)
            state = dataclasses.replace(state, shape=shape)
        ext, palm = self.orientation(p, state, hand)
        state = dataclasses.replace(state, ext=ext, palm=palm)
        if p.location is not None:
            state = self.place(p.location, state, hand, other)
        return state

    # --------------------------------------------------------------------------- two hands
    def follow(self, lead: HandState, own: HandState | None, symmetry: str) -> HandState:
        """The secondary hand of a symmetric sign, from the primary one: mirrored or parallel."""
        m = mirror_vector if symmetry == "lr" else (lambda v: np.asarray(v, np.float64))
        base = own or lead
        side = {"right": "left", "left": "right"}.get(lead.side, lead.side)   # each hand at its own side
        return dataclasses.replace(
            lead, ext=_vec(m(lead.ext)), palm=_vec(m(lead.palm)), offset=_vec(m(lead.offset)),
            location=lead.location if lead.location not in HAND_PARTS else base.location if
            base.location not in HAND_PARTS else "neutralspace",
            side=side if lead.location not in HAND_PARTS else "ipsi")

    def spread(self, hands: _Hands, ctx: _Ctx) -> _Hands:
        """Symmetric hands at a midline place: each at its own side, or meeting when the contact written
        before the place says they touch (come close to) each other."""
        if ctx.symmetry is None or ctx.secondary is None:
            return hands
        a, b = hands.get(ctx.primary), hands.get(ctx.secondary)
        if a is None or b is None or a.location not in BODY_LOCATIONS or a.side is not None:
            return hands
        if a.distance not in ("touch", "close") or not a.meet:
            return hands.put(ctx.primary, dataclasses.replace(a, side="ipsi")).put(
                ctx.secondary, dataclasses.replace(b, side="ipsi") if b.location == a.location else b)
        self.note("two hands: a symmetric contact at the midline read as the hands meeting in front of it")
        s = -1.0 if ctx.primary == "right" else 1.0
        part = self.facing_part(a, -s, ctx.primary)
        gap = _MEET + (_CLOSE_GAP if a.distance == "close" else 0.0)
        a = dataclasses.replace(a, distance=None, contact=part,
                                offset=_vec(np.asarray(a.offset) + [s * gap, 0, 0]))
        b = dataclasses.replace(b, distance=None, location=a.location, side=None, contact=part,
                                offset=_vec(np.asarray(b.offset) - [s * gap, 0, 0]))
        return hands.put(ctx.primary, a).put(ctx.secondary, b)

    @staticmethod
    def facing_part(state: HandState, toward: float, hand: str = "right") -> str | None:
        """The part of a hand that reaches furthest toward the other hand (at x sign ``toward``): the
        fingertips when the fingers point toward it at all (more than 12 degrees; they are ten times
        further from the palm centre than the palm's skin), else the palm or the back when it faces
        that way, else the thumb side (its tip when the thumb is stretched out) or the little-finger side
        (hands side by side, palms forward: STRAUCH), else None (the palm centre)."""
        if state.ext[0] * toward > 0.2:
            return "fingertips"
        if abs(state.palm[0]) > 0.3:
            return "palm" if state.palm[0] * toward > 0 else "back"
        thumb = np.cross(state.ext, state.palm) * (1.0 if hand == "right" else -1.0)  # toward the thumb side
        if abs(thumb[0]) > 0.3:
            if thumb[0] * toward < 0:
                return "pinkyside"
            return "thumb_tip" if (state.shape.thumb or "").endswith("outmod") else "thumbside"
        return None

    def configure(self, hands: _Hands, cfg: Configuration, ctx: _Ctx, start: bool = False) -> _Hands:
        """Apply a written configuration (a start posture or a replacement) to the hands."""
        p, s = ctx.primary, ctx.secondary
        lead = self.posture(cfg.dominant, hands.get(p), p, hands.get(s) if s else None)
        hands = hands.put(p, lead)
        other = "left" if p == "right" else "right"
        if ctx.symmetry is not None and s is not None:
            written = dataclasses.replace(cfg.dominant, handshape=cfg.dominant.handshape)
            if hands.get(s) is None or not written.is_empty():
                follow = self.follow(lead, hands.get(s), ctx.symmetry)
                prev = hands.get(s)
                if prev is not None and not start:  # keep what the change does not touch
                    follow = dataclasses.replace(
                        follow,
                        shape=follow.shape if cfg.dominant.handshape is not None else prev.shape,
                        ext=follow.ext if cfg.dominant.ext_finger or cfg.dominant.palm else prev.ext,
                        palm=follow.palm if cfg.dominant.ext_finger or cfg.dominant.palm else prev.palm)
                    if cfg.dominant.location is None:
                        follow = dataclasses.replace(
                            follow, **{k: getattr(prev, k) for k in ("location", "side", "beside", "distance",
                                                                     "contact", "offset")})
                hands = hands.put(s, follow)
        if cfg.nondominant is not None:
            hands = hands.put(other, self.posture(cfg.nondominant, hands.get(other), other, hands.get(p)))
        if cfg.constellation is not None:
            hands = self.constellation(hands, cfg, p)
        if start or cfg.dominant.location is not None:
            hands = self.spread(hands, ctx)
        for hand in ("right", "left"):
            h = hands.get(hand)
            if h is not None and h.location == "neutralspace" and h.distance in ("touch", "close"):
                self.note("contact: a contact in neutral space with nothing to touch; the ordinary distance taken")
                hands = hands.put(hand, dataclasses.replace(h, distance=None, side=h.side or "ipsi"))
        lead = hands.get(p)
        if lead is not None and lead.location in HAND_PARTS and hands.get(other) is None:
            self.note("two hands: a location on the other hand of a one-handed sign; the other hand held in "
                      "front, palm up")
            ext = direction("o") if other == "left" else direction("o")
            hands = hands.put(other, HandState(DEFAULT_HANDSHAPE, _vec(ext), _vec([0.0, 1.0, 0.0]),
                                               "neutralspace", None))
        return hands

    def constellation(self, hands: _Hands, cfg: Configuration, p: str) -> _Hands:
        c = cfg.constellation
        other = "left" if p == "right" else "right"
        nd = hands.get(other) or self.follow(hands.get(p), None, "lr")
        if c.location is not None:
            nd = self.place(c.location, nd, other, hands.get(p))
        elif nd.location in HAND_PARTS or cfg.nondominant is None or cfg.nondominant.location is None:
            nd = dataclasses.replace(nd, location="neutralspace", side=None, offset=_ZERO, distance=None)
        notes: list[str] = []
        lead = dataclasses.replace(
            hands.get(p), location=hand_part(c.nondominant, nd.selected, notes, "location"), side=None,
            beside=False, contact=hand_part(c.dominant, hands.get(p).selected, notes, "contact part"),
            distance=contact_distance(c.contact, notes) if c.contact is not None else "touch", offset=_ZERO)
        for n in notes:
            self.note(n)
        return hands.put(p, lead).put(other, nd)

    # --------------------------------------------------------------------------- actions
    def moved(self, s: HandState, start: HandState, p: PathPoint, mirror: bool, sign: float,
              hand: str, rides: bool = False) -> HandState:
        """``start`` at path point ``p``; ``rides``: the hand is held at the other hand, which makes the same
        movement, so it is carried along (its own offset stays)."""
        off = np.asarray(p.offset) * sign
        if mirror:
            off = mirror_vector(off)
        f: dict = {}
        if not rides:
            f["offset"] = _vec(np.asarray(start.offset) + off)
        if p.turn is not None:
            kind, a = p.turn
            e, n = np.asarray(start.ext), np.asarray(start.palm)
            hs = 1.0 if hand == "right" else -1.0
            if kind == "nod":
                e, n = np.cos(a) * e + np.sin(a) * n, np.cos(a) * n - np.sin(a) * e
            elif kind == "swing":
                e = rotate(e, n, hs * a)
            else:
                n = rotate(n, e, hs * a)
            f.update(ext=_vec(e), palm=_vec(n))
        if p.fingers or start.shape is not s.shape:
            bend = {1: ("index", "ring"), 2: ("middle", "pinky")}.get(p.fingers, ())
            f["shape"] = dataclasses.replace(start.shape, per_finger={**dict(start.shape.per_finger),
                                                                      **{x: "fingerbendmod" for x in bend}})
        return dataclasses.replace(s, **f)

    def movement(self, hands: _Hands, m: Movement, ctx: _Ctx) -> list[_Key]:
        path = movement_path(m, self.notes)
        total = movement_time(m)
        keys: list[_Key] = []
        t0 = 0.0
        movers = self.movers(ctx)
        moving = {hand for hand, _, _ in movers if hands.get(hand) is not None}
        for p in path:
            h = hands
            for hand, mirror, sign in movers:
                state = hands.get(hand)
                if state is not None:
                    # a hand held at the other hand moves with it when that one moves too; alone (LAPTOP:
                    # the dominant hand lifts off the other palm) it moves itself
                    rides = state.location in HAND_PARTS and ("left" if hand == "right" else "right") in moving
                    h = h.put(hand, self.moved(state, state, p, mirror, sign, hand, rides))
            keys.append((total * (p.t - t0), h))
            t0 = p.t
        if m.target is not None:
            w, last = keys[-1]
            lead = self.place(m.target, last.get(ctx.primary), ctx.primary, last.get(ctx.secondary or "left"))
            last = last.put(ctx.primary, lead)
            if ctx.symmetry is not None and ctx.secondary is not None:
                last = last.put(ctx.secondary, self.follow(lead, last.get(ctx.secondary), ctx.symmetry))
                last = self.spread(last, ctx)
            keys[-1] = (w, last)
        return keys

    def movers(self, ctx: _Ctx):
        out = [(ctx.primary, False, 1.0)]
        if ctx.symmetry is not None and ctx.secondary is not None:
            out.append((ctx.secondary, ctx.symmetry == "lr", -1.0 if ctx.alternating else 1.0))
        return out

    def play(self, actions: tuple[Action, ...], hands: _Hands, ctx: _Ctx) -> list[_Key]:
        """The keys after ``hands`` that ``actions`` make (each ``(time, hands)``)."""
        keys: list[_Key] = []
        start = hands
        for action in actions:
            if len(keys) >= MAX_KEYS:
                self.truncated = True
                break
            cur = keys[-1][1] if keys else start
            keys += self.action(action, cur, ctx, start, keys)
        return keys

    def action(self, a: Action, hands: _Hands, ctx: _Ctx, list_start: _Hands, so_far: list[_Key]) -> list[_Key]:
        if isinstance(a, Movement):
            return self.movement(hands, a, ctx)
        if isinstance(a, Replace):
            w = _CHANGE * (0.7 if "fast" in a.modifiers else 1.0)
            cfg = Configuration(a.dominant, a.nondominant, a.constellation)
            return [(w, self.configure(hands, cfg, ctx))]
        if isinstance(a, Goto):
            return [(_CHANGE, self.configure(hands, Configuration(Posture(location=a.location)), ctx))]
        if isinstance(a, Repeat):
            return self.repeat(a, hands, ctx, list_start, so_far)
        if isinstance(a, Sequence):
            keys = self.play(a.actions, hands, ctx)
            return [(w * 0.7, h) for w, h in keys] if a.fused else keys
        if isinstance(a, Parallel):
            return self.parallel([self.play((x,), hands, ctx) for x in a.actions], hands)
        if isinstance(a, Split):
            return self.split(a, hands, ctx)
        raise AssertionError(f"unknown action {type(a).__name__}")  # pragma: no cover

    def repeat(self, a: Repeat, hands: _Hands, ctx: _Ctx, list_start: _Hands, so_far: list[_Key]) -> list[_Key]:
        if a.alternating:
            self.note("repetition: alternating hands approximated (the hands move in opposite phase)")
            ctx = dataclasses.replace(ctx, alternating=True)
        if a.body:
            start, body = hands, self.play(a.body, hands, ctx)
            if not body:
                return []
            # the body has just been played once before the repetition symbol: it is in `so_far` already
            # when it was written before it (the parser puts those actions into `body`), so play it once
            # here and repeat it below
            first = body
        else:
            start, body, first = list_start, list(so_far), []
        if not body:
            return []
        times = 2 if a.several else 1
        out: list[_Key] = list(first)
        cur = body[-1][1]
        forward = True
        for _ in range(times):
            if len(out) + len(body) > MAX_KEYS:
                self.truncated = True
                break
            if a.mode == "fromstart":
                if not _same_place(body[-1][1], start):  # a closed path (a circle) goes on without a stop
                    out.append((_RETURN, start))
                out += body
            elif a.mode == "continue":
                more = self.play(a.body, cur, ctx) if a.body else body
                out += more
                cur = more[-1][1]
            else:  # reverse: back along the path, then forward again
                states = [start] + [h for _, h in body]
                weights = [w for w, _ in body]
                if forward:
                    out += [(w, h) for w, h in zip(reversed(weights), reversed(states[:-1]))]
                else:
                    out += list(body)
                forward = not forward
        return out

    def parallel(self, children: list[list[_Key]], start: _Hands) -> list[_Key]:
        children = [c for c in children if c]
        if not children:
            return []
        if len(children) == 1:
            return children[0]
        n = max(len(c) for c in children)
        total = max(sum(w for w, _ in c) for c in children)
        out = []
        for k in range(n):
            picks = [c[min(len(c) - 1, int(np.ceil((k + 1) * len(c) / n)) - 1)][1] for c in children]
            out.append((total / n, _Hands(*(self.combine(start.get(h), [p.get(h) for p in picks])
                                            for h in ("right", "left")))))
        return out

    @staticmethod
    def combine(start: HandState | None, states: list[HandState | None]) -> HandState | None:
        """Several simultaneous changes of one hand: displacements add, other changes are taken as made."""
        states = [s for s in states if s is not None]
        if not states:
            return start
        if start is None:
            return states[-1]
        out = start
        offset = np.asarray(start.offset)
        moved_to = None
        for s in states:
            changes = {f.name: getattr(s, f.name) for f in dataclasses.fields(s)
                       if f.name != "offset" and getattr(s, f.name) != getattr(start, f.name)}
            out = dataclasses.replace(out, **changes)
            if s.location != start.location:
                moved_to = s
            else:
                offset = offset + np.asarray(s.offset) - np.asarray(start.offset)
        if moved_to is not None:
            offset = offset + np.asarray(moved_to.offset) - np.asarray(start.offset)
        return dataclasses.replace(out, offset=_vec(offset))

    def split(self, a: Split, hands: _Hands, ctx: _Ctx) -> list[_Key]:
        other = "left" if ctx.primary == "right" else "right"
        if hands.get(other) is None:
            self.note("two hands: the other hand acts without a posture of its own; it mirrors the dominant")
            hands = hands.put(other, self.follow(hands.get(ctx.primary), None, "lr"))
        lead = self.play(a.dominant, hands, _Ctx(ctx.primary))
        second = self.play(a.nondominant, hands, _Ctx(other))
        out = []
        for k, (w, h) in enumerate(self.parallel([lead, second], hands)):
            out.append((w, h))
        return out

    # --------------------------------------------------------------------------- a whole part
    def part(self, part: SignPart, hands: _Hands) -> tuple[_Hands, list[_Key]]:
        sym = part.symmetry
        if part.nondominant_only:
            ctx = _Ctx("left")
            self.note("two hands: a part signed by the non-dominant hand alone; its directions read as written")
            hands = _Hands(None, hands.left)
        elif sym is not None:
            ctx = _Ctx("right", "left", sym.kind, sym.alternating)
            if sym.alternating:
                self.note("two hands: alternating symmetry approximated (the hands move in opposite phase)")
        else:
            ctx = _Ctx("right", "left" if part.start.nondominant is not None else None)
        start = self.configure(hands, part.start, ctx, start=True)
        if start.get(ctx.primary) is None:
            raise AnimationError("the sign gives no hand a posture", reason="no hand")
        return start, self.play(part.actions, start, ctx)


@functools.lru_cache(maxsize=4096)
def _solve(right: HandPostureSpec | None, left: HandPostureSpec | None, signer: Signer
           ) -> tuple[np.ndarray, tuple[str, ...]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ReachWarning)
        result = solve_posture_detail(right, left, signer)
    notes = tuple(f"reach: {w.message}" for w in caught if issubclass(w.category, ReachWarning))
    # the posture layer's other remarks (a hand moved out of the body) are how it works, not approximations
    pose = result.pose.copy()
    pose.setflags(write=False)
    return pose, notes


def _pose(hands: _Hands, signer: Signer, notes: list[str]) -> np.ndarray:
    specs = [h.spec() if h is not None else None for h in (hands.right, hands.left)]
    try:
        pose, extra = _solve(specs[0], specs[1], signer)
    except ValueError as exc:
        notes.append(f"posture: {exc}; the other hand's location dropped")
        fixed = [s if s is None or s.location not in HAND_PARTS else
                 dataclasses.replace(s, location="neutralspace", side="ipsi", contact=None) for s in specs]
        pose, extra = _solve(fixed[0], fixed[1], signer)
    for n in extra:
        if n not in notes:
            notes.append(n)
    return pose


@dataclasses.dataclass(frozen=True)
class SignPlan:
    """What :func:`plan` makes of a sign before any posture is solved.

    Attributes:
        label: the sign's gloss.
        keys: ``((u, right, left), ...)``: at ``u`` in [0, 1] each hand's :class:`HandState` (None: at rest).
        duration: letter units (see the module docstring).
        notes: what was approximated.
    """

    label: str
    keys: tuple[tuple[float, HandState | None, HandState | None], ...]
    duration: float
    notes: tuple[str, ...]


def plan(description: SignDescription, signer: Signer = DEFAULT_SIGNER, label: str = "") -> SignPlan:
    """The key states of a parsed sign: the first half of :func:`animate` (fast: no posture is solved)."""
    notes: list[str] = []
    anim = _Animator(signer, notes)
    hands = _Hands(None, None)
    timeline: list[_Key] = []
    for k, part in enumerate(description.parts):
        start, keys = anim.part(part, hands)
        timeline.append((1.2 if k else 0.0, start))
        timeline += keys
        hands = timeline[-1][1]
        if len(timeline) > MAX_KEYS:
            anim.truncated = True
            timeline = timeline[:MAX_KEYS]
            break
    if anim.truncated:
        notes.append(f"length: more than {MAX_KEYS} key poses; the sign is cut there")
    if len(timeline) == 1:
        h = timeline[0][1]
        return SignPlan(label, ((0.0, h.right, h.left),), STATIC_DURATION, tuple(notes))
    weights = [_HOLD] + [max(w, 0.05) for w, _ in timeline[1:]] + [_HOLD]
    states = [timeline[0][1]] + [h for _, h in timeline] + [timeline[-1][1]]
    u = np.concatenate([[0.0], np.cumsum(weights)])
    u /= u[-1]
    keys = tuple((float(ui), h.right, h.left) for ui, h in zip(u, states))
    return SignPlan(label, keys, min(MAX_DURATION, 1.0 + float(sum(weights))), tuple(notes))


def animate(description: SignDescription, signer: Signer = DEFAULT_SIGNER, label: str = "") -> SignForm:
    """Key poses of a parsed HamNoSys sign for ``signer`` (see the module docstring).

    Args:
        description: the parsed sign (:func:`~.parser.parse`, or read from SiGML).
        signer: body shape and posture.
        label: the sign's gloss (``SignForm.label``).

    Returns:
        A :class:`~signspark.signs.lexicon.SignForm`: ``keys`` ``((u, (51, 3) pose), ...)`` from the onset
        (u = 0) to the offset (u = 1) through every turning point, ``duration`` in letter units, ``notes``
        what was approximated, ``hold_keys`` True when the sign moves.

    Raises:
        AnimationError: the description gives no hand anything to do.
    """
    p = plan(description, signer, label)
    notes = list(p.notes)
    poses = [_pose(_Hands(r, l), signer, notes) for _, r, l in p.keys]
    keys = tuple((u, pose) for (u, _, _), pose in zip(p.keys, poses))
    return SignForm(label, keys, p.duration, tuple(notes), hold_keys=len(keys) > 1)


def animate_hamnosys(text: str, signer: Signer = DEFAULT_SIGNER, label: str = "") -> SignForm:
    """Parse a HamNoSys string (Private Use Area characters or symbol names) and :func:`animate` it."""
    return animate(parse(text), signer, label)
