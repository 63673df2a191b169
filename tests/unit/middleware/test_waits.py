"""Timed waits under a clock warped from outside: ``wait_or_stop`` returns, a timed Event.wait does not."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

from harness.stack.warp import faketime_library
from middleware.waits import wait_or_stop

_PROGRAM = """
import threading, time
from middleware.waits import wait_or_stop
stop = threading.Event()
started = time.time()
for _ in range(3):
    {wait}
print(round(time.time() - started))
"""


def _warped(wait: str, timeout: float) -> subprocess.CompletedProcess[str] | None:
    env = {**os.environ, "LD_PRELOAD": str(faketime_library()), "FAKETIME": "+1h x100",
           "FAKETIME_DONT_RESET": "1"}  # fmt: skip
    try:
        command = [sys.executable, "-c", _PROGRAM.format(wait=wait)]
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return None


def test_a_warped_wait_takes_virtual_time() -> None:
    # 3 x 5 virtual seconds at 100x: 0.15 s of real time (plus the interpreter's start)
    done = _warped("wait_or_stop(stop, 5)", timeout=20)
    assert done is not None, "wait_or_stop hung under libfaketime"
    assert 15 <= int(done.stdout) < 60


def test_a_timed_event_wait_hangs_under_the_warp_which_is_why_wait_or_stop_exists() -> None:
    assert _warped("stop.wait(5)", timeout=3) is None


def test_a_stop_ends_the_wait_at_once() -> None:
    stop = threading.Event()
    threading.Timer(0.1, stop.set).start()
    started = time.monotonic()
    assert wait_or_stop(stop, 30) is True
    assert time.monotonic() - started < 1.0
    assert wait_or_stop(stop, 30) is True


def test_without_a_stop_the_wait_lasts_its_time() -> None:
    started = time.monotonic()
    assert wait_or_stop(threading.Event(), 0.3) is False
    assert 0.29 <= time.monotonic() - started < 1.0
