"""HamNoSys directions -> unit vectors in the body frame, palm orientation, hand rotation.

Body frame (the one of :mod:`signspark.signs.arms`): metres, **+y up, +z in front of the signer,
+x the signer's LEFT**. HamNoSys directions are seen from the signer:

=====  ======================  ==========
 letter  meaning                vector
=====  ======================  ==========
 ``u``   up                      (0, +1, 0)
 ``d``   down                    (0, -1, 0)
 ``l``   to the signer's left    (+1, 0, 0)
 ``r``   to the signer's right   (-1, 0, 0)
 ``o``   away from the signer    (0, 0, +1)
 ``i``   toward the signer       (0, 0, -1)
=====  ======================  ==========

A direction is one to three letters (``"uo"``, ``"dl"``, ``"uol"``): the normalised sum, so the
26 directions of the 3x3x3 grid. Symbol names are accepted too: ``hamextfingeruo``, ``hammoveuo``,
``hampalmdl`` -> the letters after the prefix. ``hamextfingerl`` points to the signer's left for
either hand; mirroring for the other hand (``hamsymmlr``) is :func:`mirror_letters`.

**Extended finger direction** is the direction of the metacarpus: wrist -> middle-finger knuckle,
whatever the fingers do (a fist "points" too).

**Palm orientation** (``hampalmu``, ``ur``, ``r``, ``dr``, ``d``, ``dl``, ``l``, ``ul``) is relative to
the extended finger direction ``f``: the eight labels are the literal directions (u/d/l/r and the
diagonals) for a hand whose fingers point away from the signer (``o``); for any other ``f`` the hand
is turned from ``o`` to ``f`` by the shortest rotation and the label turns with it. So with fingers
forward ``hampalmd`` is palm down; with fingers up (``u``) ``hampalmd`` faces away from the signer and
``hampalmu`` toward them, ``l``/``r`` stay left/right; with fingers left (``l``) ``hampalml`` faces the
signer and ``hampalmr`` away. Hands pointing back at the signer in the horizontal plane (``i``, ``il``, ``ir``)
use ``i`` as the reference instead, with the literal labels again (pointing at one's
chest with ``hampalml`` has the palm facing left). The rule is mirror-symmetric: swapping l and r in
both names mirrors the vectors across x = 0.
"""

from __future__ import annotations

import numpy as np

from ..arms import hand_rotation as _nominal_hand_rotation
from ..kinematics import FINGER_JOINTS, WRIST, Skeleton, skeleton

__all__ = ["direction", "palm_normal", "hand_frame", "hand_rotation", "mirror_letters", "mirror_vector",
           "letters_of", "EXTFINGER_NAMES", "PALM_NAMES", "MOVE_NAMES"]

_LETTERS = {"u": (0, 1.0, 0), "d": (0, -1.0, 0), "l": (1.0, 0, 0), "r": (-1.0, 0, 0),
            "o": (0, 0, 1.0), "i": (0, 0, -1.0)}
_PREFIXES = ("hamextfinger", "hammove", "hampalm", "hamcircle", "hamclock", "extfinger", "move", "palm")
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
    if not n or any(c not in _LETTERS for c in n):
        raise ValueError(f"not a HamNoSys direction: {name!r}; use letters from u, d, l, r, o, i "
                         f"(e.g. 'uo') or a symbol name like 'hamextfingeruo'")
    for c in n:
        if _OPPOSITE[c] in n:
            raise ValueError(f"direction {name!r} combines opposite letters {c!r} and {_OPPOSITE[c]!r}")
    return n


def direction(name) -> np.ndarray:
    """(3,) unit vector of a direction name / letters, or a 3-vector (normalised)."""
    if not isinstance(name, str):
        v = np.asarray(name, np.float64).reshape(3)
    else:
        v = sum(np.array(_LETTERS[c]) for c in letters_of(name))
    n = np.linalg.norm(v)
    if n < 1e-9:
        raise ValueError(f"direction {name!r} has zero length")
    return v / n


