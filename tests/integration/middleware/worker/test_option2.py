"""Checklist Option 2: web (sync disabled), worker and beat as separate processes; the documented command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from harness.runtime.polling import wait_for
from middleware.config import load_settings
from middleware.db.models import ObjectSyncConfig
from middleware.db.session import make_engine, make_session_factory, session_scope
from middleware.worker.celery_app import create_celery
from middleware.worker.names import TASK_SCHEDULER
from middleware.worker.presence import live_workers
from tests.integration.middleware.worker.processes import LoggedProcess, free_port, middleware_environment

pytestmark = [pytest.mark.integration, pytest.mark.slow]
INTERVAL = 4.0


def _last_sync(database_url: str, object_type: str) -> object:
    engine = make_engine(database_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            return session.scalar(
                select(ObjectSyncConfig.last_sync).where(ObjectSyncConfig.object_type == object_type)
            )
    finally:
        engine.dispose()


def test_web_worker_and_beat_as_separate_processes_sync_on_schedule(
    tmp_path: Path, clean_database_url: str, clean_redis_url: str, fake_url: str
) -> None:
    port = free_port()

    def env(enabled: bool) -> dict[str, str]:
        return middleware_environment(
            database_url=clean_database_url,
            redis_url=clean_redis_url,
            fake_url=fake_url,
            port=port,
            enabled=enabled,
            interval=INTERVAL,
        )

    migrate = subprocess.run(
        [sys.executable, "-m", "middleware", "migrate"], env=env(False), capture_output=True, timeout=120
    )
    assert migrate.returncode == 0, migrate.stderr
    processes = {
        "web": LoggedProcess.middleware("web", env(False), tmp_path / "web.log"),
        "worker": LoggedProcess.middleware("worker", env(True), tmp_path / "worker.log"),
        "beat": LoggedProcess.middleware("beat", env(True), tmp_path / "beat.log"),
    }
    try:
        wait_for(
            lambda: httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2).status_code == 200,
            timeout=60,
            ignore=(httpx.HTTPError,),
            description="web health 200",
        )
        wait_for(lambda: live_workers(clean_redis_url), timeout=30, description="worker heartbeat")
        url = "postgresql+psycopg://" + clean_database_url.split("://", 1)[1]
        wait_for(lambda: _last_sync(url, "directory"), timeout=2 * INTERVAL + 5, description="scheduled sync")
        web, worker, beat = (processes[name].texts() for name in ("web", "worker", "beat"))
        assert "Background sync is disabled, skipping Celery services" in web
        assert "Starting FastAPI application..." in web
        assert not any("Celery" in line and "Started" in line for line in web)
        assert worker[:2] == ["Background sync is enabled", "Starting Celery worker"]
        assert any(line.endswith(" ready.") for line in worker)
        assert any(line.startswith("Connected to redis://") for line in worker)
        assert beat[:2] == ["Background sync is enabled", "Starting Celery beat"]
        assert any("Sending due task smart-sync-scheduler" in line for line in beat)
    finally:
        codes = {name: process.stop() for name, process in processes.items()}
    assert codes == {"web": 0, "worker": 0, "beat": 0}


def test_documented_celery_command_consumes_the_middleware_queues(
    tmp_path: Path, worker_database_url: str, clean_redis_url: str, fake_url: str
) -> None:
    environment = middleware_environment(
        database_url=worker_database_url,
        redis_url=clean_redis_url,
        fake_url=fake_url,
        port=free_port(),
        enabled=True,
        interval=3600,
    )
    command = [
        *(sys.executable, "-m", "celery", "-A", "middleware.worker.celery_app", "worker"),
        *("--loglevel=info", "--queues=sync,scheduler,sqlite_parser", "--pool=solo"),
    ]
    worker = LoggedProcess(command, environment, tmp_path / "celery.log")
    try:
        wait_for(lambda: live_workers(clean_redis_url), timeout=60, description="worker heartbeat")
        create_celery(load_settings(REDIS_URL=clean_redis_url)).send_task(TASK_SCHEDULER)
        wait_for(lambda: _last_sync(worker_database_url, "project"), timeout=60, description="project synced")
        assert "Found 6 enabled sync configurations" in worker.texts()
    finally:
        assert worker.stop() == 0
