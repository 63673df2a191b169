"""C10 — "✅ No memory leaks": the PSS slope over a simulated day stays below 2 MB per simulated hour."""

from __future__ import annotations

import pytest

from harness.observe.evidence import Evidence, Verdict
from harness.scenario.warp_run import LEAK_BOUND_MB_PER_HOUR, WarpResult, memory_evidence

# The warped run may last 15 minutes (24 simulated hours) when the build is capped at 100x (conftest.py).
pytestmark = [pytest.mark.scenario, pytest.mark.criterion("C10"), pytest.mark.timeout(1500)]


def test_pss_does_not_grow_over_a_simulated_day(warped_run: WarpResult, evidence: Evidence) -> None:
    judged = memory_evidence(warped_run, LEAK_BOUND_MB_PER_HOUR)
    evidence.figures += judged.figures
    evidence.series.update(judged.series)
    evidence.notes += judged.notes
    slope = judged.figures[0].value
    assert judged.outcome == Verdict.PASSED, f"PSS slope {slope} MB/h (bound {LEAK_BOUND_MB_PER_HOUR})"
