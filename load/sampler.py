"""Resource samples over time: PSS and CPU per process role, the cgroups, Redis, PostgreSQL, Celery queues."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psutil
import psycopg
import redis

from load.cgroups import CgroupStats

__all__ = ["QUEUES", "ResourceSample", "ResourceSampler", "role_of"]

QUEUES = ("sync", "scheduler", "sqlite_parser")


def role_of(cmdline: list[str]) -> str:
    """web, worker or beat, from a middleware process's command line (prefork children look like workers)."""
    words = {part.rsplit("/", 1)[-1] for part in cmdline}
    if "beat" in words:
        return "beat"
    if "worker" in words or "celery" in words:
        return "worker"
    return "web"


@dataclass
class ResourceSample:
    t: float
    pss: dict[str, int] = field(default_factory=dict)  # role → bytes
    cpu: dict[str, float] = field(default_factory=dict)  # role → percent of one core
    processes: int = 0
    cgroups: dict[str, CgroupStats] = field(default_factory=dict)
    redis_used_memory: int | None = None
    pg_connections: int | None = None
    queue_depth: dict[str, int] = field(default_factory=dict)

    @property
    def pss_total(self) -> int:
        return sum(self.pss.values())

    @property
    def cpu_total(self) -> float:
        return sum(self.cpu.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "t": self.t,
            "pss": self.pss,
            "cpu": self.cpu,
            "processes": self.processes,
            "cgroups": {name: vars(stats) for name, stats in self.cgroups.items()},
            "redis_used_memory": self.redis_used_memory,
            "pg_connections": self.pg_connections,
            "queue_depth": self.queue_depth,
        }


class ResourceSampler:
    """A thread sampling every ``interval`` seconds until stopped; ``leaders()`` gives the tree roots."""

    def __init__(
        self,
        leaders: Callable[[], list[int]],
        *,
        redis_url: str,
        database_url: str,
        cgroup_stats: Callable[[], dict[str, CgroupStats]],
        interval: float = 1.0,
    ) -> None:
        self._leaders = leaders
        self._redis_url = redis_url
        self._database_url = database_url
        self._cgroup_stats = cgroup_stats
        self._interval = interval
        self._cpu_seen: dict[tuple[int, float], float] = {}
        self._last_t = time.monotonic()
        self.samples: list[ResourceSample] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="load-sampler", daemon=True)

    def start(self) -> None:
        self._measure_processes()  # CPU baselines, so the first sample has rates
        self._thread.start()

    def stop(self) -> list[ResourceSample]:
        self._stop.set()
        self._thread.join(timeout=10)
        return self.samples

    def latest(self) -> ResourceSample | None:
        return self.samples[-1] if self.samples else None

    def _run(self) -> None:
        client = redis.Redis.from_url(self._redis_url, socket_timeout=2)
        conn: psycopg.Connection[Any] | None = None
        with contextlib.suppress(psycopg.Error):
            conn = psycopg.connect(self._database_url, autocommit=True, connect_timeout=3)
        try:
            while not self._stop.wait(self._interval):
                sample = self._measure_processes()
                with contextlib.suppress(redis.RedisError):
                    sample.redis_used_memory = int(client.info("memory")["used_memory"])
                    sample.queue_depth = {queue: int(client.llen(queue)) for queue in QUEUES}
                if conn is not None:
                    with contextlib.suppress(psycopg.Error):
                        row = conn.execute(
                            b"SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        ).fetchone()
                        sample.pg_connections = int(row[0]) - 1 if row else None  # without ours
                with contextlib.suppress(OSError):
                    sample.cgroups = self._cgroup_stats()
                self.samples.append(sample)
        finally:
            client.close()
            if conn is not None:
                conn.close()

    def _measure_processes(self) -> ResourceSample:
        now = time.monotonic()
        wall = max(now - self._last_t, 1e-6)
        self._last_t = now
        sample = ResourceSample(t=time.time())
        seen: dict[tuple[int, float], float] = {}
        for leader in self._leaders():
            try:
                root = psutil.Process(leader)
                tree = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                continue
            for proc in tree:
                try:
                    key = (proc.pid, proc.create_time())
                    role = role_of(proc.cmdline())
                    times = proc.cpu_times()
                    used = times.user + times.system
                    try:
                        pss = int(proc.memory_full_info().pss)
                    except psutil.AccessDenied:
                        pss = int(proc.memory_info().rss)
                except (psutil.NoSuchProcess, psutil.ZombieProcess):
                    continue
                seen[key] = used
                before = self._cpu_seen.get(key)
                rate = 0.0 if before is None else 100.0 * (used - before) / wall
                sample.pss[role] = sample.pss.get(role, 0) + pss
                sample.cpu[role] = round(sample.cpu.get(role, 0.0) + rate, 2)
                sample.processes += 1
        self._cpu_seen = seen
        return sample
