"""Putting rendered frames together: side-by-side panels, labels, keyframe borders, captions.

All functions take and return (H, W, 3) uint8 RGB arrays.
"""

from __future__ import annotations

import functools

import numpy as np
from PIL import Image, ImageDraw, ImageFont

__all__ = ["side_by_side", "draw_border", "draw_label", "draw_caption", "caption_for_frame"]

# Fonts with CJK glyphs tried first (captions may be Chinese); Pillow's built-in font otherwise.
_FONT_CANDIDATES = ("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf", "wqy-microhei.ttc",
                    "DejaVuSans.ttf")


@functools.lru_cache(maxsize=16)
def _font(size: int):
    for name in _FONT_CANDIDATES:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1
        return ImageFont.load_default()


def _text_color(bg) -> tuple[int, int, int]:
    return (20, 20, 20) if sum(bg) / 3 > 128 else (240, 240, 240)


def draw_border(frame: np.ndarray, color=(230, 60, 40), width: int | None = None) -> np.ndarray:
    """A coloured frame around the image (keyframe highlight); ``width`` defaults to 1/64 of the size."""
    out = frame.copy()
    w = width or max(2, min(frame.shape[:2]) // 64)
    c = np.asarray(color, np.uint8)
    out[:w], out[-w:], out[:, :w], out[:, -w:] = c, c, c, c
    return out


def draw_label(frame: np.ndarray, text: str, background=(255, 255, 255)) -> np.ndarray:
    """``text`` in the top-left corner (panel names such as "reference")."""
    if not text:
        return frame
    img = Image.fromarray(frame)
    size = max(10, frame.shape[0] // 24)
    ImageDraw.Draw(img).text((size // 2 + 4, size // 2), text, fill=_text_color(background), font=_font(size))
    return np.asarray(img)


def draw_caption(frame: np.ndarray, lines: list[str]) -> np.ndarray:
    """Caption lines on a dark translucent band at the bottom, centred."""
    lines = tuple(ln for ln in lines if ln)
    if not lines:
        return frame
    H, W = frame.shape[:2]
    cover, ink = _caption_layer(lines, W, H)
    band = cover.shape[0]
    out = frame.copy()
    dark = out[H - band:].astype(np.float32) * 0.35
    out[H - band:] = (dark * (1.0 - cover) + ink + 0.5).astype(np.uint8)
    return out


@functools.lru_cache(maxsize=64)
def _caption_layer(lines: tuple[str, ...], W: int, H: int) -> tuple[np.ndarray, np.ndarray]:
    """The text of a caption band, drawn once per caption: ``(cover (band, W, 1), ink (band, W, 3))``,
    the glyphs' coverage in [0, 1] and their colour times coverage (a caption holds for many frames)."""
    size = max(10, H // 22)
    font = _font(size)
    band = min(H, int(len(lines) * size * 1.35 + size * 0.6))
    cover = np.zeros((band, W), np.float32)
    ink = np.zeros((band, W, 3), np.float32)
    measure = ImageDraw.Draw(Image.new("L", (1, 1)))
    y = int(size * 0.3)
    for i, ln in enumerate(lines):
        # Shorten lines that do not fit the width.
        text = ln
        while len(text) > 4 and measure.textlength(text, font=font) > W - size:
            text = text[:-2]
        if text != ln:
            text = text[:-1] + "…"
        tw = measure.textlength(text, font=font)
        mask = Image.new("L", (W, band), 0)
        ImageDraw.Draw(mask).text(((W - tw) / 2, y), text, fill=255, font=font)
        m = np.asarray(mask, np.float32) / 255.0
        ink += m[:, :, None] * np.array((255, 255, 255) if i else (235, 235, 235), np.float32)
        cover = np.maximum(cover, m)
        y += int(size * 1.35)
    cover, ink = cover[:, :, None], ink
    cover.setflags(write=False)  # shared by every frame with this caption
    ink.setflags(write=False)
    return cover, ink


def side_by_side(frames: list[np.ndarray], labels: list[str] | None = None, background=(255, 255, 255),
                 gap: int = 4) -> np.ndarray:
    """Panels left to right, separated by a grey ``gap``, each labelled. All panels must share a height."""
    if not frames:
        raise ValueError("side_by_side needs at least one frame")
    H = frames[0].shape[0]
    if any(f.shape[0] != H for f in frames):
        raise ValueError(f"panels must share a height, got {[f.shape[0] for f in frames]}")
    labels = list(labels or [])
    panels = []
    for i, f in enumerate(frames):
        if i < len(labels):
            f = draw_label(f, labels[i], background)
        if i:
            panels.append(np.full((H, gap, 3), 160, np.uint8))
        panels.append(f)
    return np.concatenate(panels, axis=1)


def caption_for_frame(t: int, text: str = "", gloss: str = "", segments: np.ndarray | None = None,
                      segment_labels: list[str] | None = None) -> list[str]:
    """Caption lines for frame ``t``: the text (or gloss), then the sign being made.

    The current sign's label comes from ``segment_labels`` (one per segment: a
    gloss, a fingerspelled letter ...); without it, from the gloss when it has one
    word per segment; otherwise "sign i/S". Between signs the second line is empty.
    """
    lines = [text or gloss]
    segs = np.zeros((0, 2), np.int64) if segments is None else np.asarray(segments).reshape(-1, 2)
    current = np.nonzero((segs[:, 0] <= t) & (t <= segs[:, 1]))[0]
    if len(current):
        i = int(current[0])
        words = gloss.split() if gloss else []
        if segment_labels is not None and i < len(segment_labels):
            lines.append(str(segment_labels[i]))
        elif len(words) == len(segs):
            lines.append(words[i])
        else:
            lines.append(f"sign {i + 1}/{len(segs)}")
    return lines
