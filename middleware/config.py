"""Settings: the upstream's environment variables, validated once at the composition root."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import MutableMapping
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = [
    "ConfigError",
    "Environment",
    "ProcessRole",
    "Settings",
    "check_secret",
    "load_settings",
    "pin_clock_anchor",
    "redact_url",
]

PLACEHOLDER_SECRETS = frozenset(
    {
        "your-secret-key-here",
        "your-jwt-secret-key-change-in-production",
        "changeme",
        "change-me",
        "secret",
        "admin123",
        "password",
        "your-secret-key",
        "your-jwt-secret-key",
        "replace-me",
        "test",
    }
)
MIN_SECRET_LENGTH = 32
_HOSTNAME_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


def check_secret(value: str) -> str:
    """The one rule for signing keys, in every environment: not empty, not a placeholder, 32+ characters."""
    stripped = value.strip()
    if not stripped:
        raise ValueError("is empty; set a random value of at least 32 characters")
    lowered = stripped.lower()
    if lowered in PLACEHOLDER_SECRETS or any(word in lowered for word in ("change", "your-", "placeholder")):
        raise ValueError("is a placeholder value; set a random value of at least 32 characters")
    if len(stripped) < MIN_SECRET_LENGTH:
        raise ValueError(f"is too short ({len(stripped)} characters); use at least {MIN_SECRET_LENGTH}")
    if len(set(stripped)) < 8:
        raise ValueError("is too repetitive; set a random value of at least 32 characters")
    return value


def check_redis_url(value: str) -> str:
    """A redis:// or rediss:// URL with a host, a valid port and a numeric database (or none)."""
    parts = urlsplit(value)
    if parts.scheme not in ("redis", "rediss"):
        raise ValueError("must be a redis:// or rediss:// URL")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("has an invalid port") from None
    if not parts.hostname or (port is not None and not 0 < port < 65536):
        raise ValueError("must name a host, e.g. redis://localhost:6379/0")
    check_host(parts.hostname)
    database = parts.path.strip("/")
    if database and not database.isdigit():
        raise ValueError(f"has a database {database!r} that is not a number")
    return value


def check_host(value: str) -> str:
    """An IPv4/IPv6 address or an RFC 1123 host name (a dotted number must be a real IPv4 address)."""
    host = value.strip().strip("[]")
    try:
        ipaddress.ip_address(host)
        return value
    except ValueError:
        pass
    labels = host.rstrip(".").split(".")
    if not host or not all(_HOSTNAME_LABEL.match(label) for label in labels) or labels[-1].isdigit():
        raise ValueError(f"{value!r} is neither an IP address nor a host name")
    return value


class ConfigError(Exception):
    """Configuration is missing or invalid; the message is one line meant for a person."""


class Environment(StrEnum):
    PRODUCTION = "production"
    DEVELOPMENT = "development"
    TESTING = "testing"


class ProcessRole(StrEnum):
    """Which process family is starting; each requires a different subset of the environment."""

    START = "start"
    WEB = "web"
    WORKER = "worker"
    BEAT = "beat"
    MIGRATE = "migrate"


REQUIRED_BY_ROLE: dict[ProcessRole, tuple[str, ...]] = {
    ProcessRole.START: ("DATABASE_URL", "SECRET_KEY", "JWT_SECRET_KEY", "LOGIKAL_API_BASE_URL"),
    ProcessRole.WEB: ("DATABASE_URL", "SECRET_KEY", "JWT_SECRET_KEY", "LOGIKAL_API_BASE_URL"),
    ProcessRole.WORKER: ("DATABASE_URL", "REDIS_URL", "LOGIKAL_API_BASE_URL"),
    ProcessRole.BEAT: ("REDIS_URL",),
    ProcessRole.MIGRATE: ("DATABASE_URL",),
}