def mirror_letters(name: str) -> str:
    """Swap l and r (the other hand in ``hamsymmlr``): ``"hamextfingerul"`` -> ``"hamextfingerur"``."""
    n = str(name)
    letters = letters_of(n)
    prefix = n[: len(n) - len(letters)]
    return prefix + letters.translate(str.maketrans("lr", "rl"))


def mirror_vector(v) -> np.ndarray:
    """Mirror a body-frame vector across x = 0."""
    return np.asarray(v, np.float64) * np.array([-1.0, 1.0, 1.0])


def _shortest_rotation(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(3, 3) shortest rotation taking unit a to unit b (a 180-degree turn goes about the vertical,
    or about x when a is vertical)."""
    v = np.cross(a, b)
    c = float(a @ b)
    if c < -1 + 1e-9:
        axis = np.array([0, 1.0, 0]) if abs(a[1]) < 0.9 else np.array([1.0, 0, 0])
        return 2 * np.outer(axis, axis) - np.eye(3)
    K = np.array([[0, -v[2], v[1]], [v[2], 0, -v[0]], [-v[1], v[0], 0]])
    return np.eye(3) + K + K @ K / (1.0 + c)


def palm_normal(palm, extended_finger) -> np.ndarray:
    """(3,) unit palm normal for a palm label (``"d"``, ``"hampalmdl"``) given the extended finger direction
    (name or vector), by the rule in the module docstring. The result is perpendicular to the finger
    direction. A 3-vector ``palm`` is taken as absolute and only made perpendicular."""
    f = direction(extended_finger)
    if isinstance(palm, str):
        label = direction(palm)
        if "o" in letters_of(palm) or "i" in letters_of(palm):
            raise ValueError(f"palm orientation {palm!r}: use u, d, l, r and their diagonals (relative to the "
                             f"extended finger direction)")
        ref = np.array([0, 0, -1.0 if (f[2] < -0.5 and abs(f[1]) < 0.3) else 1.0])
        p = _shortest_rotation(ref, f) @ label
    else:
        p = direction(palm)
    p = p - f * (p @ f)
    n = np.linalg.norm(p)
    if n < 1e-6:
        raise ValueError(f"palm direction {palm!r} is parallel to the finger direction {extended_finger!r}")
    return p / n


def hand_frame(extended_finger, palm) -> tuple[np.ndarray, np.ndarray]:
    """(axis, palm normal), two perpendicular unit vectors in the body frame."""
    f = direction(extended_finger)
    return f, palm_normal(palm, f)


def _rest_correction(side: str, skel: Skeleton) -> np.ndarray:
    """(3, 3) rotation taking the skeleton's real rest hand frame onto the nominal one of ``arms``."""
    J = skel.rest
    axis = J[FINGER_JOINTS(side, "middle")[0]] - J[WRIST[side]]
    axis /= np.linalg.norm(axis)
    palm = np.array([0, -1.0, 0]) - axis * -axis[1]
    palm /= np.linalg.norm(palm)
    true = np.stack([axis, palm, np.cross(axis, palm)], axis=1)
    nominal_axis = np.array([-1.0, 0, 0]) if side == "right" else np.array([1.0, 0, 0])
    nominal = np.stack([nominal_axis, [0, -1.0, 0], np.cross(nominal_axis, [0, -1.0, 0])], axis=1)
    return nominal @ true.T


def hand_rotation(side: str, extended_finger, palm, skel: Skeleton | None = None) -> np.ndarray:
    """(3, 3) global wrist rotation so that the hand's metacarpus (wrist -> middle knuckle of the actual
    skeleton) points along ``extended_finger`` and the palm faces ``palm`` (a label relative to the
    finger direction, or an absolute 3-vector). Built on :func:`signspark.signs.arms.hand_rotation`,
    corrected for the few degrees by which the skeleton's real wrist->knuckle line differs from its x axis.
    """
    f, p = hand_frame(extended_finger, palm)
    return _nominal_hand_rotation(side, f, p) @ _rest_correction(side, skel or skeleton())
