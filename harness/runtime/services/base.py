"""The service provider contract: Redis and PostgreSQL URLs, per-run databases, fault injection."""

from __future__ import annotations

import re
import uuid
from abc import ABC, abstractmethod
from enum import StrEnum
from types import TracebackType
from typing import Self
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from harness.errors import HarnessError

__all__ = [
    "HARNESS_DATABASE",
    "TEMPLATE_DATABASE",
    "ServiceKind",
    "ServiceProvider",
    "unique_database_name",
    "with_database",
]

HARNESS_DATABASE = "harness"
TEMPLATE_DATABASE = "harness_template"
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class ServiceKind(StrEnum):
    REDIS = "redis"
    POSTGRES = "postgres"


def unique_database_name(prefix: str = "harness") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:16]}"


def with_database(url: str, name: str) -> str:
    """Return the PostgreSQL ``url`` pointing at database ``name`` instead."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _checked_name(name: str) -> str:
    if not _NAME.match(name):
        raise HarnessError(f"invalid database name {name!r}: use lower-case letters, digits and _")
    return name


class ServiceProvider(ABC):
    """Provides a ready Redis and a ready, empty PostgreSQL database ``harness``; ``start()`` first.

    ``database_url`` and friends use the plain ``postgresql://`` scheme (psycopg); SQLAlchemy callers
    replace it with ``postgresql+psycopg://`` themselves.
    """

    mode: str = "abstract"

    @property
    @abstractmethod
    def redis_url(self) -> str: ...

    @property
    @abstractmethod
    def admin_database_url(self) -> str:
        """URL of the maintenance database, for CREATE/DROP DATABASE."""

    @property
    def database_url(self) -> str:
        return with_database(self.admin_database_url, self.database_name)

    @property
    def database_name(self) -> str:
        return HARNESS_DATABASE

    @property
    def template_database(self) -> str | None:
        """An empty database nobody connects to, cloned by ``create_database`` when no template is given."""
        return TEMPLATE_DATABASE

    @abstractmethod
    def start(self) -> Self:
        """Make both services ready (idempotent) and return self."""

    @abstractmethod
    def stop(self, kind: ServiceKind) -> None:
        """Stop one service gracefully; ``restart`` brings it back on the same port."""

    @abstractmethod
    def kill(self, kind: ServiceKind) -> None:
        """SIGKILL one service's server, as a crash would."""

    @abstractmethod
    def restart(self, kind: ServiceKind) -> None:
        """Start one service again on the same port (stopping it first if it runs) and wait until ready."""

    @abstractmethod
    def close(self) -> None:
        """Stop everything and remove every temporary file; safe to call more than once."""

    def create_database(self, name: str | None = None, template: str | None = None) -> str:
        """Create a database (``CREATE DATABASE ... TEMPLATE``) and return its URL."""
        name = _checked_name(name or unique_database_name())
        template = template or self.template_database
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template is not None:
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(_checked_name(template)))
        with psycopg.connect(self.admin_database_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(statement)
        return with_database(self.admin_database_url, name)

    def drop_database(self, name: str) -> None:
        """Drop a database, ending its open connections first; a missing database is fine."""
        statement = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(_checked_name(name))
        )
        with psycopg.connect(self.admin_database_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(statement)

    def __enter__(self) -> Self:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
