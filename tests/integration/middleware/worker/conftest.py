"""Fixtures for the worker tests: a migrated database per test, its sessions, and captured JSON log events."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from fake_logikal import FakeConfig
from fake_logikal.testing import run_in_thread
from middleware.db.migrate import upgrade
from middleware.db.session import make_engine, make_session_factory


def sqlalchemy_url(url: str) -> str:
    return "postgresql+psycopg://" + url.split("://", 1)[1]


@pytest.fixture
def fake_url() -> Iterator[str]:
    """A small fake Logikal (Demo Odoo / DOS22309 …) served from a thread; its root URL."""
    with run_in_thread(FakeConfig(size="small")) as url:
        yield url


@pytest.fixture
def worker_database_url(clean_database_url: str) -> str:
    """A fresh database migrated to head (the seeded object_sync_configs included)."""
    url = sqlalchemy_url(clean_database_url)
    upgrade(url)
    return url


@pytest.fixture
def db_engine(worker_database_url: str) -> Iterator[Engine]:
    engine = make_engine(worker_database_url)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def session_factory(db_engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(db_engine)
