"""Unit tests of the upstream force-sync body built from a finished run."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import HTTPException

from middleware.api.force_sync import upstream_body
from middleware.db.models import SyncStatus
from middleware.sync.results import SyncRunResult


def _result(status: SyncStatus, **fields: Any) -> SyncRunResult:
    return SyncRunResult(run_id="run-1", sync_type="project", status=status, **fields)


def test_completed_run_gives_the_upstream_success_body() -> None:
    result = _result(
        SyncStatus.COMPLETED,
        phases_synced=2,
        elevations_synced=17,
        parts_lists_synced=17,
        duration_seconds=3.14159,
    )
    body = upstream_body(result, "DOS22309", "Demo Odoo")
    assert body.model_dump() == {
        "success": True,
        "message": 'Project "DOS22309" fully synced from Logikal',
        "project_id": "DOS22309",
        "directory_id": "Demo Odoo",
        "run_id": "run-1",
        "phases_synced": 2,
        "elevations_synced": 17,
        "parts_lists_synced": 17,
        "parts_lists_failed": 0,
        "failures": 0,
        "duration_seconds": 3.142,
    }


def test_partial_run_is_a_success_that_counts_its_failures() -> None:
    body = upstream_body(_result(SyncStatus.PARTIAL, parts_lists_failed=3), "DOS22309", None)
    assert body.success is True
    assert body.message == 'Project "DOS22309" synced from Logikal with 3 failures'


def test_partial_run_counts_every_recorded_failure_not_only_parts_lists() -> None:
    result = _result(SyncStatus.PARTIAL, parts_lists_failed=0, failures=2)  # e.g. two bad parts lists parsed
    body = upstream_body(result, "DOS22309", None)
    assert body.message == 'Project "DOS22309" synced from Logikal with 2 failures'
    assert body.failures == 2


def test_abandoned_run_is_a_failure_not_a_success() -> None:
    result = _result(SyncStatus.ABANDONED, message="abandoned: the process running it died")
    with pytest.raises(HTTPException) as raised:
        upstream_body(result, "DOS22309", None)
    assert raised.value.status_code == 400


def test_run_failed_on_the_lock_is_409_resource_locked() -> None:
    result = _result(
        SyncStatus.FAILED, message="Resource locked", error="run: Resource locked: project:DOS22309"
    )
    with pytest.raises(HTTPException) as raised:
        upstream_body(result, "DOS22309", "Demo Odoo")
    assert raised.value.status_code == 409
    assert raised.value.detail["code"] == "RESOURCE_LOCKED"  # type: ignore[index]


def test_other_failures_are_400_force_sync_project_failed() -> None:
    result = _result(SyncStatus.FAILED, message="project sync failed", error="run: LogikalError: 503")
    with pytest.raises(HTTPException) as raised:
        upstream_body(result, "DOS22309", "Demo Odoo")
    assert raised.value.status_code == 400
    assert raised.value.detail == {
        "code": "FORCE_SYNC_PROJECT_FAILED",
        "message": "Force sync project failed",
        "details": "run: LogikalError: 503",
    }
