"""Time warp: one anchor and speed per Stack, applied from outside the build (libfaketime) or via CLOCK_SPEED.

virtual = anchor + speed x (real - anchor). With the external warp every process of the Stack (the fake
and each middleware process) runs under Debian's libfaketime with an offset computed at its own spawn, so
processes started seconds apart agree; ``FAKETIME_DONT_RESET`` makes children the build execs itself (a
supervisor's worker and beat) continue the timeline instead of starting over. PostgreSQL and Redis are not
warped: ``now()`` and TTLs stay real time, and every timeout inside the build shrinks by the speed (see
``scaled_settings``).
"""

from __future__ import annotations

import contextlib
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

from harness.errors import HarnessError

__all__ = [
    "CLOCK_ECHO",
    "FAKETIME_LIBRARIES",
    "WarpClock",
    "WarpMode",
    "clock_settings",
    "fake_time_scale",
    "faketime_env",
    "faketime_library",
    "scale_durations",
    "scaled_settings",
    "spawn_delay",
    "sweep_shared_memory",
]

FAKETIME_LIBRARIES = (
    Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1"),
    Path("/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1"),
    Path("/usr/lib/faketime/libfaketimeMT.so.1"),
    Path("/usr/local/lib/faketime/libfaketimeMT.so.1"),
)


class WarpMode(StrEnum):
    EXTERNAL = "external"  # libfaketime around every process: the build needs no cooperation
    CLOCK_SPEED = "clock_speed"  # the build reads CLOCK_SPEED / CLOCK_ANCHOR itself (ours does)


@dataclass(frozen=True)
class WarpClock:
    """Virtual time = anchor + speed x (real - anchor); the harness reads it, SUT processes live in it."""

    speed: float = 1.0
    anchor: float = 0.0

    def now(self, real: float | None = None) -> float:
        real = time.time() if real is None else real
        return self.anchor + self.speed * (real - self.anchor)

    def real_seconds(self, virtual_seconds: float) -> float:
        return virtual_seconds / self.speed

    def real_time(self, virtual: float) -> float:
        """The real epoch second at which the virtual clock shows ``virtual``."""
        return self.anchor + (virtual - self.anchor) / self.speed


def faketime_library(candidates: tuple[Path, ...] = FAKETIME_LIBRARIES) -> Path:
    """The multi-threaded libfaketime; a clear error naming the package when it is not installed."""
    for path in candidates:
        if path.is_file():
            return path
    raise HarnessError(
        "libfaketime is not installed (needed for the external time warp): "
        "`apt-get install faketime libfaketime` (./run bootstrap does it as root)"
    )


def _offset_env(library: Path, speed: float, offset: float) -> dict[str, str]:
    return {
        "LD_PRELOAD": str(library),
        # Relative offset + speed: virtual = start + offset + speed x (now - start), start = library init.
        "FAKETIME": f"{offset:+.6f} x{speed:g}",
        "FAKETIME_DONT_RESET": "1",
        "LC_NUMERIC": "C",  # libfaketime parses the fraction with the locale's delimiter
    }


# A child that says "ready", then answers each line on stdin with its clock: how a warp is measured.
CLOCK_ECHO = "\n".join(
    [
        "import sys, time",
        "print('ready', flush=True)",
        "for _ in sys.stdin:",
        "    print(repr(time.time()), flush=True)",
    ]
)


@cache
def spawn_delay(speed: float = 100.0, rounds: int = 5) -> float:
    """Real seconds between our spawn and libfaketime's start in the child (median; a few ms).

    The offset is computed before the spawn, the child's timeline starts when the library loads: without this
    correction a process would lag (speed - 1) x delay virtual seconds (0.5 s at 120x, 5 s at 1440x).
    """
    library = faketime_library()
    samples = []
    for _ in range(rounds):
        anchor = time.time()
        env = _offset_env(library, speed, (speed - 1) * (time.time() - anchor))
        with subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", CLOCK_ECHO],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        ) as child:
            assert child.stdin is not None
            assert child.stdout is not None
            child.stdout.readline()  # "ready": the handshake below measures the clock, not the start-up
            real = time.time()
            child.stdin.write("x\n")
            child.stdin.flush()
            seen = float(child.stdout.readline())
            child.stdin.close()
        expected = anchor + speed * (real - anchor)
        samples.append(max(0.0, (expected - seen) / (speed - 1)))
    return statistics.median(samples)


