"""C03 — "✅ Redis connection stable": after kill -9 of Redis and a restart on its port, syncing resumes."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from harness.observe.evidence import Evidence
from harness.observe.invariants import DataReport
from harness.runtime.polling import wait_for
from harness.scenario.views import (
    SYNC_TYPES,
    compare_tree,
    find_lines,
    sync_windows,
    timeline,
    wait_first_syncs,
    wait_idle,
)
from harness.stack import Stack

pytestmark = [pytest.mark.scenario, pytest.mark.criterion("C03")]

SPEED = 600.0  # the elevation interval (30 simulated minutes) passes in 3 real seconds


def test_worker_reconnects_after_a_redis_crash_and_nothing_is_lost(
    make_stack: Callable[..., Stack], evidence: Evidence
) -> None:
    stack = make_stack(own_services=True, clock_speed=SPEED)
    wait_first_syncs(stack, SYNC_TYPES, timeout=60)
    wait_idle(stack)
    # Changes made while Redis is gone must still arrive.
    edit = {
        "action": "edit",
        "kind": "elevation",
        "count": 3,
        "changes": {"userDescription": "during outage"},
    }
    stack.fake_request("POST", "/_fake/mutate", json=edit)

    stack.kill("redis")
    killed_at = stack.clock.now()
    outage_started = time.monotonic()
    stack.restart("redis")
    evidence.timing("Redis down (kill -9 → ready again)", time.monotonic() - outage_started)
    restarted_at = stack.clock.now()

    def resumed() -> bool:
        return any(
            w.trigger == "scheduled" and w.status == "completed" and w.start > restarted_at
            for w in sync_windows(stack)
        )

    wait_for(resumed, timeout=60, interval=0.25, description="a scheduled sync completed after the restart")
    evidence.timing("restart → first completed scheduled sync (real)", time.monotonic() - outage_started)

    reports: list[DataReport] = []

    def equal() -> bool:
        reports.append(compare_tree(stack))
        return reports[-1].ok

    try:
        wait_for(equal, timeout=60, interval=0.5, description="the database to equal the fake")
    finally:
        evidence.figure("database vs fake after the outage", reports[-1].summary() if reports else "-",
                        ok=bool(reports) and reports[-1].ok)  # fmt: skip
        evidence.add_timeline(timeline(sync_windows(stack), killed_at))
    for name, text in stack.middleware_logs().items():
        for line in find_lines(text, "re:(?i)redis.*(error|connect|lost|retry)", stack.observer)[:3]:
            evidence.log_line(name, line)
