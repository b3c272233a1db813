"""Manual alphabets as small data entries (one module per language: asl, bsl, dgs, csl).

A :class:`Letter` says *what* is signed: the dominant (right) hand's handshape
(a name in :data:`signspark.signs.handshapes.SHAPES`), where the hand is
and which way it points (:class:`Place`), an optional movement, and for
two-handed letters the other hand's shape and place plus the contact between
the hands. How it becomes joint angles lives in ``placement.py``.

Example entry::

    Letter("J", "pinky", Place("neutral", palm="forward", axis="up"), move=ASL_J_PATH)
"""

from __future__ import annotations

import dataclasses

__all__ = ["Place", "Movement", "Contact", "Letter", "Alphabet", "get_alphabet"]


@dataclasses.dataclass(frozen=True)
class Place:
    """Where the hand is: palm centre at ``location`` (+ ``offset`` metres, body frame), the hand
    axis (wrist to knuckles) pointing along ``axis`` and the palm facing ``palm`` (named directions,
    see :func:`signspark.signs.arms.direction`).

    ``palm`` and ``axis`` are the citation orientation (as drawn in alphabet charts). With
    ``relaxed`` (the default) a one-handed letter is held as signers hold it: the palm turned
    toward the midline and the fingers leaning toward the viewer by the signer's ``palm_turn``
    and ``finger_lean`` (see :func:`signspark.signs.placement.relaxed_orientation`); ``relaxed=False``
    keeps the citation orientation exactly.
    """

    location: str = "neutral"
    palm: str = "forward"
    axis: str = "up"
    offset: tuple[float, float, float] = (0.0, 0.0, 0.0)
    relaxed: bool = True


@dataclasses.dataclass(frozen=True)
class Movement:
    """A path traced during the letter.

    ``path`` holds offsets (metres, body frame) from the letter's place, visited in order;
    ``end`` optionally gives the hand orientation at the end (the orientation turns
    smoothly along the path); ``duration`` scales the hold time (a moving letter takes longer).
    """

    path: tuple[tuple[float, float, float], ...]
    end: Place | None = None
    duration: float = 1.8


@dataclasses.dataclass(frozen=True)
class Contact:
    """Two-handed contact: ``point`` on the dominant hand touches ``target`` on the other hand.

    Points are ``"<finger>_<tip|dip|pip|mcp|mid>"`` (fingers index, middle, ring, pinky, thumb)
    or ``"palm"`` / ``"back"`` (palm centre, palm or back side); ``side`` is the side of the
    target finger touched (``palmar``, ``dorsal``, ``radial``, ``ulnar``, ``distal``) and ``gap``
    the distance kept between the two points (metres; finger thickness).
    """

    point: str = "index_tip"
    target: str = "index_tip"
    side: str = "distal"
    gap: float = 0.012


@dataclasses.dataclass(frozen=True)
class Letter:
    """One letter (or digit) of a manual alphabet."""

    name: str
    shape: str
    place: Place = Place()
    move: Movement | None = None
    base_shape: str | None = None      # the non-dominant hand's shape (two-handed letters)
    base_place: Place | None = None
    contact: Contact | None = None
    note: str = ""                      # approximation note, empty when the form follows the sources

    @property
    def two_handed(self) -> bool:
        return self.base_shape is not None


@dataclasses.dataclass(frozen=True)
class Alphabet:
    """A manual alphabet: letters by name (``"A"``, ``"SCH"``, ``"7"``)."""

    language: str
    letters: dict[str, Letter]
    description: str = ""

    def __getitem__(self, name: str) -> Letter:
        try:
            return self.letters[name]
        except KeyError:
            raise KeyError(f"{self.language} manual alphabet has no letter {name!r}") from None

    def __contains__(self, name: str) -> bool:
        return name in self.letters

    @property
    def approximations(self) -> dict[str, str]:
        return {k: v.note for k, v in self.letters.items() if v.note}


def get_alphabet(language: str) -> Alphabet:
    """The manual alphabet of ``language`` (from its record in the sign-language registry)."""
    from signspark.signs.languages import get_language

    return get_language(language).get_alphabet()


def letters_of(entries: list[Letter]) -> dict[str, Letter]:
    out: dict[str, Letter] = {}
    for e in entries:
        if e.name in out:
            raise ValueError(f"duplicate letter {e.name!r}")
        out[e.name] = e
    return out
