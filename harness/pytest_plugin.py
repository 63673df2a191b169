"""pytest plugin: Redis/PostgreSQL fixtures from a service provider that starts only when a test asks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from harness.runtime.services.base import ServiceProvider

__all__ = [
    "clean_database_template",
    "clean_database_url",
    "clean_redis_url",
    "database_url",
    "pytest_addoption",
    "redis_url",
    "service_provider",
]

_MODES = ("auto", "external", "docker", "local")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("logikal-harness")
    group.addoption(
        "--services",
        choices=_MODES,
        default=None,
        help="where Redis/PostgreSQL come from (default: $HARNESS_SERVICES, else auto)",
    )


@pytest.fixture(scope="session")
def service_provider(request: pytest.FixtureRequest) -> Iterator[ServiceProvider]:
    """A started provider shared by the session; a missing service fails the test, never skips it."""
    # Imported here so that test runs needing no services do not pay for psycopg/redis/testcontainers.
    from harness.errors import HarnessError
    from harness.runtime.services.select import start_provider

    mode: str | None = request.config.getoption("--services")
    provider: ServiceProvider | None = None
    problem = ""
    try:
        provider = start_provider(mode)
    except HarnessError as exc:
        problem = str(exc)
    if provider is None:
        # Failed outside the except block so pytest shows one line, not a chained traceback.
        pytest.fail(f"services unavailable: {problem}", pytrace=False)
    try:
        yield provider
    finally:
        provider.close()


@pytest.fixture(scope="session")
def redis_url(service_provider: ServiceProvider) -> str:
    return service_provider.redis_url


@pytest.fixture(scope="session")
def database_url(service_provider: ServiceProvider) -> str:
    """URL of the session's empty ``harness`` database (``postgresql://``)."""
    return service_provider.database_url


@pytest.fixture(scope="session")
def clean_database_template(service_provider: ServiceProvider) -> str | None:
    """The database ``clean_database_url`` clones; override it to clone e.g. a migrated template."""
    return service_provider.template_database


@pytest.fixture
def clean_database_url(
    service_provider: ServiceProvider, clean_database_template: str | None
) -> Iterator[str]:
    """A fresh database for one test, cloned from ``clean_database_template`` and dropped afterwards."""
    from harness.runtime.services.base import unique_database_name

    name = unique_database_name("harness_test")
    url = service_provider.create_database(name, template=clean_database_template)
    try:
        yield url
    finally:
        service_provider.drop_database(name)


@pytest.fixture
def clean_redis_url(redis_url: str) -> str:
    """The session's Redis URL, with its database flushed before the test."""
    import redis

    with redis.Redis.from_url(redis_url) as client:
        client.flushdb()
    return redis_url
