"""The memory trend's interval: narrow on a clean line, wide on a short run of steps, and it narrows as the
run grows, so a capped warp can run until the bound is resolved."""

from __future__ import annotations

import math
import random

import pytest

from harness.observe.trend import least_squares_slope, t_quantile_975, trend


def _steps(
    hours: float, slope: float, seed: int, step_mb: float = 25.0, every: int = 50
) -> list[tuple[float, float]]:
    """Samples every 36 simulated s: a line plus a level that jumps at random every ``every`` samples (50:
    half an hour)."""
    rng = random.Random(seed)
    points, level = [], 0.0
    for i in range(int(hours * 100)):
        x = i / 100
        if i % every == 0:
            level = rng.uniform(-step_mb, step_mb)
        points.append((x, 300 + slope * x + level))
    return points


def test_a_clean_line_has_its_slope_and_no_doubt() -> None:
    found = trend([(x / 10, 5 + 3 * x / 10) for x in range(100)], block=0.5)
    assert found.slope == pytest.approx(3.0)
    assert found.half_width == pytest.approx(0.0, abs=1e-9)
    assert found.resolves(2.0)


def test_too_few_blocks_say_nothing() -> None:
    found = trend([(0.0, 1.0), (0.6, 2.0), (1.2, 3.0)], block=0.5)
    assert math.isinf(found.half_width)
    assert not found.resolves(2.0)


def test_steps_over_a_few_hours_cannot_resolve_a_two_mb_bound_but_a_day_can() -> None:
    short = [trend(_steps(4, 0.0, seed), block=0.5) for seed in range(20)]
    long = [trend(_steps(22, 0.0, seed), block=0.5) for seed in range(20)]
    assert sum(t.resolves(2.0) for t in short) <= 5
    assert sum(t.resolves(2.0) for t in long) >= 18
    assert all(t.high < 2.0 for t in long if t.resolves(2.0))  # resolved on the right side


def test_a_leak_over_the_bound_is_resolved_as_over_it() -> None:
    found = trend(_steps(22, 8.0, seed=3), block=0.5)
    assert found.resolves(2.0)
    assert found.low >= 2.0


def test_the_interval_covers_the_true_slope_about_95_percent_of_the_time() -> None:
    covered = sum(
        trend(_steps(12, 1.0, seed), block=0.5).low <= 1.0 <= trend(_steps(12, 1.0, seed), block=0.5).high
        for seed in range(200)
    )
    assert covered >= 180


def test_levels_that_persist_for_hours_widen_the_interval_instead_of_fooling_it() -> None:
    # A level held 1.5 simulated hours makes neighbouring half-hour blocks alike: their scatter alone put the
    # true slope inside the interval in only ~3 of 4 runs.
    covered = sum(
        (found := trend(_steps(22, 1.0, seed, every=150), block=0.5)).low <= 1.0 <= found.high
        for seed in range(200)
    )
    assert covered >= 180


def test_t_quantiles_match_the_table() -> None:
    for dof, table in [(3, 3.182), (5, 2.571), (10, 2.228), (30, 2.042), (40, 2.021), (120, 1.980)]:
        assert t_quantile_975(dof) == pytest.approx(table, rel=0.01)


def test_least_squares_slope_edges() -> None:
    assert least_squares_slope([]) == 0.0
    assert least_squares_slope([(1.0, 2.0), (1.0, 5.0)]) == 0.0
