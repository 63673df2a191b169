"""C18 — "Verify logs show "Background sync is disabled"": rollback leaves manual sync only, and it works."""

from __future__ import annotations

from collections.abc import Callable

import psutil
import pytest

from harness.observe.evidence import Evidence
from harness.runtime.polling import wait_for
from harness.scenario.views import find_lines, sync_windows
from harness.stack import Stack
from harness.stack.topology import Topology

pytestmark = [pytest.mark.scenario, pytest.mark.criterion("C18")]

DISABLED = "Background sync is disabled, skipping Celery services"


def test_disabled_background_sync_runs_no_scheduler_and_force_sync_still_works(
    make_stack: Callable[..., Stack], evidence: Evidence
) -> None:
    stack = make_stack(topology=Topology.SINGLE, background_sync=False, clock_speed=600.0)
    beat = stack.config.sync_interval_seconds
    log = stack.log_text("app")
    lines = find_lines(log, DISABLED, stack.observer)
    evidence.figure(f'"{DISABLED}" logged', len(lines), bound="≥ 1", ok=bool(lines))
    for line in lines[:1]:
        evidence.log_line("app", line)
    assert lines, f"missing log line {DISABLED!r}"
    enabled = find_lines(log, "Background sync is enabled", stack.observer)
    evidence.figure('"Background sync is enabled" logged', len(enabled), bound="0", ok=not enabled)
    assert not enabled

    response = stack.observer.force_sync("DOS22309", "Demo Odoo", wait=True)
    try:
        body = response.json()
    except ValueError:
        body = {"answer": response.text[:200]}
    worked = response.status_code == 200 and body.get("success") is True
    answer = f"{response.status_code} success={body.get('success')}"
    evidence.figure("manual force sync (wait=true)", answer, bound="200 success=True", ok=worked)
    evidence.figure("elevations synced by the force sync", body.get("elevations_synced", "?"))
    assert response.status_code == 200, body
    assert body.get("success") is True, body

    # Two beat periods with no scheduler: nothing scheduled may appear.
    started = stack.clock.now()
    wait_for(lambda: stack.clock.now() - started >= 2 * beat, timeout=stack.clock.real_seconds(2 * beat) + 10,
             description="two beat periods")  # fmt: skip
    scheduled = [w for w in sync_windows(stack) if w.trigger == "scheduled"]
    evidence.figure("scheduled runs", len(scheduled), bound="0", ok=not scheduled)
    assert not scheduled, scheduled

    leader = psutil.Process(stack.processes["app"].pid)
    celery = [
        " ".join(p.cmdline()) for p in leader.children(recursive=True) if "celery" in " ".join(p.cmdline())
    ]
    celery += [cmd for cmd in (" ".join(p.cmdline()) for p in leader.children(recursive=True))
               if cmd.endswith((" worker", " beat"))]  # fmt: skip
    evidence.figure("worker/beat processes", len(celery), bound="0", ok=not celery)
    assert not celery, celery
