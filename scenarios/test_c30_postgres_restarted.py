"""C30 — PostgreSQL crashes (SIGKILL) in the middle of a sync and comes back after crash recovery.

Every connection the middleware holds dies at once, with the run rows it would close and the advisory locks
it holds. Within two beat periods of PostgreSQL's return the runs in progress at the crash are closed, syncing
goes on by itself (no process restarted), the edits made before the crash reach the database (the longest
interval + two beats), and no Logikal session stays open.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from harness.observe.evidence import Evidence
from harness.runtime.services.base import ServiceKind
from harness.scenario.chaos import edit_elevations, judge_recovery, wait_run_in_progress
from harness.scenario.views import sync_configs
from harness.stack import Stack

# a recovery that never comes is judged at its bound (longest interval + two beats), past the default timeout
pytestmark = [pytest.mark.scenario, pytest.mark.criterion("C30"), pytest.mark.timeout(300)]

DOWN_REAL_SECONDS = 3.0  # PostgreSQL stays dead this long before it is started again


def test_syncing_goes_on_after_postgresql_crashed_mid_sync(
    make_stack: Callable[..., Stack], evidence: Evidence
) -> None:
    # Its own PostgreSQL (other Stacks share the session's), and a sync slow enough to be caught running.
    stack = make_stack(own_services=True, fake_latency="production", fake_time_scale=0.02, clock_speed=120.0)
    stack.observer.disable_heavy_types()
    beat = stack.config.sync_interval_seconds
    intervals = [c["interval_seconds"] for c in sync_configs(stack).values() if c["enabled"]]
    edit_elevations(stack, 12, "before the crash")
    running = wait_run_in_progress(stack)
    fault_at = stack.clock.now()
    stack.kill(ServiceKind.POSTGRES.value)
    time.sleep(DOWN_REAL_SECONDS)
    started = time.monotonic()
    stack.restart(ServiceKind.POSTGRES.value)
    evidence.figure("killed", f"PostgreSQL during a {running.sync_type} run")
    evidence.figure("PostgreSQL down for", DOWN_REAL_SECONDS, "s (real)")
    evidence.figure("PostgreSQL ready again after", round(time.monotonic() - started, 1), "s (real)")
    judge_recovery(stack, evidence, fault_at=fault_at, back_at=stack.clock.now(), close_bound=2 * beat,
                   converge_bound=max(intervals, default=0) + 2 * beat)  # fmt: skip
