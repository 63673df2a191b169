"""Benchmark: force sync of DOS22309 at production latency; full vs incremental calls (medium)."""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from fake_logikal import API_BASE_PATH, FakeLogikalClient
from harness.runtime.polling import wait_for
from harness.runtime.services import ServiceProvider, free_port, select_provider, unique_database_name
from middleware.clock import SystemClock
from middleware.config import Settings, load_settings
from middleware.db.migrate import upgrade
from middleware.db.models import SyncTrigger
from middleware.db.session import make_engine, make_session_factory
from middleware.locks import ProjectLock
from middleware.sync.engine import SyncEngine
from middleware.sync.results import SyncRunResult

UPSTREAM_SECONDS, UPSTREAM_LOGINS = 498.0, 21
NAVIGATION = [
    ("POST", "/directories/select"),
    ("GET", "/projects"),
    ("POST", "/projects/select"),
    ("GET", "/phases"),
    ("POST", "/phases/select"),
    ("GET", "/elevations"),
    ("POST", "/elevations/select"),
]


@contextmanager
def fake_process(*args: str) -> Iterator[str]:
    """``python -m fake_logikal`` on a free port; yields its root URL once the control plane answers."""
    port = free_port()
    command = [sys.executable, "-m", "fake_logikal", "--host", "127.0.0.1", "--port", str(port), *args]
    url = f"http://127.0.0.1:{port}"
    with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as process:
        try:
            with FakeLogikalClient(url, timeout=2) as fake:
                wait_for(fake.health, timeout=60, ignore=(Exception,), description="fake_logikal ready")
            yield url
        finally:
            process.terminate()
            process.wait(10)


@contextmanager
def sync_engine(provider: ServiceProvider, fake_url: str, **overrides: Any) -> Iterator[SyncEngine]:
    name = unique_database_name("bench_sync")
    url = provider.create_database(name).replace("postgresql://", "postgresql+psycopg://", 1)
    upgrade(url)
    settings: Settings = load_settings(
        None,
        DATABASE_URL=url,
        LOGIKAL_API_BASE_URL=f"{fake_url}{API_BASE_PATH}/",
        LOGIKAL_AUTH_USERNAME="admin",
        LOGIKAL_AUTH_PASSWORD="admin",  # noqa: S106 - the fake's default credentials
        ENVIRONMENT="testing",
        **overrides,
    )
    engine = make_engine(url)
    try:
        yield SyncEngine(settings, make_session_factory(engine), SystemClock(), ProjectLock(engine))
    finally:
        engine.dispose()
        provider.drop_database(name)


def critical_path(calls: list[dict[str, Any]]) -> float:
    """A lower bound no schedule beats with these call times: one login, one of each navigation call
    (each at its shortest observed duration) and the slowest parts-list download."""

    def durations(method: str, path: str) -> list[float]:
        return [c["duration_ms"] / 1000 for c in calls if c["method"] == method and c["path"] == path]

    chain = min(durations("POST", "/auth"), default=0.0)
    chain += sum(min(durations(m, p), default=0.0) for m, p in NAVIGATION)
    return chain + max(durations("GET", "/elevations/selected/parts-list"), default=0.0)


@dataclass
class ForceFigures:
    sessions: int
    wall: float
    result: SyncRunResult
    calls: int
    logins: int
    lower_bound: float


def force_sync_dos22309(
    provider: ServiceProvider, sessions: int, time_scale: float, *, lenient: bool = False
) -> ForceFigures:
    args = ["--seed", "1", "--size", "small", "--latency", "production", "--time-scale", str(time_scale)]
    args += ["--lenient-levels"] if lenient else []
    with (
        fake_process(*args) as url,
        FakeLogikalClient(url) as fake,
        sync_engine(provider, url, LOGIKAL_MAX_SESSIONS=sessions) as engine,
    ):
        started = time.perf_counter()
        result = engine.sync_project("DOS22309", "Demo Odoo", trigger=SyncTrigger.FORCE)
        wall = time.perf_counter() - started
        calls = fake.calls(limit=100_000)
        assert fake.sessions()["open"] == 0, "sessions left open"
    logins = sum(1 for c in calls if c["method"] == "POST" and c["path"] == "/auth")
    return ForceFigures(sessions, wall, result, len(calls), logins, critical_path(calls))


