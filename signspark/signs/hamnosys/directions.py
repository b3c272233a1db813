"""HamNoSys directions as unit vectors in the signer's frame, the palm-orientation rule, circles.

The one place that says what a HamNoSys direction means: the parser (:mod:`.description`), the
posture layer (:mod:`.orientation`, :mod:`.posture`) and the animator all read it from here.

Frame (the signer's, the body frame of :mod:`signspark.signs.arms`): **+x the signer's LEFT, +y UP,
+z FORWARD** (away from the chest). Vectors are (3,) float64 numpy arrays of unit length; they carry no
unit of length. HamNoSys directions are seen from the signer:

=======  ======================  ==========
 letter  meaning                 vector
=======  ======================  ==========
 ``u``   up                      (0, +1, 0)
 ``d``   down                    (0, -1, 0)
 ``l``   to the signer's left    (+1, 0, 0)
 ``r``   to the signer's right   (-1, 0, 0)
 ``o``   away from the signer    (0, 0, +1)
 ``i``   toward the signer       (0, 0, -1)
=======  ======================  ==========

A direction is one to three letters (``"uo"``, ``"dl"``, ``"uol"``): the normalised sum, so the
26 directions of the 3x3x3 grid. Symbol names are accepted too: ``hamextfingeruo``, ``hammoveuo``,
``hampalmdl`` -> the letters after the prefix. As in the notation, codes are written for a
right-dominant signer; the other hand of a ``hamsymmlr`` sign uses :func:`mirror_letters` /
:func:`mirror_vector`.

**Extended finger direction** is the direction of the metacarpus: wrist -> middle-finger knuckle,
whatever the fingers do (a fist "points" too).

**Palm orientation** (:func:`palm_normal`; ``hampalmu``, ``ur``, ``r``, ``dr``, ``d``, ``dl``, ``l``,
``ul``) is relative to the extended finger direction ``f``: the eight labels are the literal directions
for a hand whose fingers point away from the signer (``o``); for any other ``f`` the hand is turned from
``o`` to ``f`` by the shortest rotation and the label turns with it. So with fingers up ``hampalmd`` faces
away from the signer and ``hampalmu`` toward them, ``l``/``r`` stay left/right; with fingers left ``hampalml``
faces the signer (KLEID, ``hamextfingerl hampalml hamshoulders hamlrat hamtouch``: the palms on the chest).
Hands pointing back at the signer in the horizontal plane (``i``, ``il``, ``ir``) take ``i`` as the
reference instead, with the literal labels again: pointing at one's chest with ``hampalml`` has the palm
facing left. The DSGS lexicon confirms this reading: CHINA and HALSKETTE write ``hamextfingeril hampalmdr``
with the index finger's pad on the shoulder or the neck, so the palm faces the body (the shortest-rotation
reading would turn it away). The rule is mirror-symmetric: swapping l and r in both mirrors across x = 0.

**Circles** (:func:`circle_basis`): a circle symbol's code is the circle's axis; the hand goes round it
right-handedly (counter-clockwise seen from the axis tip looking back).
"""

from __future__ import annotations

import numpy as np

__all__ = ["direction", "letters_of", "mirror_letters", "mirror_vector", "mean_direction", "palm_normal",
           "rotate", "circle_basis", "AXES", "EXTFINGER_NAMES", "PALM_NAMES", "MOVE_NAMES"]

AXES: dict[str, tuple[float, float, float]] = {
    "u": (0.0, 1.0, 0.0), "d": (0.0, -1.0, 0.0),
    "l": (1.0, 0.0, 0.0), "r": (-1.0, 0.0, 0.0),
    "o": (0.0, 0.0, 1.0), "i": (0.0, 0.0, -1.0),
}
_PREFIXES = ("hamextfinger", "hammove", "hampalm", "hamcircle", "hamclock", "extfinger", "move", "palm",
             "circle", "clock")
_OPPOSITE = {"u": "d", "d": "u", "l": "r", "r": "l", "o": "i", "i": "o"}

EXTFINGER_NAMES = tuple("hamextfinger" + s for s in
                        ("u", "ur", "r", "dr", "d", "dl", "l", "ul", "ol", "o", "or", "il", "i", "ir", "ui", "di",
                         "do", "uo"))
PALM_NAMES = tuple("hampalm" + s for s in ("u", "ur", "r", "dr", "d", "dl", "l", "ul"))
MOVE_NAMES = tuple("hammove" + n[len("hamextfinger"):] for n in EXTFINGER_NAMES)


