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
from harness.observe.spec import ObservationSpec
from harness.stack.warp import WarpMode

__all__ = [
    "PROCESS_ROLES",
    "SETTINGS",
    "TEMPLATE_VALUES",
    "RoleSettings",
    "SutProfile",
    "SutProfileError",
    "load_profile",
    "merge_tables",
]

PROCESS_ROLES = ("start", "migrate", "web", "worker", "beat")
REQUIRED_ROLES = ("start",)
# Values a profile's `env` may use: one setting can feed several names (REDIS_HOST and REDIS_PORT, say).
TEMPLATE_VALUES = ("redis_url", "redis_host", "redis_port", "redis_db", "database_url", "fake_url", "run_dir")
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
class RoleSettings:
    """Per-role overrides: working directory and interpreter."""

    cwd: Path | None = None
    python: str | None = None


@dataclass(frozen=True)
class SutProfile:
    """A middleware build: commands per process role, the environment it reads, and how to observe it."""

    name: str
    commands: Mapping[str, tuple[str, ...]]
    environment: Mapping[str, str]
    env: Mapping[str, str] = field(default_factory=dict)
    admin_username: str = "admin"
    admin_password: str = ""  # empty: the Stack makes a random one per run
    description: str = ""
    cwd: Path | None = None
    warp: WarpMode = WarpMode.EXTERNAL
    scaled_settings: Mapping[str, float] = field(default_factory=dict)
    warped_settings: Mapping[str, str] = field(default_factory=dict)  # given whenever the clock is warped
    max_speed: float | None = None  # the highest warp speed this build is trusted at (bench/bench_warp.py)
    clean_env: bool = False
    path: str = "/usr/local/bin:/usr/bin:/bin"
    roles: Mapping[str, RoleSettings] = field(default_factory=dict)
    isolate: bool = False
    binds: tuple[str, ...] = ()
    redis_honours_db: bool = True
    observe: ObservationSpec = field(default_factory=ObservationSpec)
    source: Path | None = None

    @property
    def health_path(self) -> str:
        return self.observe.health_path

    @property
    def detailed_health_path(self) -> str:
        return self.observe.detailed_health_path

    def trusted_speed(self, requested: float, warp: WarpMode) -> float:
        """``requested`` capped at the profile's ``clock.max_speed`` under the external warp.

        Warped from outside, a build's event loops wake ``speed`` times as often and every clock read goes
        through libfaketime, so its real work stretches with the speed (bench/bench_warp.py); past
        ``max_speed`` its sync durations no longer fit the periods the criteria hold them to.
        """
        if warp is WarpMode.EXTERNAL and self.max_speed is not None:
            return min(requested, self.max_speed)
        return requested

    def has_role(self, role: str) -> bool:
        return role in self.commands

    def role_cwd(self, role: str) -> Path | None:
        settings = self.roles.get(role)
        return settings.cwd if settings is not None and settings.cwd is not None else self.cwd

    def command(self, role: str, *, host: str = "127.0.0.1", port: int = 0) -> list[str]:
        """The command line of ``role`` with {python}, {host} and {port} filled in."""
        try:
            template = self.commands[role]
        except KeyError:
            raise SutProfileError(f"SUT profile {self.name!r} has no command for {role!r}") from None
        settings = self.roles.get(role)
        python = settings.python if settings is not None and settings.python else sys.executable
        values = {"python": python, "host": host, "port": str(port)}
        return [part.format(**values) for part in template]

    def render_env(
        self, settings: Mapping[str, str], values: Mapping[str, str] | None = None
    ) -> dict[str, str]:
        """Fixed ``env`` values (``{redis_host}``-style templates filled in), then each setting under the
        variable name this build reads."""
        values = dict(values or {})
        try:
            rendered = {name: value.format_map(values) for name, value in self.env.items()}
        except KeyError as exc:
            raise SutProfileError(
                f"SUT profile {self.name!r}: env uses unknown template {exc}; "
                f"known: {', '.join(TEMPLATE_VALUES)}"
            ) from None
        for setting, value in settings.items():
            name = self.environment.get(setting, setting)
            if name:
                rendered[name] = value
        return rendered

    def check_paths(self) -> None:
        """Fail fast, naming the setting, when a directory the build runs in does not exist."""
        where = f" in {self.source}" if self.source else ""
        if self.cwd is not None and not self.cwd.is_dir():
            raise SutProfileError(
                f"SUT profile {self.name!r}: the build's directory {self.cwd} does not exist; "
                f"set `cwd`{where} to the checkout of the build"
            )
        for role, settings in self.roles.items():
            if settings.cwd is not None and not settings.cwd.is_dir():
                raise SutProfileError(
                    f"SUT profile {self.name!r}: {settings.cwd} does not exist; set `roles.{role}.cwd`{where}"
                )

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, cwd: Path | None = None) -> SutProfile:
        """Build and validate a profile from parsed TOML."""
        name = str(data.get("name", "unnamed"))
        commands = data.get("commands", {})
        missing = [role for role in REQUIRED_ROLES if role not in commands]
        if missing:
            raise SutProfileError(f"SUT profile {name!r} lacks commands for: {', '.join(missing)}")
        for role, command in commands.items():
            if role not in PROCESS_ROLES:
                raise SutProfileError(f"SUT profile {name!r}: unknown role {role!r}; roles: {PROCESS_ROLES}")
            if not isinstance(command, list) or not command or not all(isinstance(p, str) for p in command):
                raise SutProfileError(f"SUT profile {name!r}: command {role!r} must be a list of strings")
        admin = data.get("admin", {})
        clock = data.get("clock", {})
        process = data.get("process", {})
        observe = dict(data.get("observe", {}))
        if "health" in data and "health" not in observe:
            observe["health"] = data["health"]  # the first profiles kept [health] at the top level
        base = Path(data["cwd"]) if "cwd" in data else cwd
        return cls(
            name=name,
            description=str(data.get("description", "")),
            commands={role: tuple(command) for role, command in commands.items()},
            environment={str(k): str(v) for k, v in data.get("environment", {}).items()},
            env={str(k): str(v) for k, v in data.get("env", {}).items()},
            admin_username=str(admin.get("username", "admin")),
            admin_password=str(admin.get("password", "")),
            cwd=base,
            warp=WarpMode.CLOCK_SPEED if clock.get("honours_clock_speed") else WarpMode.EXTERNAL,
            scaled_settings={str(k): float(v) for k, v in clock.get("scaled_settings", {}).items()},
            warped_settings={str(k): str(v) for k, v in clock.get("warped_settings", {}).items()},
            max_speed=float(clock["max_speed"]) if "max_speed" in clock else None,
            clean_env=bool(process.get("clean_env", False)),
            path=str(process.get("path", "/usr/local/bin:/usr/bin:/bin")),
            roles={
                str(role): RoleSettings(cwd=Path(v["cwd"]) if "cwd" in v else None, python=v.get("python"))
                for role, v in data.get("roles", {}).items()
            },
            isolate=bool(process.get("isolate", False)),
            binds=tuple(str(b) for b in process.get("binds", ())),
            redis_honours_db=bool(data.get("redis", {}).get("honours_db", True)),
            observe=ObservationSpec.from_mapping(observe),
            source=Path(str(data["__source__"])) if "__source__" in data else None,
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
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        data.setdefault("__source__", str(path))
        return data
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
        data = merge_tables(load_profile_data(base_name, relative_to=data.get("__source__")), data)
    return SutProfile.from_mapping(data, cwd=cwd)


def load_profile_data(spec: str, *, relative_to: object = None) -> dict[str, Any]:
    """Raw TOML data of a built-in profile name or a file path (used for ``extends``); a relative path is
    looked up next to the extending file first."""
    if "/" in spec or spec.endswith(".toml"):
        path = Path(spec)
        if not path.is_absolute() and relative_to is not None:
            beside = Path(str(relative_to)).parent / path
            if beside.exists():
                path = beside
        return _read_file(path)
    return _read_builtin(spec)
