"""The local provider: real private servers, kill -9 and restart on the same port, nothing left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psutil
import psycopg
import pytest
import redis
import sqlalchemy as sa

from harness.errors import HarnessError
from harness.runtime.polling import wait_for
from harness.runtime.services import LocalProvider, ServiceKind, free_port
from harness.runtime.services import local as local_module

pytestmark = pytest.mark.integration

NO_DOCKER = "unix:///nonexistent/docker.sock"


@pytest.fixture(scope="module")
def provider() -> Iterator[LocalProvider]:
    # Its own servers: these tests kill them, which must not disturb the session's shared provider.
    with LocalProvider() as local:
        yield local


@pytest.fixture(autouse=True)
def _servers_running_after_each_test(provider: LocalProvider) -> Iterator[None]:
    yield
    # A test that failed between kill and restart must not leave the next one without a server.
    for kind in ServiceKind:
        if not provider.process(kind).is_running:
            provider.restart(kind)


def _sqlalchemy_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def _tree_pids(provider: LocalProvider, *kinds: ServiceKind) -> set[int]:
    pids: set[int] = set()
    for kind in kinds or tuple(ServiceKind):
        pid = provider.process(kind).pid
        assert pid is not None
        leader = psutil.Process(pid)
        pids |= {pid, *(child.pid for child in leader.children(recursive=True))}
    return pids


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_session_fixtures_answer_ping_and_select_one(redis_url: str, database_url: str) -> None:
    with redis.Redis.from_url(redis_url) as client:
        assert client.ping()
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT 1, current_database()").fetchone() == (1, "harness")


def test_clean_database_is_fresh_and_separate(clean_database_url: str, database_url: str) -> None:
    assert clean_database_url != database_url
    with psycopg.connect(clean_database_url) as conn:
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
        assert tables == (0,)
        conn.execute("CREATE TABLE probe (id int)")


def test_clean_redis_is_flushed(clean_redis_url: str) -> None:
    with redis.Redis.from_url(clean_redis_url) as client:
        assert client.dbsize() == 0


def test_redis_kill_and_restart_on_the_same_port(provider: LocalProvider) -> None:
    url = provider.redis_url
    process = provider.process(ServiceKind.REDIS)
    old_pid = process.pid
    assert old_pid is not None
    with redis.Redis.from_url(url) as client:
        assert client.ping()
        provider.kill(ServiceKind.REDIS)
        assert not _alive(old_pid)
        with pytest.raises(redis.ConnectionError):
            redis.Redis.from_url(url, socket_connect_timeout=0.5, retry=None).ping()
        provider.restart(ServiceKind.REDIS)
        assert provider.redis_url == url
        assert process.pid != old_pid
        assert client.ping()  # the same client reconnects by itself


def test_postgres_kill_and_restart_on_the_same_port(provider: LocalProvider) -> None:
    url = provider.database_url
    engine = sa.create_engine(_sqlalchemy_url(url), pool_pre_ping=True)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT 1")).scalar() == 1
        pids = _tree_pids(provider, ServiceKind.POSTGRES)
        provider.kill(ServiceKind.POSTGRES)
        wait_for(lambda: not any(_alive(pid) for pid in pids), timeout=5, description="postgres tree gone")
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(url, connect_timeout=1).close()
        provider.restart(ServiceKind.POSTGRES)
        assert provider.database_url == url
        with engine.connect() as conn:  # the pooled connection is dead; pre-ping replaces it
            assert conn.execute(sa.text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()


def test_a_commit_acknowledged_before_a_kill_survives_the_restart(provider: LocalProvider) -> None:
    # As production PostgreSQL: acknowledged means in the WAL. With synchronous_commit off the last commits
    # (up to the WAL writer's delay) vanished with a SIGKILL, and C30 judged a database that forgot them.
    with psycopg.connect(provider.database_url, autocommit=True) as conn:
        assert conn.execute("SHOW synchronous_commit").fetchone() == ("on",)
        conn.execute("CREATE TABLE IF NOT EXISTS acknowledged (n int)")
        conn.execute("TRUNCATE acknowledged")
        for n in range(50):
            conn.execute("INSERT INTO acknowledged VALUES (%s)", (n,))
    provider.kill(ServiceKind.POSTGRES)  # at once: the WAL writer has had no time to flush on its own
    provider.restart(ServiceKind.POSTGRES)
    with psycopg.connect(provider.database_url) as conn:
        assert conn.execute("SELECT count(*) FROM acknowledged").fetchone() == (50,)


def test_graceful_stop_and_restart(provider: LocalProvider) -> None:
    provider.stop(ServiceKind.POSTGRES)
    assert not provider.process(ServiceKind.POSTGRES).is_running
    provider.restart(ServiceKind.POSTGRES)
    with psycopg.connect(provider.database_url) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_databases_from_the_template_are_created_and_dropped(provider: LocalProvider) -> None:
    url = provider.create_database()
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == (name,)
    provider.drop_database(name)
    with psycopg.connect(provider.admin_database_url) as conn:
        assert conn.execute("SELECT count(*) FROM pg_database WHERE datname = %s", (name,)).fetchone() == (0,)


def test_port_taken_by_a_foreign_server_is_detected_and_another_chosen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The machine's own Redis (6379) and PostgreSQL (5432) answer on those ports; they are only probed.
    offered = iter([6379, free_port(), 5432, free_port()])
    monkeypatch.setattr(local_module, "free_port", lambda: next(offered))
    with LocalProvider() as provider:
        assert provider.redis_url.split(":")[2] != "6379/0"
        assert ":5432/" not in provider.database_url
        with redis.Redis.from_url(provider.redis_url) as client:
            assert client.info("server")["process_id"] == provider.process(ServiceKind.REDIS).pid
        assert "Address already in use" in provider.process(ServiceKind.REDIS).log_text()


def test_close_leaves_no_process_and_no_directory() -> None:
    provider = LocalProvider().start()
    pids = _tree_pids(provider)
    base_dir = provider.base_dir
    assert base_dir is not None
    assert base_dir.is_dir()
    provider.close()
    provider.close()  # idempotent
    with pytest.raises(HarnessError, match="not started"):
        _ = provider.redis_url
    assert [pid for pid in pids if _alive(pid)] == []
    assert not base_dir.exists()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_cli_services_cleans_up_on_signal(tmp_path: Path, sig: signal.Signals) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARNESS_")}
    with subprocess.Popen(
        [sys.executable, "-m", "harness.commands.cli", "services", "--services", "local"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    ) as cli:
        ours = _signal_cli_when_ready(cli, sig)
        assert cli.returncode in {0, 128 + sig}, cli.stderr.read() if cli.stderr else ""
    assert [pid for pid in ours if _alive(pid)] == []


def _signal_cli_when_ready(cli: subprocess.Popen[str], sig: signal.Signals) -> set[int]:
    """Read the URLs the CLI prints, find the servers listening there, signal the CLI; return their pids."""
    try:
        assert cli.stdout is not None
        lines = [cli.stdout.readline() for _ in range(4)]  # mode, two URLs, "Ctrl-C stops them."
        urls = dict(line.strip().split("=", 1) for line in lines if "=" in line)
        ports = {
            int(urls["REDIS_URL"].rsplit(":", 1)[1].split("/")[0]),
            int(urls["DATABASE_URL"].rsplit(":", 1)[1].split("/")[0]),
        }
        ours = _processes_listening_on(ports)
        assert ours, f"no server found listening on {ports}; cli said {lines}"
        cli.send_signal(sig)
        cli.wait(timeout=30)
        return ours
    finally:
        if cli.poll() is None:
            cli.kill()
            cli.wait()


def _processes_listening_on(ports: set[int]) -> set[int]:
    pids: set[int] = set()
    for conn in psutil.net_connections(kind="tcp"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port in ports and conn.pid:
            pids.add(conn.pid)
    return pids


def test_cli_without_binaries_or_docker_prints_one_error_line() -> None:
    # An engine address where nothing answers: "no Docker" even on a machine that has one.
    env = {"PATH": "", "HOME": os.environ.get("HOME", "/root"), "DOCKER_HOST": NO_DOCKER}
    result = subprocess.run(
        [sys.executable, "-m", "harness.commands.cli", "services"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("logikal-harness: error: no Redis/PostgreSQL available")
    assert "HARNESS_REDIS_URL" in lines[0]
    assert "Docker engine" in lines[0]
    assert "./run bootstrap" in lines[0]
