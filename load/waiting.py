"""Poll a condition with a deadline; fail with the last value seen (tests and runs never sleep to wait)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from load.errors import LoadError

__all__ = ["wait_until"]

T = TypeVar("T")


def wait_until(
    observe: Callable[[], T], done: Callable[[T], bool], *, timeout: float, interval: float, description: str
) -> T:
    """Call ``observe`` until ``done(value)``; raise LoadError naming ``description`` and the last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = observe()
        if done(value):
            return value
        if time.monotonic() >= deadline:
            raise LoadError(f"timed out after {timeout:g}s waiting for {description}; last seen: {value!r}")
        time.sleep(interval)
