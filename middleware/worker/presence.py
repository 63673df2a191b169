"""Worker presence: a heartbeat key per live worker in Redis, and the list of live workers for the web."""

from __future__ import annotations

import encodings.idna  # noqa: F401  (see Heartbeat.start: no lazy import may happen in the thread)
import json
import os
import threading
from typing import Any

import redis
from celery import bootsteps

from middleware.logs import get_logger
from middleware.timed_redis import timed_client
from middleware.waits import wait_or_stop

__all__ = [
    "HEARTBEAT_INTERVAL_SECONDS",
    "HEARTBEAT_PREFIX",
    "HEARTBEAT_TTL_SECONDS",
    "Heartbeat",
    "HeartbeatStep",
    "heartbeat_key",
    "live_workers",
]

HEARTBEAT_PREFIX = "logikal:worker:"
HEARTBEAT_TTL_SECONDS = 15
HEARTBEAT_INTERVAL_SECONDS = 5.0
REDIS_TIMEOUT_SECONDS = 2.0  # each heartbeat / presence call to Redis
_log = get_logger(__name__)


def heartbeat_key(hostname: str) -> str:
    return f"{HEARTBEAT_PREFIX}{hostname}"


def live_workers(redis_url: str, timeout: float = REDIS_TIMEOUT_SECONDS) -> list[str]:
    """Hostnames of workers with a fresh heartbeat (real time: Redis TTLs do not warp); [] if Redis fails.

    ``timeout`` bounds each Redis call (the web passes HEALTH_CHECK_TIMEOUT_SECONDS)."""
    try:
        with timed_client(redis_url, timeout) as client:
            keys = [k.decode() for k in client.scan_iter(match=f"{HEARTBEAT_PREFIX}*", count=100)]
    except redis.RedisError as exc:
        _log.warning("worker.presence_unavailable", error=str(exc))
        return []
    return sorted(key.removeprefix(HEARTBEAT_PREFIX) for key in keys)


class Heartbeat:
    """Writes ``logikal:worker:<hostname>`` with a TTL from a daemon thread until stopped."""

    def __init__(
        self,
        redis_url: str,
        hostname: str,
        *,
        ttl_seconds: int = HEARTBEAT_TTL_SECONDS,
        interval_seconds: float = HEARTBEAT_INTERVAL_SECONDS,
    ) -> None:
        self._redis_url = redis_url
        self._key = heartbeat_key(hostname)
        self._ttl = ttl_seconds
        self._interval = interval_seconds
        self._value = json.dumps({"hostname": hostname, "pid": os.getpid()})
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Beat once on the calling thread, then keep beating from a daemon thread.

        The prefork pool forks children while this thread runs. A module import in the thread holds that
        module's import lock; a child forked at that instant inherits the held lock and deadlocks on its
        first import of the same module (seen: getaddrinfo -> encodings.idna). The first beat here performs
        every lazy import (redis parsers, socket, idna) on the main thread, so the thread imports nothing.
        """
        self._stopped.clear()
        client = timed_client(self._redis_url, REDIS_TIMEOUT_SECONDS)
        self._beat(client)
        self._thread = threading.Thread(
            target=self._run, args=(client,), name="worker-heartbeat", daemon=True
        )
        self._thread.start()

    def _beat(self, client: redis.Redis[bytes]) -> None:
        try:
            client.set(self._key, self._value, ex=self._ttl)
        except redis.RedisError as exc:  # Redis restarts are survivable: try again next beat
            _log.warning("worker.heartbeat_failed", error=str(exc))

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=self._interval + 3.0)
            self._thread = None
        try:
            with timed_client(self._redis_url, REDIS_TIMEOUT_SECONDS) as client:
                client.delete(self._key)
        except redis.RedisError:
            pass  # the key expires by itself

    def _run(self, client: redis.Redis[bytes]) -> None:
        try:
            while not wait_or_stop(self._stopped, self._interval):
                self._beat(client)
        finally:
            client.close()


class HeartbeatStep(bootsteps.StartStopStep):
    """Worker bootstep: the heartbeat lives exactly as long as the worker's main process runs."""

    def __init__(self, parent: Any, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        url = parent.app.conf.broker_url
        self.heartbeat: Heartbeat | None = Heartbeat(url, parent.hostname) if url else None

    def start(self, parent: Any) -> None:
        if self.heartbeat is not None:
            self.heartbeat.start()
            _log.info("worker.heartbeat_started", hostname=parent.hostname)

    def stop(self, parent: Any) -> None:
        if self.heartbeat is not None:
            self.heartbeat.stop()

    def terminate(self, parent: Any) -> None:
        self.stop(parent)
