"""One Redis client whose every call, connect included, is bounded: for health checks and worker presence."""

from __future__ import annotations

import redis

__all__ = ["timed_client"]


def timed_client(redis_url: str, timeout: float) -> redis.Redis[bytes]:
    """A client for ``redis_url`` whose connect and each command give up after ``timeout`` seconds."""
    return redis.Redis.from_url(redis_url, socket_timeout=timeout, socket_connect_timeout=timeout)
