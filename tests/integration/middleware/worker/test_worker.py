"""A real Celery worker (thread, real Redis, not eager) consumes all three queues and keeps configs honest."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from harness.runtime.polling import wait_for
from middleware.config import Settings, load_settings
from middleware.db.models import Elevation, ObjectSyncConfig, ObjectType, ParseStatus, Project, SyncLog
from middleware.db.session import session_scope
from middleware.worker.celery_app import MiddlewareCelery, create_celery
from middleware.worker.names import (
    ALL_QUEUES,
    TASK_PARSE_PARTS_LIST,
    TASK_SCHEDULER,
    TASK_SYNC_OBJECT_TYPE,
)
from middleware.worker.presence import live_workers

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
def settings(worker_database_url: str, clean_redis_url: str, fake_url: str) -> Settings:
    return load_settings(
        ENVIRONMENT="testing",
        DATABASE_URL=worker_database_url,
        REDIS_URL=clean_redis_url,
        LOGIKAL_API_BASE_URL=f"{fake_url}/MbioeService.svc/api/v3/",
        LOGIKAL_AUTH_USERNAME="admin",
        LOGIKAL_AUTH_PASSWORD="admin",
        BACKGROUND_SYNC_ENABLED=True,
        SYNC_TASK_SOFT_TIME_LIMIT=100,
        SYNC_TASK_TIME_LIMIT=120,
    )


@pytest.fixture
def app(settings: Settings) -> Iterator[MiddlewareCelery]:
    celery = create_celery(settings)
    try:
        yield celery
    finally:
        celery.close_worker_context()


def _configs(factory: sessionmaker[Session]) -> dict[str, ObjectSyncConfig]:
    with session_scope(factory) as session:
        return {c.object_type: c for c in session.scalars(select(ObjectSyncConfig))}


def _queue_lengths(redis_url: str) -> dict[str, int]:
    with redis.Redis.from_url(redis_url) as client:
        return {queue: int(client.llen(queue)) for queue in ALL_QUEUES}


def test_worker_consumes_scheduler_sync_and_parser_queues(
    app: MiddlewareCelery, settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    assert settings.REDIS_URL is not None
    with start_worker(
        app, pool="solo", perform_ping_check=False, queues=list(ALL_QUEUES), shutdown_timeout=60
    ):
        assert wait_for(lambda: live_workers(settings.REDIS_URL or ""), timeout=10, description="heartbeat")
        app.send_task(TASK_SCHEDULER)  # scheduler queue → one chain of six type syncs on the sync queue

        def all_finished() -> dict[str, tuple[str | None, bool]] | None:
            configs = _configs(session_factory)
            state = {t: (c.last_status, c.last_sync is not None) for t, c in configs.items()}
            return state if all(status for status, _ in state.values()) else None

        state = wait_for(all_finished, timeout=90, interval=0.5, description="every type ran")
        # last_sync moved exactly for the types whose run completed
        assert all(has_sync == (status == "completed") for status, has_sync in state.values()), state
        assert state["directory"] == ("completed", True)
        assert state["project"] == ("completed", True)

        with session_scope(session_factory) as session:
            assert session.scalar(select(func.count()).select_from(Project)) >= 3
            elevation_id = session.scalars(select(Elevation.id).where(Elevation.has_parts_data)).first()
            assert elevation_id is not None
            session.execute(
                update(Elevation).where(Elevation.id == elevation_id).values(parse_status=ParseStatus.PENDING)
            )
        app.send_task(TASK_PARSE_PARTS_LIST, kwargs={"elevation_id": elevation_id})

        def parsed() -> str | None:
            with session_scope(session_factory) as session:
                status = session.scalar(select(Elevation.parse_status).where(Elevation.id == elevation_id))
            return status if status != ParseStatus.PENDING else None

        assert wait_for(parsed, timeout=60, description="parts list parsed") == ParseStatus.SUCCESS
        assert _queue_lengths(settings.REDIS_URL) == dict.fromkeys(ALL_QUEUES, 0)
    with session_scope(session_factory) as session:
        runs = session.scalars(select(SyncLog).where(SyncLog.trigger == "scheduled")).all()
        assert sorted(r.sync_type for r in runs) == sorted(t.value for t in ObjectType)
        assert all(r.status in {"completed", "partial", "failed"} and r.completed_at for r in runs)


def test_a_sync_of_a_type_already_running_is_skipped_not_overlapped(
    app: MiddlewareCelery, settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    ctx = app.worker_context()
    with (
        start_worker(
            app, pool="solo", perform_ping_check=False, queues=list(ALL_QUEUES), shutdown_timeout=60
        ),
        ctx.lock.hold("type:directory"),
    ):  # another worker is syncing directories
        app.send_task(
            TASK_SYNC_OBJECT_TYPE,
            kwargs={"object_type": "directory", "trigger": "manual", "run_id": None},
        )
        app.send_task(TASK_SYNC_OBJECT_TYPE, kwargs={"object_type": "project", "trigger": "manual"})
        wait_for(
            lambda: _configs(session_factory)["project"].last_run_id,
            timeout=60,
            description="project run recorded",
        )
    directory = _configs(session_factory)["directory"]
    assert (directory.last_sync, directory.last_run_id) == (None, None)
    with session_scope(session_factory) as session:
        assert session.scalars(select(SyncLog.sync_type)).all() == ["project"]
