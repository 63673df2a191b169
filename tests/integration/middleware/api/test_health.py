"""Health endpoints: no redirect, no auth, and a detailed check that really probes DB, Redis and workers."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from harness.runtime.services.base import ServiceProvider, unique_database_name
from middleware.worker.presence import Heartbeat

from .conftest import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    CLOSED_REDIS_URL,
    api_client,
    make_settings,
    sqlalchemy_url,
)

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("path", ["/api/v1/health", "/api/v1/health/", "/health"])
def test_health_answers_200_healthy_without_redirect(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "healthy"
    assert {"version", "git_sha", "environment"} <= body.keys()


def test_live_answers_alive(client: httpx.Client) -> None:
    assert client.get("/api/v1/health/live").json()["status"] == "alive"


def test_ready_without_redis_checks_only_the_database(client: httpx.Client) -> None:
    response = client.get("/api/v1/health/ready")
    assert response.status_code == 200
    assert response.json()["checks"]["database"]["status"] == "healthy"


def test_ready_is_503_not_ready_when_redis_is_unreachable(api_database_url: str) -> None:
    with api_client(make_settings(api_database_url, REDIS_URL=CLOSED_REDIS_URL)) as client:
        response = client.get("/api/v1/health/ready")
    assert response.status_code == 503
    assert response.json()["status"] == "not_ready"
    assert response.json()["checks"]["redis"]["status"] == "unhealthy"


def test_detailed_is_degraded_when_redis_is_unreachable(api_database_url: str) -> None:
    with api_client(make_settings(api_database_url, REDIS_URL=CLOSED_REDIS_URL)) as client:
        response = client.get("/api/v1/health/detailed")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"]["status"] == "healthy"
    assert body["checks"]["redis"]["status"] == "unhealthy"


def _admin(client: httpx.Client) -> dict[str, str]:
    login = client.post("/api/v1/admin/login", json={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD})
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


def test_detailed_is_degraded_when_no_worker_is_alive(api_database_url: str, clean_redis_url: str) -> None:
    with api_client(make_settings(api_database_url, REDIS_URL=clean_redis_url)) as client:
        body = client.get("/api/v1/health/detailed", headers=_admin(client)).json()
    assert body["status"] == "degraded"
    assert body["checks"]["redis"]["status"] == "healthy"
    assert body["checks"]["workers"]["error"] == "no live Celery worker"


@pytest.fixture
def worker_heartbeat(clean_redis_url: str) -> Iterator[str]:
    heartbeat = Heartbeat(clean_redis_url, "api-test-worker@host")
    heartbeat.start()
    yield "api-test-worker@host"
    heartbeat.stop()


def test_detailed_is_healthy_when_redis_answers_and_a_worker_is_alive(
    api_database_url: str, clean_redis_url: str, worker_heartbeat: str
) -> None:
    with api_client(make_settings(api_database_url, REDIS_URL=clean_redis_url)) as client:
        response = client.get("/api/v1/health/detailed", headers=_admin(client))
        public = client.get("/api/v1/health/detailed")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "healthy"
    assert worker_heartbeat in body["checks"]["workers"]["live"]
    assert (public.status_code, public.json()["status"]) == (200, "healthy")
    assert public.json()["checks"]["workers"]["live_count"] == 1
    assert "api-test-worker" not in public.text


def test_detailed_without_redis_or_background_sync_expects_no_worker(client: httpx.Client) -> None:
    body = client.get("/api/v1/health/detailed").json()
    assert body["status"] == "healthy"
    assert body["checks"]["workers"]["expected"] is False


def test_detailed_is_unhealthy_503_when_the_database_is_unreachable() -> None:
    settings = make_settings("postgresql+psycopg://nobody@127.0.0.1:9/none")
    with api_client(settings) as client:
        response = client.get("/api/v1/health/detailed")
        basic = client.get("/api/v1/health")
    assert response.status_code == 503
    assert response.json()["status"] == "unhealthy"
    assert response.json()["checks"]["database"] == {"status": "unhealthy"}
    assert basic.status_code == 200


@pytest.fixture
def empty_database_url(service_provider: ServiceProvider) -> Iterator[str]:
    """A database without the schema (cloned from the provider's empty template, not the migrated one)."""
    name = unique_database_name("api_empty")
    url = service_provider.create_database(name)
    yield sqlalchemy_url(url)
    service_provider.drop_database(name)


def test_unmigrated_database_gives_a_readable_503_not_a_traceback(empty_database_url: str) -> None:
    with api_client(make_settings(empty_database_url)) as client:
        response = client.post("/api/v1/admin/login", json={"username": "admin", "password": "whatever"})
    assert response.status_code == 503
    assert response.json()["detail"]["code"] == "DATABASE_NOT_MIGRATED"
    assert "Traceback" not in response.text


def test_unreachable_database_gives_a_readable_503() -> None:
    settings = make_settings("postgresql+psycopg://nobody@127.0.0.1:9/none")
    with api_client(settings) as down:
        response = down.post("/api/v1/admin/login", json={"username": "admin", "password": "whatever"})
    assert response.status_code == 503
    assert response.json()["detail"]["code"] == "DATABASE_UNAVAILABLE"


def test_public_detailed_and_ready_hide_hostnames_and_error_texts_admins_see_them() -> None:
    # unreachable database on a named host, unreachable Redis: both error texts name the hosts
    settings = make_settings(
        "postgresql+psycopg://nobody@db-secret-host.invalid:9/none",
        REDIS_URL="redis://redis-secret-host.invalid:9/0",
    )
    with api_client(settings) as client:
        public = client.get("/api/v1/health/detailed")
        ready = client.get("/api/v1/health/ready")
        bogus = client.get("/api/v1/health/detailed", headers={"Authorization": "Bearer not-a-token"})
    assert (public.status_code, public.json()["status"]) == (503, "unhealthy")
    assert ready.status_code == 503
    assert bogus.status_code == 503
    for response in (public, ready, bogus):
        assert "secret-host" not in response.text, response.text
        assert all("error" not in check for check in response.json()["checks"].values())
    assert public.json()["checks"]["database"]["status"] == "unhealthy"


def test_an_admin_sees_the_error_texts(api_database_url: str) -> None:
    with api_client(
        make_settings(api_database_url, REDIS_URL="redis://redis-secret-host.invalid:9/0")
    ) as client:
        admin = client.get("/api/v1/health/detailed", headers=_admin(client)).json()
    assert admin["status"] == "degraded"
    assert "error" in admin["checks"]["redis"]


def test_the_check_timeout_is_the_setting_not_a_constant(api_database_url: str) -> None:
    # A clock warped from outside shrinks every in-build timeout; the harness can stretch only a setting.
    with api_client(make_settings(api_database_url, HEALTH_CHECK_TIMEOUT_SECONDS=1e-6)) as client:
        body = client.get("/api/v1/health/ready").json()
    assert body["status"] == "not_ready"
    assert body["checks"]["database"]["status"] == "unhealthy"
