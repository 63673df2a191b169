"""How the services mode is chosen: external, docker (after a cheap check), local, or one clear error."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from harness.errors import MissingBinariesError, ServiceUnavailableError
from harness.runtime.services import (
    DockerProvider,
    ExternalProvider,
    LocalBinaries,
    LocalProvider,
    is_docker_available,
    select_provider,
)

EXTERNAL_ENV = {
    "HARNESS_REDIS_URL": "redis://127.0.0.1:1/0",
    "HARNESS_DATABASE_URL": "postgresql://postgres@127.0.0.1:1/postgres",
}
FAKE_BINARIES = LocalBinaries(redis_server=Path("/opt/redis-server"), pg_bindir=Path("/opt/pg/bin"))


def _binaries() -> LocalBinaries:
    return FAKE_BINARIES


def _no_binaries() -> LocalBinaries:
    raise MissingBinariesError("local services need redis-server", missing=("redis-server",))


class PingRecorder:
    def __init__(self, answer: object = True, error: Exception | None = None) -> None:
        self.calls = 0
        self.answer, self.error = answer, error

    def __call__(self) -> bool:
        self.calls += 1
        if self.error is not None:
            raise self.error
        return bool(self.answer)


def test_docker_is_unavailable_at_once_without_socket_or_docker_host(tmp_path: Path) -> None:
    ping = PingRecorder()
    assert not is_docker_available({}, socket_path=tmp_path / "docker.sock", ping=ping)
    assert ping.calls == 0


def test_docker_host_makes_the_engine_pinged(tmp_path: Path) -> None:
    ping = PingRecorder()
    env = {"DOCKER_HOST": "tcp://127.0.0.1:2375"}
    assert is_docker_available(env, socket_path=tmp_path / "docker.sock", ping=ping)
    assert ping.calls == 1


def test_socket_file_makes_the_engine_pinged(tmp_path: Path) -> None:
    socket_path = tmp_path / "docker.sock"
    socket_path.touch()
    ping = PingRecorder()
    assert is_docker_available({}, socket_path=socket_path, ping=ping)
    assert ping.calls == 1


def test_engine_that_does_not_answer_means_unavailable(tmp_path: Path) -> None:
    ping = PingRecorder(error=ConnectionError("Error while fetching server API version"))
    env = {"DOCKER_HOST": "unix:///nowhere.sock"}
    assert not is_docker_available(env, socket_path=tmp_path / "docker.sock", ping=ping)
    assert ping.calls == 1


def test_auto_prefers_external_when_urls_are_set() -> None:
    ping = PingRecorder()
    provider = select_provider("auto", env=EXTERNAL_ENV, docker_available=ping, find_binaries=_binaries)
    assert isinstance(provider, ExternalProvider)
    assert ping.calls == 0


def test_auto_takes_docker_when_it_answers() -> None:
    provider = select_provider("auto", env={}, docker_available=lambda: True, find_binaries=_binaries)
    assert isinstance(provider, DockerProvider)


def test_auto_falls_back_to_local() -> None:
    provider = select_provider("auto", env={}, docker_available=lambda: False, find_binaries=_binaries)
    assert isinstance(provider, LocalProvider)
    assert provider.binaries == FAKE_BINARIES


def test_auto_decides_local_at_once_without_docker(tmp_path: Path) -> None:
    ping = PingRecorder()

    def docker_available() -> bool:
        return is_docker_available({}, socket_path=tmp_path / "docker.sock", ping=ping)

    started = time.monotonic()
    provider = select_provider(env={}, docker_available=docker_available, find_binaries=_binaries)
    elapsed = time.monotonic() - started
    assert isinstance(provider, LocalProvider)
    assert ping.calls == 0
    assert elapsed < 1.0


def test_nothing_available_gives_one_line_naming_three_ways_out() -> None:
    with pytest.raises(ServiceUnavailableError) as caught:
        select_provider(env={}, docker_available=lambda: False, find_binaries=_no_binaries)
    message = str(caught.value)
    assert "\n" not in message
    assert "HARNESS_REDIS_URL and HARNESS_DATABASE_URL" in message
    assert "Docker engine" in message
    assert "install redis-server and postgresql" in message
    assert "./run bootstrap" in message
    assert "not found: redis-server" in message


def test_environment_variable_chooses_the_mode() -> None:
    env = {"HARNESS_SERVICES": "local", **EXTERNAL_ENV}
    provider = select_provider(env=env, docker_available=lambda: True, find_binaries=_binaries)
    assert isinstance(provider, LocalProvider)


def test_explicit_mode_wins_over_environment() -> None:
    env = {"HARNESS_SERVICES": "local"}
    provider = select_provider("docker", env=env, docker_available=lambda: True, find_binaries=_binaries)
    assert isinstance(provider, DockerProvider)


def test_explicit_docker_without_engine_is_an_error() -> None:
    with pytest.raises(ServiceUnavailableError, match="no Docker engine answers"):
        select_provider("docker", env={}, docker_available=lambda: False, find_binaries=_binaries)


def test_explicit_external_needs_both_urls() -> None:
    env = {"HARNESS_REDIS_URL": "redis://127.0.0.1:6379/0"}
    with pytest.raises(ServiceUnavailableError, match="missing: HARNESS_DATABASE_URL"):
        select_provider("external", env=env, docker_available=lambda: False, find_binaries=_binaries)


def test_explicit_local_without_binaries_names_them() -> None:
    with pytest.raises(MissingBinariesError, match="redis-server"):
        select_provider("local", env={}, docker_available=lambda: False, find_binaries=_no_binaries)


def test_unknown_mode_is_an_error() -> None:
    with pytest.raises(ServiceUnavailableError, match="unknown services mode 'kubernetes'"):
        select_provider(env={"HARNESS_SERVICES": "kubernetes"}, docker_available=lambda: False)


def test_local_binaries_missing_on_an_empty_path(tmp_path: Path) -> None:
    with pytest.raises(MissingBinariesError) as caught:
        LocalBinaries.find(path=str(tmp_path))
    assert "redis-server" in caught.value.missing
