"""C10 — "✅ No memory leaks": the PSS slope over a simulated day stays below 2 MB per simulated hour."""

from __future__ import annotations

import pytest

from harness.observe.evidence import Evidence, Verdict
from harness.scenario.warp_run import WarpResult, memory_evidence

# The warped run may last several minutes when the build is capped below 1440x (scenarios/conftest.py).
pytestmark = [pytest.mark.scenario, pytest.mark.criterion("C10"), pytest.mark.timeout(600)]

SLOPE_BOUND_MB_PER_HOUR = 2.0  # 48 MB a day: an upstream-size instance would survive a week of it


def test_pss_does_not_grow_over_a_simulated_day(warped_run: WarpResult, evidence: Evidence) -> None:
    judged = memory_evidence(warped_run, SLOPE_BOUND_MB_PER_HOUR)
    evidence.figures += judged.figures
    evidence.series.update(judged.series)
    slope = judged.figures[0].value
    assert judged.outcome == Verdict.PASSED, f"PSS slope {slope} MB/h (bound {SLOPE_BOUND_MB_PER_HOUR})"
