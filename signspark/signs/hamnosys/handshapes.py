"""HamNoSys handshapes -> :class:`~signspark.signs.handshapes.Handshape` (MANO finger angles).

A HamNoSys handshape is a *basic form*, optionally a *thumb modifier*, optionally a *bending
modifier* for the selected fingers, and optionally finger-specific changes. :class:`HandshapeSpec`
holds exactly that, by plain names (the ``ham`` prefix may be left out), and :func:`handshape`
turns it into finger angles:

* basic forms (:data:`BASIC_FORMS`): ``fist``, ``flathand``, ``finger2``, ``finger23``,
  ``finger23spread``, ``finger2345``, ``pinch12``, ``pinchall``, ``pinch12open``, ``cee12``,
  ``ceeall``, ``cee12open``. Each has *selected* fingers (``finger23``: index and middle;
  ``pinch12``/``cee12``: index with the thumb; the ``...open`` forms and ``...all``: all four) and a
  default thumb. ``finger2345`` is spread, ``flathand`` is not.
* thumb modifiers (:data:`THUMB_MODIFIERS`): ``thumboutmod`` (thumb stretched out to the side: 5, L),
  ``thumbacrossmod`` (thumb folded across the palm or over the curled fingers: S, B with the thumb in),
  ``thumbopenmod`` (thumb half open, opposed). On pinch and cee forms the thumb meets the fingers, so
  ``thumbopenmod`` opens the pinch into a small gap and the other two are ignored.
* bending (:data:`BENDS`): ``fingerstraightmod`` (straight), ``fingerbendmod`` (bent at the knuckle,
  fingers straight), ``fingerhookmod`` (knuckle straight, the two outer joints hooked), ``doublebent``
  (bent at the knuckle and the middle joint), ``doublehooked`` (all three joints strongly bent). On the
  pinch and C forms the fingers keep meeting (facing) the thumb: ``pinchall`` + ``fingerstraightmod`` is
  the flat O, ``ceeall`` + ``fingerstraightmod`` the flat C (fingers straight, bent at the knuckles).
  A bend given in :attr:`HandshapeSpec.bend` applies to the selected fingers; :attr:`HandshapeSpec.per_finger`
  sets one finger (``{"middle": "fingerbendmod"}``), selected or not.
* ``hambetween``: :attr:`HandshapeSpec.between` holds a second spec; the result is halfway (angle-wise).

Finger names: ``thumb``, ``index``, ``middle``, ``ring``, ``pinky``; HamNoSys digits ``1``-``5``
(``"2"`` = index) and the names ``hamfinger2`` .. ``hamfinger5``, ``hamthumb``, ``hamindexfinger``,
``hammiddlefinger``, ``hamringfinger``, ``hampinky`` are accepted wherever a finger is named.

Angles follow :mod:`signspark.signs.handshapes`: degrees of flexion at MCP, PIP and DIP and spread at
the MCP (toward the thumb positive).

Example::

    >>> shape = handshape(HandshapeSpec("finger2", thumb="thumbacrossmod"))
    >>> shape.index.mcp, shape.middle.mcp
    (0.0, 88.0)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from ..handshapes import CURLED, Finger, Handshape, Thumb, ThumbTouch, resolved_thumb

__all__ = ["HandshapeSpec", "handshape", "finger_name", "selected_fingers", "BASIC_FORMS", "THUMB_MODIFIERS",
           "BENDS", "FOUR"]

FOUR = ("index", "middle", "ring", "pinky")
_ALL = FOUR + ("thumb",)

# Bending modifiers as finger angles (MCP, PIP, DIP flexion, degrees).
BENDS: dict[str, Finger] = {
    "fingerstraightmod": Finger(0, 0, 0),
    "fingerbendmod": Finger(80, 5, 5),
    "fingerhookmod": Finger(10, 90, 70),
    "doublebent": Finger(70, 80, 10),
    "doublehooked": Finger(45, 100, 80),
}
_ROUND = Finger(45, 65, 40)    # rounded toward a pinching thumb
_CEE = Finger(30, 40, 25)      # C curve
# Thumb combinations (pinch and C forms) keep the thumb opposite the fingers: a bending modifier says
# how the selected fingers make the O or C, not that they leave it (``pinchall`` + ``fingerstraightmod``
# is the flat O: fingers nearly straight, bent at the knuckles; ``ceeall`` + ``fingerstraightmod`` the flat
# C). Angles (MCP, PIP, DIP flexion, degrees) per family; the pinches are as straight as lets the thumb
# still meet the finger tip.
_WITH_THUMB: dict[str, dict[str, Finger]] = {
    "pinch12": {"fingerstraightmod": Finger(72, 22, 10), "fingerbendmod": Finger(85, 12, 5),
                "fingerhookmod": Finger(40, 90, 50), "doublebent": Finger(60, 80, 15),
                "doublehooked": Finger(40, 100, 80)},
    "pinchall": {"fingerstraightmod": Finger(85, 30, 12), "fingerbendmod": Finger(92, 22, 8),
                 "fingerhookmod": Finger(15, 95, 65), "doublebent": Finger(60, 80, 15),
                 "doublehooked": Finger(40, 100, 80)},
    "cee": {"fingerstraightmod": Finger(45, 0, 0), "fingerbendmod": Finger(70, 5, 5),
            "fingerhookmod": Finger(5, 75, 50), "doublebent": Finger(45, 60, 10),
            "doublehooked": Finger(30, 90, 70)},
}
_SPREAD = {"index": 12.0, "middle": 2.0, "ring": -9.0, "pinky": -18.0}
_SPREAD_TWO = {"index": 10.0, "middle": -8.0}

# thumbs (degrees): opposition, adduction, MCP and IP flexion
_THUMB_ALONG = Thumb(5, 25, 5, 5)                 # along the index side of a flat hand
_THUMB_OUT = Thumb(0, -12, 0, 0)                  # stretched out sideways (5, L)
_THUMB_PALM = Thumb(55, 40, 50, 40)               # across the palm of an open hand
_THUMB_HALF = Thumb(35, 5, 10, 10)                # half open, opposed
_THUMB_UP = Thumb(-15, 45, -5, -5)                # beside a fist, pointing along the hand axis
_FIST_SIDE = ThumbTouch("index_pip", "radial", 0.013, Thumb(5, 35, 10, 5))        # A
_FIST_FRONT = ThumbTouch("middle_mid", "palmar", 0.016, Thumb(60, 30, 30, 30))    # S


@dataclasses.dataclass(frozen=True)
class _Basic:
    selected: tuple[str, ...]     # fingers the form is about (extended, or forming the pinch / C)
    shape: Finger                 # angles of the selected fingers
    spread: bool                  # selected fingers spread apart
    others_open: bool             # unselected fingers straight (pinch12open, cee12open) instead of curled
    thumb: Thumb | ThumbTouch     # default thumb
    thumb_meets: str | None       # pinch / C: the point the thumb tip meets ("index_tip"); None otherwise
    gap: float = 0.0              # pinch / C: metres between thumb tip and that point


BASIC_FORMS: dict[str, _Basic] = {
    "fist": _Basic((), CURLED, False, False, _FIST_SIDE, None),
    "flathand": _Basic(FOUR, Finger(), False, False, _THUMB_ALONG, None),
    "finger2": _Basic(("index",), Finger(), False, False, _FIST_FRONT, None),
    "finger23": _Basic(("index", "middle"), Finger(), False, False,
                       ThumbTouch("ring_mid", "palmar", 0.015, Thumb(60, 35, 30, 30)), None),
    "finger23spread": _Basic(("index", "middle"), Finger(), True, False,
                             ThumbTouch("ring_mid", "palmar", 0.015, Thumb(60, 35, 30, 30)), None),
    "finger2345": _Basic(FOUR, Finger(), True, False, _THUMB_PALM, None),
    "pinch12": _Basic(("index",), _ROUND, False, False, Thumb(45, 25, 25, 20), "index_tip", 0.011),
    "pinchall": _Basic(FOUR, Finger(70, 50, 25), False, False, Thumb(45, 35, 20, 10), "middle_tip", 0.012),
    "pinch12open": _Basic(("index",), _ROUND, False, True, Thumb(45, 25, 25, 20), "index_tip", 0.011),
    "cee12": _Basic(("index",), _CEE, False, False, Thumb(35, 0, 15, 15), None),
    "ceeall": _Basic(FOUR, _CEE, False, False, Thumb(35, 0, 15, 15), None),
    "cee12open": _Basic(("index",), _CEE, False, True, Thumb(35, 0, 15, 15), None),
}
_ALIASES = {"ceeopen": "cee12open"}
THUMB_MODIFIERS = ("thumboutmod", "thumbacrossmod", "thumbopenmod")

_FINGER_ALIASES = {
    "1": "thumb", "2": "index", "3": "middle", "4": "ring", "5": "pinky",
    "finger1": "thumb", "finger2": "index", "finger3": "middle", "finger4": "ring", "finger5": "pinky",
    "indexfinger": "index", "middlefinger": "middle", "ringfinger": "ring", "little": "pinky",
}


def _strip(name: str) -> str:
    name = name.strip().lower()
    return name[3:] if name.startswith("ham") else name


def finger_name(name: str) -> str:
    """A finger given by name, HamNoSys digit or symbol name -> ``thumb|index|middle|ring|pinky``."""
    n = _strip(str(name))
    n = _FINGER_ALIASES.get(n, n)
    if n not in _ALL:
        raise ValueError(f"unknown finger {name!r}; expected one of {list(_ALL)} or a digit 1-5")
    return n


def _basic(name: str) -> tuple[str, _Basic]:
    n = _strip(name)
    n = _ALIASES.get(n, n)
    if n not in BASIC_FORMS:
        raise ValueError(f"unknown HamNoSys basic handshape {name!r}; expected one of {sorted(BASIC_FORMS)}")
    return n, BASIC_FORMS[n]


def _bend(name: str | None) -> Finger | None:
    if name is None:
        return None
    n = _strip(name)
    if n not in BENDS:
        raise ValueError(f"unknown finger bending {name!r}; expected one of {sorted(BENDS)}")
    return BENDS[n]


@dataclasses.dataclass(frozen=True)
class HandshapeSpec:
    """One HamNoSys handshape, by names (``"ham"`` prefixes optional).

    Attributes:
        basic: basic form, a key of :data:`BASIC_FORMS` (``"hamflathand"``, ``"finger23spread"``).
        thumb: thumb modifier, one of :data:`THUMB_MODIFIERS`, or None for the form's default thumb.
        bend: bending modifier for the selected fingers, a key of :data:`BENDS`, or None.
        fingers: overrides which fingers are selected (extended): finger names or digits, e.g.
            ``("index", "pinky")``; the thumb is given by ``thumb``, so ``"thumb"`` here means
            ``thumboutmod``. None keeps the basic form's selection.
        per_finger: finger -> bending name for single fingers (applied last), e.g. ``{"3": "fingerbendmod"}``.
        spread: override whether the selected fingers are spread (None: the form's default).
        between: a second spec; the result lies halfway between both (HamNoSys ``hambetween``).
    """

    basic: str
    thumb: str | None = None
    bend: str | None = None
    fingers: tuple[str, ...] | None = None
    per_finger: Mapping[str, str] = dataclasses.field(default_factory=dict)
    spread: bool | None = None
    between: HandshapeSpec | None = None

    def __hash__(self) -> int:
        return hash((self.basic, self.thumb, self.bend, self.fingers, tuple(sorted(self.per_finger.items())),
                     self.spread, self.between))


def selected_fingers(spec: HandshapeSpec) -> tuple[str, ...]:
    """The selected (extended / active) fingers of a spec, in index..pinky order (no thumb)."""
    _, form = _basic(spec.basic)
    if spec.fingers is None:
        return form.selected
    names = {finger_name(f) for f in spec.fingers}
    return tuple(f for f in FOUR if f in names)


def _thumb_for(name: str, form: _Basic, thumb_mod: str | None, thumb_selected: bool) -> Thumb | ThumbTouch:
    mod = None if thumb_mod is None else _strip(thumb_mod)
    if mod is not None and mod not in THUMB_MODIFIERS:
        raise ValueError(f"unknown thumb modifier {thumb_mod!r}; expected one of {list(THUMB_MODIFIERS)}")
    if thumb_selected and mod is None:
        mod = "thumboutmod"
    if form.thumb_meets is not None:  # pinch: the thumb meets the fingers
        gap = form.gap + (0.025 if mod == "thumbopenmod" else 0.0)
        return ThumbTouch(form.thumb_meets, "palmar", gap, form.thumb)
    if name in ("cee12", "ceeall", "cee12open"):
        return Thumb(25, -5, 10, 10) if mod == "thumbopenmod" else form.thumb
    if mod is None:
        return form.thumb
    if mod == "thumboutmod":
        return _THUMB_UP if name == "fist" else _THUMB_OUT
    if mod == "thumbopenmod":
        return _THUMB_HALF
    # thumbacrossmod: over the curled fingers when there are some, else across the palm
    if name == "fist":
        return _FIST_FRONT
    return _THUMB_PALM if name in ("flathand", "finger2345") else form.thumb


def _single(spec: HandshapeSpec) -> Handshape:
    name, form = _basic(spec.basic)
    chosen = spec.fingers is not None
    selected = selected_fingers(spec)
    thumb_selected = chosen and any(finger_name(f) == "thumb" for f in spec.fingers)
    spread = form.spread if spec.spread is None else bool(spec.spread)
    bend = _bend(spec.bend)
    family = {"pinch12": "pinch12", "pinch12open": "pinch12", "pinchall": "pinchall", "cee12": "cee",
              "ceeall": "cee", "cee12open": "cee"}.get(name)
    if bend is not None and family is not None and not chosen:
        bend = _WITH_THUMB[family][_strip(spec.bend)]
    # the shape of a selected finger: the form's (or straight, when the selection was overridden on a
    # form whose fingers are rounded only because they meet the thumb), then the bending modifier
    base_sel = form.shape if not (chosen and name == "fist") else Finger()
    fingers: dict[str, Finger] = {}
    table = _SPREAD_TWO if len(selected) == 2 else _SPREAD
    for f in FOUR:
        if f in selected:
            fg = bend if bend is not None else base_sel
            s = table.get(f, _SPREAD[f]) if spread else 0.0
        else:
            fg = Finger() if form.others_open else CURLED
            s = _SPREAD[f] * 0.6 if (form.others_open and spread) else 0.0
        fingers[f] = fg.with_spread(s)
    for f, b in dict(spec.per_finger).items():
        f = finger_name(f)
        if f == "thumb":
            continue  # the thumb is set by the thumb modifier
        fingers[f] = _bend(b).with_spread(fingers[f].spread)
    thumb = _thumb_for(name, form, spec.thumb, thumb_selected)
    label = "ham:" + name + (f"+{_strip(spec.thumb)}" if spec.thumb else "") + (f"+{_strip(spec.bend)}" if spec.bend else "")
    return Handshape(label, fingers["index"], fingers["middle"], fingers["ring"], fingers["pinky"], thumb)


def _halfway(a: Handshape, b: Handshape) -> Handshape:
    def mix(x: Finger, y: Finger) -> Finger:
        return Finger(*(0.5 * (getattr(x, k) + getattr(y, k)) for k in ("mcp", "pip", "dip", "spread")))

    ta, tb = resolved_thumb(a), resolved_thumb(b)
    thumb = Thumb(*(round(float(0.5 * (getattr(ta, k) + getattr(tb, k))), 3) for k in ("opp", "add", "mcp", "ip")))
    return Handshape(f"{a.name}~{b.name}", mix(a.index, b.index), mix(a.middle, b.middle), mix(a.ring, b.ring),
                     mix(a.pinky, b.pinky), thumb)


def handshape(spec: HandshapeSpec | str) -> Handshape:
    """A :class:`HandshapeSpec` (or a bare basic-form name) -> :class:`Handshape` (finger angles, degrees).

    Feed the result to :func:`signspark.signs.handshapes.hand_pose` for the (45,) MANO pose.
    Raises ValueError naming any unknown symbol.
    """
    if isinstance(spec, str):
        spec = HandshapeSpec(spec)
    shape = _single(spec)
    if spec.between is not None:
        shape = _halfway(shape, handshape(spec.between))
    return shape
