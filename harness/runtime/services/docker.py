"""Redis 7 and PostgreSQL 15 in containers through testcontainers, when a Docker engine answers."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Self

import psycopg
import redis

from harness.errors import HarnessError, ServiceUnavailableError
from harness.runtime.cleanup import register_cleanup, unregister_cleanup
from harness.runtime.polling import wait_for
from harness.runtime.services.base import HARNESS_DATABASE, TEMPLATE_DATABASE, ServiceKind, ServiceProvider
from harness.runtime.services.host import free_port

__all__ = ["DOCKER_SOCKET", "DockerProvider", "is_docker_available", "ping_docker"]

DOCKER_SOCKET = Path("/var/run/docker.sock")
REDIS_IMAGE = "redis:7"
POSTGRES_IMAGE = "postgres:15"
_PG_PASSWORD = "harness"  # noqa: S105 - a throw-away container reachable from this machine only


def ping_docker() -> object:
    """Ask the engine named by the environment to answer within 2 seconds; raises when it does not."""
    import docker

    return docker.from_env(timeout=2).ping()


def is_docker_available(
    env: Mapping[str, str] | None = None,
    socket_path: Path = DOCKER_SOCKET,
    ping: Callable[[], object] = ping_docker,
) -> bool:
    """True when a Docker engine answers; without DOCKER_HOST and without a socket, decided at once."""
    env = os.environ if env is None else env
    if not env.get("DOCKER_HOST") and not socket_path.exists():
        return False
    try:
        return bool(ping())
    except Exception:  # docker raises DockerException, requests errors, OSError...: all mean "no engine"
        return False


class DockerProvider(ServiceProvider):
    """Containers bound to fixed free host ports, so a restarted container keeps its URL."""

    mode = "docker"

    def __init__(self, ready_timeout: float = 60.0) -> None:
        self.ready_timeout = ready_timeout
        self._containers: dict[ServiceKind, Any] = {}
        self._ports: dict[ServiceKind, int] = {}
        self._cleanup_handle: int | None = None
        self._host = "127.0.0.1"

    @property
    def redis_url(self) -> str:
        return f"redis://{self._host}:{self._port(ServiceKind.REDIS)}/0"

    @property
    def admin_database_url(self) -> str:
        port = self._port(ServiceKind.POSTGRES)
        return f"postgresql://postgres:{_PG_PASSWORD}@{self._host}:{port}/postgres"

    def start(self) -> Self:
        if self._containers:
            return self
        # The community modules are the non-deprecated path in testcontainers >= 4.14.
        from testcontainers.community.postgres import PostgresContainer
        from testcontainers.community.redis import RedisContainer

        self._cleanup_handle = register_cleanup(self.close)
        try:
            redis_port = self._ports[ServiceKind.REDIS] = free_port()
            redis_container = RedisContainer(REDIS_IMAGE).with_bind_ports(6379, redis_port)
            self._containers[ServiceKind.REDIS] = redis_container
            redis_container.start()
            # A remote DOCKER_HOST publishes ports on that host, not on ours.
            self._host = str(redis_container.get_container_host_ip())
            self._ports[ServiceKind.POSTGRES] = free_port()
            postgres = PostgresContainer(
                POSTGRES_IMAGE, username="postgres", password=_PG_PASSWORD, dbname="postgres", driver=None
            ).with_bind_ports(5432, self._ports[ServiceKind.POSTGRES])
            self._containers[ServiceKind.POSTGRES] = postgres
            postgres.start()
            self._wait_ready(ServiceKind.REDIS)
            self._wait_ready(ServiceKind.POSTGRES)
            for name in (TEMPLATE_DATABASE, HARNESS_DATABASE):
                self.create_database(name, template="template0")
        except HarnessError:
            self.close()
            raise
        except Exception as exc:
            self.close()
            raise ServiceUnavailableError(f"docker services did not start: {exc}") from exc
        return self

    def stop(self, kind: ServiceKind) -> None:
        self._wrapped(kind).stop(timeout=10)

    def kill(self, kind: ServiceKind) -> None:
        self._wrapped(kind).kill(signal="SIGKILL")

    def restart(self, kind: ServiceKind) -> None:
        wrapped = self._wrapped(kind)
        wrapped.reload()
        if wrapped.status == "running":
            wrapped.stop(timeout=10)
        wrapped.start()
        self._wait_ready(kind)

    def close(self) -> None:
        for kind in (ServiceKind.POSTGRES, ServiceKind.REDIS):
            container = self._containers.pop(kind, None)
            if container is not None:
                try:
                    container.stop()
                except Exception:  # noqa: S112 - a container already gone is what close wants
                    continue
        self._ports.clear()
        if self._cleanup_handle is not None:
            unregister_cleanup(self._cleanup_handle)
            self._cleanup_handle = None

    def _port(self, kind: ServiceKind) -> int:
        try:
            return self._ports[kind]
        except KeyError:
            raise HarnessError(f"docker {kind} is not started") from None

    def _wrapped(self, kind: ServiceKind) -> Any:
        try:
            return self._containers[kind].get_wrapped_container()
        except KeyError:
            raise HarnessError(f"docker {kind} is not started") from None

    def _wait_ready(self, kind: ServiceKind) -> None:
        def answers() -> bool:
            if kind is ServiceKind.REDIS:
                with redis.Redis.from_url(self.redis_url, socket_connect_timeout=1) as client:
                    return bool(client.ping())
            with psycopg.connect(self.admin_database_url, connect_timeout=1) as conn:
                return conn.execute("SELECT 1").fetchone() == (1,)

        wait_for(
            answers,
            timeout=self.ready_timeout,
            interval=0.1,
            description=f"docker {kind} to answer",
            ignore=(redis.RedisError, psycopg.Error, OSError),
        )
