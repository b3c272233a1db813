"""One validation layer for the numeric options of the CLI and the demo.

Every numeric setting a user can type (``--steps``, ``--guidance``, ``--seed``, ``--speed``,
``--frames``, ``--threads``, ``--size``, ``--fps`` ...) has one named range here. The CLI
commands and the demo handlers check values with :func:`check`, which returns the value
(converted to ``int`` or ``float``) or raises :class:`OptionError` naming the option, the
accepted range and what was given; NaN, infinities, booleans and out-of-range integers are
refused the same way everywhere.

Example::

    from signspark.options import check
    steps = check("steps", args.steps)             # OptionError: --steps must be an integer in [1, 1000], got 0
    seed = check("seed", seed, label="Seed")       # the demo names its own field

The browser demo's numeric fields are in :data:`FIELDS`: a range of :data:`RANGES`, narrowed
where the demo allows less, under the label the page shows (:func:`check_field`).

The library keeps its own checks; this layer gives the user a message about the option
they typed before any work starts (a model loaded, a folder created).
"""

from __future__ import annotations

import dataclasses
import math
import numbers

__all__ = ["OptionError", "Range", "RANGES", "Field", "FIELDS", "check", "check_field", "check_device", "describe",
           "MAX_GENERATED_FRAMES", "MAX_DEMO_FRAMES"]

# Longest clip generated per request; signspark.pipeline.MAX_FRAMES must be the same number.
MAX_GENERATED_FRAMES = 1024
# Longest clip the browser demo generates or renders (30 s at 25 fps).
MAX_DEMO_FRAMES = 750


class OptionError(ValueError):
    """A user-given option is out of range or of the wrong kind; the message names the option."""


@dataclasses.dataclass(frozen=True)
class Range:
    """An accepted range: ``kind`` int or float, bounds inclusive unless ``low_open``."""

    flag: str
    kind: type
    low: float
    high: float
    low_open: bool = False
    help: str = ""

    def text(self) -> str:
        if self.kind is int:
            return f"an integer in [{self.low}, {self.high}]"
        return f"a number in {'(' if self.low_open else '['}{self.low:g}, {self.high:g}]"


RANGES: dict[str, Range] = {
    "steps": Range("--steps", int, 1, 1000, help="ODE sampling steps"),
    "guidance": Range("--guidance", float, 0.0, 20.0, help="classifier-free guidance scale (1 = off)"),
    "seed": Range("--seed", int, 0, 2**32 - 1, help="random seed"),
    # 0.25 .. 4: at most four times the normal length, so that a text of the maximum length stays
    # a few thousand frames before the frame limit is applied (0.01 gave 11 871 frames).
    "speed": Range("--speed", float, 0.25, 4.0, help="signing speed (1 = normal, 2 = twice as fast)"),
    "frames": Range("--frames", int, 1, MAX_GENERATED_FRAMES, help="number of frames to generate"),
    "threads": Range("--threads", int, 1, 256, help="CPU threads"),
    "size": Range("--size", int, 16, 4096, help="frame size in pixels"),
    "fps": Range("--fps", float, 0.0, 240.0, low_open=True, help="video frames per second"),
    "input_fps": Range("--fps", float, 0.0, 1000.0, low_open=True, help="frame rate of the input clips"),
    "ply_frame": Range("--ply-frame", int, 0, 100_000, help="frame written as a .ply"),
    "ply_frame_or_middle": Range("--ply-frame", int, -1, 100_000, help="frame written as a .ply (-1: the middle one)"),
    "total_frames": Range("--frames", int, 0, MAX_GENERATED_FRAMES, help="frames in all (0: as many as needed)"),
    "per_segment": Range("--per-segment", int, 1, 1000, help="keyframes per segment"),
    "window": Range("--window", int, 1, 1_000_000, help="frames per inference window"),
    "clips": Range("--clips", int, 1, 1_000_000, help="clips per language"),
    "max_clips": Range("--max-clips", int, 1, 10_000_000, help="clips to evaluate"),
    "split_fraction": Range("--splits", float, 0.0, 1.0, help="fraction of clips in a split"),
    # 2000: fifty times the default fit of a hand (40); each step is one pass over the whole clip
    "iterations": Range("--iterations", int, 0, 2000, help="optimisation steps of a capture fit"),
    # each worker process loads the lexicon and torch (several hundred MB): a few per core at most
    "workers": Range("--workers", int, 1, 64, help="worker processes"),
    "concurrency": Range("--concurrency", int, 1, 64, help="requests processed at the same time"),
    "port": Range("--port", int, 1, 65535, help="TCP port"),
}



@dataclasses.dataclass(frozen=True)
class Field:
    """A numeric field of the browser demo: a range of :data:`RANGES`, narrowed, under the label the page shows."""

    option: str
    label: str
    low: float | None = None
    high: float | None = None


