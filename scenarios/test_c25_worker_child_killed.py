"""C25 — work accepted survives a crash: the worker's pool child is SIGKILLed in the middle of a sync.

Within two beat periods the killed run is closed (abandoned/failed with a reason) and redone, the type is not
blocked, the edits made before the kill reach the database (its interval + two beats), and no Logikal session
the dead process opened stays open.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from harness.observe.evidence import Evidence
from harness.scenario.chaos import edit_elevations, judge_recovery, wait_run_in_progress, worker_process
from harness.scenario.views import sync_configs
from harness.stack import Stack

# a recovery that never comes is judged at its bound (longest interval + two beats), past the default timeout
pytestmark = [pytest.mark.scenario, pytest.mark.criterion("C25"), pytest.mark.timeout(300)]


def test_a_sync_whose_pool_child_is_killed_is_redone_and_nothing_is_lost(
    make_stack: Callable[..., Stack], evidence: Evidence
) -> None:
    # Production-like Logikal latency (scaled) so that a sync is in progress long enough to be killed.
    stack = make_stack(fake_latency="production", fake_time_scale=0.02, clock_speed=120.0)
    stack.observer.disable_heavy_types()
    beat = stack.config.sync_interval_seconds
    edit_elevations(stack, 12, "before the kill")
    running = wait_run_in_progress(stack)
    fault_at = stack.clock.now()
    killed = stack.kill_child(worker_process(stack))
    evidence.figure("killed", f"pool child pid {killed} during a {running.sync_type} run")
    intervals = [c["interval_seconds"] for c in sync_configs(stack).values() if c["enabled"]]
    judge_recovery(stack, evidence, fault_at=fault_at, killed_at=fault_at, close_bound=2 * beat,
                   converge_bound=max(intervals, default=0) + 2 * beat)  # fmt: skip
