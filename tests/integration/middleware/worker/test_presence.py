"""Worker presence in Redis: a heartbeat key with a TTL while the worker lives, gone when it stops."""

from __future__ import annotations

import pytest
import redis

from harness.runtime.polling import wait_for
from middleware.worker.presence import HEARTBEAT_TTL_SECONDS, Heartbeat, heartbeat_key, live_workers

pytestmark = pytest.mark.integration


def test_heartbeat_key_has_a_ttl_and_lists_the_worker_until_stopped(clean_redis_url: str) -> None:
    heartbeat = Heartbeat(clean_redis_url, "logikal-1@host", interval_seconds=0.1)
    heartbeat.start()
    try:
        assert wait_for(lambda: live_workers(clean_redis_url), timeout=5) == ["logikal-1@host"]
        with redis.Redis.from_url(clean_redis_url) as client:
            assert 0 < client.ttl(heartbeat_key("logikal-1@host")) <= HEARTBEAT_TTL_SECONDS
    finally:
        heartbeat.stop()
    assert live_workers(clean_redis_url) == []


def test_a_dead_workers_key_expires_by_itself(clean_redis_url: str) -> None:
    with redis.Redis.from_url(clean_redis_url) as client:
        client.set(heartbeat_key("crashed@host"), "{}", px=200)
    assert live_workers(clean_redis_url) == ["crashed@host"]
    wait_for(lambda: live_workers(clean_redis_url) == [], timeout=5, description="key expired")


def test_unreachable_redis_means_no_live_workers() -> None:
    assert live_workers("redis://127.0.0.1:1/0") == []
