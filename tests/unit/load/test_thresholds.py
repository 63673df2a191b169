"""Threshold expressions: parsing, units, plan-relative limits, evaluation on the worst step."""

from __future__ import annotations

import pytest

from load.errors import ThresholdSyntaxError
from load.plans import plan_named
from load.thresholds import Outcome, evaluate, parse_threshold

XS = plan_named("basic-xs")


def test_units_convert_to_the_metric_unit() -> None:
    assert parse_threshold("p95 < 0.5 s").limit(XS) == 500
    assert parse_threshold("peak_pss < 300 MB").limit(XS) == 300 * 1024**2
    assert parse_threshold("sync_lag_p95 < 90 s").limit(XS) == 90
    assert parse_threshold("peak_pss < 80 % of plan").limit(XS) == pytest.approx(0.8 * 1024**3)


def test_plan_relative_limit_without_a_plan_is_unmeasured() -> None:
    threshold = parse_threshold("peak_pss < 80 % of plan")
    assert threshold.check(1.0, plan_named("none")) is Outcome.UNMEASURED


@pytest.mark.parametrize("text", ["p95 <", "latency < 3 ms", "p95 < 3 % of plan", "fail_rate ~ 1"])
def test_malformed_expressions_are_refused(text: str) -> None:
    with pytest.raises(ThresholdSyntaxError):
        parse_threshold(text)


def test_evaluation_uses_the_worst_step_and_reports_it() -> None:
    steps = [(5, {"p95": 100.0, "rps": 50.0}), (10, {"p95": 700.0, "rps": 80.0}), (15, {"p95": None})]
    p95, rps, lag = evaluate(
        [parse_threshold("p95 < 500 ms"), parse_threshold("rps > 60"), parse_threshold("sync_lag_p95 < 1 s")],
        steps,
        XS,
    )
    assert (p95.outcome, p95.value, p95.worst_users) == (Outcome.FAILED, 700.0, 10)
    assert (rps.outcome, rps.value, rps.worst_users) == (Outcome.FAILED, 50.0, 5)
    assert lag.outcome is Outcome.UNMEASURED
