"""Timeline figures for the demo: sign segments, keyframes and BIO tags over time.

The figures are plain :class:`matplotlib.figure.Figure` objects (no pyplot global
state, so they are safe to build in the server's worker threads); ``gr.Plot``
shows them as images.

Example::

    fig = timeline_figure(num_frames=120, fps=25, segments=[(10, 40), (50, 90)],
                          keyframes=[10, 25, 40], labels=["H", "I"], tags=tags)
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

__all__ = ["timeline_figure", "encoded_plot", "TAG_NAMES"]

TAG_NAMES = {0: "out", 1: "in", 2: "begin"}
_SEGMENT_COLORS = ("#4c78a8", "#72b7b2")  # alternate so neighbouring signs stay apart
_KEYFRAME_COLOR = "#e63c28"
_TAG_COLORS = {0: "#d9d9d9", 1: "#9ecae9", 2: "#f58518"}


def timeline_figure(num_frames: int, fps: float = 25.0, segments: Sequence[Sequence[int]] | np.ndarray = (),
                    keyframes: Sequence[int] | np.ndarray = (), labels: Sequence[str] | None = None,
                    tags: Sequence[int] | np.ndarray | None = None, title: str | None = None,
                    pictures: Sequence | None = None) -> Figure:
    """A timeline of one clip.

    Args:
        num_frames: clip length T (frames).
        fps: frames per second (for the time axis in seconds).
        segments: (S, 2) inclusive frame ranges of the signs.
        keyframes: frame indices drawn as red ticks.
        labels: optional label per segment (a letter, a gloss), written on the bar.
        tags: optional (T,) BIO tags (0 out, 1 in, 2 begin) drawn as a coloured strip and a step line.
        title: figure title.
        pictures: optional picture per segment (a PIL image or None), e.g. the sign's SignWriting,
            drawn above its bar.

    Returns:
        A figure 8 x 2.2 inches (3.2 with tags; 1 inch taller with pictures).
    """
    T = max(int(num_frames), 1)
    segs = np.asarray(segments, dtype=np.int64).reshape(-1, 2)
    kfs = np.asarray(keyframes, dtype=np.int64).reshape(-1)
    with_tags = tags is not None and len(tags) > 0
    with_pictures = pictures is not None and any(p is not None for p in pictures)
    fig = Figure(figsize=(8, (3.2 if with_tags else 2.2) + (1.0 if with_pictures else 0.0)), dpi=100,
                 layout="constrained")
    if with_tags:
        ax_seg, ax_tag = fig.subplots(2, 1, sharex=True, height_ratios=(1.8 if with_pictures else 1, 1.2))
    else:
        ax_seg, ax_tag = fig.subplots(1, 1), None

    for i, (s, e) in enumerate(segs):
        ax_seg.broken_barh([(s - 0.5, e - s + 1)], (0.2, 0.6), facecolors=_SEGMENT_COLORS[i % 2])
        if labels is not None and i < len(labels) and labels[i]:
            ax_seg.text((s + e) / 2, 0.5, str(labels[i]), ha="center", va="center", color="white",
                        fontsize=9, fontweight="bold", clip_on=True)
    for k in kfs:
        ax_seg.axvline(k, 0.05, 0.45 if with_pictures else 0.95, color=_KEYFRAME_COLOR, linewidth=1.2)
    top = 1.0
    if with_pictures:
        from matplotlib.offsetbox import AnnotationBbox, OffsetImage

        top = 2.0
        for (s, e), pic in zip(segs, pictures):
            if pic is not None:
                img = np.asarray(pic.convert("RGBA"))
                zoom = min(1.0, 56.0 / max(img.shape[:2]))  # about 56 px high on the figure
                box = AnnotationBbox(OffsetImage(img, zoom=zoom), ((s + e) / 2, 1.45), frameon=False)
                ax_seg.add_artist(box)
    ax_seg.set_ylim(0, top)
    ax_seg.set_yticks([])
    ax_seg.set_xlim(-0.5, T - 0.5)
    ax_seg.set_ylabel("signs", rotation=0, ha="right", va="center")
    handles = [Patch(color=_SEGMENT_COLORS[0], label=f"segments ({len(segs)})"),
               Patch(color=_KEYFRAME_COLOR, label=f"keyframes ({len(kfs)})")]
    ax_seg.legend(handles=handles, loc="upper right", fontsize=7, framealpha=0.8, ncols=2)

    if with_tags:
        t = np.asarray(tags, dtype=np.int64).reshape(-1)
        x = np.arange(len(t))
        for value, color in _TAG_COLORS.items():
            ax_tag.fill_between(x, -0.4, 2.4, where=t == value, step="mid", color=color, alpha=0.5, linewidth=0)
        ax_tag.step(x, t, where="mid", color="black", linewidth=1.0)
        ax_tag.set_yticks(list(TAG_NAMES), [f"{v} {n}" for v, n in TAG_NAMES.items()])
        ax_tag.set_ylim(-0.4, 2.4)
        ax_tag.set_ylabel("BIO tag", rotation=0, ha="right", va="center")
    bottom = ax_tag if ax_tag is not None else ax_seg
    bottom.set_xlabel("frame")
    if fps and fps > 0:
        top = ax_seg.secondary_xaxis("top", functions=(lambda f: f / fps, lambda s: s * fps))
        top.set_xlabel("seconds", fontsize=8)
        top.tick_params(labelsize=7)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def encoded_plot(fig: Figure, fmt: str = "webp"):
    """``fig`` drawn and encoded now, as the ``gr.Plot`` value that Gradio would otherwise make when
    sending the response (drawing takes about 0.25 s; done here, it can overlap other work)."""
    import base64
    import io

    from gradio.components.plot import PlotData

    buf = io.BytesIO()
    fig.savefig(buf, format=fmt)
    return PlotData(type="matplotlib", plot=f"data:image/{fmt};base64,{base64.b64encode(buf.getvalue()).decode()}")
