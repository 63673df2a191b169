"""On real Redis, every web worker's limiter shares one count, and a burst across a window boundary is
counted whole."""

from __future__ import annotations

import pytest

from middleware.api.throttle import Limit, RateLimiter

pytestmark = pytest.mark.integration
LIMIT = Limit(10, 300)


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_web_workers_share_one_sliding_count(clean_redis_url: str) -> None:
    clock = Clock(4000 * LIMIT.window_seconds - 2.0)  # two seconds before a window boundary
    workers = [RateLimiter(clean_redis_url, now=clock) for _ in range(2)]
    try:
        for i in range(LIMIT.count):
            assert workers[i % 2].hit("login:spray", LIMIT) is None, f"event {i + 1} refused"
            clock.now += 0.4  # the burst crosses the boundary half-way
        wait = workers[0].exceeded("login:spray", LIMIT)
        assert wait is not None
        assert 0 < wait <= 2 * LIMIT.window_seconds
        assert workers[1].hit("login:spray", LIMIT) is not None
        assert workers[1].exceeded("login:other", LIMIT) is None
    finally:
        for worker in workers:
            worker.close()
