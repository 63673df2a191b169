"""Settings: upstream environment names, URL normalising, one-line errors, no secrets in summaries or logs."""

from __future__ import annotations

import json
import logging

import pytest

from middleware.config import ConfigError, ProcessRole, Settings, load_settings, redact_url
from middleware.logs import configure_logging, get_logger

SECRET = "s3cr3t-Pa55word-value"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    "url",
    ["postgres://u:p@db:5432/app", "postgresql://u:p@db:5432/app", "postgresql+psycopg2://u:p@db:5432/app"],
)
def test_database_url_accepts_postgres_and_postgresql_schemes(url: str) -> None:
    settings = load_settings(None, DATABASE_URL=url)
    assert settings.DATABASE_URL == "postgresql+psycopg://u:p@db:5432/app"


def test_database_url_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db/app")
    assert load_settings(None).DATABASE_URL == "postgresql+psycopg://u:p@db/app"


def test_other_database_schemes_are_refused_in_one_line() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(None, DATABASE_URL="mysql://u:p@db/app")
    assert "DATABASE_URL" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_missing_required_variables_are_named_in_one_line() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(ProcessRole.WEB)
    message = str(caught.value)
    assert "\n" not in message
    for name in ("DATABASE_URL", "SECRET_KEY", "JWT_SECRET_KEY", "LOGIKAL_API_BASE_URL"):
        assert name in message


def test_logikal_base_url_gets_exactly_one_trailing_slash() -> None:
    settings = load_settings(None, LOGIKAL_API_BASE_URL="http://128.199.57.77/MbioeService.svc/api/v3//")
    assert settings.LOGIKAL_API_BASE_URL == "http://128.199.57.77/MbioeService.svc/api/v3/"


def test_excluded_directories_are_split_from_a_comma_list() -> None:
    settings = load_settings(None, SYNC_EXCLUDED_DIRECTORIES="Demo Odoo/, Archief ,")
    assert settings.SYNC_EXCLUDED_DIRECTORIES == ("Demo Odoo", "Archief")


def test_safe_summary_hides_secrets_and_url_passwords() -> None:
    settings = load_settings(
        None,
        DATABASE_URL=f"postgres://app:{SECRET}@db/app",
        REDIS_URL=f"rediss://default:{SECRET}@redis:25061/0",
        LOGIKAL_AUTH_PASSWORD=SECRET,
        SECRET_KEY=SECRET + "1-padded-to-a-real-key-length",
        JWT_SECRET_KEY=SECRET + "2-padded-to-a-real-key-length",
        ADMIN_PASSWORD=SECRET + "3",
    )
    summary = settings.safe_summary()
    assert SECRET not in json.dumps(summary, default=str)
    assert summary["LOGIKAL_AUTH_PASSWORD"] == "set"
    assert summary["DATABASE_URL"] == "postgresql+psycopg://app:***@db/app"
    assert redact_url("redis://redis:6379/0") == "redis://redis:6379/0"


def test_secrets_never_reach_the_logs(capsys: pytest.CaptureFixture[str]) -> None:
    settings = load_settings(None, LOGIKAL_AUTH_PASSWORD=SECRET, DATABASE_URL=f"postgres://a:{SECRET}@db/x")
    configure_logging(json_format=True, secrets=[SECRET])
    try:
        get_logger("test").info("settings.loaded", **settings.safe_summary())
        get_logger("test").warning("login failed", detail=f"password was {SECRET}")
        logging.getLogger("plain").error("stdlib line with %s", SECRET)
    finally:
        logging.getLogger().handlers.clear()
    output = capsys.readouterr().out
    assert "settings.loaded" in output
    assert "stdlib line with" in output
    assert SECRET not in output


@pytest.mark.parametrize(
    "value", ["", " \t", "k", "short-but-real-0123", "changeme", "your-jwt-secret-key-change-in-production"]
)
def test_check_secret_refuses_weak_values_without_echoing_them(value: str) -> None:
    from middleware.config import ConfigError

    with pytest.raises(ConfigError, match=r"^invalid environment variable JWT_SECRET_KEY: ") as caught:
        load_settings(None, ENVIRONMENT="testing", JWT_SECRET_KEY=value)
    assert value.strip() == "" or value not in str(caught.value)


def test_a_random_signing_key_and_valid_hosts_are_accepted() -> None:
    import secrets

    for host in ("0.0.0.0", "127.0.0.1", "::", "localhost", "web.internal"):
        settings = load_settings(
            None,
            SECRET_KEY=secrets.token_hex(32),
            JWT_SECRET_KEY=secrets.token_urlsafe(32),
            HOST=host,
            REDIS_URL="rediss://default:pw@redis.example:25061/0",
        )
        assert host == settings.HOST
