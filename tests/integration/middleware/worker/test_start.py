"""`python -m middleware start` as a real process tree on private Redis/PostgreSQL and the fake (Option 1)."""

from __future__ import annotations

import os
import re
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest
from sqlalchemy import select

from harness.runtime.polling import wait_for
from middleware.db.models import ObjectSyncConfig
from middleware.db.session import make_engine, make_session_factory, session_scope
from middleware.worker.presence import live_workers
from tests.integration.middleware.worker.processes import LoggedProcess, free_port, middleware_environment

pytestmark = [pytest.mark.integration, pytest.mark.slow]

INTERVAL = 5.0
CHECKLIST_LINES = (
    "Starting Logikal Middleware with Celery services...",
    "Background sync is enabled, starting Celery services...",
    "Starting FastAPI application...",
)
_PID = re.compile(r"^Started (Celery worker|Celery beat) process \(PID: (\d+)\)$")


class Started(LoggedProcess):
    """`python -m middleware start` and what it serves."""

    def __init__(
        self, tmp_path: Path, database_url: str, redis_url: str, fake_url: str, enabled: bool
    ) -> None:
        port = free_port()
        env = middleware_environment(
            database_url=database_url,
            redis_url=redis_url,
            fake_url=fake_url,
            port=port,
            enabled=enabled,
            interval=INTERVAL,
        )
        super().__init__([sys.executable, "-m", "middleware", "start"], env, tmp_path / "middleware.log")
        self.base_url = f"http://127.0.0.1:{port}"
        self.database_url = "postgresql+psycopg://" + database_url.split("://", 1)[1]
        self.redis_url = redis_url

    def child_pids(self, name: str) -> list[int]:
        return [int(m[2]) for t in self.texts() if (m := _PID.match(t)) and m[1] == name]

    def health(self) -> int | None:
        try:
            return httpx.get(f"{self.base_url}/api/v1/health", timeout=2, follow_redirects=False).status_code
        except httpx.HTTPError:
            return None

    def configs(self) -> dict[str, ObjectSyncConfig]:
        engine = make_engine(self.database_url)
        try:
            with session_scope(make_session_factory(engine)) as session:
                return {c.object_type: c for c in session.scalars(select(ObjectSyncConfig))}
        finally:
            engine.dispose()


@pytest.fixture
def enabled_stack(
    tmp_path: Path, clean_database_url: str, clean_redis_url: str, fake_url: str
) -> Iterator[Started]:
    started = Started(tmp_path, clean_database_url, clean_redis_url, fake_url, enabled=True)
    try:
        yield started
    finally:
        started.stop()


def test_start_logs_the_checklist_lines_answers_health_and_syncs_within_two_intervals(
    enabled_stack: Started,
) -> None:
    stack = enabled_stack
    assert wait_for(lambda: stack.health() == 200, timeout=60, description="health 200")

    def checklist_lines() -> list[str] | None:
        texts = stack.texts()
        return texts if all(line in texts for line in CHECKLIST_LINES) else None

    texts = wait_for(checklist_lines, timeout=10, description="checklist lines")
    order = [
        "Starting Logikal Middleware with Celery services...",
        "Background sync is enabled, starting Celery services...",
        f"Started Celery worker process (PID: {stack.child_pids('Celery worker')[0]})",
        f"Started Celery beat process (PID: {stack.child_pids('Celery beat')[0]})",
        "Starting FastAPI application...",
    ]
    assert [texts.index(line) for line in order] == sorted(texts.index(line) for line in order)
    assert "Waiting for database to be available..." in texts
    wait_for(lambda: live_workers(stack.redis_url), timeout=30, description="worker heartbeat")
    ready = time.monotonic()
    wait_for(
        lambda: all(stack.configs()[t].last_sync for t in ("directory", "project")),
        timeout=2 * INTERVAL + 5,  # + a few seconds of the sync itself
        interval=0.25,
        description="first scheduled sync completed",
    )
    elapsed = time.monotonic() - ready
    texts = stack.texts()
    assert any(t.startswith("Starting smart sync scheduler task ") for t in texts)
    assert "Found 6 enabled sync configurations" in texts
    assert not any("Background sync is disabled" in t for t in texts)
    assert elapsed <= 2 * INTERVAL + 5


def test_sigterm_stops_every_process_and_exits_zero(enabled_stack: Started) -> None:
    stack = enabled_stack
    wait_for(lambda: stack.health() == 200, timeout=60, description="health 200")
    wait_for(lambda: live_workers(stack.redis_url), timeout=30, description="worker heartbeat")
    tree = psutil.Process(stack.process.pid).children(recursive=True)
    assert len(tree) >= 3  # worker (+ its pool child) and beat; the web server runs in the start process
    stack.process.send_signal(signal.SIGTERM)
    assert stack.process.wait(timeout=60) == 0
    _gone, alive = psutil.wait_procs(tree, timeout=10)
    assert alive == [], alive
    assert "Traceback" not in stack.text()


def test_a_killed_worker_is_restarted_by_the_supervisor(enabled_stack: Started) -> None:
    stack = enabled_stack
    first = wait_for(lambda: stack.child_pids("Celery worker"), timeout=60, description="worker PID")[0]
    wait_for(lambda: live_workers(stack.redis_url), timeout=30, description="worker heartbeat")
    os.kill(first, signal.SIGKILL)
    second = wait_for(
        lambda: [p for p in stack.child_pids("Celery worker") if p != first],
        timeout=30,
        description="restarted worker",
    )[0]
    assert psutil.pid_exists(second)
    assert any(
        e.get("event_name") == "supervisor.child_restarting" and e.get("pid") == first for e in stack.events()
    )
    wait_for(
        lambda: [w for w in live_workers(stack.redis_url) if w.startswith(f"logikal-{second}@")],
        timeout=30,
        description="heartbeat of the new worker",
    )


def test_disabled_start_skips_celery_and_still_serves(
    tmp_path: Path, clean_database_url: str, clean_redis_url: str, fake_url: str
) -> None:
    stack = Started(tmp_path, clean_database_url, clean_redis_url, fake_url, enabled=False)
    try:
        assert wait_for(lambda: stack.health() == 200, timeout=60, description="health 200")
        texts = stack.texts()
        assert "Background sync is disabled, skipping Celery services" in texts
        assert "Starting FastAPI application..." in texts
        assert stack.child_pids("Celery worker") == []
        assert stack.child_pids("Celery beat") == []
        assert psutil.Process(stack.process.pid).children() == []  # the web server runs in-process
    finally:
        assert stack.stop() == 0
