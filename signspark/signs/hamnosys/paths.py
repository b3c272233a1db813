"""The path of one HamNoSys movement as a few points: where the hand is at its turning points.

A path is a tuple of :class:`PathPoint`, the points *after* the start (the start is the hand where it
is): ``t`` the fraction of the movement's time in (0, 1], ``offset`` the displacement from the start in
metres (body frame: +x the signer's left, +y up, +z forward; written for the dominant hand, the animator
mirrors it for the other hand of a ``hamsymmlr`` sign), ``turn`` a local wrist turn and ``fingers`` a
finger-play phase.

Nominal sizes (a small / normal / large movement, the size modifiers ``hamsmallmod`` / ``hamlargemod``):

* straight movements: :data:`STRAIGHT` 5 / 10 / 16 cm; an arc (``hamarc...``) bulges to its side by a
  quarter of the length; wavy and zigzag paths (``hamwavy``, ``hamzigzag``) swing across it in four
  half-waves of :data:`WAVE` 1 / 2 / 3.5 cm;
* circles (``hamcircle...``): radius :data:`RADIUS` 3 / 5 / 8 cm, one key point every 45 degrees, in the
  plane perpendicular to the written axis, right-handed about it (:func:`.directions.circle_basis`);
  ellipses halve the radius across their written axis; ``hamincreasing`` / ``hamdecreasing`` grow or
  shrink it; clock symbols set where it starts and ends, ``hamclockfull`` adds turns;
* local movements: wrist nodding, swinging (side to side) and twisting (forearm rotation) by
  :data:`LOCAL_ANGLE` 25 degrees each way, twice; stirring a 2 cm horizontal circle; finger play
  alternates the fingers' bend; ``hammovecross`` / ``hammoveX`` a 2 cm cross.

Times are in "letter units" (the time of one fingerspelled letter), see :func:`movement_time`.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from .description import Movement
from .directions import circle_basis, direction, mean_direction

__all__ = ["PathPoint", "movement_path", "movement_time", "STRAIGHT", "RADIUS", "WAVE", "LOCAL_ANGLE",
           "MAX_TURNS"]

STRAIGHT = {"small": 0.05, None: 0.10, "large": 0.16}
RADIUS = {"small": 0.03, None: 0.05, "large": 0.08}
WAVE = {"small": 0.01, None: 0.02, "large": 0.035}
LOCAL_ANGLE = math.radians(25.0)
MAX_TURNS = 3                     # circles: at most this many turns (hamclockfull repeated)
_UP = np.array([0.0, 1.0, 0.0])
_LEFT = np.array([1.0, 0.0, 0.0])
_ZERO = (0.0, 0.0, 0.0)


@dataclasses.dataclass(frozen=True)
class PathPoint:
    """One point of a path (see the module docstring).

    Attributes:
        t: fraction of the movement's time, in (0, 1].
        offset: (x, y, z) metres from the movement's start, body frame, for the dominant hand.
        turn: ``(kind, radians)`` a local wrist turn from the start orientation: ``"nod"`` (flexion toward
            the palm), ``"swing"`` (about the palm normal) or ``"twist"`` (about the finger axis); or None.
        fingers: finger-play phase: 0 none, 1 and 2 the two alternating bends.
    """

    t: float
    offset: tuple[float, float, float] = _ZERO
    turn: tuple[str, float] | None = None
    fingers: int = 0


def _tuple(v) -> tuple[float, float, float]:
    return (float(v[0]), float(v[1]), float(v[2]))


def _across(v: np.ndarray) -> np.ndarray:
    """A unit vector perpendicular to ``v``: up if it can be, else the signer's left."""
    ref = _UP if abs(v @ _UP) < 0.9 else _LEFT
    p = ref - v * (ref @ v)
    return p / np.linalg.norm(p)


def _straight(m: Movement, notes: list[str]) -> tuple[PathPoint, ...]:
    v = np.asarray(m.vector, np.float64)
    if m.between is not None and m.between.kind == "straight" and m.between.vector is not None:
        v = mean_direction(v, m.between.vector)
    length = STRAIGHT[m.size]
    pts = []
    if m.arc is not None:
        bulge = direction(m.arc)
        bulge = bulge - v * (bulge @ v)
        if np.linalg.norm(bulge) > 1e-6:
            bulge /= np.linalg.norm(bulge)
            pts.append(PathPoint(0.5, _tuple(0.5 * length * v + 0.25 * length * bulge)))
        else:
            notes.append(f"movement: an arc to {m.arc!r} along the movement itself; drawn straight")
    if m.wavy or m.zigzag:
        across = _across(v)
        amp = WAVE[m.path_size]
        for k, t in enumerate((0.125, 0.375, 0.625, 0.875)):
            pts.append(PathPoint(t, _tuple(t * length * v + (amp if k % 2 == 0 else -amp) * across)))
    pts.append(PathPoint(1.0, _tuple(length * v)))
    return tuple(sorted(pts, key=lambda p: p.t))


def _clock_angle(code: str, a: np.ndarray, b: np.ndarray) -> float | None:
    d = direction(code)
    x, y = d @ a, d @ b
    return math.atan2(y, x) if math.hypot(x, y) > 1e-6 else None


