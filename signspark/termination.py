"""SIGTERM as a clean exit for the command line.

A terminated command should clean up like an interrupted one (temporary files removed, the video
encoder stopped). The handler raises ``SystemExit(143)`` in the main thread; Python drops an exception
raised while the main thread runs a finaliser (``__del__``, a weakref callback), so the request is also
remembered and long loops call :func:`raise_if_terminated` to honour it at their next step.
"""

from __future__ import annotations

import signal
import threading

_pending: int | None = None


def install():
    """Install the handler (main thread only). Returns the previous handler, or None if not installed."""
    global _pending
    if threading.current_thread() is not threading.main_thread():
        return None
    _pending = None

    def terminate(signum, frame):
        global _pending
        _pending = signum
        raise SystemExit(128 + signum)

    return signal.signal(signal.SIGTERM, terminate)


def restore(previous) -> None:
    """Put back the handler that :func:`install` replaced."""
    global _pending
    if previous is not None:
        signal.signal(signal.SIGTERM, previous)
    _pending = None


def raise_if_terminated() -> None:
    """Raise ``SystemExit(128 + signal)`` if a termination was requested and not yet honoured."""
    if _pending is not None:
        raise SystemExit(128 + _pending)
