"""Named, versioned load profiles: TOML files in ``load/profiles/`` (or any path) parsed into a Profile."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from load.errors import ProfileError
from load.shapes import Stage, build_stages
from load.thresholds import Threshold, parse_threshold

__all__ = ["PROFILE_DIR", "Profile", "available_profiles", "load_profile"]

PROFILE_DIR = Path(__file__).resolve().parent / "profiles"
USER_CLASSES = ("odoo", "admin", "force_sync")


# The Odoo client's stored rate limit when a profile says nothing: the middleware's default for new clients.
ODOO_RATE_LIMIT_DEFAULT = 1000


@dataclass(frozen=True)
class Profile:
    """Everything a run of one profile varies; ``raw`` keeps the file's tables for the report."""

    name: str
    version: int
    description: str
    kind: str  # "load" or "sync-capacity"
    shape: dict[str, Any]
    user_weights: dict[str, int]
    task_weights: dict[str, dict[str, int]]
    think_time: dict[str, tuple[float, float]]
    dataset_size: str
    time_scale: float
    first_sync_timeout: float
    beat_seconds: float
    max_sessions: int
    intervals_minutes: dict[str, int]
    sync_lag_period: float
    thresholds: tuple[Threshold, ...]
    thresholds_at_users: int
    defaults: dict[str, Any]
    odoo_rate_limit_per_hour: int = ODOO_RATE_LIMIT_DEFAULT
    capacity: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    def stages(self, *, users: int | None = None, duration: float | None = None) -> list[Stage]:
        return build_stages(self.shape, users=users, duration=duration)

    def with_thresholds(self, extra: list[str]) -> Profile:
        from dataclasses import replace

        return replace(self, thresholds=(*self.thresholds, *(parse_threshold(e) for e in extra)))


def available_profiles() -> list[str]:
    return sorted(path.stem for path in PROFILE_DIR.glob("*.toml"))


def load_profile(name_or_path: str) -> Profile:
    """A profile by name (``load/profiles/NAME.toml``) or by path to a TOML file."""
    path = Path(name_or_path)
    if not path.suffix:
        path = PROFILE_DIR / f"{name_or_path}.toml"
    if not path.is_file():
        raise ProfileError(f"no load profile {name_or_path!r}; known: {', '.join(available_profiles())}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: {exc}") from None
    return profile_from_mapping(data, path=path)


def _table(data: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ProfileError(f"profile: [{key}] must be a table")
    return value


def profile_from_mapping(data: Mapping[str, Any], *, path: Path | None = None) -> Profile:
    for key in ("name", "version"):
        if key not in data:
            raise ProfileError(f"profile {path or ''}: {key!r} is required")
    users = {k: int(v) for k, v in _table(data, "users").items()}
    unknown = set(users) - set(USER_CLASSES)
    if unknown:
        raise ProfileError(
            f"profile: unknown user classes {sorted(unknown)}; known: {', '.join(USER_CLASSES)}"
        )
    weights = {k: {t: int(w) for t, w in v.items()} for k, v in _table(data, "weights").items()}
    think = {k: (float(v[0]), float(v[1])) for k, v in _table(data, "think_time").items()}
    dataset, sync, checks = _table(data, "dataset"), _table(data, "sync"), _table(data, "thresholds")
    odoo = _table(data, "odoo")
    profile = Profile(
        name=str(data["name"]),
        version=int(data["version"]),
        description=str(data.get("description", "")),
        kind=str(data.get("kind", "load")),
        shape=_table(data, "shape"),
        user_weights=users or {"odoo": 1},
        task_weights=weights,
        think_time=think,
        dataset_size=str(dataset.get("size", "small")),
        time_scale=float(dataset.get("time_scale", 1.0)),
        first_sync_timeout=float(dataset.get("first_sync_timeout", 300)),
        beat_seconds=float(sync.get("beat_seconds", 10)),
        max_sessions=int(sync.get("max_sessions", 4)),
        intervals_minutes={k: int(v) for k, v in sync.get("intervals", {}).items()},
        sync_lag_period=float(_table(data, "sync_lag").get("period_seconds", 15)),
        thresholds=tuple(parse_threshold(str(e)) for e in checks.get("checks", [])),
        thresholds_at_users=int(checks.get("at_users", 0)),
        defaults=_table(data, "defaults"),
        odoo_rate_limit_per_hour=int(odoo.get("rate_limit_per_hour", ODOO_RATE_LIMIT_DEFAULT)),
        capacity=_table(data, "capacity"),
        path=path,
    )
    if profile.kind == "load":
        profile.stages()  # validates the shape now rather than mid-run
    return profile
