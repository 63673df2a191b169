"""Virtual time of the fake: an offset and a speed over a real time source."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

__all__ = ["FakeClock"]


class FakeClock:
    """`now()` = anchor_virtual + (real_now - anchor_real) * speed, in epoch seconds.

    Drives changedDate bumps, session idle expiry and fault windows, so a harness can warp time without
    touching the machine clock. Real sleeps (latency) are not affected by the speed.
    """

    def __init__(self, time_source: Callable[[], float] = time.time, offset: float = 0.0, speed: float = 1.0):
        self._source = time_source
        self._anchor_real = time_source()
        self._anchor_virtual = self._anchor_real + offset
        self._speed = speed

    def now(self) -> float:
        return self._anchor_virtual + (self._source() - self._anchor_real) * self._speed

    @property
    def speed(self) -> float:
        return self._speed

    @property
    def offset(self) -> float:
        return self.now() - self._source()

    def set(
        self,
        *,
        now: float | None = None,
        offset: float | None = None,
        speed: float | None = None,
        advance: float | None = None,
    ) -> None:
        """Re-anchor the clock; `now` wins over `offset`, then `advance` moves it forward."""
        current = self.now()
        real = self._source()
        if now is not None:
            current = now
        elif offset is not None:
            current = real + offset
        if advance is not None:
            current += advance
        if speed is not None:
            if speed < 0:
                raise ValueError("speed must be >= 0")
            self._speed = speed
        self._anchor_real, self._anchor_virtual = real, current

    def snapshot(self) -> dict[str, Any]:
        return {"now": self.now(), "offset": self.offset, "speed": self._speed}
