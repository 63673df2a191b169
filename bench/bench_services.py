"""Benchmark: nothing → both local services ready (Redis PING, PostgreSQL SELECT 1 on `harness`), 5 runs."""

from __future__ import annotations

import statistics
import time

import psycopg
import redis

from harness.runtime.services import LocalProvider

RUNS = 5


def measure_once() -> float:
    started = time.perf_counter()
    with LocalProvider() as provider:
        with redis.Redis.from_url(provider.redis_url) as client:
            client.ping()
        with psycopg.connect(provider.database_url) as conn:
            conn.execute("SELECT 1")
        elapsed = time.perf_counter() - started
    return elapsed


def main() -> None:
    runs = [measure_once() for _ in range(RUNS)]
    print(f"local provider, nothing -> Redis and PostgreSQL ready, {RUNS} runs")
    print("runs:   " + "  ".join(f"{value:.3f}s" for value in runs))
    print(f"median: {statistics.median(runs):.3f}s")


if __name__ == "__main__":
    main()