def _circle(m: Movement, notes: list[str], radius: float | None = None,
            axis: np.ndarray | None = None) -> tuple[PathPoint, ...]:
    k = np.asarray(m.vector if axis is None else axis, np.float64)
    a, b = circle_basis(k)
    r0 = RADIUS[m.size] if radius is None else radius
    start = None
    if m.clock_start is not None:
        start = _clock_angle(m.clock_start, a, b)
    if start is None:  # default: the hand starts at the bottom (the point nearest the body for a level circle)
        start = _clock_angle("d", a, b)
        if start is None:
            start = _clock_angle("i", a, b)
    turns = 1 + min(m.extra_turns, MAX_TURNS - 1)
    sweep = 2 * math.pi * turns
    if m.clock_end is not None:
        end = _clock_angle(m.clock_end, a, b)
        if end is not None:
            sweep = (end - start) % (2 * math.pi) or 2 * math.pi
            sweep += 2 * math.pi * min(m.extra_turns, MAX_TURNS - 1)
    # ellipse: the written axis keeps the radius, the one across it is halved
    major = None
    if m.ellipse is not None:
        code = {"h": "l", "v": "u", "ur": "ur", "ul": "ul"}[m.ellipse]
        d = direction(code)
        d = d - k * (d @ k)
        if np.linalg.norm(d) > 1e-6:
            major = d / np.linalg.norm(d)
        else:
            notes.append(f"movement: ellipse {m.ellipse!r} lies along the circle's axis; drawn as a circle")
    grow = {"increasing": (0.6, 1.4), "decreasing": (1.4, 0.6)}.get(m.size_change or "", (1.0, 1.0))

    def point(theta: float, frac: float) -> np.ndarray:
        r = r0 * (grow[0] + (grow[1] - grow[0]) * frac)
        p = r * (math.cos(theta) * a + math.sin(theta) * b)
        if major is not None:
            minor = np.cross(k, major)
            p = (p @ major) * major + 0.5 * (p @ minor) * minor
        return p

    n = max(2, int(math.ceil(sweep / (math.pi / 4) - 1e-9)))
    p0 = point(start, 0.0)
    return tuple(PathPoint((j + 1) / n, _tuple(point(start + sweep * (j + 1) / n, (j + 1) / n) - p0))
                 for j in range(n))


def _local(m: Movement, notes: list[str]) -> tuple[PathPoint, ...]:
    kind = m.local
    scale = {"small": 0.5, None: 1.0, "large": 1.5}[m.size]
    if kind in ("nodding", "swinging", "twisting"):
        turn = {"nodding": "nod", "swinging": "swing", "twisting": "twist"}[kind]
        a = LOCAL_ANGLE * scale
        return tuple(PathPoint(t, turn=(turn, s * a)) for t, s in ((0.2, 1), (0.45, -1), (0.7, 1), (0.9, -1),
                                                                  (1.0, 0)))
    if kind in ("stircw", "stirccw"):
        axis = np.array([0.0, -1.0 if kind == "stircw" else 1.0, 0.0])
        return _circle(dataclasses.replace(m, kind="circle", direction=None, size=None), notes,
                       radius=0.02 * scale, axis=axis)
    if kind == "fingerplay":
        notes.append("finger play: approximated by alternating finger bends")
        return tuple(PathPoint(t, fingers=f) for t, f in ((0.25, 1), (0.5, 2), (0.75, 1), (1.0, 0)))
    if kind in ("movecross", "moveX"):
        s = 0.02 * scale
        pts = ((s, s, 0), (-s, -s, 0), (0, 0, 0), (-s, s, 0), (s, -s, 0), (0, 0, 0)) if kind == "moveX" else \
            ((s, 0, 0), (-s, 0, 0), (0, 0, 0), (0, s, 0), (0, -s, 0), (0, 0, 0))
        return tuple(PathPoint((j + 1) / len(pts), p) for j, p in enumerate(pts))
    notes.append(f"movement: local movement {kind!r} is not known; held still")
    return (PathPoint(1.0),)


def movement_path(m: Movement, notes: list[str]) -> tuple[PathPoint, ...]:
    """The points of movement ``m`` after its start (see the module docstring); what had to be
    approximated is appended to ``notes``."""
    if m.between is not None and not (m.kind == "straight" and m.between.kind == "straight"):
        notes.append("movement: half-way between two movements; the first taken")
    if m.contact is not None:
        notes.append(f"movement: {m.contact.kind} contact along the way not modelled")
    if m.kind == "straight":
        return _straight(m, notes)
    if m.kind == "circle":
        return _circle(m, notes)
    if m.kind == "local":
        return _local(m, notes)
    return (PathPoint(1.0),)


def movement_time(m: Movement) -> float:
    """How long movement ``m`` takes, in letter units: straight 1.2 / 1.5 / 1.8 (small / normal / large),
    a circle 2.5 per turn, a local movement 2, no movement 1; ``hamfast`` x0.7, ``hamslow`` x1.4."""
    if m.kind == "straight":
        t = {"small": 1.2, None: 1.5, "large": 1.8}[m.size]
    elif m.kind == "circle":
        t = 2.5 * (1 + min(m.extra_turns, MAX_TURNS - 1))
    elif m.kind == "local":
        t = 2.0
    else:
        t = 1.0
    return t * {"fast": 0.7, "slow": 1.4, None: 1.0}[m.speed]
