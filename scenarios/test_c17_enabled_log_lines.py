"""C17 — "Expected logs to see": the checklist's enabled-mode start-up and scheduler lines, verbatim."""

from __future__ import annotations

import pytest

from harness.observe.evidence import Evidence
from harness.runtime.polling import wait_for
from harness.scenario.views import find_lines
from harness.stack import Stack
from harness.stack.topology import Topology

pytestmark = [pytest.mark.scenario, pytest.mark.criterion("C17")]

EXPECTED = (
    "Starting Logikal Middleware with Celery services...",
    "Background sync is enabled, starting Celery services...",
    "re:^Started Celery worker process \\(PID: \\d+\\)$",
    "re:^Started Celery beat process \\(PID: \\d+\\)$",
    "Starting FastAPI application...",
    "Starting smart sync scheduler task",
    "re:^Found \\d+ enabled sync configurations$",
)
RED_FLAGS = ("Background sync is disabled", "Redis connection failed", "Celery worker failed")


def test_single_container_logs_the_checklist_lines_verbatim(shared_stack: Stack, evidence: Evidence) -> None:
    stack = shared_stack
    if stack.topology is not Topology.SINGLE:
        pytest.fail("C17 checks Option 1 (`start`); run it with --topology single")
    log = stack.log_text("app")

    def missing() -> list[str]:
        return [line for line in EXPECTED if not find_lines(stack.log_text("app"), line, stack.observer)]

    try:
        wait_for(lambda: not missing(), timeout=60, interval=0.2, description="the checklist's log lines")
    except Exception:
        pytest.fail(f"missing log lines: {missing()}")
    log = stack.log_text("app")
    for line in EXPECTED:
        found = find_lines(log, line, stack.observer)
        evidence.log_line("app", found[0])
    flags = {flag: len(find_lines(log, flag, stack.observer)) for flag in RED_FLAGS}
    for flag, count in flags.items():
        evidence.figure(f'red flag "{flag}"', count, bound="0", ok=count == 0)
    assert not any(flags.values()), flags
