"""A pool child killed (SIGKILL) mid-sync: run redone, row closed, Logikal session logged out."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import psutil
import pytest
from sqlalchemy import select

from fake_logikal import FakeLogikalClient
from harness.runtime.polling import wait_for
from middleware.clock import SystemClock
from middleware.config import load_settings
from middleware.db.models import SyncLog, SyncTrigger
from middleware.db.session import make_engine, make_session_factory, session_scope
from middleware.worker.celery_app import create_celery
from middleware.worker.names import QUEUE_SYNC, TASK_SYNC_OBJECT_TYPE
from middleware.worker.presence import live_workers
from middleware.worker.runs import queued_run
from tests.integration.middleware.worker.processes import LoggedProcess, free_port, middleware_environment

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _rows(database_url: str) -> list[SyncLog]:
    engine = make_engine(database_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            return list(session.scalars(select(SyncLog).order_by(SyncLog.id)))
    finally:
        engine.dispose()


def _open_sessions(fake: FakeLogikalClient) -> int:
    return int(fake.sessions()["open"])


def test_a_killed_pool_child_run_is_redone_closed_and_its_session_logged_out(
    tmp_path: Path, worker_database_url: str, clean_redis_url: str, fake_url: str
) -> None:
    env = middleware_environment(
        database_url=worker_database_url,
        redis_url=clean_redis_url,
        fake_url=fake_url,
        port=free_port(),
        enabled=True,
        interval=3600,
    )
    fake = FakeLogikalClient(fake_url)
    # the first directory listing hangs, so the run is mid-sync (logged in, one call open) when we kill
    fake.add_fault("latency", path="/directories", method="GET", times=1, latency={"fixed": 25})
    run_id = str(uuid.uuid4())
    engine = make_engine(worker_database_url)
    with session_scope(make_session_factory(engine)) as session:
        session.add(queued_run(run_id, "directory", SyncTrigger.SCHEDULED, SystemClock(), batch_id="tick-1"))
    engine.dispose()
    worker = LoggedProcess.middleware("worker", env, tmp_path / "worker.log")
    settings = load_settings(ENVIRONMENT="testing", REDIS_URL=clean_redis_url)
    app = create_celery(settings, with_tasks=False)
    try:
        wait_for(lambda: live_workers(clean_redis_url), timeout=60, description="worker heartbeat")
        kwargs = {"object_type": "directory", "trigger": "scheduled", "run_id": run_id}
        app.send_task(TASK_SYNC_OBJECT_TYPE, kwargs=kwargs, queue=QUEUE_SYNC)

        def started_owner() -> str | None:
            row = next((r for r in _rows(worker_database_url) if r.run_id == run_id), None)
            busy = row is not None and row.status == "started" and _open_sessions(fake) > 0
            return row.owner if busy and row is not None else None

        owner = wait_for(started_owner, timeout=60, interval=0.2, description="run started, session open")
        assert owner is not None
        child = int(owner.split("/")[1])
        assert child in {p.pid for p in psutil.Process(worker.pid).children()}, (owner, worker.pid)
        os.kill(child, signal.SIGKILL)

        def settled() -> dict[str, str] | None:
            rows = _rows(worker_database_url)
            states = {r.run_id: r.status for r in rows}
            done = states.get(run_id) == "abandoned" and "completed" in states.values()
            return states if done and _open_sessions(fake) == 0 else None

        wait_for(settled, timeout=90, interval=0.3, description="lost run abandoned, redo completed")
        rows = {r.run_id: r for r in _rows(worker_database_url)}
        lost = rows.pop(run_id)
        assert "died" in (lost.message or "") or "lost" in (lost.message or ""), lost.message
        assert lost.completed_at is not None
        (redo,) = rows.values()
        assert (redo.status, redo.sync_type, redo.batch_id) == ("completed", "directory", "tick-1")
        assert f"redone as run {redo.run_id}" in (lost.message or "")
        assert fake.sessions()["closed"] == fake.sessions()["opened"]
        assert worker.process.poll() is None  # the worker itself survived and replaced its child
    finally:
        app.close()
        fake.close()
        assert worker.stop() in (0, -signal.SIGTERM), worker.text()[-3000:]


def test_the_reaper_closes_a_dead_process_runs_chain_and_sessions(
    worker_database_url: str, fake_url: str
) -> None:
    """The scheduler tick's path (whole worker gone, nothing redelivered): rows and sessions closed."""
    import socket

    import httpx

    from middleware.db.models import LogikalSessionRecord
    from middleware.logikal.client import LogikalClient
    from middleware.sync.registry import DatabaseSessionRegistry
    from middleware.worker.reaper import Reaper
    from middleware.worker.scheduler import SyncScheduler

    dead = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    owner = f"{socket.gethostname()}/{dead.pid}/{psutil.Process(dead.pid).create_time():.2f}"
    dead.kill()
    dead.wait()
    api = f"{fake_url}/MbioeService.svc/api/v3/"
    token = httpx.post(f"{api}auth", json={"username": "admin", "password": "admin"}).json()["data"]["token"]
    engine = make_engine(worker_database_url)
    factory, clock = make_session_factory(engine), SystemClock()
    lost, rest = str(uuid.uuid4()), str(uuid.uuid4())
    with session_scope(factory) as session:
        head = queued_run(lost, "directory", SyncTrigger.SCHEDULED, clock, batch_id="tick-9")
        head.status, head.owner = "started", owner
        session.add_all([head, queued_run(rest, "project", SyncTrigger.SCHEDULED, clock, batch_id="tick-9")])
        session.add(LogikalSessionRecord(token=token, owner=owner, opened_at=clock.now()))
    settings = load_settings(ENVIRONMENT="testing", LOGIKAL_API_BASE_URL=api, LOGIKAL_AUTH_PASSWORD="x")
    registry = DatabaseSessionRegistry(factory, clock)
    fake = FakeLogikalClient(fake_url)
    try:
        assert _open_sessions(fake) == 1
        report = Reaper(
            factory, clock, lambda: LogikalClient.from_settings(settings, registry=registry)
        ).reap()
        assert (report.dead_owners, sorted(report.runs_abandoned)) == ([owner], sorted([lost, rest]))
        assert (report.sessions_closed, _open_sessions(fake)) == (1, 0)
        with session_scope(factory) as session:
            assert session.scalars(select(LogikalSessionRecord)).all() == []
            states = {
                r.run_id: (r.status, r.completed_at is not None) for r in session.scalars(select(SyncLog))
            }
        assert states == {lost: ("abandoned", True), rest: ("abandoned", True)}
        planned: list[str] = []
        scheduler = SyncScheduler(
            factory,
            clock,
            background_sync_enabled=True,
            run_limit_seconds=1800,
            dispatch=lambda plans: planned.extend(p.object_type.value for p in plans),
        )
        report_tick = scheduler.tick("tick-10")
        assert report_tick.claimed == []  # neither type is blocked by the lost run
        assert {"directory", "project"} <= set(planned)
    finally:
        fake.close()
        engine.dispose()


