"""The external provider against services someone else runs, touching only databases it creates itself."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
import redis

from harness.errors import FaultInjectionUnsupportedError, ServiceUnavailableError
from harness.runtime.services import ExternalProvider, LocalProvider, ServiceKind, select_provider

pytestmark = pytest.mark.integration

# This machine's own services, as a CI would hand them over.
MACHINE_ENV = {
    "HARNESS_REDIS_URL": "redis://127.0.0.1:6379/15",
    "HARNESS_DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/postgres",
}


def _machine_services_answer() -> bool:
    try:
        with redis.Redis.from_url(MACHINE_ENV["HARNESS_REDIS_URL"], socket_connect_timeout=1) as client:
            client.ping()
        psycopg.connect(MACHINE_ENV["HARNESS_DATABASE_URL"], connect_timeout=1).close()
    except (redis.RedisError, psycopg.Error):
        return False
    return True


@pytest.fixture(scope="module")
def external_env() -> Iterator[dict[str, str]]:
    """The machine's services when they run (as here); else private servers play "someone else's"."""
    if _machine_services_answer():
        yield MACHINE_ENV
        return
    with LocalProvider() as local:
        yield {"HARNESS_REDIS_URL": local.redis_url, "HARNESS_DATABASE_URL": local.admin_database_url}


@pytest.fixture(scope="module")
def provider(external_env: dict[str, str]) -> Iterator[ExternalProvider]:
    with ExternalProvider(external_env) as external:
        yield external


def _database_exists(env: dict[str, str], name: str) -> bool:
    with psycopg.connect(env["HARNESS_DATABASE_URL"]) as conn:
        row = conn.execute("SELECT count(*) FROM pg_database WHERE datname = %s", (name,)).fetchone()
    return row == (1,)


def test_auto_chooses_external_when_urls_are_set(external_env: dict[str, str]) -> None:
    assert isinstance(select_provider(env=external_env), ExternalProvider)


def test_redis_answers_ping(provider: ExternalProvider) -> None:
    assert provider.redis_url.startswith("redis://127.0.0.1:")
    with redis.Redis.from_url(provider.redis_url) as client:
        assert client.ping()


def test_database_is_an_own_empty_database(provider: ExternalProvider) -> None:
    assert provider.database_name.startswith("harness_")
    with psycopg.connect(provider.database_url) as conn:
        assert conn.execute("SELECT 1, current_database()").fetchone() == (1, provider.database_name)
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
        assert tables == (0,)


def test_create_and_drop_a_uniquely_named_database(
    provider: ExternalProvider, external_env: dict[str, str]
) -> None:
    url = provider.create_database()
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == (name,)
    provider.drop_database(name)
    assert not _database_exists(external_env, name)


@pytest.mark.parametrize("action", ["stop", "kill", "restart"])
def test_fault_injection_is_refused_clearly(provider: ExternalProvider, action: str) -> None:
    with pytest.raises(FaultInjectionUnsupportedError, match="fault injection needs the local or docker"):
        getattr(provider, action)(ServiceKind.REDIS)


def test_close_drops_the_databases_it_created(external_env: dict[str, str]) -> None:
    provider = ExternalProvider(external_env).start()
    names = [provider.database_name, provider.template_database]
    assert all(name is not None and _database_exists(external_env, name) for name in names)
    provider.close()
    provider.close()
    assert not any(_database_exists(external_env, str(name)) for name in names)


def test_redis_that_does_not_answer_is_a_clear_error() -> None:
    env = {**MACHINE_ENV, "HARNESS_REDIS_URL": "redis://127.0.0.1:1/0"}
    with pytest.raises(
        ServiceUnavailableError, match=r"HARNESS_REDIS_URL=redis://127.0.0.1:1/0 does not answer"
    ):
        ExternalProvider(env).start()


def test_database_that_does_not_answer_is_a_clear_error_without_password() -> None:
    env = {**MACHINE_ENV, "HARNESS_DATABASE_URL": "postgresql://postgres:s3cret@127.0.0.1:1/postgres"}
    with pytest.raises(ServiceUnavailableError, match="does not answer") as caught:
        ExternalProvider(env).start()
    assert "s3cret" not in str(caught.value)
    assert "\n" not in str(caught.value)
