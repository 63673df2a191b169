"""Choose where Redis and PostgreSQL come from: external URLs, a Docker engine, or local processes."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from enum import StrEnum

from harness.errors import MissingBinariesError, ServiceUnavailableError
from harness.runtime.services.base import ServiceProvider
from harness.runtime.services.docker import DockerProvider, is_docker_available
from harness.runtime.services.external import ExternalProvider, is_external_configured
from harness.runtime.services.host import LocalBinaries
from harness.runtime.services.local import LocalProvider

__all__ = ["NO_SERVICES_MESSAGE", "SERVICES_ENV", "ServicesMode", "select_provider", "start_provider"]

SERVICES_ENV = "HARNESS_SERVICES"
NO_SERVICES_MESSAGE = (
    "no Redis/PostgreSQL available ({why}): set HARNESS_REDIS_URL and HARNESS_DATABASE_URL, "
    "or start a Docker engine, or install redis-server and postgresql (`./run bootstrap` as root)"
)


class ServicesMode(StrEnum):
    AUTO = "auto"
    EXTERNAL = "external"
    DOCKER = "docker"
    LOCAL = "local"


def _parse_mode(mode: str | None, env: Mapping[str, str]) -> ServicesMode:
    raw = mode or env.get(SERVICES_ENV) or ServicesMode.AUTO
    try:
        return ServicesMode(raw)
    except ValueError:
        choices = "|".join(m.value for m in ServicesMode)
        raise ServiceUnavailableError(f"unknown services mode {raw!r}: use {choices}") from None


def select_provider(
    mode: str | None = None,
    *,
    env: Mapping[str, str] | None = None,
    docker_available: Callable[[], bool] | None = None,
    find_binaries: Callable[[], LocalBinaries] = LocalBinaries.find,
) -> ServiceProvider:
    """Return an unstarted provider for ``mode`` (default: $HARNESS_SERVICES, else auto).

    auto = external if a HARNESS_*_URL is set, else docker if an engine answers, else local; when none can
    work, one ServiceUnavailableError names the three ways out.
    """
    env = os.environ if env is None else env
    check_docker = docker_available or (lambda: is_docker_available(env))
    chosen = _parse_mode(mode, env)
    if chosen is ServicesMode.EXTERNAL:
        return ExternalProvider(env)
    if chosen is ServicesMode.DOCKER:
        if not check_docker():
            raise ServiceUnavailableError(
                "--services docker: no Docker engine answers (set DOCKER_HOST or start the engine)"
            )
        return DockerProvider()
    if chosen is ServicesMode.LOCAL:
        return LocalProvider(find_binaries())
    if is_external_configured(env):
        return ExternalProvider(env)
    if check_docker():
        return DockerProvider()
    try:
        return LocalProvider(find_binaries())
    except MissingBinariesError as exc:
        why = f"no Docker engine answers, not found: {', '.join(exc.missing)}"
        raise ServiceUnavailableError(NO_SERVICES_MESSAGE.format(why=why)) from None


def start_provider(mode: str | None = None, *, env: Mapping[str, str] | None = None) -> ServiceProvider:
    """Select a provider and start it; the caller must ``close()`` it (or use it as a context manager)."""
    provider = select_provider(mode, env=env)
    try:
        return provider.start()
    except BaseException:
        provider.close()
        raise
