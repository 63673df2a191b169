"""C20 — "Review sync durations per object type" and "success/failure rates": in sync_logs and /ui."""

from __future__ import annotations

import pytest

from harness.admin_ui import AdminUi
from harness.evidence import Evidence
from harness.observe import SYNC_TYPES, sync_windows, wait_first_syncs
from harness.stack import Stack

pytestmark = [pytest.mark.scenario, pytest.mark.criterion("C20")]


def test_durations_per_type_and_success_rates_are_recorded_and_shown(
    shared_stack: Stack, evidence: Evidence
) -> None:
    stack = shared_stack
    wait_first_syncs(stack, SYNC_TYPES, timeout=45)
    rows = stack.query(
        "SELECT sync_type, count(*) AS runs, count(*) FILTER (WHERE status = 'completed') AS completed, "
        "count(*) FILTER (WHERE status = 'failed') AS failed, avg(duration_seconds) AS mean_s, "
        "count(duration_seconds) AS timed FROM sync_logs WHERE completed_at IS NOT NULL GROUP BY sync_type"
    )
    by_type = {str(r["sync_type"]): r for r in rows}
    with AdminUi(stack.base_url, stack.profile.admin_username, stack.admin_password) as ui:
        shown = ui.run_stats()
    for sync_type in SYNC_TYPES:
        row = by_type.get(sync_type)
        assert row is not None, f"no finished {sync_type} run in sync_logs: {sorted(by_type)}"
        assert row["timed"] == row["runs"], f"{sync_type}: runs without duration_seconds: {row}"
        ui_row = shown.get(sync_type, {})
        evidence.figure(
            f"{sync_type}: runs / completed / failed, mean duration (sync_logs)",
            f"{row['runs']} / {row['completed']} / {row['failed']}, {float(row['mean_s']):.2f} s",
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
