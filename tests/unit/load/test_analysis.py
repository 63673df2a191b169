"""Knee, breakpoint and USL fit on synthetic curves whose answers are known."""

from __future__ import annotations

import math

import pytest

from load.analysis import UslFit, breakpoint_index, fit_usl, knee_users


def test_knee_is_the_first_step_that_leaves_a_flat_trend_for_good() -> None:
    users = [5, 10, 15, 20, 25, 30, 35, 40]
    p95 = [50, 52, 49, 51, 53, 120, 260, 540]
    assert knee_users(users, p95) == 30


def test_knee_follows_a_rising_low_load_trend() -> None:
    users = [10, 20, 30, 40, 50, 60]
    p95 = [20 + u for u in users[:4]] + [200, 400]  # 30, 40, 50, 60 on the line 20 + N, then away
    assert knee_users(users, p95) == 50


def test_a_single_outlier_that_returns_to_the_trend_is_no_knee() -> None:
    assert knee_users([5, 10, 15, 20, 25, 30], [40, 41, 200, 42, 40, 43]) is None


def test_no_knee_on_a_linear_curve_or_with_too_few_steps() -> None:
    assert knee_users([1, 2, 3, 4, 5, 6], [10, 20, 30, 40, 50, 60]) is None
    assert knee_users([1, 2, 3], [10, 10, 500]) is None


def test_breakpoint_is_the_first_broken_step() -> None:
    assert breakpoint_index([False, False, True, False, True]) == 2
    assert breakpoint_index([False, False]) is None


def test_usl_fit_recovers_known_coefficients_and_peak() -> None:
    truth = UslFit(lam=12.0, sigma=0.05, kappa=0.002, r2=1.0)
    users = [1, 2, 4, 8, 12, 16, 24, 32, 48]
    fit = fit_usl(users, [truth.throughput(n) for n in users])
    assert fit is not None
    assert fit.lam == pytest.approx(12.0, rel=1e-6)
    assert fit.sigma == pytest.approx(0.05, rel=1e-6)
    assert fit.kappa == pytest.approx(0.002, rel=1e-6)
    assert fit.peak_users == pytest.approx(math.sqrt(0.95 / 0.002), rel=1e-6)
    assert fit.r2 == pytest.approx(1.0)


def test_usl_fit_of_linear_scaling_has_no_peak() -> None:
    fit = fit_usl([1, 2, 4, 8], [3.0, 6.0, 12.0, 24.0])
    assert fit is not None
    assert fit.lam == pytest.approx(3.0)
    assert fit.sigma == pytest.approx(0.0, abs=1e-9)
    assert fit.kappa == pytest.approx(0.0, abs=1e-9)
    assert fit.peak_users is None


def test_usl_fit_pins_negative_contention_to_zero() -> None:
    # Pure coherency (sigma = 0): noise-free data would give a tiny negative sigma without the pin.
    truth = UslFit(lam=5.0, sigma=0.0, kappa=0.01, r2=1.0)
    users = [1, 3, 5, 10, 20]
    fit = fit_usl(users, [truth.throughput(n) * (1.001 if n == 3 else 1.0) for n in users])
    assert fit is not None
    assert fit.sigma >= 0
    assert fit.kappa > 0
    assert fit.peak_users == pytest.approx(10.0, rel=0.05)


def test_usl_fit_needs_three_points() -> None:
    assert fit_usl([1, 2], [1.0, 2.0]) is None