def full_vs_incremental(provider: ServiceProvider, size: str, changed_share: float) -> tuple[int, int, int]:
    args = ["--seed", "3", "--size", size, "--latency", "none", "--parts-list-kb", "16-32"]
    with (
        fake_process(*args, "--journal-size", "200000") as url,
        FakeLogikalClient(url) as fake,
        sync_engine(provider, url) as engine,
    ):
        full = engine.sync_all(trigger=SyncTrigger.MANUAL, incremental=False)
        full_calls = len(fake.calls(limit=1_000_000))
        elevations = fake.state(parts="none")["counts"]["elevations"]
        changed = max(1, round(elevations * changed_share))
        fake.mutate({"action": "edit", "kind": "elevation", "count": changed, "changes": {"amount": 7.0}})
        fake.clear_calls()
        incremental = engine.sync_all(trigger=SyncTrigger.SCHEDULED)
        incremental_calls = len(fake.calls(limit=1_000_000))
        assert full.succeeded, full.error
        assert incremental.succeeded, incremental.error
        assert fake.sessions()["open"] == 0, "sessions left open"
    return full_calls, incremental_calls, changed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", default="4,17", help="LOGIKAL_MAX_SESSIONS values for the force sync")
    parser.add_argument("--runs", type=int, default=3, help="force-sync runs per sessions value")
    parser.add_argument("--time-scale", type=float, default=1.0)
    parser.add_argument("--size", default="medium")
    args = parser.parse_args()
    provider = select_provider("auto").start()
    try:
        print(f"Force sync of DOS22309 (17 elevations), --latency production --time-scale {args.time_scale}")
        print(f"  upstream reference: {UPSTREAM_SECONDS:.0f} s, {UPSTREAM_LOGINS} logins (target <= 25 s)")
        for sessions in (int(s) for s in args.sessions.split(",")):
            runs = [force_sync_dos22309(provider, sessions, args.time_scale) for _ in range(args.runs)]
            for f in runs:
                r = f.result
                print(
                    f"  LOGIKAL_MAX_SESSIONS={f.sessions:>2}: wall {f.wall:6.1f} s | logins {f.logins:>2} | "
                    f"calls {f.calls:>3} | critical-path lower bound {f.lower_bound:5.1f} s | "
                    f"{r.status.value}, {r.elevations_synced} elevations, {r.parts_lists_synced} parts lists"
                )
            walls = sorted(f.wall for f in runs)
            print(
                f"  LOGIKAL_MAX_SESSIONS={sessions:>2}: median wall {statistics.median(walls):.1f} s "
                f"(min {walls[0]:.1f}, max {walls[-1]:.1f}, {len(walls)} runs)"
            )
        lenient = force_sync_dos22309(provider, 4, args.time_scale, lenient=True)
        print(
            f"  lenient server (sideways selects), LOGIKAL_MAX_SESSIONS= 4: wall {lenient.wall:.1f} s | "
            f"logins {lenient.logins} | calls {lenient.calls} | lower bound {lenient.lower_bound:.1f} s"
        )
        full, incremental, changed = full_vs_incremental(provider, args.size, 0.01)
        print(f"Full vs incremental Logikal calls, {args.size} dataset, {changed} elevations changed (1 %)")
        print(
            f"  full {full} calls | incremental {incremental} calls | "
            f"{100 * incremental / full:.2f} % (target <= 3 %)"
        )
    finally:
        provider.close()


if __name__ == "__main__":
    main()
