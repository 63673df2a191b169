"""The clock: real, warped across processes, and manual."""

from __future__ import annotations

from datetime import UTC

import time_machine

from middleware.clock import ManualClock, SystemClock, WarpedClock, clock_from_settings


def test_warped_clock_runs_speed_times_faster_from_its_anchor() -> None:
    with time_machine.travel(1_000_000.0, tick=False) as traveller:
        clock = WarpedClock(speed=60.0, anchor=1_000_000.0)
        assert clock.time() == 1_000_000.0
        traveller.shift(10)
        assert clock.time() == 1_000_000.0 + 600.0


def test_two_warped_clocks_with_one_anchor_agree() -> None:
    with time_machine.travel(2_000_000.0, tick=False) as traveller:
        first = WarpedClock(speed=100.0, anchor=1_999_000.0)
        traveller.shift(5)
        second = WarpedClock(speed=100.0, anchor=1_999_000.0)
        assert first.time() == second.time()


def test_real_seconds_converts_virtual_durations() -> None:
    assert WarpedClock(speed=50.0).real_seconds(300) == 6.0
    assert SystemClock().real_seconds(300) == 300


def test_now_is_aware_utc() -> None:
    clock = ManualClock(current=0.0)
    clock.advance(90)
    assert clock.now().tzinfo is UTC
    assert clock.now().minute == 1


def test_clock_from_settings_is_real_time_by_default() -> None:
    assert isinstance(clock_from_settings(1.0, None), SystemClock)
    warped = clock_from_settings(10.0, 123.0)
    assert isinstance(warped, WarpedClock)
    assert warped.anchor == 123.0


def test_pin_clock_anchor_sets_one_anchor_only_for_a_warped_clock() -> None:
    from middleware.config import pin_clock_anchor

    warped = {"CLOCK_SPEED": "60"}
    pin_clock_anchor(warped, 123.5)
    assert warped["CLOCK_ANCHOR"] == "123.5"
    given = {"CLOCK_SPEED": "60", "CLOCK_ANCHOR": "7"}
    pin_clock_anchor(given, 123.5)
    assert given["CLOCK_ANCHOR"] == "7"
    real: dict[str, str] = {}
    pin_clock_anchor(real, 123.5)
    assert "CLOCK_ANCHOR" not in real
