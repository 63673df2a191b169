"""Virtual time: offset, speed, advance."""

from __future__ import annotations

import pytest

from fake_logikal import FakeClock

from .conftest import Fake


class Source:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_offset_and_speed() -> None:
    source = Source()
    clock = FakeClock(source, offset=100.0, speed=2.0)
    assert clock.now() == 1_100.0
    source.now += 10
    assert clock.now() == 1_120.0
    assert clock.offset == 110.0


def test_set_now_advance_and_speed() -> None:
    source = Source()
    clock = FakeClock(source)
    clock.set(now=5_000.0)
    assert clock.now() == 5_000.0
    clock.set(advance=60)
    assert clock.now() == 5_060.0
    clock.set(speed=0.0)
    source.now += 100
    assert clock.now() == 5_060.0
    clock.set(offset=0.0, speed=1.0)
    assert clock.now() == source.now
    assert clock.snapshot() == {"now": source.now, "offset": 0.0, "speed": 1.0}


def test_negative_speed_is_refused() -> None:
    with pytest.raises(ValueError, match="speed"):
        FakeClock(Source()).set(speed=-1)


def test_clock_endpoint(fake: Fake) -> None:
    snapshot = fake.post("/_fake/clock", json={"now": 2_000_000_000, "speed": 0}).json()
    assert snapshot["now"] == 2_000_000_000
    assert snapshot["speed"] == 0
    assert fake.get("/_fake/clock").json()["now"] == 2_000_000_000
