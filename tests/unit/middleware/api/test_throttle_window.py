"""The login and client rate limits slide: a burst that straddles a window boundary is counted whole, counts
age out, and the wait a refusal names is the wait that makes the next attempt welcome."""

from __future__ import annotations

import pytest

from middleware.api.throttle import Limit, RateLimiter

LIMIT = Limit(20, 300)


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _limiter(at: float) -> tuple[RateLimiter, Clock]:
    clock = Clock(at)
    return RateLimiter(None, now=clock), clock


@pytest.mark.parametrize("before_boundary", [0.5, 3.0, 10.0])
def test_a_short_burst_across_a_window_boundary_is_counted_whole(before_boundary: float) -> None:
    limiter, clock = _limiter(3000 * 300 - before_boundary)
    for i in range(LIMIT.count):
        assert limiter.exceeded("k", LIMIT) is None, f"attempt {i + 1} refused"
        assert limiter.hit("k", LIMIT) is None
        clock.now += 2 * before_boundary / LIMIT.count  # half the burst before the boundary, half after
    assert limiter.exceeded("k", LIMIT) is not None


def test_hit_refuses_the_event_over_the_limit() -> None:
    limiter, _ = _limiter(1_000_000.0)
    assert [limiter.hit("k", Limit(3, 3600)) is None for _ in range(4)] == [True, True, True, False]


def test_counts_age_out_and_the_named_wait_is_enough() -> None:
    limiter, clock = _limiter(3000 * 300 + 100.0)
    for _ in range(LIMIT.count):
        limiter.hit("k", LIMIT)
    wait = limiter.exceeded("k", LIMIT)
    assert wait is not None
    assert 0 < wait <= 2 * LIMIT.window_seconds
    clock.now += wait - 1
    assert limiter.exceeded("k", LIMIT) is not None, "welcome before the named wait was over"
    clock.now += 1.01
    assert limiter.exceeded("k", LIMIT) is None, "still refused after the named wait"
    clock.now += 2 * LIMIT.window_seconds
    assert all(limiter.hit("k", LIMIT) is None for _ in range(LIMIT.count))


def test_keys_are_counted_apart() -> None:
    limiter, _ = _limiter(1_000_000.0)
    for _ in range(LIMIT.count):
        limiter.hit("a", LIMIT)
    assert limiter.exceeded("a", LIMIT) is not None
    assert limiter.exceeded("b", LIMIT) is None
