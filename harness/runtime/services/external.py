"""Redis and PostgreSQL handed over by URL (HARNESS_REDIS_URL, HARNESS_DATABASE_URL), e.g. by a CI."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Self
from urllib.parse import urlsplit

import psycopg
import redis

from harness.errors import FaultInjectionUnsupportedError, HarnessError, ServiceUnavailableError
from harness.runtime.cleanup import register_cleanup, unregister_cleanup
from harness.runtime.services.base import ServiceKind, ServiceProvider, unique_database_name, with_database

__all__ = ["DATABASE_URL_ENV", "REDIS_URL_ENV", "ExternalProvider", "is_external_configured"]

REDIS_URL_ENV = "HARNESS_REDIS_URL"
DATABASE_URL_ENV = "HARNESS_DATABASE_URL"


def is_external_configured(env: Mapping[str, str] | None = None) -> bool:
    env = os.environ if env is None else env
    return bool(env.get(REDIS_URL_ENV) or env.get(DATABASE_URL_ENV))


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)


class ExternalProvider(ServiceProvider):
    """Uses services someone else runs: creates its own uniquely named databases, never kills anything."""

    mode = "external"

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        missing = [name for name in (REDIS_URL_ENV, DATABASE_URL_ENV) if not env.get(name)]
        if missing:
            raise ServiceUnavailableError(
                f"external services need both {REDIS_URL_ENV} and {DATABASE_URL_ENV}; missing: "
                + ", ".join(missing)
            )
        self._redis_url = env[REDIS_URL_ENV]
        self._admin_url = env[DATABASE_URL_ENV].replace("postgresql+psycopg://", "postgresql://", 1)
        self._owned: list[str] = []
        self._database_name: str | None = None
        self._template: str | None = None
        self._cleanup_handle: int | None = None

    @property
    def redis_url(self) -> str:
        return self._redis_url

    @property
    def admin_database_url(self) -> str:
        return self._admin_url

    @property
    def database_name(self) -> str:
        if self._database_name is None:
            raise HarnessError("external provider is not started")
        return self._database_name

    @property
    def database_url(self) -> str:
        return with_database(self._admin_url, self.database_name)

    @property
    def template_database(self) -> str | None:
        return self._template

    def start(self) -> Self:
        if self._database_name is not None:
            return self
        self._check_redis()
        self._check_postgres()
        self._cleanup_handle = register_cleanup(self.close)
        try:
            template = self.create_database(unique_database_name("harness_template"), template="template0")
            self._owned.append(urlsplit(template).path.lstrip("/"))
            self._template = self._owned[-1]
            harness = self.create_database(unique_database_name(), template="template0")
            self._owned.append(urlsplit(harness).path.lstrip("/"))
            self._database_name = self._owned[-1]
        except psycopg.errors.InsufficientPrivilege:
            # Without CREATEDB we use the given database as it is; per-test databases will fail clearly.
            self._database_name = urlsplit(self._admin_url).path.lstrip("/") or "postgres"
        return self

    def stop(self, kind: ServiceKind) -> None:
        raise self._unsupported("stop", kind)

    def kill(self, kind: ServiceKind) -> None:
        raise self._unsupported("kill", kind)

    def restart(self, kind: ServiceKind) -> None:
        raise self._unsupported("restart", kind)

    def close(self) -> None:
        while self._owned:
            name = self._owned.pop()
            try:
                self.drop_database(name)
            except psycopg.Error:
                continue
        self._database_name = self._template = None
        if self._cleanup_handle is not None:
            unregister_cleanup(self._cleanup_handle)
            self._cleanup_handle = None

    def _unsupported(self, action: str, kind: ServiceKind) -> FaultInjectionUnsupportedError:
        return FaultInjectionUnsupportedError(
            f"cannot {action} external {kind}: fault injection needs the local or docker services "
            "(--services local|docker, or unset HARNESS_REDIS_URL/HARNESS_DATABASE_URL)"
        )

    def _check_redis(self) -> None:
        try:
            with redis.Redis.from_url(self._redis_url, socket_connect_timeout=2, socket_timeout=2) as client:
                client.ping()
        except (redis.RedisError, ValueError) as exc:
            raise ServiceUnavailableError(
                f"{REDIS_URL_ENV}={_redact(self._redis_url)} does not answer: {exc}"
            ) from exc

    def _check_postgres(self) -> None:
        try:
            with psycopg.connect(self._admin_url, connect_timeout=2) as conn:
                conn.execute("SELECT 1")
        except psycopg.Error as exc:
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ServiceUnavailableError(
                f"{DATABASE_URL_ENV}={_redact(self._admin_url)} does not answer: {first_line}"
            ) from exc
