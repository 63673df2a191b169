"""Baseline comparison: a change beyond the tolerance in the bad direction is a regression."""

from __future__ import annotations

import pytest

from load.baseline import compare_with_baseline

BASELINE = {
    "max_users_within_thresholds": 40,
    "peak_rps": 100.0,
    "p95_at_checked_load_ms": 200.0,
    "peak_pss_bytes": 400e6,
    "mean_cpu_percent": 50.0,
}


def _by_metric(current: dict[str, float], tolerance: float = 0.1) -> dict[str, tuple[float | None, bool]]:
    return {
        c.metric: (c.change, c.is_regression) for c in compare_with_baseline(current, BASELINE, tolerance)
    }


def test_identical_runs_have_no_regression() -> None:
    assert not any(regressed for _, regressed in _by_metric(dict(BASELINE)).values())


def test_lower_capacity_and_higher_latency_beyond_tolerance_regress() -> None:
    rows = _by_metric({**BASELINE, "max_users_within_thresholds": 30, "p95_at_checked_load_ms": 260.0})
    assert rows["max_users_within_thresholds"] == (pytest.approx(-0.25), True)
    assert rows["p95_at_checked_load_ms"] == (pytest.approx(0.30), True)
    assert rows["peak_rps"][1] is False


def test_changes_within_tolerance_or_for_the_better_pass() -> None:
    rows = _by_metric(
        {**BASELINE, "peak_rps": 95.0, "p95_at_checked_load_ms": 100.0, "peak_pss_bytes": 430e6}
    )
    assert not any(regressed for _, regressed in rows.values())


def test_a_metric_missing_on_one_side_is_not_compared() -> None:
    rows = _by_metric({"peak_rps": 10.0})
    assert rows["peak_rps"][1] is True
    assert rows["max_users_within_thresholds"] == (None, False)
