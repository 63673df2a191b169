"""C21 — "Clear monitoring and alerting in place": health/detailed degraded when Redis or worker is down."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from harness.observe.evidence import Evidence
from harness.runtime.polling import wait_for
from harness.scenario.views import detailed_health
from harness.stack import Stack
from harness.stack.topology import Topology

pytestmark = [pytest.mark.scenario, pytest.mark.criterion("C21")]


def _wait_status(stack: Stack, wanted: str, evidence: Evidence, step: str, timeout: float = 40) -> None:
    seen: list[str] = []

    def status() -> bool:
        code, word, body = detailed_health(stack)
        seen.append(f"{code} {body.get('status')} ({word})")
        return word == wanted

    started = time.monotonic()
    try:
        wait_for(status, timeout=timeout, interval=0.25, description=f"health/detailed {wanted} ({step})")
    finally:
        last = seen[-1] if seen else "no answer"
        evidence.figure(f"{step}: health/detailed", last, bound=wanted, ok=last.endswith(f"({wanted})"))
        evidence.timing(f"{step} → {wanted}", time.monotonic() - started)


def test_detailed_health_degrades_without_redis_or_worker_and_recovers(
    make_stack: Callable[..., Stack], evidence: Evidence
) -> None:
    # Option 2 processes, so the worker can be stopped without a supervisor bringing it straight back.
    stack = make_stack(own_services=True, topology=Topology.MULTI)
    _wait_status(stack, "healthy", evidence, "running")

    stack.kill("redis")
    _wait_status(stack, "degraded", evidence, "Redis killed (-9)")
    stack.restart("redis")
    _wait_status(stack, "healthy", evidence, "Redis restarted")

    stack.stop("worker")
    _wait_status(stack, "degraded", evidence, "worker stopped")
    stack.restart("worker")
    _wait_status(stack, "healthy", evidence, "worker restarted")
