"""Sliding-window rate limits: login throttling (failed attempts) and each Odoo client's rate_limit_per_hour.

Each limit keeps one counter per aligned window and weighs the previous window by how much of it still lies
inside the sliding window ending now (the "sliding window counter"), rounded up: a burst that straddles a
window boundary is still counted whole, never reset by the boundary. The weighing assumes the previous
window's events were spread evenly, so a burst spread over much of both windows may be undercounted by a few.
Counters live in Redis when REDIS_URL is set, so every web worker shares them; otherwise (or while Redis is
unreachable) in this process's memory. Windows are real seconds: a warped clock must not reset them."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import redis
from fastapi import HTTPException, status

from middleware.logs import get_logger

__all__ = ["LOGIN_LIMITS", "Limit", "RateLimiter", "throttled_login", "too_many_requests"]

_log = get_logger(__name__)
KEY_PREFIX = "logikal:rate:"


@dataclass(frozen=True)
class Limit:
    count: int
    window_seconds: int


# Failed logins per (address, account), and per address over all accounts (password spraying).
LOGIN_LIMITS = {"account": Limit(5, 300), "address": Limit(20, 300)}


def too_many_requests(retry_after: float, message: str) -> HTTPException:
    seconds = max(1, math.ceil(retry_after))
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS,
        detail={"code": "RATE_LIMITED", "message": message, "retry_after_seconds": seconds},
        headers={"Retry-After": str(seconds)},
    )


class RateLimiter:
    def __init__(self, redis_url: str | None, *, now: Callable[[], float] = time.time) -> None:
        self._redis = (
            redis.Redis.from_url(redis_url, socket_timeout=1.0, socket_connect_timeout=1.0)
            if redis_url
            else None
        )
        self._now = now
        self._memory: dict[str, int] = {}
        self._lock = threading.Lock()

    def _counts(self, key: str, limit: Limit, amount: int) -> tuple[int, int, float]:
        """Add ``amount`` to the current window; (current count, previous window's count, seconds into
        the current window)."""
        now = self._now()
        width = limit.window_seconds
        start = int(now // width) * width
        current, previous = f"{KEY_PREFIX}{key}:{start}", f"{KEY_PREFIX}{key}:{start - width}"
        ttl = 2 * width + 1  # the previous window is still read during the next one
        if self._redis is not None:
            try:
                pipe = self._redis.pipeline()
                pipe.incrby(current, amount)
                pipe.expire(current, ttl)
                pipe.get(previous)
                counted, _, before = pipe.execute()
                return int(counted), int(before or 0), now - start
            except redis.RedisError as exc:
                _log.warning("api.rate_limit_store_unavailable", error=str(exc)[:200])
        with self._lock:
            if len(self._memory) > 100_000:  # old windows: drop them all rather than grow without bound
                self._memory.clear()
            self._memory[current] = self._memory.get(current, 0) + amount
            return self._memory[current], self._memory.get(previous, 0), now - start

    def _wait(self, key: str, limit: Limit, amount: int, threshold: int) -> float | None:
        """None while the sliding count (after adding ``amount``) stays below ``threshold``, else the
        seconds until it will have fallen below it with nothing more counted."""
        current, previous, elapsed = self._counts(key, limit, amount)
        width = limit.window_seconds
        if math.ceil(round(current + previous * (1 - elapsed / width), 6)) < threshold:
            return None
        # Rounded up, the count is below ``threshold`` once the exact one is at most ``threshold - 1``.
        room = threshold - 1
        if current > room:  # this window alone is over: it must slide out far enough as the previous one
            return (width - elapsed) + width * (1 - room / current)
        return max(0.0, width * (1 - (room - current) / previous) - elapsed)

    def hit(self, key: str, limit: Limit) -> float | None:
        """Count one event; None while within ``limit``, else the seconds until an event would be again."""
        return self._wait(key, limit, 1, limit.count + 1)

    def exceeded(self, key: str, limit: Limit) -> float | None:
        """Like ``hit`` without counting: seconds to wait if ``limit`` is already reached, else None."""
        return self._wait(key, limit, 0, limit.count)

    def close(self) -> None:
        if self._redis is not None:
            self._redis.close()


T = TypeVar("T")


def throttled_login(
    limiter: RateLimiter, kind: str, address: str, account: str, attempt: Callable[[], T]
) -> T:
    """Run a login ``attempt`` unless this address (for this account, or over all) failed too often: then
    429 with Retry-After. A 401 from the attempt counts as a failure; successes are never limited."""
    keys = {
        "account": f"login:{kind}:{address}:{account.lower()[:128]}",
        "address": f"login:{kind}:{address}",
    }
    for scope, key in keys.items():
        wait = limiter.exceeded(key, LOGIN_LIMITS[scope])
        if wait is not None:
            _log.warning("api.login_throttled", kind=kind, address=address, scope=scope)
            raise too_many_requests(wait, "Too many failed login attempts; try again later")
    try:
        return attempt()
    except HTTPException as exc:
        if exc.status_code == status.HTTP_401_UNAUTHORIZED:
            for scope, key in keys.items():
                limiter.hit(key, LOGIN_LIMITS[scope])
        raise
