"""Per-vertex region codes of the built-in body (what each vertex is: skin, hair, shirt, ...).

The built-in model file stores them under the extra key ``vertex_regions``
((V,) uint8), which ``smplx`` ignores. Renderers colour the mesh from them;
:data:`REGION_COLORS` is a sensible default palette (sRGB, 0-255).
"""

from __future__ import annotations

REGIONS: dict[str, int] = {
    "skin": 0,
    "hair": 1,
    "shirt": 2,
    "trousers": 3,
    "shoes": 4,
    "eye_white": 5,
    "iris": 6,
    "pupil": 7,
    "lips": 8,
    "brows": 9,
    "mouth": 10,  # inside of the mouth
    "teeth": 11,
    "nails": 12,
}

REGION_NAMES: dict[int, str] = {code: name for name, code in REGIONS.items()}

REGION_COLORS: dict[str, tuple[int, int, int]] = {
    "skin": (222, 171, 140),
    "hair": (58, 40, 30),
    "shirt": (38, 48, 72),
    "trousers": (48, 48, 54),
    "shoes": (28, 28, 30),
    "eye_white": (242, 240, 235),
    "iris": (84, 110, 70),
    "pupil": (12, 12, 12),
    "lips": (182, 102, 98),
    "brows": (52, 36, 26),
    "mouth": (96, 28, 32),
    "teeth": (236, 234, 222),
    "nails": (236, 196, 178),
}

__all__ = ["REGIONS", "REGION_NAMES", "REGION_COLORS"]
