"""Sync-core fixtures: a migrated database per test (template clone), the fake in a thread, a SyncEngine."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from fake_logikal import API_BASE_PATH, FakeConfig, FakeLogikalClient, run_in_thread
from harness.runtime.services.base import ServiceProvider, unique_database_name
from middleware.clock import Clock, SystemClock
from middleware.config import Settings, load_settings
from middleware.db.migrate import upgrade
from middleware.db.session import make_engine, make_session_factory
from middleware.locks import ProjectLock
from middleware.logikal.client import LogikalClient
from middleware.logikal.transport import RetryPolicy
from middleware.sync.engine import SyncEngine


def sqlalchemy_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


@pytest.fixture(scope="session")
def clean_database_template(service_provider: ServiceProvider) -> Iterator[str]:
    """Migrate once into a template; every test's fresh database is a millisecond clone of it."""
    name = unique_database_name("sync_template")
    url = service_provider.create_database(name)
    upgrade(sqlalchemy_url(url))
    yield name
    service_provider.drop_database(name)


@pytest.fixture
def migrated_database_url(clean_database_url: str) -> str:
    return sqlalchemy_url(clean_database_url)


@pytest.fixture
def db_engine(migrated_database_url: str) -> Iterator[Engine]:
    engine = make_engine(migrated_database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(db_engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(db_engine)


@pytest.fixture
def fake_config() -> FakeConfig:
    """Override in a test module for another dataset or server behaviour."""
    return FakeConfig(seed=7, size="small", parts_list_kb=(16, 32))


@pytest.fixture
def fake_url(fake_config: FakeConfig) -> Iterator[str]:
    with run_in_thread(fake_config) as url:
        yield url


@pytest.fixture
def fake(fake_url: str) -> Iterator[FakeLogikalClient]:
    with FakeLogikalClient(fake_url) as client:
        yield client


def sync_settings(database_url: str, fake_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "DATABASE_URL": database_url,
        "LOGIKAL_API_BASE_URL": f"{fake_url}{API_BASE_PATH}/",
        "LOGIKAL_AUTH_USERNAME": "admin",
        "LOGIKAL_AUTH_PASSWORD": "admin",
        "ENVIRONMENT": "testing",
        "LOGIKAL_API_TIMEOUT": 10.0,
        "LOGIKAL_MAX_RETRIES": 2,
        **overrides,
    }
    return load_settings(None, **values)


@pytest.fixture
def settings(migrated_database_url: str, fake_url: str) -> Settings:
    return sync_settings(migrated_database_url, fake_url)


def make_sync_engine(
    settings: Settings, factory: sessionmaker[Session], engine: Engine, clock: Clock | None = None
) -> SyncEngine:
    """The real engine; retries back off in milliseconds so fault tests stay fast."""

    def client() -> LogikalClient:
        return LogikalClient.from_settings(settings, retry=RetryPolicy(max_retries=2, base_delay=0.01))

    return SyncEngine(settings, factory, clock or SystemClock(), ProjectLock(engine), client_factory=client)


@pytest.fixture
def sync_engine(settings: Settings, session_factory: sessionmaker[Session], db_engine: Engine) -> SyncEngine:
    return make_sync_engine(settings, session_factory, db_engine)
