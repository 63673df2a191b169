"""Benchmark: the external time warp (libfaketime) against the build's own CLOCK_SPEED, side by side.

For each speed: how far apart two processes spawned seconds apart see the clock (virtual seconds), and the
real and virtual duration of one force sync of DOS22309 (wait=true) on our middleware in each warp mode.
Speeds where the external warp's virtual durations stay within the bound of the built-in clock's are the
ones the gate can trust (docs/sut-profiles.md quotes the figures).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from harness.runtime.services import start_provider
from harness.stack import Stack, StackConfig
from harness.stack.profile import load_profile
from harness.stack.warp import CLOCK_ECHO, WarpClock, WarpMode, faketime_env, spawn_delay


def clock_agreement(speed: float, gap: float = 0.5) -> float:
    """Largest |virtual error| in seconds among 3 processes spawned ``gap`` real seconds apart."""
    clock = WarpClock(speed=speed, anchor=time.time())
    children = []
    for _ in range(3):
        env = faketime_env(clock)
        children.append(subprocess.Popen([sys.executable, "-I", "-S", "-c", CLOCK_ECHO], env=env, text=True,
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE))  # fmt: skip
        time.sleep(gap)
    errors = []
    for child in children:
        assert child.stdin is not None
        assert child.stdout is not None
        child.stdout.readline()  # "ready"
        real = time.time()
        child.stdin.write("x\n")
        child.stdin.flush()
        errors.append(abs(float(child.stdout.readline()) - clock.now(real)))
        child.kill()
        child.wait()
    return max(errors)


def force_sync(speed: float, mode: WarpMode, provider: object) -> tuple[float, float]:
    """(real s, virtual s) of one force sync with wait=true, parts lists included."""
    config = StackConfig(profile=load_profile(), clock_speed=speed, warp=mode, background_sync=False)
    with Stack(config, provider=provider) as stack:  # type: ignore[arg-type]
        started_real, started_virtual = time.time(), stack.clock.now()
        response = stack.observer.force_sync("DOS22309", "Demo Odoo", wait=True)
        assert response.status_code == 200, response.text[:300]
        return time.time() - started_real, stack.clock.now() - started_virtual


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--speeds", default="60,120,600,1440")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    speeds = [float(s) for s in args.speeds.split(",")]
    print(f"spawn delay (libfaketime start after our spawn): {spawn_delay() * 1000:.2f} ms (median of 5)")
    print("speed | clock error of 3 processes (max, virtual s) | force sync real s: clock_speed / external"
          " | virtual s: clock_speed / external")  # fmt: skip
    with start_provider(None) as provider:
        for speed in speeds:
            errors = [clock_agreement(speed) for _ in range(args.runs)]
            builtin = [force_sync(speed, WarpMode.CLOCK_SPEED, provider) for _ in range(args.runs)]
            external = [force_sync(speed, WarpMode.EXTERNAL, provider) for _ in range(args.runs)]
            real_b = statistics.median(r for r, _ in builtin)
            real_e = statistics.median(r for r, _ in external)
            virt_b = statistics.median(v for _, v in builtin)
            virt_e = statistics.median(v for _, v in external)
            print(f"{speed:>5g} | {statistics.median(errors):.2f} | {real_b:.2f} / {real_e:.2f} "
                  f"(x{real_e / real_b:.1f}) | {virt_b:.0f} / {virt_e:.0f}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