def faketime_env(clock: WarpClock, *, real: float | None = None) -> dict[str, str]:
    """The environment that puts one process spawned now on the Stack's virtual timeline."""
    library = faketime_library()
    delay = spawn_delay() if clock.speed != 1.0 else 0.0
    real = (time.time() if real is None else real) + delay
    return _offset_env(library, clock.speed, (clock.speed - 1) * (real - clock.anchor))


def scaled_settings(declared: Mapping[str, float], speed: float) -> dict[str, str]:
    """Durations a build keeps in its own clock, multiplied so that they keep their real-time length.

    Under the external warp a 30 s HTTP timeout would fire after 30/speed real seconds; a profile lists such
    settings (name → real seconds the harness wants) and gets ``value x speed`` virtual seconds.
    """
    return {name: f"{seconds * speed:g}" for name, seconds in declared.items()}


def clock_settings(
    mode: WarpMode, clock: WarpClock, scaled: Mapping[str, float], warped: Mapping[str, str] | None = None
) -> dict[str, str]:
    """What a build is told about time: CLOCK_SPEED/CLOCK_ANCHOR when it warps itself, else its duration
    settings stretched by the speed; under either warp also the profile's ``warped`` settings (count-based
    limits whose real-time cost the warp would magnify)."""
    extra = dict(warped or {}) if clock.speed != 1.0 else {}
    if mode is WarpMode.CLOCK_SPEED:
        return {"CLOCK_SPEED": f"{clock.speed:g}", "CLOCK_ANCHOR": f"{clock.anchor:.6f}", **extra}
    return {**scaled_settings(scaled, clock.speed), **extra}


def scale_durations(
    mode: WarpMode, clock: WarpClock, settings: Mapping[str, str], scaled: Mapping[str, float]
) -> dict[str, str]:
    """A scenario's settings: durations the profile scales are given in real seconds and stretched here."""
    result = dict(settings)
    if mode is WarpMode.EXTERNAL:
        given = {name: float(result[name]) for name in set(result) & set(scaled)}
        result.update(scaled_settings(given, clock.speed))
    return result


def fake_time_scale(mode: WarpMode, clock: WarpClock, scale: float | None) -> list[str]:
    """The fake's ``--time-scale``: its latency sleeps run in its own clock, which the external warp speeds
    up, so the scale is raised by the speed to keep the real durations the scenarios were tuned for."""
    if scale is None:
        return []
    if mode is WarpMode.EXTERNAL:
        scale *= clock.speed
    return ["--time-scale", f"{scale:g}"]


_SEGMENT = re.compile(r"^(?:sem\.)?faketime_(?:shm|sem)_(\d+)$")


def sweep_shared_memory(root: Path = Path("/dev/shm")) -> int:  # noqa: S108 - where POSIX shm lives
    """Remove the shared-memory segments libfaketime left behind for processes that are gone.

    With ``FAKETIME_DONT_RESET`` every warped process creates ``faketime_shm_<pid>`` and a semaphore and never
    removes them; a day of test runs would leave thousands. Segments of live processes are kept.
    """
    removed = 0
    if not root.is_dir():
        return 0
    for entry in root.iterdir():
        match = _SEGMENT.match(entry.name)
        if match is None or _is_alive(int(match.group(1))):
            continue
        with contextlib.suppress(OSError):
            entry.unlink()
            removed += 1
    return removed


def _is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
