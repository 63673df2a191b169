"""Timed waits that keep working when the process's clock is warped from outside (libfaketime).

Under libfaketime a timed ``threading.Event.wait`` (and every lock acquire with a timeout) never returns: the
deadline is computed on the faked monotonic clock and handed to the kernel, which compares it with the real
one. ``time.sleep`` is warped consistently, so a timed wait is a few short sleeps that watch the event.
"""

from __future__ import annotations

import threading
import time

__all__ = ["wait_or_stop"]

_SLICES = 10  # sleeps per wait: a stop is seen within a tenth of the wait
_MAX_SLICE_SECONDS = 0.5


def wait_or_stop(stop: threading.Event, seconds: float) -> bool:
    """Sleep up to ``seconds``; True as soon as ``stop`` is set (also when it was set already)."""
    deadline = time.monotonic() + max(seconds, 0.0)
    step = min(_MAX_SLICE_SECONDS, max(seconds, 0.0) / _SLICES) or 0.001
    while not stop.is_set():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        time.sleep(min(step, remaining))
    return True
