"""C26 — Redis frozen (SIGSTOP) longer than the broker's timeouts, then resumed: syncing resumes by itself.

A paused Redis keeps its sockets open and answers nothing — unlike C03's crash, no connection error arrives.
After it resumes: a scheduled sync completes within two beat periods (plus a real-time reconnect allowance),
every run open at the pause is closed, the edits made during the pause reach the database, and no Logikal
session stays open.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from harness.observe.evidence import Evidence
from harness.runtime.polling import wait_for
from harness.scenario.chaos import edit_elevations, judge_recovery
from harness.scenario.views import SYNC_TYPES, sync_windows, wait_first_syncs, wait_idle
from harness.stack import Stack

pytestmark = [pytest.mark.scenario, pytest.mark.criterion("C26")]

PAUSE_REAL_SECONDS = 12.0  # longer than kombu's and redis-py's socket and health-check timeouts here
RECONNECT_REAL_SECONDS = 15.0


def test_syncing_resumes_after_redis_was_frozen(make_stack: Callable[..., Stack], evidence: Evidence) -> None:
    stack = make_stack(own_services=True, clock_speed=120.0)
    stack.observer.disable_heavy_types()
    beat = stack.config.sync_interval_seconds
    wait_first_syncs(stack, SYNC_TYPES, timeout=stack.clock.real_seconds(4 * beat) + 30)
    wait_idle(stack, timeout=stack.clock.real_seconds(4 * beat) + 30)
    stack.pause("redis")
    fault_at = stack.clock.now()
    started = time.monotonic()
    edit_elevations(stack, 5, "while Redis was frozen")
    try:
        wait_for(lambda: time.monotonic() - started >= PAUSE_REAL_SECONDS, timeout=PAUSE_REAL_SECONDS + 5,
                 interval=0.5, description="the pause")  # fmt: skip
    finally:
        stack.resume("redis")
    resumed_at = stack.clock.now()
    evidence.figure("Redis frozen for", PAUSE_REAL_SECONDS, "s (real)")

    def completed_after_resume() -> bool:
        return any(w.status == "completed" and w.start >= resumed_at for w in sync_windows(stack))

    # Two beats of virtual time, plus RECONNECT_REAL_SECONDS of real time for the broker connections to come
    # back (a real-time cost the warp multiplies: ~6-9 s real here, whatever the speed).
    allowance = 2 * beat + stack.clock.speed * RECONNECT_REAL_SECONDS
    wait_for(completed_after_resume, timeout=stack.clock.real_seconds(allowance) + 5, interval=0.25,
             description="a sync completed after Redis resumed")  # fmt: skip
    restarted_after = stack.clock.now() - resumed_at
    evidence.figure("first completed sync after the resume", round(restarted_after), "s (virtual)",
                    bound=f"≤ {allowance:.0f}", ok=restarted_after <= allowance)  # fmt: skip
    elevation = stack.observer.sync_configs()["elevation"]["interval_seconds"]
    # The run the freeze caught is closed (completed, or abandoned and redone) by the time the edits must
    # have arrived: the pause, the elevation interval and two beats.
    converge = (resumed_at - fault_at) + elevation + 2 * beat
    judge_recovery(stack, evidence, fault_at=fault_at, close_bound=converge, converge_bound=converge)
