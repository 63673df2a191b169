"""SUT profiles: how to start one build of the middleware (commands, environment names, health, admin)."""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from harness.errors import HarnessError

__all__ = [
    "PROCESS_ROLES",
    "SETTINGS",
    "SutProfile",
    "SutProfileError",
    "load_profile",
    "merge_tables",
]

PROCESS_ROLES = ("start", "migrate", "web", "worker", "beat")
SETTINGS = (
    "DATABASE_URL",
    "REDIS_URL",
    "BACKGROUND_SYNC_ENABLED",
    "SYNC_INTERVAL_SECONDS",
    "LOGIKAL_API_BASE_URL",
    "LOGIKAL_AUTH_USERNAME",
    "LOGIKAL_AUTH_PASSWORD",
    "SECRET_KEY",
    "JWT_SECRET_KEY",
    "ADMIN_USERNAME",
    "ADMIN_PASSWORD",
    "ENVIRONMENT",
    "DEBUG",
    "HOST",
    "PORT",
    "WORKERS",
    "CLOCK_SPEED",
    "CLOCK_ANCHOR",
)
_DEFAULT = "default"


class SutProfileError(HarnessError):
    """A SUT profile is missing, unreadable or incomplete."""


@dataclass(frozen=True)
class SutProfile:
    """A middleware build: one command per process role and the names it reads its settings from."""

    name: str
    commands: Mapping[str, tuple[str, ...]]
    environment: Mapping[str, str]
    env: Mapping[str, str] = field(default_factory=dict)
    health_path: str = "/api/v1/health"
    detailed_health_path: str = "/api/v1/health/detailed"
    admin_username: str = "admin"
    admin_password: str = ""  # empty: the Stack makes a random one per run
    admin_login_path: str = "/api/v1/admin/login"
    description: str = ""
    cwd: Path | None = None

    def command(self, role: str, *, host: str = "127.0.0.1", port: int = 0) -> list[str]:
        """The command line of ``role`` with {python}, {host} and {port} filled in."""
        try:
            template = self.commands[role]
        except KeyError:
            raise SutProfileError(f"SUT profile {self.name!r} has no command for {role!r}") from None
        values = {"python": sys.executable, "host": host, "port": str(port)}
        return [part.format(**values) for part in template]

    def render_env(self, settings: Mapping[str, str]) -> dict[str, str]:
        """Fixed ``env`` values, then each setting under the variable name this build reads."""
        rendered = dict(self.env)
        for setting, value in settings.items():
            rendered[self.environment.get(setting, setting)] = value
        return rendered

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, cwd: Path | None = None) -> SutProfile:
        """Build and validate a profile from parsed TOML."""
        name = str(data.get("name", "unnamed"))
        commands = data.get("commands", {})
        missing = [role for role in PROCESS_ROLES if role not in commands]
        if missing:
            raise SutProfileError(f"SUT profile {name!r} lacks commands for: {', '.join(missing)}")
        for role, command in commands.items():
            if not isinstance(command, list) or not command or not all(isinstance(p, str) for p in command):
                raise SutProfileError(f"SUT profile {name!r}: command {role!r} must be a list of strings")
        health = data.get("health", {})
        admin = data.get("admin", {})
        return cls(
            name=name,
            description=str(data.get("description", "")),
            commands={role: tuple(command) for role, command in commands.items()},
            environment={str(k): str(v) for k, v in data.get("environment", {}).items()},
            env={str(k): str(v) for k, v in data.get("env", {}).items()},
            health_path=str(health.get("path", "/api/v1/health")),
            detailed_health_path=str(health.get("detailed_path", "/api/v1/health/detailed")),
            admin_username=str(admin.get("username", "admin")),
            admin_password=str(admin.get("password", "")),
            admin_login_path=str(admin.get("login_path", "/api/v1/admin/login")),
            cwd=Path(data["cwd"]) if "cwd" in data else cwd,
        )


def merge_tables(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge TOML tables: tables merge key by key, every other value replaces the base's."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge_tables(merged[key], value)
        else:
            merged[key] = value
    return merged


def _read_builtin(name: str) -> dict[str, Any]:
    resource = resources.files("harness.profiles").joinpath(f"{name}.toml")
    if not resource.is_file():
        raise SutProfileError(f"no built-in SUT profile {name!r}")
    return tomllib.loads(resource.read_text(encoding="utf-8"))


def _read_file(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SutProfileError(f"SUT profile file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SutProfileError(f"SUT profile {path} is not valid TOML: {exc}") from None


def load_profile(spec: str | Path | None = None, *, cwd: Path | None = None) -> SutProfile:
    """Load the built-in profile ``spec`` (default "default") or a TOML file; ``extends`` names a base."""
    if spec is None or (isinstance(spec, str) and "/" not in spec and not spec.endswith(".toml")):
        data = _read_builtin(str(spec or _DEFAULT))
    else:
        data = _read_file(Path(spec))
    seen: set[str] = set()
    while "extends" in data:
        base_name = str(data.pop("extends"))
        if base_name in seen:
            raise SutProfileError(f"SUT profile inheritance loops through {base_name!r}")
        seen.add(base_name)
        data = merge_tables(load_profile_data(base_name), data)
    return SutProfile.from_mapping(data, cwd=cwd)


def load_profile_data(spec: str) -> dict[str, Any]:
    """Raw TOML data of a built-in profile name or a file path (used for ``extends``)."""
    if "/" in spec or spec.endswith(".toml"):
        return _read_file(Path(spec))
    return _read_builtin(spec)
