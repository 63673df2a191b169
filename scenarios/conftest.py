"""Scenario fixtures: a shared running Stack, a factory for private ones, and evidence per criterion."""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.evidence import EVIDENCE_FILE_ENV, Evidence, Verdict, append_evidence
from harness.services import ServiceProvider
from harness.soak import WarpResult, mutate_hourly, warp_through
from harness.stack import Stack, StackConfig
from harness.sut import load_profile
from harness.topology import Topology

PROGRESS_FILE_ENV = "HARNESS_PROGRESS_FILE"
TOPOLOGY_ENV = "HARNESS_TOPOLOGY"
SUT_ENV = "HARNESS_SUT"
RUN_ROOT_ENV = "HARNESS_RUN_ROOT"
# Speed of the shared Stack: 1 real second = 2 simulated minutes; the beat period stays the upstream's 300 s.
SHARED_CLOCK_SPEED = 120.0
SHARED_BEAT_SECONDS = 300.0
# The warped run for C08/C10: 24 simulated hours in one real minute.
WARP_SPEED = 1440.0
WARP_HOURS = 24.0
# Count-based settings do not warp: recycling the worker child every 50 tasks (hours in production) would
# happen every few real seconds here and stall the worker for ~2 s (48 simulated minutes).
WARP_SETTINGS = {"CELERY_MAX_TASKS_PER_CHILD": "100000"}
_EVIDENCE_KEY = pytest.StashKey[Evidence]()


def topology() -> Topology:
    return Topology(os.environ.get(TOPOLOGY_ENV, Topology.SINGLE.value))


def stack_config(**overrides: Any) -> StackConfig:
    """The scenario defaults (SUT profile and topology from the environment) with ``overrides``."""
    values: dict[str, Any] = {
        "topology": topology(),
        "profile": load_profile(os.environ.get(SUT_ENV) or None),
        "sync_interval_seconds": SHARED_BEAT_SECONDS,
        "clock_speed": SHARED_CLOCK_SPEED,
        "memory_interval": 0.5,
    }
    values.update(overrides)
    root = os.environ.get(RUN_ROOT_ENV)
    if root and values.get("run_dir") is None:
        # Under `verify`, logs of every Stack are kept next to the report for whoever reads a failure.
        Path(root).mkdir(parents=True, exist_ok=True)
        values["run_dir"] = Path(tempfile.mkdtemp(prefix="stack-", dir=root))
    return StackConfig(**values)


@pytest.fixture(scope="session")
def shared_stack(service_provider: ServiceProvider) -> Iterator[Stack]:
    """One running Stack for every criterion that only observes it (the order of tests must not matter)."""
    stack = Stack(stack_config(), provider=service_provider)
    stack.start()
    try:
        yield stack
    finally:
        stack.close()


@pytest.fixture
def make_stack(service_provider: ServiceProvider) -> Iterator[Callable[..., Stack]]:
    """Start private Stacks (``make_stack(own_services=True, **config)``); all are closed after the test."""
    stacks: list[Stack] = []

    def make(*, own_services: bool = False, **overrides: Any) -> Stack:
        stack = Stack(stack_config(**overrides), provider=None if own_services else service_provider)
        stacks.append(stack)
        return stack.start()

    try:
        yield make
    finally:
        for stack in reversed(stacks):
            stack.close()


@pytest.fixture(scope="session")
def warped_run(service_provider: ServiceProvider) -> WarpResult:
    """24 simulated hours on a private Stack, edits in the fake every 2 hours; run once for C08 and C10."""
    config = stack_config(clock_speed=WARP_SPEED, settings=dict(WARP_SETTINGS), memory_interval=0.25)
    stack = Stack(config, provider=service_provider)
    stack.start()
    try:
        origin = warp_through(stack, WARP_HOURS, every_hours=2.0, on_hour=mutate_hourly(stack))
        result = WarpResult.capture(stack, origin)
    finally:
        stack.close()
    return result


def _criterion(item: pytest.Item) -> str | None:
    marker = item.get_closest_marker("criterion")
    return str(marker.args[0]) if marker and marker.args else None


@pytest.fixture
def evidence(request: pytest.FixtureRequest) -> Evidence:
    """The Evidence record of this test; whatever the test adds lands in the verify run's evidence."""
    item = request.node
    record = item.stash.get(_EVIDENCE_KEY, None)
    if record is None:
        raise pytest.UsageError(f"{item.nodeid}: scenario tests need @pytest.mark.criterion('Cnn')")
    return record


def _progress(event: dict[str, Any]) -> None:
    path = os.environ.get(PROGRESS_FILE_ENV)
    if path:
        with Path(path).open("a", encoding="utf-8") as out:
            out.write(json.dumps(event) + "\n")


def pytest_runtest_setup(item: pytest.Item) -> None:
    criterion = _criterion(item)
    if criterion is not None:
        item.stash[_EVIDENCE_KEY] = Evidence(criterion, test=item.nodeid, topology=topology().value)
        _progress({"event": "start", "criterion": criterion, "test": item.nodeid, "time": time.time()})


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report: pytest.TestReport = yield
    record = item.stash.get(_EVIDENCE_KEY, None)
    if record is None:
        return report
    record.duration += report.duration
    if report.failed:
        record.outcome = Verdict.FAILED if report.when == "call" else Verdict.ERROR
        record.failure = (record.failure + "\n" + report.longreprtext).strip()
    elif report.skipped and record.outcome == Verdict.NOT_RUN:
        record.outcome = Verdict.SKIPPED
        record.failure = report.longreprtext
    elif report.when == "call" and report.passed and record.outcome == Verdict.NOT_RUN:
        record.outcome = Verdict.PASSED
    if report.when == "teardown":
        path = os.environ.get(EVIDENCE_FILE_ENV)
        if path:
            append_evidence(Path(path), record)
        _progress(
            {"event": "finish", "criterion": record.criterion, "test": item.nodeid, "outcome": record.outcome}
        )
    return report