def letters_of(name: str) -> str:
    """A symbol name or letters -> the direction letters (``"hamextfingeruo"`` -> ``"uo"``)."""
    n = str(name).strip().lower()
    for p in _PREFIXES:
        if n.startswith(p):
            n = n[len(p):]
            break
    if not n or any(c not in AXES for c in n):
        raise ValueError(f"not a HamNoSys direction: {name!r}; use the letters u d l r o i "
                         f"(e.g. 'uo') or a symbol name like 'hamextfingeruo'")
    for c in n:
        if _OPPOSITE[c] in n:
            raise ValueError(f"direction {name!r} combines opposite letters {c!r} and {_OPPOSITE[c]!r}")
    return n


def direction(name) -> np.ndarray:
    """(3,) unit vector of a direction name / letters, or of a 3-vector (normalised)."""
    if isinstance(name, str):
        v = np.sum([AXES[c] for c in dict.fromkeys(letters_of(name))], axis=0)
    else:
        v = np.asarray(name, np.float64).reshape(3)
    n = float(np.linalg.norm(v))
    if not np.isfinite(n) or n < 1e-9:
        raise ValueError(f"direction {name!r} has zero length")
    return v / n


def mirror_letters(name: str) -> str:
    """Swap l and r (the other hand in ``hamsymmlr``): ``"hamextfingerul"`` -> ``"hamextfingerur"``."""
    n = str(name)
    letters = letters_of(n)
    prefix = n[: len(n) - len(letters)]
    return prefix + letters.translate(str.maketrans("lr", "rl"))


def mirror_vector(v) -> np.ndarray:
    """Mirror a body-frame vector across the sagittal plane x = 0."""
    return np.asarray(v, np.float64) * np.array([-1.0, 1.0, 1.0])


def mean_direction(a, b) -> np.ndarray:
    """The direction half-way between two directions (``hambetween``); ``a`` when they are opposite."""
    a, b = direction(a), direction(b)
    s = a + b
    return s / np.linalg.norm(s) if s @ s > 1e-12 else a


def rotate(v, axis, angle: float) -> np.ndarray:
    """Rotate ``v`` by ``angle`` radians about the unit ``axis`` (right-handed; Rodrigues' formula)."""
    v, k = np.asarray(v, np.float64), direction(axis)
    c, s = np.cos(angle), np.sin(angle)
    return v * c + np.cross(k, v) * s + k * (k @ v) * (1.0 - c)


def _shortest_rotation(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(3, 3) shortest rotation taking unit a to unit b (a half turn goes about the vertical, or about x
    when a is vertical)."""
    v = np.cross(a, b)
    c = float(a @ b)
    if c < -1 + 1e-9:
        axis = np.array([0, 1.0, 0]) if abs(a[1]) < 0.9 else np.array([1.0, 0, 0])
        return 2 * np.outer(axis, axis) - np.eye(3)
    K = np.array([[0, -v[2], v[1]], [v[2], 0, -v[0]], [-v[1], v[0], 0]])
    return np.eye(3) + K + K @ K / (1.0 + c)


def palm_normal(palm, extended_finger) -> np.ndarray:
    """(3,) unit outward palm normal, by the rule of the module docstring, perpendicular to the fingers.

    Args:
        palm: the palm orientation as written: a label (``"d"``, ``"hampalmdl"``) or a (3,) label vector
            (e.g. the mean of two labels for ``hambetween``), both relative to the extended finger.
        extended_finger: the extended finger direction (name, letters or 3-vector).

    Raises:
        ValueError: a label holding ``o`` or ``i``, or a palm parallel to the fingers.
    """
    f = direction(extended_finger)
    if isinstance(palm, str):
        letters = letters_of(palm)
        if "o" in letters or "i" in letters:
            raise ValueError(f"palm orientation {palm!r}: use u, d, l, r and their diagonals (relative to the "
                             f"extended finger direction)")
    label = direction(palm)
    ref = np.array([0, 0, -1.0 if (f[2] < -0.5 and abs(f[1]) < 0.3) else 1.0])
    p = _shortest_rotation(ref, f) @ label
    p = p - f * (p @ f)
    n = float(np.linalg.norm(p))
    if n < 1e-6:
        raise ValueError(f"palm direction {palm!r} is parallel to the finger direction {extended_finger!r}")
    return p / n


def circle_basis(axis) -> tuple[np.ndarray, np.ndarray]:
    """Two unit vectors ``(a, b)`` spanning the plane of a circle about ``axis``, with ``a x b = axis``.

    A point at angle ``t`` (radians) is ``centre + r (cos t a + sin t b)``; increasing ``t`` is the
    right-handed sense. ``a`` is "up" projected into the plane (or "forward" for a horizontal circle).
    """
    k = direction(axis)
    ref = np.array(AXES["u"]) if abs(k[1]) < 0.9 else np.array(AXES["o"])
    a = ref - k * (ref @ k)
    a /= np.linalg.norm(a)
    return a, np.cross(k, a)