# The demo's numeric fields (its messages name them as the page does: "Sampling steps must be ...").
FIELDS: dict[str, Field] = {
    "steps": Field("steps", "Sampling steps", high=50),
    "guidance": Field("guidance", "Guidance", high=10.0),
    "seed": Field("seed", "Seed"),
    "speed": Field("speed", "Signing speed"),
    "practice_speed": Field("speed", "Signing speed", high=2.0),
    "ply_frame": Field("ply_frame_or_middle", "3D frame", high=MAX_DEMO_FRAMES),
    "total_frames": Field("total_frames", "Total frames", high=MAX_DEMO_FRAMES),
}


def describe(name: str) -> str:
    """``"an integer in [1, 1000]"``: the accepted range of option ``name``, for help texts."""
    return RANGES[name].text()


def check(name: str, value, label: str | None = None, *, low: float | None = None, high: float | None = None,
          default=None):
    """``value`` as the option's kind if it lies in the named range, else :class:`OptionError`.

    Args:
        name: a key of :data:`RANGES` (``"steps"``, ``"guidance"``, ``"seed"`` ...).
        value: what the user gave (a number, or a string such as the demo may send).
        label: how the message names the option (default: its CLI flag, e.g. ``--steps``).
        low / high: a narrower range for this caller (the demo allows at most 50 steps); they
            cannot widen the shared range.
        default: returned for ``None`` or an empty string (an option left at "default").
    """
    r = RANGES[name]
    if low is not None or high is not None:
        lo = r.low if low is None else low
        hi = r.high if high is None else high
        if lo < r.low or hi > r.high or lo > hi:
            raise ValueError(f"[{lo}, {hi}] is not within the range of {name}, {r.text()}")
        r = dataclasses.replace(r, low=lo, high=hi, low_open=r.low_open and lo == r.low)
    label = label or r.flag
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    original = value
    if isinstance(value, bool):
        raise OptionError(f"{label} must be {r.text()}, got {_short_repr(original)}")
    if isinstance(value, str):
        text = value.strip()
        try:
            value = int(text) if r.kind is int else float(text)
        except ValueError:
            raise OptionError(f"{label} must be {r.text()}, got {_short_repr(original)}") from None
    if not isinstance(value, numbers.Real):
        raise OptionError(f"{label} must be {r.text()}, got {type(original).__name__} {_short_repr(original)}")
    if r.kind is int:
        if isinstance(value, numbers.Integral):
            value = int(value)
        elif math.isfinite(float(value)) and float(value).is_integer():
            value = int(value)
        else:
            raise OptionError(f"{label} must be {r.text()}, got {_short_repr(original)}")
        if not r.low <= value <= r.high:
            raise OptionError(f"{label} must be {r.text()}, got {_short(value)}")
        return value
    value = float(value)
    ok = math.isfinite(value) and (r.low < value if r.low_open else r.low <= value) and value <= r.high
    if not ok:
        raise OptionError(f"{label} must be {r.text()}, got {_short(value)}")
    return value


def check_field(name: str, value, default=None):
    """:func:`check` for the demo's field ``name`` (a key of :data:`FIELDS`): its range and its label."""
    f = FIELDS[name]
    return check(f.option, value, f.label, low=f.low, high=f.high, default=default)


def _short(value) -> str:
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return text if len(text) <= 40 else text[:20] + "..." + text[-10:] + f" ({len(text)} digits)"


def _short_repr(value) -> str:
    """``repr(value)``, cut to about 60 characters (a message never echoes a huge input)."""
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:40]}...{text[-10:]} ({len(text)} characters)"


def check_device(value: str | None, label: str = "--device") -> str | None:
    """A torch device string that exists here (``cpu``, ``cuda``, ``cuda:N``, ``mps``), else :class:`OptionError`.

    ``None`` (the default device) is returned unchanged.
    """
    if value is None:
        return None
    import torch

    text = str(value).strip()
    try:
        dev = torch.device(text)
    except (RuntimeError, ValueError, TypeError):
        raise OptionError(f"{label} {text!r} is not a device; use cpu, cuda, cuda:N or mps") from None
    if dev.type == "cpu":
        return text
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise OptionError(f"{label} {text}: CUDA is not available on this machine (no GPU, or a CPU-only "
                              f"PyTorch); use --device cpu")
        count = torch.cuda.device_count()
        if dev.index is not None and dev.index >= count:
            raise OptionError(f"{label} {text}: there is no such GPU; this machine has {count} "
                              f"(cuda:0 .. cuda:{count - 1})")
        return text
    if dev.type == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise OptionError(f"{label} mps: Apple's Metal backend is not available here; use --device cpu")
        return text
    raise OptionError(f"{label} {text!r}: unsupported device type {dev.type!r}; use cpu, cuda, cuda:N or mps")
