"""What the chaos criteria share: wait for a sync in progress, then judge the recovery the way Jepsen judges a
history — every run closed, nothing lost (the synced tree equals the fake's truth), no Logikal session open.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from harness.errors import HarnessError
from harness.observe.evidence import Evidence
from harness.observe.invariants import SyncWindow, logins_in_flight, sessions_left_open
from harness.runtime.polling import wait_for
from harness.scenario.views import compare_tree, sync_windows, timeline
from harness.stack import Stack

__all__ = ["Recovery", "edit_elevations", "judge_recovery", "wait_run_in_progress", "worker_process"]

OPEN_STATUSES = ("queued", "started")
LOGIN_SLACK_SECONDS = 30.0  # virtual: a login in flight at a kill may be answered (opened) this long after it


def worker_process(stack: Stack) -> str:
    """The Stack process whose tree holds the Celery worker (Option 2 "worker", Option 1 "app")."""
    return "worker" if "worker" in stack.plans else "app"


def wait_run_in_progress(stack: Stack, *, after: float = 0.0, timeout: float = 90.0) -> SyncWindow:
    """A run that started after ``after`` (virtual) and is still running."""

    def running() -> SyncWindow | None:
        live = [w for w in sync_windows(stack) if w.status == "started" and w.start >= after]
        return live[-1] if live else None

    found = wait_for(running, timeout=timeout, interval=0.05, description="a sync in progress")
    assert found is not None
    return found


def edit_elevations(stack: Stack, count: int, note: str) -> None:
    edit = {"action": "edit", "kind": "elevation", "count": count, "changes": {"userDescription": note}}
    stack.fake_request("POST", "/_fake/mutate", json=edit)


@dataclass
class Recovery:
    """How a Stack came back after a fault (virtual seconds since the fault)."""

    closed_after: float | None = None  # every run in progress at the fault closed
    converged_after: float | None = None  # synced tree equals the fake's truth
    open_sessions: int = -1
    left_open: list[str] = field(default_factory=list)
    report: str = ""


def judge_recovery(
    stack: Stack,
    evidence: Evidence,
    *,
    fault_at: float,
    close_bound: float,
    converge_bound: float,
    back_at: float | None = None,
    killed_at: float | None = None,
) -> Recovery:
    """Wait (bounded by the virtual periods) for the runs open at ``fault_at`` to close and the tree to equal
    the fake; then, once idle, count the Logikal sessions left open. Records figures; raises on a bound.

    The bounds count from ``back_at`` (virtual) when given: when the fault took down what must recover
    (a killed worker, a restarted database), from the moment the harness had it running again. ``killed_at``
    (virtual): a process was killed then; sessions its logins in flight opened are reported, not counted."""
    result = Recovery()
    origin = fault_at if back_at is None else back_at
    # The runs the fault hit: in progress at the fault (started before it, not ended before it). They must
    # close within ``close_bound``; runs merely queued at the fault close when their turn comes, and must be
    # closed once the build is idle again (checked below).
    hit = {w.run_id for w in sync_windows(stack) if w.status != "queued" and w.start <= fault_at
           and (w.end is None or w.end >= fault_at)}  # fmt: skip

    def open_at_fault(runs: set[str] | None = None) -> list[SyncWindow]:
        return [w for w in sync_windows(stack) if w.status in OPEN_STATUSES and w.queued <= fault_at
                and (runs is None or w.run_id in runs)]  # fmt: skip

    def closed() -> bool:
        result.left_open = [f"{w.sync_type}:{w.run_id}:{w.status}" for w in open_at_fault(hit)]
        return not result.left_open

    def converged() -> bool:
        report = compare_tree(stack)
        result.report = report.summary()
        return report.ok

    deadline = time.monotonic() + stack.clock.real_seconds(max(close_bound, converge_bound)) + 30
    try:
        _wait_recovery(stack, result, closed, converged, origin, deadline)
        # every run that existed at the fault, the queued ones too, whether or not the build went idle
        result.left_open = [f"{w.sync_type}:{w.run_id}:{w.status}" for w in open_at_fault()]
        sessions = stack.fake_request("GET", "/_fake/sessions")
        in_flight = [] if killed_at is None else logins_in_flight(sessions, killed_at, LOGIN_SLACK_SECONDS)
        result.open_sessions = sessions_left_open(sessions) - len(in_flight)
        if killed_at is not None:
            evidence.figure("logins in flight at the kill (never used; Logikal's idle timeout closes them)",
                            len(in_flight))  # fmt: skip
    except HarnessError:
        pass  # judged below from what was seen
    finally:
        _record(stack, evidence, result, fault_at, close_bound, converge_bound, since=back_at is not None)
    assert not result.left_open, f"runs left open after the fault: {result.left_open[:5]}"
    assert result.closed_after is not None, f"runs open at the fault never closed: {result}"
    assert result.closed_after <= close_bound, result
    assert result.converged_after is not None, f"never converged: {result.report}"
    assert result.converged_after <= converge_bound, result
    assert result.open_sessions == 0, f"{result.open_sessions} Logikal sessions left open"
    return result


def _wait_recovery(stack: Stack, result: Recovery, closed: Callable[[], bool], converged: Callable[[], bool],
                   origin: float, deadline: float) -> None:  # fmt: skip
    """Closed, then converged (times since ``origin``), then idle; a wait that runs out ends the waiting."""
    try:
        wait_for(closed, timeout=max(1.0, deadline - time.monotonic()), interval=0.25,
                 description="every run in progress at the fault closed")  # fmt: skip
        result.closed_after = stack.clock.now() - origin
        wait_for(converged, timeout=max(1.0, deadline - time.monotonic()), interval=0.5,
                 description="the synced tree to equal the fake")  # fmt: skip
        result.converged_after = stack.clock.now() - origin
        wait_for(lambda: not [w for w in sync_windows(stack) if w.status in OPEN_STATUSES],
                 timeout=stack.clock.real_seconds(2 * stack.config.sync_interval_seconds) + 30,
                 interval=0.25, description="idle")  # fmt: skip
    except HarnessError:
        pass  # the caller judges from what was seen


def _record(stack: Stack, evidence: Evidence, result: Recovery, fault_at: float, close_bound: float,
            converge_bound: float, *, since: bool) -> None:  # fmt: skip
    closed, converged = result.closed_after, result.converged_after
    after = " (since it was back)" if since else ""
    evidence.figure(
        f"runs in progress at the fault closed after{after}",
        "never" if closed is None else round(closed),
        "s (virtual)",
        bound=f"≤ {close_bound:g}",
        ok=closed is not None and closed <= close_bound,
    )
    evidence.figure(
        f"synced tree equals the fake after{after}",
        "never" if converged is None else round(converged),
        "s (virtual)",
        bound=f"≤ {converge_bound:g}",
        ok=converged is not None and converged <= converge_bound,
    )
    evidence.figure("runs left open", len(result.left_open), bound="0", ok=not result.left_open)
    evidence.figure("Logikal sessions open when idle", result.open_sessions, bound="0",
                    ok=result.open_sessions == 0)  # fmt: skip
    if result.report:
        evidence.note(f"database vs fake: {result.report}")
    evidence.add_timeline(timeline(sync_windows(stack), fault_at))
