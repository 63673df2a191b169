"""C01 — "✅ Application deployed successfully": all processes up; health 200 healthy without redirect."""

from __future__ import annotations

import pytest

from harness.observe.evidence import Evidence
from harness.stack import Stack

pytestmark = [pytest.mark.scenario, pytest.mark.criterion("C01")]


def test_every_process_runs_and_health_answers_200_healthy_without_redirect(
    shared_stack: Stack, evidence: Evidence
) -> None:
    stack = shared_stack
    long_running = {name: stack.processes[name] for name in ["fake", *stack.plans]}
    for name, process in long_running.items():
        assert process.is_running, f"{name} is not running; last log lines:\n{process.log_tail()}"
    evidence.figure("processes running", ", ".join(f"{n} (pid {p.pid})" for n, p in long_running.items()))

    with stack.http() as client:
        response = client.get(stack.profile.health_path)
    evidence.figure("GET " + stack.profile.health_path, response.status_code, bound="200, no redirect",
                    ok=response.status_code == 200)  # fmt: skip
    assert not response.is_redirect, f"health redirects to {response.headers.get('location')}"
    assert response.status_code == 200, response.text[:300]
    body = response.json()
    evidence.figure(
        "health body status", body.get("status"), bound='"healthy"', ok=body.get("status") == "healthy"
    )
    assert body.get("status") == "healthy", body
    evidence.timing("start → healthy", stack.ready_at - stack.started_at)
