"""Memory over time: a background thread that samples RSS/PSS of named process trees."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from harness.runtime.process import MemorySample
from harness.stack.warp import WarpClock

__all__ = ["MemoryPoint", "MemorySampler"]


@dataclass(frozen=True)
class MemoryPoint:
    """One sample: which process tree, when (real and virtual epoch seconds), how much."""

    process: str
    real_time: float
    virtual_time: float
    rss: int
    pss: int
    processes: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class MemorySampler:
    """Samples ``sources`` (name → callable returning a MemorySample) every ``interval`` seconds."""

    def __init__(
        self,
        sources: Callable[[], Mapping[str, Callable[[], MemorySample]]],
        clock: WarpClock,
        interval: float = 1.0,
    ) -> None:
        self._sources = sources
        self._clock = clock
        self._interval = interval
        self._points: list[MemoryPoint] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="memory-sampler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def sample_once(self) -> list[MemoryPoint]:
        """Take one sample of every source now and keep it."""
        real = time.time()
        virtual = self._clock.now(real)
        taken: list[MemoryPoint] = []
        for name, measure in list(self._sources().items()):
            try:
                sample = measure()
            except Exception:  # noqa: S112 - a process that vanished mid-sample is simply not sampled
                continue
            if sample.processes == 0:
                continue
            taken.append(MemoryPoint(name, real, virtual, sample.rss, sample.pss, sample.processes))
        with self._lock:
            self._points.extend(taken)
        return taken

    @property
    def points(self) -> list[MemoryPoint]:
        with self._lock:
            return list(self._points)

    def totals(self) -> list[tuple[float, float, int, int]]:
        """(real, virtual, rss, pss) summed over every process sampled in the same round."""
        rounds: dict[float, list[MemoryPoint]] = {}
        for point in self.points:
            rounds.setdefault(point.real_time, []).append(point)
        return [
            (real, group[0].virtual_time, sum(p.rss for p in group), sum(p.pss for p in group))
            for real, group in sorted(rounds.items())
        ]

    def peak_pss(self) -> int:
        return max((pss for *_, pss in self.totals()), default=0)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample_once()
            self._stop.wait(self._interval)
