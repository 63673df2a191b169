"""C16 — "Sync task failures → Review logs": faults retried, failures recorded, next tick converges.

Faults: a 503 burst, a hanging call (client timeout), 409 "locked" on select, an expired session, and a
listing that fails longer than any retry budget. While they are active a failed or partial run must be
recorded; once they are cleared, the next ticks must bring the database back to the fake's state, with every
Logikal session closed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from harness.errors import WaitTimeoutError
from harness.observe.evidence import Evidence
from harness.observe.invariants import DataReport, sessions_left_open
from harness.runtime.polling import wait_for
from harness.scenario.views import (
    SYNC_TYPES,
    compare_tree,
    sync_windows,
    timeline,
    wait_first_syncs,
    wait_idle,
)
from harness.stack import Stack

pytestmark = [pytest.mark.scenario, pytest.mark.criterion("C16")]

FAULTS: list[dict[str, Any]] = [
    {
        "id": "burst-503",
        "effect": "status",
        "status": 503,
        "method": "GET",
        "path": "/elevations",
        "times": 2,
    },
    {"id": "timeout", "effect": "hang", "hang_s": 5, "path": "/phases", "times": 1},
    {"id": "locked", "effect": "locked", "path": "/projects/select", "times": 1},
    {"id": "expired", "effect": "session_expired", "path": "/phases/select", "times": 1},
    {"id": "down", "effect": "status", "status": 500, "method": "GET", "path": "/projects", "times": 40},
]


def test_faults_are_retried_recorded_and_the_next_tick_converges(
    make_stack: Callable[..., Stack], evidence: Evidence
) -> None:
    stack = make_stack(clock_speed=600.0, settings={"LOGIKAL_API_TIMEOUT": "2"})
    stack.observer.disable_heavy_types()
    wait_first_syncs(stack, SYNC_TYPES, timeout=60)
    wait_idle(stack)
    edit = {"action": "edit", "kind": "elevation", "count": 3, "changes": {"userDescription": "under faults"}}
    stack.fake_request("POST", "/_fake/mutate", json=edit)
    faults_from = stack.clock.now()
    stack.fake_request("POST", "/_fake/faults", json={"faults": FAULTS})

    def all_applied() -> list[str]:
        rules = stack.fake_request("GET", "/_fake/faults")["faults"]
        return [r["id"] for r in rules if r["applied"] == 0]

    try:
        wait_for(lambda: not all_applied(), timeout=90, interval=0.5, description="every fault applied once")
    except WaitTimeoutError:
        pytest.fail(f"faults never applied: {all_applied()}")
    rules = stack.fake_request("GET", "/_fake/faults")["faults"]
    for rule in rules:
        evidence.figure(f"fault {rule['id']} ({rule['effect']}) applied", rule["applied"])

    def failure_recorded() -> list[Any]:
        return [
            w for w in sync_windows(stack) if w.start >= faults_from and w.status in ("failed", "partial")
        ]

    wait_for(failure_recorded, timeout=60, interval=0.5, description="a failed or partial run recorded")
    failed = failure_recorded()
    evidence.figure("runs recorded failed/partial under faults", len(failed), bound="≥ 1", ok=bool(failed))
    evidence.note(f"recorded failure: {stack.observer.run_error(failed[0].run_id)[:300]}")

    stack.fake_request("DELETE", "/_fake/faults")
    cleared_at = stack.clock.now()
    reports: list[DataReport] = []

    def converged() -> bool:
        reports.append(compare_tree(stack))
        return reports[-1].ok

    try:
        wait_for(converged, timeout=90, interval=0.5, description="the database to converge after the faults")
    finally:
        evidence.figure("database vs fake after clearing", reports[-1].summary() if reports else "-",
                        ok=bool(reports) and reports[-1].ok)  # fmt: skip
        evidence.add_timeline(timeline(sync_windows(stack), faults_from))
    evidence.figure("converged after", round((stack.clock.now() - cleared_at) / 60, 1), "simulated min")
    wait_idle(stack)
    sessions = stack.fake_request("GET", "/_fake/sessions")
    left = sessions_left_open(sessions)
    evidence.figure("Logikal sessions open when idle", left, bound="0", ok=left == 0)
    assert left == 0, f"{left} Logikal sessions left open"
