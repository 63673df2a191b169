"""C04 — "✅ Celery worker and beat processes running"; the worker consumes sync, scheduler, sqlite_parser."""

from __future__ import annotations

import psutil
import pytest
from celery import Celery

from harness.observe.evidence import Evidence
from harness.observe.spec import Capability
from harness.runtime.polling import wait_for
from harness.stack import Stack

pytestmark = [pytest.mark.scenario, pytest.mark.criterion("C04")]


def _tree_commands(stack: Stack) -> list[tuple[int, str]]:
    found = []
    for name in stack.plans:
        pid = stack.processes[name].pid
        if pid is None:
            continue
        try:
            leader = psutil.Process(pid)
            for proc in [leader, *leader.children(recursive=True)]:
                found.append((proc.pid, " ".join(proc.cmdline())))
        except psutil.NoSuchProcess:
            continue
    return found


def _active_queues(redis_url: str) -> dict[str, list[str]]:
    """Ask every worker over the broker which queues it consumes (black box: works for any build)."""
    app = Celery(broker=redis_url)
    try:
        replies = app.control.inspect(timeout=1.0).active_queues() or {}
    finally:
        app.close()
    return {worker: sorted(q["name"] for q in queues) for worker, queues in replies.items()}


def test_worker_and_beat_run_and_the_worker_consumes_every_queue(
    shared_stack: Stack, evidence: Evidence
) -> None:
    stack = shared_stack
    queues_wanted = set(stack.observer.spec.worker_queues)
    stack.observer.require(Capability.WORKER_QUEUES)
    commands = _tree_commands(stack)
    workers = [(pid, cmd) for pid, cmd in commands if " worker" in cmd]
    beats = [(pid, cmd) for pid, cmd in commands if " beat" in cmd]
    evidence.figure("worker processes", len(workers), bound="≥ 1", ok=bool(workers))
    evidence.figure("beat processes", len(beats), bound="1", ok=len(beats) == 1)
    for pid, cmd in [*workers[:2], *beats[:1]]:
        evidence.log_line("ps", f"{pid} {cmd}")
    assert workers, f"no worker process in {commands}"
    assert len(beats) == 1, f"expected one beat process, found {beats}"

    queues = wait_for(lambda: _active_queues(stack.redis_url), timeout=30, interval=0.5,
                      description="a worker answering inspect().active_queues()")  # fmt: skip
    consumed = set().union(*map(set, queues.values()))
    for worker, names in queues.items():
        evidence.figure(f"queues of {worker}", ", ".join(names), bound=", ".join(sorted(queues_wanted)))
    evidence.figure("every queue consumed", consumed >= queues_wanted, ok=consumed >= queues_wanted)
    assert consumed >= queues_wanted, f"not consumed: {sorted(queues_wanted - consumed)}; workers: {queues}"
