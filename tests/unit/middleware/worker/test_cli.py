"""`python -m middleware`: a missing or invalid environment gives one stderr line, exit 1, no traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

BASE_ENV = {"PATH": "/usr/bin:/bin", "ENVIRONMENT": "testing"}


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "middleware", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("command", "missing"),
    [
        ("start", "DATABASE_URL"),
        ("web", "SECRET_KEY"),
        ("worker", "REDIS_URL"),
        ("beat", "REDIS_URL"),
        ("migrate", "DATABASE_URL"),
    ],
)
def test_missing_variable_gives_exactly_one_stderr_line_and_exit_1(command: str, missing: str) -> None:
    done = _run(command, env=BASE_ENV)
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert missing in lines[0]
    assert "Traceback" not in done.stderr + done.stdout


def test_start_names_every_missing_variable_in_its_one_line() -> None:
    env = {**BASE_ENV, "DATABASE_URL": "postgresql://u@127.0.0.1:1/x", "BACKGROUND_SYNC_ENABLED": "true"}
    done = _run("start", env=env)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1
    for name in ("SECRET_KEY", "JWT_SECRET_KEY", "LOGIKAL_API_BASE_URL", "REDIS_URL"):
        assert name in done.stderr


def test_invalid_value_is_one_line_too_and_secrets_are_not_echoed() -> None:
    env = {**BASE_ENV, "REDIS_URL": "http://user:hunter22@host:6379", "DATABASE_URL": "postgresql://u@h/x"}
    done = _run("worker", env=env)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1
    assert "REDIS_URL" in done.stderr
    assert "hunter22" not in done.stderr
    assert "Traceback" not in done.stderr


def test_unknown_command_is_rejected_by_the_argument_parser() -> None:
    done = _run("explode", env=BASE_ENV)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr


GOOD_KEY = "0123456789abcdef0123456789abcdef-good"
WEB_ENV = {
    **BASE_ENV,
    "DATABASE_URL": "postgresql://u@127.0.0.1:1/x",
    "LOGIKAL_API_BASE_URL": "http://127.0.0.1:1/api/",
    "SECRET_KEY": GOOD_KEY,
    "JWT_SECRET_KEY": GOOD_KEY + "2",
}


@pytest.mark.parametrize("environment", ["testing", "development", "production"])
@pytest.mark.parametrize("name", ["SECRET_KEY", "JWT_SECRET_KEY"])
@pytest.mark.parametrize("value", ["", "   ", "x", "changeme", "your-secret-key-here", "a" * 40])
def test_weak_or_placeholder_signing_keys_are_refused_in_every_environment(
    environment: str, name: str, value: str
) -> None:
    done = _run("web", env={**WEB_ENV, "ENVIRONMENT": environment, name: value})
    assert done.returncode == 1, done.stdout[-2000:]
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert name in lines[0], done.stderr
    assert "Traceback" not in done.stderr + done.stdout


@pytest.mark.parametrize(
    ("name", "value", "command"),
    [
        ("REDIS_URL", "redis://:::::/x", "worker"),
        ("REDIS_URL", "redis://localhost:99999/0", "worker"),
        ("REDIS_URL", "redis://localhost:6379/not-a-db", "beat"),
        ("REDIS_URL", "redis:///0", "beat"),
        ("HOST", "999.1.1.1", "web"),
        ("HOST", "bad host!", "web"),
    ],
)
def test_malformed_redis_url_or_host_is_one_line_naming_it_and_exit_1(
    name: str, value: str, command: str
) -> None:
    done = _run(command, env={**WEB_ENV, "REDIS_URL": "redis://127.0.0.1:1/0", name: value})
    assert done.returncode == 1, done.stdout[-2000:]
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert name in lines[0], done.stderr
    assert "Traceback" not in done.stderr + done.stdout
