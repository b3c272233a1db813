"""Directions of HamNoSys codes as vectors in the signer's frame, and the palm-orientation rule.

Frame (the signer's, right-handed): +x to the signer's LEFT, +y UP, +z FORWARD (away from the chest).
Vectors are plain ``(x, y, z)`` tuples of floats with unit length; they have no units of length.

HamNoSys direction codes are strings of the letters ``u d l r o i`` (up, down, left, right, out = away
from the body, in = towards it): ``"uo"`` is up-and-forward, ``"dil"`` (from two combined symbols)
down-in-left. As in the notation, codes are written for a right-dominant signer; an animator mirrors
x for a left-dominant one.

Palm orientation (:func:`palm_normal`): HamNoSys gives the palm direction relative to the extended
finger direction. The eight palm codes are true directions when the fingers point forward (``o``);
for any other finger direction they are carried along by the smallest rotation that turns forward into
that finger direction (about the up axis when the fingers point back at the body). So fingers up with
palm ``d`` faces the palm forward, fingers left with palm ``d`` faces it down.

Circles (:func:`circle_basis`): a circle symbol's code is the circle's axis; the hand goes round it
right-handedly (counter-clockwise seen from the axis tip looking back). This reading of the sense is
our convention, to be checked against reference renderings.
"""

from __future__ import annotations

import math

Vector = tuple[float, float, float]

AXES: dict[str, Vector] = {
    "u": (0.0, 1.0, 0.0), "d": (0.0, -1.0, 0.0),
    "l": (1.0, 0.0, 0.0), "r": (-1.0, 0.0, 0.0),
    "o": (0.0, 0.0, 1.0), "i": (0.0, 0.0, -1.0),
}
_OPPOSITE = {"u": "d", "d": "u", "l": "r", "r": "l", "o": "i", "i": "o"}

#: Relative size factors of the size modifiers (a movement's nominal extent is the animator's choice).
SIZE_SCALE: dict[str | None, float] = {"small": 0.5, None: 1.0, "large": 1.6}


def _add(a: Vector, b: Vector) -> Vector:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


def _scale(a: Vector, s: float) -> Vector:
    return (a[0] * s, a[1] * s, a[2] * s)


def dot(a: Vector, b: Vector) -> float:
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def cross(a: Vector, b: Vector) -> Vector:
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def normalize(a: Vector) -> Vector:
    n = math.sqrt(dot(a, a))
    if n < 1e-9:
        raise ValueError(f"cannot normalise the zero vector {a}")
    return _scale(a, 1.0 / n)


def direction_vector(code: str) -> Vector:
    """The unit vector of a direction code (``"u"``, ``"uo"``, ``"dil"``, ...) in the signer's frame."""
    if not code or any(c not in AXES for c in code):
        raise ValueError(f"bad direction code {code!r}: use the letters u d l r o i")
    if any(_OPPOSITE[c] in code for c in code):
        raise ValueError(f"bad direction code {code!r}: it holds opposite directions")
    total = (0.0, 0.0, 0.0)
    for c in dict.fromkeys(code):
        total = _add(total, AXES[c])
    return normalize(total)


def mean_direction(a: Vector, b: Vector) -> Vector:
    """The direction half-way between two unit vectors (``hambetween``); ``a`` if they are opposite."""
    s = _add(a, b)
    return normalize(s) if dot(s, s) > 1e-12 else a


def rotate(v: Vector, axis: Vector, angle: float) -> Vector:
    """Rotate ``v`` by ``angle`` radians about the unit ``axis`` (right-handed, Rodrigues' formula)."""
    c, s = math.cos(angle), math.sin(angle)
    kxv = cross(axis, v)
    kdv = dot(axis, v)
    return tuple(v[i] * c + kxv[i] * s + axis[i] * kdv * (1.0 - c) for i in range(3))  # type: ignore[return-value]


def palm_normal(finger: Vector, palm: str | Vector) -> Vector:
    """The unit outward palm normal for extended-finger direction ``finger`` (a unit vector) and the palm
    orientation as written: a palm code (``"dl"``) or its unit vector (e.g. a ``hambetween`` mean).

    See the module docstring for the rule. The result is made exactly perpendicular to ``finger``.
    Raises ``ValueError`` when the written palm direction is parallel to ``finger``.
    """
    written = direction_vector(palm) if isinstance(palm, str) else palm
    forward = AXES["o"]
    c = dot(forward, finger)
    if c > 1.0 - 1e-9:
        n = written
    elif c < -1.0 + 1e-9:
        n = rotate(written, AXES["u"], math.pi)
    else:
        axis = normalize(cross(forward, finger))
        n = rotate(written, axis, math.acos(max(-1.0, min(1.0, c))))
    n = _add(n, _scale(finger, -dot(n, finger)))
    return normalize(n)


def circle_basis(axis: Vector) -> tuple[Vector, Vector]:
    """Two unit vectors ``(a, b)`` spanning the plane of a circle about ``axis``, with ``a x b = axis``.

    A point at angle ``t`` (radians) is ``centre + r (cos t a + sin t b)``; increasing ``t`` is the
    right-handed sense. ``a`` is "up" projected into the plane (or "forward" for a horizontal circle).
    """
    ref = AXES["u"] if abs(dot(axis, AXES["u"])) < 0.9 else AXES["o"]
    a = normalize(_add(ref, _scale(axis, -dot(ref, axis))))
    b = cross(axis, a)
    return a, b
