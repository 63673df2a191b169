"""C20 — "Review sync durations per object type" and "success/failure rates": in the runs and /ui."""

from __future__ import annotations

import pytest

from harness.observe.admin_ui import AdminUi
from harness.observe.evidence import Evidence
from harness.scenario.views import SYNC_TYPES, sync_windows, wait_first_syncs
from harness.stack import Stack

pytestmark = [pytest.mark.scenario, pytest.mark.criterion("C20")]


def test_durations_per_type_and_success_rates_are_recorded_and_shown(
    shared_stack: Stack, evidence: Evidence
) -> None:
    stack = shared_stack
    wait_first_syncs(stack, SYNC_TYPES, timeout=45)
    by_type: dict[str, dict[str, float]] = {}
    for w in sync_windows(stack):
        if w.end is None:
            continue
        row = by_type.setdefault(w.sync_type, {"runs": 0, "completed": 0, "failed": 0, "total_s": 0.0})
        row["runs"] += 1
        row["completed"] += w.status == "completed"
        row["failed"] += w.status == "failed"
        row["total_s"] += w.end - w.start
    with AdminUi.of(stack) as ui:
        shown = ui.run_stats()
    for sync_type in SYNC_TYPES:
        row = by_type.get(sync_type)
        assert row is not None, f"no finished {sync_type} run observed: {sorted(by_type)}"
        ui_row = shown.get(sync_type, {})
        evidence.figure(
            f"{sync_type}: runs / completed / failed, mean duration (declared sync_runs)",
            f"{row['runs']:g} / {row['completed']:g} / {row['failed']:g}, "
            f"{row['total_s'] / row['runs']:.2f} s",
        )
        evidence.figure(
            f"{sync_type}: /ui success rate, mean duration",
            f"{ui_row.get('success rate')}, {ui_row.get('mean duration')}",
            ok=bool(ui_row.get("success rate")) and bool(ui_row.get("mean duration")),
        )
        assert ui_row.get("success rate", "-") not in ("", "-"), f"/ui shows no success rate for {sync_type}"
        assert ui_row.get("mean duration", "-") not in ("", "-"), f"/ui shows no duration for {sync_type}"
        assert int(ui_row["runs"]) >= int(row["runs"]), (ui_row, row)
    evidence.figure("sync runs recorded", len(sync_windows(stack)))
