"""C08 — "✅ Scheduled syncs running consistently": ≥ 24 simulated hours, every interval ± a beat."""

from __future__ import annotations

import pytest

from harness.observe.evidence import Evidence, Verdict
from harness.scenario.warp_run import WarpResult, history_evidence
from scenarios.conftest import warp_hours

# The warped run may last several minutes when the build is capped below 1440x (scenarios/conftest.py).
pytestmark = [pytest.mark.scenario, pytest.mark.criterion("C08"), pytest.mark.timeout(1500)]


def test_every_enabled_type_syncs_once_per_interval_over_a_simulated_day(
    warped_run: WarpResult, evidence: Evidence
) -> None:
    judged = history_evidence(warped_run)
    evidence.figures += judged.figures
    evidence.notes += judged.notes
    evidence.add_timeline(judged.timeline)
    hours = (warped_run.until - warped_run.origin) / 3600
    wanted = warp_hours(warped_run.speed)
    evidence.figure("simulated hours run (at the build's trusted speed)", round(hours, 1), "h",
                    bound=f"≥ {wanted:g}", ok=hours >= wanted)  # fmt: skip
    assert hours >= wanted, f"only {hours:.1f} simulated hours"
    assert judged.outcome == Verdict.PASSED, "; ".join(judged.notes[:10]) or "failed runs in the history"
