"""Force sync over HTTP: 409 while the project lock is held, 202 + in-process completion against the fake."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import redis
from celery.contrib.testing.worker import start_worker
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from fake_logikal import FakeConfig, run_in_thread
from harness.runtime.polling import wait_for
from middleware.config import Settings
from middleware.db.models import Elevation, Phase, Project
from middleware.locks import ProjectLock, project_lock_key
from middleware.worker.celery_app import create_celery
from middleware.worker.names import QUEUE_SYNC, TASK_FORCE_SYNC_PROJECT
from middleware.worker.presence import Heartbeat, live_workers

from .conftest import ADMIN_PASSWORD, ADMIN_USERNAME, api_client, make_settings

pytestmark = pytest.mark.integration

FORCE = "/api/v1/sync/force/project/DOS22309"
DEMO = {"directory_id": "Demo Odoo"}


@pytest.fixture
def fake_url() -> Iterator[str]:
    with run_in_thread(FakeConfig(seed=1, size="small", parts_list_kb=(16, 32))) as url:
        yield url


@pytest.fixture
def synced_settings(api_database_url: str, fake_url: str) -> Settings:
    return make_settings(
        api_database_url,
        LOGIKAL_API_BASE_URL=f"{fake_url}/MbioeService.svc/api/v3/",
        LOGIKAL_AUTH_USERNAME="admin",
        LOGIKAL_AUTH_PASSWORD="admin",
    )


def _admin(client: httpx.Client) -> dict[str, str]:
    token = client.post("/api/v1/admin/login", json={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD})
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def _counts(db: sessionmaker[Session]) -> tuple[int, int, int]:
    with db() as session:
        return (
            session.scalar(select(func.count(Project.id))) or 0,
            session.scalar(select(func.count(Phase.id))) or 0,
            session.scalar(select(func.count(Elevation.id))) or 0,
        )


def test_force_sync_is_409_resource_locked_while_the_project_lock_is_held(
    client: httpx.Client, admin_headers: dict[str, str], db_engine: Engine
) -> None:
    with ProjectLock(db_engine).hold(project_lock_key("DOS22309", "Demo Odoo")):
        response = client.post(FORCE, params=DEMO, headers=admin_headers)
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert detail["code"] == "RESOURCE_LOCKED"
    assert detail["message"] == "Resource locked"
    runs = client.get("/api/v1/sync/runs", headers=admin_headers).json()
    assert runs == []  # refused before any run was recorded


def test_force_sync_runs_in_process_and_its_run_completes(
    synced_settings: Settings, db: sessionmaker[Session]
) -> None:
    with api_client(synced_settings) as client:
        headers = _admin(client)
        response = client.post(FORCE, params=DEMO, headers=headers)
        assert response.status_code == 202, response.text
        accepted = response.json()
        assert accepted["status"] == "queued"
        assert accepted["mode"] == "in_process"
        assert accepted["status_url"] == f"/api/v1/sync/runs/{accepted['run_id']}"

        def finished() -> dict[str, Any] | None:
            run: dict[str, Any] = client.get(accepted["status_url"], headers=headers).json()
            return run if run["status"] in {"completed", "partial", "failed"} else None

        run = wait_for(finished, timeout=120, interval=0.2, description="force sync run to finish")
        listed = client.get(
            "/api/v1/sync/runs", params={"sync_type": "project", "status": "completed"}, headers=headers
        )
        none_failed = client.get("/api/v1/sync/runs", params={"status": "failed"}, headers=headers)
    assert [r["run_id"] for r in listed.json()] == [accepted["run_id"]]
    assert none_failed.json() == []
    assert run["status"] == "completed", run
    assert run["trigger"] == "force"
    assert run["target"] == "Demo Odoo/DOS22309"
    assert run["duration_seconds"] > 0
    assert _counts(db) == (1, 2, 17)


def test_force_sync_with_wait_returns_the_upstream_body(synced_settings: Settings) -> None:
    with api_client(synced_settings) as client:
        response = client.post(FORCE, params={**DEMO, "wait": "true"}, headers=_admin(client))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True
    assert body["message"] == 'Project "DOS22309" fully synced from Logikal'
    assert body["project_id"] == "DOS22309"
    assert body["directory_id"] == "Demo Odoo"
    assert body["phases_synced"] == 2
    assert body["elevations_synced"] == 17
    assert body["parts_lists_synced"] == 17
    assert body["parts_lists_failed"] == 0
    assert body["duration_seconds"] > 0


def test_force_sync_of_an_unknown_project_with_wait_is_400(synced_settings: Settings) -> None:
    with api_client(synced_settings) as client:
        response = client.post(
            "/api/v1/sync/force/project/NOPE", params={**DEMO, "wait": "true"}, headers=_admin(client)
        )
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail["code"] == "FORCE_SYNC_PROJECT_FAILED"
    assert "NOPE" in detail["details"]


@pytest.fixture
def live_worker(clean_redis_url: str) -> Iterator[str]:
    heartbeat = Heartbeat(clean_redis_url, "api-test-worker@host")
    heartbeat.start()
    yield clean_redis_url
    heartbeat.stop()


def test_force_sync_goes_to_the_sync_queue_when_a_worker_is_alive(
    api_database_url: str, live_worker: str
) -> None:
    with api_client(make_settings(api_database_url, REDIS_URL=live_worker)) as client:
        response = client.post(FORCE, params=DEMO, headers=_admin(client))
        assert response.status_code == 202, response.text
        assert response.json()["mode"] == "queue"
        run = client.get(response.json()["status_url"], headers=_admin(client)).json()
    assert run["status"] == "queued"
    with redis.Redis.from_url(live_worker) as broker:
        messages = broker.lrange(QUEUE_SYNC, 0, -1)
    assert len(messages) == 1
    assert TASK_FORCE_SYNC_PROJECT.encode() in messages[0]
    assert response.json()["run_id"].encode() in messages[0]


def test_force_sync_with_wait_through_a_live_celery_worker_returns_the_upstream_body(
    synced_settings: Settings, clean_redis_url: str, db: sessionmaker[Session]
) -> None:
    settings = synced_settings.model_copy(update={"REDIS_URL": clean_redis_url})
    worker_app = create_celery(settings)
    try:
        with start_worker(
            worker_app, pool="solo", perform_ping_check=False, queues=[QUEUE_SYNC], shutdown_timeout=60
        ):
            wait_for(lambda: live_workers(clean_redis_url), timeout=10, description="worker heartbeat")
            with api_client(settings) as client:
                response = client.post(FORCE, params={**DEMO, "wait": "true"}, headers=_admin(client))
    finally:
        worker_app.close_worker_context()
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["phases_synced"], body["elevations_synced"], body["parts_lists_synced"]) == (2, 17, 17)
    assert _counts(db) == (1, 2, 17)


@pytest.mark.parametrize("directory", ["No Such Directory", "Demo Odoo/No Such Child", "d" * 1024])
@pytest.mark.parametrize("wait", ["false", "true"])
def test_force_sync_of_an_unknown_directory_is_404_and_writes_nothing(
    synced_settings: Settings, db: sessionmaker[Session], directory: str, wait: str
) -> None:
    from middleware.db.models import Directory, SyncLog

    with api_client(synced_settings) as client:
        response = client.post(
            FORCE, params={"directory_id": directory, "wait": wait}, headers=_admin(client)
        )
    assert response.status_code == 404, response.text
    assert response.json()["detail"]["code"] == "DIRECTORY_NOT_FOUND"
    with db() as session:
        assert session.scalars(select(Directory.logikal_id)).all() == []
        assert session.scalars(select(SyncLog.run_id)).all() == []
    assert _counts(db) == (0, 0, 0)
