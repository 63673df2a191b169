"""C10's judgement: warm-up growth of a shortened run is not a leak; a steady climb after it is."""

from __future__ import annotations

from collections.abc import Callable

from harness.scenario.warp_run import judge_memory

MB = 1_000_000


def _series(
    hours: float, pss_at: Callable[[float], float], per_hour: int = 60
) -> list[tuple[float, float, int, int]]:
    steps = int(hours * per_hour)
    return [(i * 1.0, i * 3600 / per_hour, 0, int(pss_at(i / per_hour))) for i in range(steps + 1)]


def test_growth_during_the_first_two_simulated_hours_is_warm_up() -> None:
    # +60 MB over the first 1.8 hours (first full sync), flat afterwards: a 15 % skip alone would count it
    totals = _series(6, lambda h: 300 * MB + min(h, 1.8) / 1.8 * 60 * MB)
    slope, peak, samples = judge_memory(totals)
    assert abs(slope) < 0.01
    assert round(peak) == 360
    assert samples == 4 * 60 + 1


def test_a_steady_leak_after_the_warm_up_is_measured() -> None:
    totals = _series(6, lambda h: 300 * MB + 3 * MB * h)
    slope, _peak, _samples = judge_memory(totals)
    assert 2.9 < slope < 3.1


def test_a_run_shorter_than_the_warm_up_has_no_samples() -> None:
    _slope, _peak, samples = judge_memory(_series(1.5, lambda h: 300 * MB))
    assert samples == 0
