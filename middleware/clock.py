"""The one clock every middleware time read goes through; it can run faster for the harness (time warp)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

__all__ = ["Clock", "ManualClock", "SystemClock", "WarpedClock", "clock_from_settings"]


class Clock:
    """Interface: ``now()`` (aware UTC datetime), ``time()`` (epoch seconds) and ``speed``."""

    speed: float = 1.0

    def time(self) -> float:
        raise NotImplementedError

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.time(), tz=UTC)

    def real_seconds(self, virtual_seconds: float) -> float:
        """How long ``virtual_seconds`` of this clock last in real time."""
        return virtual_seconds / self.speed


class SystemClock(Clock):
    """Real time."""

    def time(self) -> float:
        return time.time()


@dataclass
class WarpedClock(Clock):
    """Virtual time = anchor + speed x (real - anchor); processes sharing anchor and speed agree."""

    speed: float = 1.0
    anchor: float = field(default_factory=time.time)

    def time(self) -> float:
        real = time.time()
        return self.anchor + self.speed * (real - self.anchor)


@dataclass
class ManualClock(Clock):
    """A clock tests move by hand."""

    current: float = field(default_factory=time.time)

    def time(self) -> float:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += seconds


def clock_from_settings(speed: float, anchor: float | None) -> Clock:
    if speed == 1.0 and anchor is None:
        return SystemClock()
    return WarpedClock(speed=speed, anchor=anchor if anchor is not None else time.time())
