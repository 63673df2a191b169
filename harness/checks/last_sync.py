"""last_sync truth: every `last_sync` is the finish of a completed run of its type; nothing else moves it.

`last_sync_violations(configs, runs)` takes plain dicts:
- configs (one per observation; several snapshots of one type may be given): `type`, `last_sync`, and
  optionally `observed_at` (when the value was read; runs finishing later are not expected in it);
- runs: `type`, `status`, `started`, `finished`, and optionally `run_id`, `trigger`.
Times are datetimes (naive ones are UTC), epoch seconds or ISO-8601 strings. Type names compare
case-insensitively. With `triggers`, only runs of those triggers count as runs "of that type" (e.g. a force
sync of one project need not move the project type's `last_sync`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

__all__ = ["LastSyncViolation", "ViolationKind", "epoch_seconds", "last_sync_violations"]

COMPLETED_STATUSES = ("completed", "success")


class ViolationKind(StrEnum):
    MOVED_BY_UNSUCCESSFUL_RUN = "moved_by_unsuccessful_run"  # equals the finish of a failed/partial run
    STAMPED_AT_START = "stamped_at_start"  # equals a run's start (stamped before the work was done)
    NO_COMPLETED_RUN = "no_completed_run"  # no run of the type finished then (stamped by hand, by a read…)
    LAGGING = "lagging"  # a completed run finished later, but last_sync did not move
    NEVER_SET = "never_set"  # completed runs exist, last_sync is empty


@dataclass(frozen=True)
class LastSyncViolation:
    type: str
    last_sync: float | None
    kind: ViolationKind
    run_id: str | None = None
    detail: str = ""

    def __str__(self) -> str:
        when = "empty" if self.last_sync is None else datetime.fromtimestamp(self.last_sync, UTC).isoformat()
        run = f" (run {self.run_id})" if self.run_id else ""
        return f"{self.type} last_sync {when}: {self.kind.value}{run}; {self.detail}".rstrip("; ")


def epoch_seconds(value: Any) -> float | None:
    """A datetime (naive = UTC), epoch number or ISO-8601 string as epoch seconds; None stays None."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
    return float(value)


@dataclass(frozen=True)
class _Run:
    type: str
    status: str
    started: float | None
    finished: float | None
    run_id: str | None
    trigger: str | None

    @classmethod
    def of(cls, run: Mapping[str, Any]) -> _Run:
        run_id, trigger = run.get("run_id"), run.get("trigger")
        return cls(
            str(run["type"]).strip().lower(),
            str(run.get("status") or "").strip().lower(),
            epoch_seconds(run.get("started")),
            epoch_seconds(run.get("finished")),
            None if run_id is None else str(run_id),
            None if trigger is None else str(trigger),
        )


def _near(a: float | None, b: float | None, tolerance: float) -> bool:
    return a is not None and b is not None and abs(a - b) <= tolerance


def _unmatched(
    kind_of: str, value: float, runs: list[_Run], completed: Collection[str], tolerance: float
) -> LastSyncViolation:
    """Why a last_sync matches no completed run: which run (if any) it does match."""
    for run in runs:
        if run.status not in completed and _near(value, run.finished, tolerance):
            detail = f"the run ended {run.status or 'without a status'}"
            return LastSyncViolation(
                kind_of, value, ViolationKind.MOVED_BY_UNSUCCESSFUL_RUN, run.run_id, detail
            )
    for run in runs:
        if _near(value, run.started, tolerance):
            detail = f"the run started then and finished at {run.finished} ({run.status})"
            return LastSyncViolation(kind_of, value, ViolationKind.STAMPED_AT_START, run.run_id, detail)
    detail = f"{sum(r.status in completed for r in runs)} completed runs of this type, none finished then"
    return LastSyncViolation(kind_of, value, ViolationKind.NO_COMPLETED_RUN, None, detail)


def _check(
    config: Mapping[str, Any],
    all_runs: list[_Run],
    counted: list[_Run],
    completed: Collection[str],
    tolerance: float,
    require_latest: bool,
) -> LastSyncViolation | None:
    kind_of = str(config["type"]).strip().lower()
    value = epoch_seconds(config.get("last_sync"))
    observed_at = epoch_seconds(config.get("observed_at"))
    done = [
        (r.finished, r)
        for r in counted
        if r.type == kind_of and r.status in completed and r.finished is not None
    ]
    if value is not None and not any(_near(value, finished, tolerance) for finished, _ in done):
        return _unmatched(kind_of, value, [r for r in all_runs if r.type == kind_of], completed, tolerance)
    if not require_latest:
        return None
    expected = [(f, r) for f, r in done if observed_at is None or f <= observed_at - tolerance]
    if not expected:
        return None
    finished, latest = max(expected, key=lambda item: item[0])
    if value is None:
        return LastSyncViolation(kind_of, None, ViolationKind.NEVER_SET, latest.run_id, "a run completed")
    if finished > value + tolerance:
        detail = f"run finished at {finished}, {finished - value:.1f} s after last_sync"
        return LastSyncViolation(kind_of, value, ViolationKind.LAGGING, latest.run_id, detail)
    return None


def last_sync_violations(
    configs: Iterable[Mapping[str, Any]],
    runs: Iterable[Mapping[str, Any]],
    *,
    tolerance_s: float = 2.0,
    require_latest: bool = True,
    triggers: Collection[str] | None = None,
    completed_statuses: Collection[str] = COMPLETED_STATUSES,
) -> list[LastSyncViolation]:
    """Every observed last_sync must equal (± tolerance_s) the finish of a completed run of its type.

    With `require_latest`, it must also not lag behind the latest completed run finished before it was
    observed (and not be empty once one completed).
    """
    all_runs = [_Run.of(run) for run in runs]
    counted = [r for r in all_runs if triggers is None or r.trigger in triggers]
    completed = {status.lower() for status in completed_statuses}
    found = (_check(c, all_runs, counted, completed, tolerance_s, require_latest) for c in configs)
    return [violation for violation in found if violation is not None]