def test_a_retry_redoes_the_run_its_own_process_left_started(worker_database_url: str, fake_url: str) -> None:
    """PostgreSQL dropped mid-run: the row stays "started" by this very process and the task is retried.
    The retry knows nobody runs it (it holds the type lock), so the run is abandoned and redone."""
    from middleware.owners import process_owner
    from middleware.worker.reaper import Reaper

    engine = make_engine(worker_database_url)
    factory, clock = make_session_factory(engine), SystemClock()
    run_id = str(uuid.uuid4())
    with session_scope(factory) as session:
        row = queued_run(run_id, "directory", SyncTrigger.SCHEDULED, clock, batch_id="tick-3")
        row.status, row.owner = "started", process_owner()
        session.add(row)
    reaper = Reaper(factory, clock, lambda: pytest.fail("no session to close"))
    try:
        held = reaper.prepare_run(run_id, still_running_is_lost=False)
        assert (held.should_run, held.run_id) == (False, None), held  # without the lock: it may still run
        retried = reaper.prepare_run(run_id, still_running_is_lost=True)
        assert retried.should_run, retried
        assert retried.run_id not in (None, run_id), retried
        with session_scope(factory) as session:
            states = {r.run_id: (r.status, r.batch_id) for r in session.scalars(select(SyncLog))}
        assert states == {run_id: ("abandoned", "tick-3"), retried.run_id: ("queued", "tick-3")}
    finally:
        engine.dispose()
