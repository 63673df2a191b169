"""last_sync truth: equal to a completed run's finish; failed runs, task starts and hand stamps are caught."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from harness.checks.last_sync import ViolationKind, epoch_seconds, last_sync_violations

T0 = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


def _at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def _run(kind: str, status: str, start: float, end: float | None, **extra: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "status": status,
        "started": _at(start),
        "finished": _at(end) if end else None,
        **extra,
    }


RUNS = [
    _run("project", "completed", 0, 30, run_id="r1", trigger="scheduled"),
    _run("project", "failed", 300, 310, run_id="r2", trigger="scheduled"),
    _run("phase", "partial", 100, 140, run_id="r3", trigger="scheduled"),
    _run("phase", "completed", 400, 460, run_id="r4", trigger="scheduled"),
    _run("project", "completed", 500, 520, run_id="r5", trigger="force"),
]


def _kinds(configs: list[dict[str, Any]], **options: Any) -> list[tuple[str, ViolationKind]]:
    return [(v.type, v.kind) for v in last_sync_violations(configs, RUNS, **options)]


def test_last_sync_at_the_latest_completed_finish_passes() -> None:
    configs = [
        {"type": "project", "last_sync": _at(520.5)},
        {"type": "Phase", "last_sync": _at(460)},
        {"type": "elevation", "last_sync": None},
    ]
    assert _kinds(configs) == []


@pytest.mark.parametrize(
    ("last_sync", "kind"),
    [
        (310, ViolationKind.MOVED_BY_UNSUCCESSFUL_RUN),  # the failed run at 300-310 moved it
        (300, ViolationKind.STAMPED_AT_START),  # stamped when the failed task started
        (1000, ViolationKind.NO_COMPLETED_RUN),  # stamped by hand (the upstream's POST .../sync)
    ],
)
def test_a_last_sync_no_completed_run_explains_is_a_violation(last_sync: float, kind: ViolationKind) -> None:
    (violation,) = last_sync_violations([{"type": "project", "last_sync": _at(last_sync)}], RUNS)
    assert violation.kind is kind
    assert violation.type == "project"
    assert kind.value in str(violation)


def test_stamped_at_the_start_of_a_run_that_then_completed() -> None:
    runs = [_run("directory", "completed", 0, 45, run_id="d1")]
    (violation,) = last_sync_violations([{"type": "directory", "last_sync": _at(0)}], runs)
    assert (violation.kind, violation.run_id) == (ViolationKind.STAMPED_AT_START, "d1")


def test_a_partial_run_must_not_move_it() -> None:
    assert _kinds([{"type": "phase", "last_sync": _at(140)}]) == [
        ("phase", ViolationKind.MOVED_BY_UNSUCCESSFUL_RUN)
    ]


def test_lagging_and_never_set_after_a_completed_run() -> None:
    configs = [{"type": "phase", "last_sync": None}, {"type": "project", "last_sync": _at(30)}]
    assert _kinds(configs) == [("phase", ViolationKind.NEVER_SET), ("project", ViolationKind.LAGGING)]
    assert _kinds(configs, require_latest=False) == []


def test_runs_finishing_after_the_observation_are_not_expected_in_it() -> None:
    assert _kinds([{"type": "project", "last_sync": _at(30), "observed_at": _at(400)}]) == []
    assert _kinds([{"type": "phase", "last_sync": None, "observed_at": _at(450)}]) == []


def test_triggers_limit_which_runs_count() -> None:
    scheduled_only = {"triggers": {"scheduled"}}
    assert _kinds([{"type": "project", "last_sync": _at(30)}], **scheduled_only) == []
    assert _kinds([{"type": "project", "last_sync": _at(520)}], **scheduled_only) == [
        ("project", ViolationKind.NO_COMPLETED_RUN)
    ]


def test_tolerance_and_every_snapshot_is_checked() -> None:
    history = [{"type": "project", "last_sync": _at(31.5)}, {"type": "project", "last_sync": _at(520)}]
    assert _kinds(history, require_latest=False) == []
    assert _kinds(history, require_latest=False, tolerance_s=1.0) == [
        ("project", ViolationKind.NO_COMPLETED_RUN)
    ]


@pytest.mark.parametrize(
    "value",
    [
        T0,
        T0.replace(tzinfo=None),
        T0.isoformat(),
        "2025-01-01T12:00:00Z",
        T0.timestamp(),
        int(T0.timestamp()),
    ],
)
def test_times_in_any_form(value: object) -> None:
    assert epoch_seconds(value) == T0.timestamp()
    runs = [{"type": "project", "status": "completed", "started": value, "finished": value}]
    assert last_sync_violations([{"type": "project", "last_sync": T0}], runs) == []
