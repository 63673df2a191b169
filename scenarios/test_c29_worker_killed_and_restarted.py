"""C29 — the whole worker is SIGKILLed mid-sync (a container OOM-killed or `docker kill`ed) and started again.

Unlike C25 no parent survives to notice the loss: the runs the dead worker held, its queued chain and its
Logikal sessions can only be found by what starts next. Within two beat periods of the restart the killed runs
are closed and redone, the type is not blocked, the edits made before the kill reach the database (the longest
interval + two beats), and no Logikal session the dead processes opened stays open.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from harness.observe.evidence import Evidence
from harness.scenario.chaos import edit_elevations, judge_recovery, wait_run_in_progress, worker_process
from harness.scenario.views import sync_configs
from harness.stack import Stack

# a recovery that never comes is judged at its bound (longest interval + two beats), past the default timeout
pytestmark = [pytest.mark.scenario, pytest.mark.criterion("C29"), pytest.mark.timeout(300)]


def test_a_sync_whose_whole_worker_is_killed_is_redone_after_the_restart(
    make_stack: Callable[..., Stack], evidence: Evidence
) -> None:
    # Production-like Logikal latency (scaled) so that a sync is in progress long enough to be killed.
    stack = make_stack(fake_latency="production", fake_time_scale=0.02, clock_speed=120.0)
    stack.observer.disable_heavy_types()
    beat = stack.config.sync_interval_seconds
    edit_elevations(stack, 12, "before the kill")
    running = wait_run_in_progress(stack)
    fault_at = stack.clock.now()
    target = worker_process(stack)
    stack.kill(target)
    evidence.figure("killed", f"the whole {target} process tree during a {running.sync_type} run")
    started = time.monotonic()
    stack.restart(target)
    evidence.figure(f"{target} ready again after", round(time.monotonic() - started, 1), "s (real)")
    intervals = [c["interval_seconds"] for c in sync_configs(stack).values() if c["enabled"]]
    judge_recovery(stack, evidence, fault_at=fault_at, back_at=stack.clock.now(), killed_at=fault_at,
                   close_bound=2 * beat, converge_bound=max(intervals, default=0) + 2 * beat)  # fmt: skip