def _normalise_database_url(url: str) -> str:
    """Accept postgres:// and postgresql:// (managed-database style) and pin the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Settings(BaseSettings):
    """Every setting the middleware reads; names are the upstream's environment variables."""

    model_config = SettingsConfigDict(case_sensitive=True, extra="ignore", frozen=True)

    DATABASE_URL: str | None = None
    REDIS_URL: str | None = None
    BACKGROUND_SYNC_ENABLED: bool = False
    SYNC_INTERVAL_SECONDS: float = Field(default=300.0, gt=0)

    LOGIKAL_API_BASE_URL: str | None = None
    LOGIKAL_AUTH_USERNAME: str | None = None
    LOGIKAL_AUTH_PASSWORD: SecretStr | None = None
    LOGIKAL_API_TIMEOUT: float = Field(default=30.0, gt=0)
    LOGIKAL_PARTS_LIST_TIMEOUT: float = Field(default=60.0, gt=0)
    # Seconds each health check (database, Redis, workers) may take before it counts as "no answer".
    HEALTH_CHECK_TIMEOUT_SECONDS: float = Field(default=2.0, gt=0)
    # Seconds the web keeps an idle HTTP connection open (uvicorn's default).
    WEB_KEEPALIVE_TIMEOUT_SECONDS: float = Field(default=5.0, gt=0)
    LOGIKAL_MAX_SESSIONS: int = Field(default=4, ge=1, le=64)
    LOGIKAL_MAX_RETRIES: int = Field(default=3, ge=0, le=10)

    SECRET_KEY: SecretStr | None = None
    JWT_SECRET_KEY: SecretStr | None = None
    ADMIN_USERNAME: str = "admin"
    ADMIN_PASSWORD: SecretStr | None = None
    ADMIN_SESSION_EXPIRE_HOURS: float = Field(default=8.0, gt=0)
    CLIENT_TOKEN_EXPIRE_SECONDS: int = Field(default=86400, gt=0)

    ENVIRONMENT: Environment = Environment.PRODUCTION
    DEBUG: bool = False
    HOST: str = "0.0.0.0"
    PORT: int = Field(default=8000, ge=1, le=65535)
    WORKERS: int = Field(default=1, ge=1, le=32)
    LOG_LEVEL: str = "INFO"
    LOG_FORMAT: str = "json"
    APP_VERSION: str = "1.0.0"
    GIT_SHA: str = "unknown"

    # Celery tuning (see docs/adr for the memory budget that chose these defaults).
    CELERY_WORKER_POOL: str = "prefork"
    CELERY_WORKER_CONCURRENCY: int = Field(default=1, ge=1, le=16)
    CELERY_MAX_TASKS_PER_CHILD: int = Field(default=50, ge=1)
    # Seconds the worker waits for a forked pool child to report; Celery's default (a clock that runs faster
    # than real time, e.g. under the harness's external warp, needs it stretched).
    CELERY_WORKER_PROC_ALIVE_TIMEOUT: float = Field(default=4.0, gt=0)
    # Seconds between kombu's checks of the broker connections (kombu's default). A BRPOP whose reply is
    # late by Redis' 1-second poll + this interval on the worker's own clock is dropped; a clock warped faster
    # than real time (the harness's external warp) needs it stretched, or the worker drops a live connection
    # every (1 + interval) / speed real seconds and a message Redis handed over just then is lost.
    CELERY_BROKER_HEALTH_CHECK_INTERVAL: float = Field(default=25.0, gt=0)
    SYNC_TASK_SOFT_TIME_LIMIT: float = Field(default=1500.0, gt=0)
    SYNC_TASK_TIME_LIMIT: float = Field(default=1800.0, gt=0)
    SYNC_LOCK_TIMEOUT_SECONDS: float = Field(default=0.0, ge=0)

    # Time warp shared with the fake: virtual = anchor + speed * (real - anchor).
    CLOCK_SPEED: float = Field(default=1.0, gt=0)
    CLOCK_ANCHOR: float | None = None

    # Directory paths excluded from sync (whole subtree), comma-separated, in addition to the DB flag.
    SYNC_EXCLUDED_DIRECTORIES: Annotated[tuple[str, ...], NoDecode] = ()

    @field_validator("DATABASE_URL")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        url = _normalise_database_url(value.strip())
        if not url.startswith("postgresql+psycopg://"):
            raise ValueError("must be a postgresql:// or postgres:// URL")
        return url

    @field_validator("REDIS_URL")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return check_redis_url(value.strip())

    @field_validator("HOST")
    @classmethod
    def _host(cls, value: str) -> str:
        return check_host(value)

    @field_validator("SECRET_KEY", "JWT_SECRET_KEY")
    @classmethod
    def _signing_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            check_secret(value.get_secret_value())
        return value

    @field_validator("LOGIKAL_API_BASE_URL")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value.strip().rstrip("/") + "/"

    @field_validator("SYNC_EXCLUDED_DIRECTORIES", mode="before")
    @classmethod
    def _split_paths(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(p.strip().strip("/") for p in value.split(",") if p.strip())
        return value

    @field_validator("LOG_LEVEL")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        # signing keys are checked by check_secret in every environment; the admin password only in production
        password = self.ADMIN_PASSWORD.get_secret_value() if self.ADMIN_PASSWORD is not None else ""
        if self.ENVIRONMENT is Environment.PRODUCTION and password.strip().lower() in PLACEHOLDER_SECRETS:
            raise ValueError("ADMIN_PASSWORD is a placeholder value; set a real secret")
        return self

    @property
    def is_testing(self) -> bool:
        return self.ENVIRONMENT is Environment.TESTING

    def require(self, role: ProcessRole) -> Settings:
        """Raise one readable ConfigError naming every variable this role needs but lacks."""
        missing = [name for name in REQUIRED_BY_ROLE[role] if getattr(self, name) is None]
        if role in (ProcessRole.START, ProcessRole.WORKER) and self.BACKGROUND_SYNC_ENABLED:
            missing += [n for n in ("REDIS_URL",) if getattr(self, n) is None and n not in missing]
        if missing:
            raise ConfigError(f"missing required environment variables: {', '.join(missing)}")
        return self

    def safe_summary(self) -> dict[str, object]:
        """The settings as they may be logged: secrets reduced to set/unset, URLs without passwords."""
        summary: dict[str, object] = {}
        for name, value in self.model_dump().items():
            if isinstance(value, SecretStr) or name.endswith(("PASSWORD", "SECRET_KEY")):
                summary[name] = "set" if value else "unset"
            elif name.endswith("_URL") and isinstance(value, str):
                summary[name] = redact_url(value)
            else:
                summary[name] = value
        return summary


def redact_url(url: str) -> str:
    """Hide the password part of a URL (``scheme://user:***@host``)."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in credentials else f"{scheme}://{user}@{host}"


def load_settings(role: ProcessRole | None = None, **overrides: Any) -> Settings:
    """Build Settings from the environment (plus overrides) and check what ``role`` requires."""
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "settings"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"invalid environment variable {field}: {message}") from None
    return settings.require(role) if role is not None else settings


def pin_clock_anchor(environ: MutableMapping[str, str], now: float) -> None:
    """Give a warped clock one anchor before child processes are spawned, so that they all agree."""
    speed = environ.get("CLOCK_SPEED", "").strip()
    if speed and float(speed) != 1.0 and not environ.get("CLOCK_ANCHOR", "").strip():
        environ["CLOCK_ANCHOR"] = repr(now)
