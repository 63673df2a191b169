"""Alembic, driven from code: upgrade to head, current revision, wait for the database."""

from __future__ import annotations

import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

__all__ = [
    "DatabaseUnavailableError",
    "alembic_config",
    "current_revision",
    "head_revision",
    "upgrade",
    "wait_for_database",
]

MIGRATIONS = Path(__file__).with_name("migrations")


class DatabaseUnavailableError(Exception):
    """The database did not answer within the allowed time."""


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("postgresql+psycopg://")).get_current_head()


def current_revision(database_url: str) -> str | None:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def wait_for_database(database_url: str, timeout: float = 60.0, interval: float = 1.0) -> None:
    """Poll SELECT 1 until it answers; raise DatabaseUnavailableError with the last error otherwise."""
    deadline = time.monotonic() + timeout
    engine = create_engine(database_url, pool_pre_ping=True)
    last_error = "no attempt made"
    try:
        while True:
            try:
                with engine.connect() as connection:
                    connection.execute(text("SELECT 1"))
                return
            except OperationalError as exc:
                last_error = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            if time.monotonic() >= deadline:
                raise DatabaseUnavailableError(f"database not available after {timeout:.0f} s: {last_error}")
            time.sleep(interval)
    finally:
        engine.dispose()
