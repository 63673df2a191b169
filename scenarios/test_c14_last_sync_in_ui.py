"""C14 — "Admin UI shows updated sync times": /ui/sync-intervals Last Sync follows each completed sync."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from harness.observe.admin_ui import AdminUi
from harness.observe.evidence import Evidence
from harness.runtime.polling import wait_for
from harness.scenario.views import SYNC_TYPES, sync_configs, wait_first_syncs
from harness.stack import Stack

pytestmark = [pytest.mark.scenario, pytest.mark.criterion("C14")]


def _shown(value: float | None) -> str:
    if value is None:
        return "Never"
    return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def test_last_sync_column_shows_the_last_completed_sync(shared_stack: Stack, evidence: Evidence) -> None:
    stack = shared_stack
    wait_first_syncs(
        stack, SYNC_TYPES, timeout=stack.clock.real_seconds(2 * stack.config.sync_interval_seconds) + 60
    )
    with AdminUi.of(stack) as ui:
        table = ui.sync_intervals()
        for sync_type in SYNC_TYPES:
            evidence.figure(f"{sync_type}: Last Sync in /ui", table[sync_type]["last-sync"])
            assert table[sync_type]["last-sync"] not in ("", "Never"), table[sync_type]

        # The elevation interval (30 simulated minutes) passes in seconds: Last Sync must move with it.
        before = sync_configs(stack)["elevation"]["last_sync"]
        shown_before = table["elevation"]["last-sync"]
        interval = stack.clock.real_seconds(30 * 60 + 2 * stack.config.sync_interval_seconds)
        wait_for(lambda: sync_configs(stack)["elevation"]["last_sync"] != before, timeout=interval + 30,
                 interval=0.5, description="the next elevation sync")  # fmt: skip
        after = sync_configs(stack)["elevation"]["last_sync"]
        shown_after = ui.sync_intervals()["elevation"]["last-sync"]
    evidence.figure("elevation Last Sync before → after", f"{shown_before} → {shown_after}")
    assert shown_after == _shown(after), f"/ui shows {shown_after}, the database says {after}"
    assert shown_after != shown_before
