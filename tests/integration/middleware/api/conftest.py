"""Fixtures for the HTTP API tests: the app served in a thread, settings, admin and client credentials."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from harness.runtime.polling import wait_for
from middleware.api.app import create_app
from middleware.config import Settings
from middleware.db.session import make_session_factory

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "api-tests-admin-password"
CLOSED_REDIS_URL = "redis://127.0.0.1:9/0"  # the discard port: nothing listens there


def sqlalchemy_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


@pytest.fixture
def api_database_url(migrated_database_url: str) -> str:
    """A fresh database at the head revision (a clone of the sync-core conftest's migrated template)."""
    return migrated_database_url


def make_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "DATABASE_URL": database_url,
        "REDIS_URL": None,
        "SECRET_KEY": "api-tests-secret-key-0123456789-abcdefgh",
        "JWT_SECRET_KEY": "api-tests-jwt-secret-key-0123456789-abcdefgh",
        "ADMIN_USERNAME": ADMIN_USERNAME,
        "ADMIN_PASSWORD": ADMIN_PASSWORD,
        "LOGIKAL_API_BASE_URL": "http://127.0.0.1:9/MbioeService.svc/api/v3/",
        "ENVIRONMENT": "testing",
        "BACKGROUND_SYNC_ENABLED": False,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings(api_database_url: str) -> Settings:
    return make_settings(api_database_url)


@contextmanager
def serve_in_thread(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port (lifespan included); yield its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, loop="asyncio", http="h11", lifespan="on", log_level="warning", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"api-{port}", daemon=True)
    thread.start()
    try:
        wait_for(lambda: server.started or not thread.is_alive(), timeout=15, description="uvicorn start")
        assert thread.is_alive(), "the API server thread died during start-up"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


@contextmanager
def api_client(settings: Settings) -> Iterator[httpx.Client]:
    with (
        serve_in_thread(create_app(settings)) as base_url,
        httpx.Client(base_url=base_url, timeout=30) as http,
    ):
        yield http


@pytest.fixture
def client(settings: Settings) -> Iterator[httpx.Client]:
    with api_client(settings) as http:
        yield http


@pytest.fixture
def db(db_engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(db_engine)


@pytest.fixture
def admin_headers(client: httpx.Client) -> dict[str, str]:
    response = client.post(
        "/api/v1/admin/login", json={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@dataclass
class OdooClient:
    client_id: str
    secret: str
    headers: dict[str, str]


def create_odoo_client(
    client: httpx.Client, admin_headers: dict[str, str], client_id: str, permissions: list[str] | None = None
) -> OdooClient:
    body: dict[str, Any] = {"client_id": client_id, "name": f"Odoo {client_id}"}
    if permissions is not None:
        body["permissions"] = permissions
    created = client.post("/api/v1/admin/clients", json=body, headers=admin_headers)
    assert created.status_code == 201, created.text
    secret = created.json()["client_secret"]
    login = client.post("/api/v1/client-auth/login", json={"client_id": client_id, "client_secret": secret})
    assert login.status_code == 200, login.text
    return OdooClient(client_id, secret, {"Authorization": f"Bearer {login.json()['access_token']}"})


@pytest.fixture
def odoo(client: httpx.Client, admin_headers: dict[str, str]) -> OdooClient:
    return create_odoo_client(client, admin_headers, "odoo-test")
