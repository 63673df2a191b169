"""C15 — "Verify no conflicts with manual force sync": 409 Resource locked or serialized; never duplicates.

Logikal answers with production latency (scaled) so syncs take long enough to collide, and the middleware may
use one Logikal session at a time: two sessions on one project at once can then only mean two syncs of it.
Parts lists are off: they only lengthen the run, and C05/C08 cover them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from harness.observe.evidence import Evidence
from harness.observe.invariants import project_session_overlaps
from harness.runtime.polling import wait_for
from harness.scenario.views import compare_tree, sync_windows, timeline, wait_idle
from harness.stack import Stack

pytestmark = [pytest.mark.scenario, pytest.mark.criterion("C15")]

PROJECT, DIRECTORY = "DOS22309", "Demo Odoo"
LOCKED = {"code": "RESOURCE_LOCKED", "message": "Resource locked"}


def _force(stack: Stack) -> tuple[int, Any]:
    response = stack.observer.force_sync(PROJECT, DIRECTORY)
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, response.text[:200]


def test_force_sync_during_a_scheduled_sync_is_refused_or_serialized_never_doubled(
    make_stack: Callable[..., Stack], evidence: Evidence
) -> None:
    stack = make_stack(
        clock_speed=60.0,
        fake_latency="production",
        fake_time_scale=0.01,
        settings={"LOGIKAL_MAX_SESSIONS": "1"},
    )

    stack.observer.disable_heavy_types()

    def scheduled_running() -> bool:
        return any(w.trigger == "scheduled" and w.status == "started" for w in sync_windows(stack))

    wait_for(scheduled_running, timeout=60, interval=0.05, description="a scheduled sync in progress")
    answers: list[tuple[int, Any]] = []
    while scheduled_running() and len(answers) < 3:
        answers.append(_force(stack))
    wait_idle(stack, timeout=120)

    locked = [body for code, body in answers if code == 409]
    accepted = [body for code, body in answers if code == 202]
    other = [(code, body) for code, body in answers if code not in (202, 409)]
    evidence.figure("force syncs sent during a scheduled sync", len(answers), bound="≥ 1", ok=bool(answers))
    evidence.figure("409 Resource locked", len(locked))
    evidence.figure("202 accepted (serialized)", len(accepted))
    evidence.figure("other answers", len(other), bound="0", ok=not other)
    assert answers, "no scheduled sync lasted long enough to send a force sync during it"
    assert not other, other
    for body in locked:
        assert {k: body["detail"].get(k) for k in LOCKED} == LOCKED, body

    windows = sync_windows(stack)
    evidence.add_timeline(timeline(windows, windows[0].start if windows else 0.0))
    force_runs = [w for w in windows if w.trigger == "force"]
    evidence.figure(
        "force runs completed", sum(w.status == "completed" for w in force_runs), bound=str(len(accepted))
    )
    assert all(w.status == "completed" for w in force_runs), force_runs

    sessions = stack.fake_request("GET", "/_fake/sessions")
    calls = stack.fake_request("GET", "/_fake/calls")["calls"]
    overlaps = project_session_overlaps(sessions, calls)
    evidence.figure("Logikal sessions on one project at once", len(overlaps), bound="0", ok=not overlaps)
    evidence.figure("Logikal sessions opened / still open", f"{sessions['opened']} / {sessions['open']}")
    assert not overlaps, f"two Logikal sessions on one project at once: {overlaps[:3]}"

    report = compare_tree(stack)
    evidence.figure("duplicated rows", len(report.duplicated), bound="0", ok=not report.duplicated)
    assert not report.duplicated, report.summary()
