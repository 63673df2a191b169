"""The external warp on real processes: one timeline for processes spawned apart and for the children a build
execs itself; isolation gives a build a private /tmp."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.runtime.isolation import isolated_command
from harness.runtime.polling import wait_for
from harness.stack.warp import CLOCK_ECHO, WarpClock, faketime_env

pytestmark = [pytest.mark.integration]

_ECHO_TIME = CLOCK_ECHO
# A "supervisor" that execs a child a second after it started, as `python -m middleware start` does.
_SUPERVISOR = (
    "import subprocess, sys, time\n"
    "time.sleep(float(sys.argv[1]))\n"
    f"subprocess.run([sys.executable, '-c', {_ECHO_TIME!r}])\n"
)


def _end(child: subprocess.Popen[str]) -> None:
    child.kill()
    child.communicate()


def _virtual_error(child: subprocess.Popen[str], clock: WarpClock) -> float:
    assert child.stdin is not None
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    real = time.time()
    child.stdin.write("x\n")
    child.stdin.flush()
    return float(child.stdout.readline()) - clock.now(real)


def test_processes_spawned_seconds_apart_share_the_stacks_timeline() -> None:
    clock = WarpClock(speed=120.0, anchor=time.time())
    children = []
    pipes = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE, "text": True}
    first = time.monotonic()
    for round_ in range(2):
        # The second process is spawned a real second after the first: 120 virtual seconds apart.
        wait_for(lambda r=round_: time.monotonic() - first >= r, timeout=5, description="the spawn moment")
        env = faketime_env(clock)
        children.append(subprocess.Popen([sys.executable, "-c", _ECHO_TIME], env=env, **pipes))
    try:
        errors = [_virtual_error(child, clock) for child in children]
    finally:
        for child in children:
            _end(child)
    # Started a real second (120 virtual s) apart, both follow the Stack's formula; what is left is
    # libfaketime starting a few ms after our spawn (x speed), bounded here by 40 ms of real spawn delay.
    bound = 0.04 * clock.speed
    assert all(abs(error) < bound for error in errors), errors


def test_a_child_the_build_execs_later_continues_the_timeline() -> None:
    clock = WarpClock(speed=60.0, anchor=time.time())
    # The supervisor waits 60 virtual seconds (libfaketime shortens the sleep to 1 real second), then execs.
    supervisor = subprocess.Popen([sys.executable, "-c", _SUPERVISOR, "60"], env=faketime_env(clock),
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        started = time.monotonic()
        error = _virtual_error(supervisor, clock)
        waited = time.monotonic() - started
    finally:
        _end(supervisor)
    assert waited < 30, f"the warped sleep of 60 virtual s took {waited:.1f} real s"
    # Without FAKETIME_DONT_RESET the exec'd child would restart at the spawn's virtual time: 60 s behind.
    assert abs(error) < 0.04 * clock.speed, error


def test_an_isolated_process_writes_to_a_private_tmp(tmp_path: Path) -> None:
    marker = f"isolation-probe-{time.time_ns()}"
    share = tmp_path / "share"
    share.mkdir()
    command = isolated_command(
        ["sh", "-c", f"echo private > /tmp/{marker} && cat /tmp/{marker} > /data/seen && ls /tmp | wc -l"],
        binds=[f"{share}:/data"],
    )
    done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1", "the private /tmp holds only the probe's own file"
    assert not (Path("/tmp") / marker).exists()
    assert (share / "seen").read_text().strip() == "private"
