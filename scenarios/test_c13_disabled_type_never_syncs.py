"""C13 — "Enable/disable sync for specific object types if needed": is_sync_enabled=false → never syncs."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from harness.observe.evidence import Evidence
from harness.runtime.polling import wait_for
from harness.scenario.views import sync_windows, timeline
from harness.stack import Stack

pytestmark = [pytest.mark.scenario, pytest.mark.criterion("C13")]

SPEED = 1200.0  # 30 simulated minutes (the elevation interval) pass in 1.5 real seconds


def test_a_disabled_type_never_syncs_while_the_others_go_on(
    make_stack: Callable[..., Stack], evidence: Evidence
) -> None:
    stack = make_stack(clock_speed=SPEED)
    beat = stack.config.sync_interval_seconds
    stack.observer.set_enabled("elevation", False)
    stack.observer.set_interval("phase", 30)
    disabled_at = stack.clock.now()
    # A run the first tick queued before the change may still run; none may be queued after the next tick.
    cutoff = disabled_at + beat
    observe_until = disabled_at + 4 * 30 * 60

    def phase_runs_after_cutoff() -> int:
        return sum(1 for w in sync_windows(stack) if w.sync_type == "phase" and w.queued > cutoff)

    wait_for(lambda: stack.clock.now() >= observe_until and phase_runs_after_cutoff() >= 2,
             timeout=stack.clock.real_seconds(observe_until - disabled_at) + 30, interval=0.25,
             description="4 elevation intervals with the scheduler running")  # fmt: skip
    windows = sync_windows(stack)
    late = [w for w in windows if w.sync_type == "elevation" and w.queued > cutoff]
    evidence.add_timeline(timeline(windows, disabled_at))
    evidence.figure(
        "simulated hours observed while disabled", round((stack.clock.now() - disabled_at) / 3600, 1), "h"
    )
    evidence.figure("phase runs meanwhile (scheduler alive)", phase_runs_after_cutoff(), bound="≥ 2", ok=True)
    evidence.figure("elevation runs after disabling", len(late), bound="0", ok=not late)
    assert not late, f"disabled elevation sync ran: {late}"
