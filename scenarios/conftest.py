"""Scenario fixtures: a shared running Stack, a factory for private ones, and evidence per criterion.

Every Stack a test uses is recorded in its evidence (inputs and tape, `harness.stack.inputs`). Under
`logikal-harness reproduce`, HARNESS_PIN_FILE pins each Stack's inputs to the recorded ones and
HARNESS_KEEP_FILE holds the test's Stacks open after it ran (see docs/reproducing.md).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.observe.evidence import EVIDENCE_FILE_ENV, Evidence, Verdict, append_evidence, judge_exception
from harness.runtime.services import ServiceProvider
from harness.scenario.postchecks import postcheck, scan_for_secrets
from harness.scenario.warp_run import (
    LEAK_BOUND_MB_PER_HOUR,
    WarpResult,
    memory_trend,
    mutate_hourly,
    warp_through,
)
from harness.stack import Stack, StackConfig
from harness.stack.inputs import pinned_overrides, stack_record
from harness.stack.keep import KEEP_FILE_ENV, hold_stacks
from harness.stack.profile import load_profile
from harness.stack.topology import Topology

PROGRESS_FILE_ENV = "HARNESS_PROGRESS_FILE"
TOPOLOGY_ENV = "HARNESS_TOPOLOGY"
SUT_ENV = "HARNESS_SUT"
RUN_ROOT_ENV = "HARNESS_RUN_ROOT"
PIN_FILE_ENV = "HARNESS_PIN_FILE"
# Speed of the shared Stack: 1 real second = 2 simulated minutes; the beat period stays the upstream's 300 s.
SHARED_CLOCK_SPEED = 120.0
SHARED_BEAT_SECONDS = 300.0
# The warped run for C08/C10: 24 simulated hours in one real minute.
WARP_SPEED = 1440.0
WARP_HOURS = 24.0
# A build warped from outside is capped at its profile's max_speed: the run then lasts at least what fits
# WARP_REAL_SECONDS of real time (6 simulated hours at 240x), never below MIN_WARP_HOURS, and goes on (up to
# WARP_HOURS) while the memory slope's interval still straddles C10's bound: memory moves in steps of tens of
# MB, so a few simulated hours cannot tell a 2 MB/h leak from noise (6 hours at 100x: +2.7, -5.2 MB/h).
WARP_REAL_SECONDS = 90.0
MIN_WARP_HOURS = 6.0


def warp_hours(speed: float) -> float:
    """Simulated hours of the warped run for C08/C10 at ``speed`` (24 at the full 1440x)."""
    return max(MIN_WARP_HOURS, min(WARP_HOURS, speed * WARP_REAL_SECONDS / 3600))


# Elevations edited every simulated hour of the warped run: two per elevation interval (30 min), so every
# elevation sync downloads parts lists and a worker that keeps one of them per sync leaks ~3 MB an hour (C10).
WARP_EDITS_PER_HOUR = 4
_EVIDENCE_KEY = pytest.StashKey[Evidence]()
_STACKS_KEY = pytest.StashKey[list[tuple[str, int, Stack]]]()
_SESSION_STACKS: dict[str, Stack] = {}  # fixture name → its Stack, recorded for every test that uses it
_LATEST: list[Evidence] = []  # the last finished test's record (what a kept shared Stack shows)


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


def pins(role: str, index: int = 0) -> dict[str, Any]:
    """The recorded inputs of this Stack (``role`` fixture, ``index``-th of the test) when reproducing."""
    path = os.environ.get(PIN_FILE_ENV)
    if not path:
        return {}
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    speed = data.get("speed")
    for record in data.get("stacks", []):
        if record.get("role") == role and record.get("index", 0) == index:
            return pinned_overrides(record["inputs"], speed=speed)
    return {"clock_speed": float(speed)} if speed else {}


def _hold_if_kept(stacks: list[Stack], record: Evidence | None) -> None:
    """Under `reproduce --keep`: keep the Stacks running until the developer is done with them (once)."""
    path = os.environ.get(KEEP_FILE_ENV)
    if not path or not stacks or _SESSION_STACKS.get("_held") is not None:
        return
    _SESSION_STACKS["_held"] = stacks[0]
    result = {"outcome": record.outcome, "failure": record.failure} if record else {}
    hold_stacks(stacks, Path(path), {**result, "criterion": record.criterion if record else ""})


@pytest.fixture(scope="session")
def shared_stack(service_provider: ServiceProvider) -> Iterator[Stack]:
    """One running Stack for every criterion that only observes it (the order of tests must not matter)."""
    stack = Stack(stack_config(**pins("shared_stack")), provider=service_provider)
    _SESSION_STACKS["shared_stack"] = stack
    stack.start()
    try:
        yield stack
    finally:
        _hold_if_kept([stack], _LATEST[-1] if _LATEST else None)
        stack.close()


@pytest.fixture
def make_stack(
    service_provider: ServiceProvider, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Stack]]:
    """Start private Stacks (``make_stack(own_services=True, **config)``); all are closed after the test."""
    stacks: list[Stack] = []

    def make(*, own_services: bool = False, **overrides: Any) -> Stack:
        config = stack_config(**{**overrides, **pins("make_stack", len(stacks))})
        stack = Stack(config, provider=None if own_services else service_provider)
        request.node.stash.setdefault(_STACKS_KEY, []).append(("make_stack", len(stacks), stack))
        stacks.append(stack)
        return stack.start()

    try:
        yield make
    finally:
        _hold_if_kept(stacks, request.node.stash.get(_EVIDENCE_KEY, None))
        for stack in reversed(stacks):
            stack.close()


@pytest.fixture(scope="session")
def warped_run(service_provider: ServiceProvider) -> WarpResult:
    """24 simulated hours (when the build's max_speed caps the warp: until C10's bound is resolved, 24 at
    most) on a private Stack, elevations edited in the fake every hour; run once for C08 and C10."""
    # Production-sized parts lists (1-2.3 MB, upstream-facts §7.15): a worker that keeps one per sync leaks
    # fast enough for C10's slope bound to see it.
    warp = {"clock_speed": WARP_SPEED, "memory_interval": 0.25,
            "fake_args": ("--parts-size", "production")}  # fmt: skip
    stack = Stack(stack_config(**{**warp, **pins("warped_run")}), provider=service_provider)
    _SESSION_STACKS["warped_run"] = stack
    stack.start()
    try:
        hours = warp_hours(stack.clock.speed)
        edits = mutate_hourly(stack, count=WARP_EDITS_PER_HOUR)

        def unresolved() -> bool:
            return not memory_trend(stack.sampler.totals()).resolves(LEAK_BOUND_MB_PER_HOUR)

        origin = warp_through(stack, hours, every_hours=1.0, on_hour=edits, extend_while=unresolved,
                              max_hours=WARP_HOURS)  # fmt: skip
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


def _running_stacks(item: pytest.Item) -> list[Stack]:
    fixtures = getattr(item, "fixturenames", ())
    used = [s for role, s in _SESSION_STACKS.items() if role in fixtures]
    return [s for s in [*used, *(s for _r, _i, s in item.stash.get(_STACKS_KEY, []))] if s.is_running]


def _after_scenario(item: pytest.Item, record: Evidence) -> None:
    """Checks held after every scenario on each Stack it still runs: last_sync and content truth fail the
    scenario's own criterion; a secret in any output fails C22 (a record of its own)."""
    for stack in _running_stacks(item):
        found = postcheck(stack)
        record.notes += found.notes
        for name, value in found.figures.items():
            record.figure(f"after the scenario: {name}", value)
        if found.problems:
            record.outcome = Verdict.FAILED
            record.failure = (
                record.failure + "\nafter-scenario checks:\n" + "\n".join(found.problems)
            ).strip()
        scan = scan_for_secrets(stack)
        secrets = Evidence("C22", test=f"{item.nodeid} [secret scan]", topology=record.topology)
        secrets.figure("files scanned", scan.sources)
        secrets.figure("secret hits", len(scan.hits), bound="0", ok=scan.ok)
        secrets.outcome = Verdict.PASSED if scan.ok else Verdict.FAILED
        secrets.failure = "\n".join(str(hit) for hit in scan.hits[:10])
        path = os.environ.get(EVIDENCE_FILE_ENV)
        if path:
            append_evidence(Path(path), secrets)


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
        outcome, reason = judge_exception(call.excinfo.value if call.excinfo else None)
        if record.outcome != Verdict.FAILED:
            record.outcome = outcome
        record.failure = (record.failure + "\n" + reason + "\n" + report.longreprtext).strip()
    elif report.skipped and record.outcome == Verdict.NOT_RUN:
        record.outcome = Verdict.SKIPPED
        record.failure = report.longreprtext
    elif report.when == "call" and report.passed and record.outcome == Verdict.NOT_RUN:
        record.outcome = Verdict.PASSED
    if report.when == "call":
        _LATEST.append(record)
        _after_scenario(item, record)
    if report.when == "teardown":
        fixtures = getattr(item, "fixturenames", ())
        used = [(role, 0, s) for role, s in _SESSION_STACKS.items() if role in fixtures]
        for role, index, stack in [*used, *item.stash.get(_STACKS_KEY, [])]:
            record.stacks.append(stack_record(stack, role, index))
        path = os.environ.get(EVIDENCE_FILE_ENV)
        if path:
            append_evidence(Path(path), record)
        _progress(
            {"event": "finish", "criterion": record.criterion, "test": item.nodeid, "outcome": record.outcome}
        )
    return report
