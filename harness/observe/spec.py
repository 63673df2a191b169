"""What a SUT profile declares about observing its build: SQL with fixed columns, HTTP templates, words.

Every name here is the harness's; the profile maps them onto the build. A missing declaration is not an error:
the criteria that need it come out "inconclusive" (see ``harness.criteria``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from harness.errors import HarnessError

__all__ = [
    "QUERY_COLUMNS",
    "RUN_STATUSES",
    "SYNC_TYPES",
    "Capability",
    "HttpTemplate",
    "LogFormat",
    "ObservationSpec",
    "ObservationSpecError",
]

# The harness's names of the synced object types; a profile maps them to the build's own names.
SYNC_TYPES = ("directory", "project", "phase", "elevation")
# The run statuses the harness reasons about; a profile lists the build's words for each.
RUN_STATUSES = ("queued", "started", "completed", "partial", "failed", "abandoned")


class Capability(StrEnum):
    """One thing the harness can observe in, or do to, a build."""

    SYNC_CONFIGS = "sync_configs"
    SYNC_RUNS = "sync_runs"
    RUN_ERRORS = "run_errors"
    TREE = "tree"
    SET_INTERVAL = "set_interval"
    SET_ENABLED = "set_enabled"
    FORCE_SYNC = "force_sync"
    ADMIN_LOGIN = "admin_login"
    ODOO_CLIENT = "odoo_client"
    DETAILED_HEALTH = "detailed_health"
    ADMIN_UI = "admin_ui"
    WORKER_QUEUES = "worker_queues"
    LOGS = "logs"


# SQL observations and the columns each must return (extra columns are ignored).
QUERY_COLUMNS: dict[str, tuple[str, ...]] = {
    "sync_configs": ("type", "interval_seconds", "enabled", "last_sync"),
    "sync_runs": ("run_id", "type", "trigger", "target", "status", "started", "finished", "queued"),
    "run_errors": ("run_id", "detail"),
    "directories": ("path",),
    "projects": ("id", "deleted", "changed"),
    "phases": ("id", "project_id", "deleted"),
    "elevations": ("id", "deleted", "changed"),
    # Parts-list content per elevation; optional columns are compared when present (checks/content.py).
    "content": ("logikal_id", "parse_status"),
}
_TREE_QUERIES = ("directories", "projects", "phases", "elevations")


class ObservationSpecError(HarnessError):
    """An observation declaration is malformed (the profile file names the fix)."""


@dataclass(frozen=True)
class HttpTemplate:
    """An HTTP request with ``{placeholders}``; a JSON/param value that is exactly "{name}" keeps its type."""

    method: str
    path: str
    params: Mapping[str, Any] = field(default_factory=dict)
    json: Any = None
    form: Mapping[str, Any] = field(default_factory=dict)
    auth: str = "admin"  # admin | none
    ok: tuple[int, ...] = (200,)

    @classmethod
    def from_mapping(cls, name: str, data: Mapping[str, Any]) -> HttpTemplate:
        try:
            return cls(
                method=str(data.get("method", "GET")).upper(),
                path=str(data["path"]),
                params=dict(data.get("params", {})),
                json=data.get("json"),
                form=dict(data.get("form", {})),
                auth=str(data.get("auth", "admin")),
                ok=tuple(int(code) for code in data.get("ok", (200,))),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ObservationSpecError(f"observe.http.{name}: needs method, path; bad value {exc}") from None

    def render(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Keyword arguments for ``httpx.Client.request``."""
        request: dict[str, Any] = {"method": self.method, "url": _fill(self.path, values)}
        if self.params:
            request["params"] = _fill(dict(self.params), values)
        if self.json is not None:
            request["json"] = _fill(self.json, values)
        if self.form:
            request["data"] = _fill(dict(self.form), values)
        return request


def _fill(template: Any, values: Mapping[str, Any]) -> Any:
    if isinstance(template, str):
        if template.startswith("{") and template.endswith("}") and template[1:-1] in values:
            return values[template[1:-1]]
        return template.format_map(values)
    if isinstance(template, Mapping):
        return {key: _fill(value, values) for key, value in template.items()}
    if isinstance(template, list):
        return [_fill(value, values) for value in template]
    return template


@dataclass(frozen=True)
class LogFormat:
    """How to read the message and level of a log line: a JSON key, or a prefix pattern before the message."""

    kind: str = "json"  # json | prefix | plain
    message_key: str = "event"
    level_key: str = "level"
    prefix: str = ""  # kind = "prefix": a regex whose match is cut off; a group named "level" gives the level


@dataclass(frozen=True)
class ObservationSpec:
    """Everything the profile says about observing its build."""

    sql: Mapping[str, str] = field(default_factory=dict)
    http: Mapping[str, HttpTemplate] = field(default_factory=dict)
    types: Mapping[str, str] = field(default_factory=dict)
    heavy_types: tuple[str, ...] = ()
    run_status: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    triggers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    health_path: str = "/api/v1/health"
    detailed_health_path: str = ""
    health_words: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    health_status_key: str = "status"  # dotted path in the body; "a|b" tries a, then b
    token_field: str = "access_token"  # noqa: S105 - the name of a JSON field, not a secret
    log: LogFormat = field(default_factory=LogFormat)
    worker_queues: tuple[str, ...] = ()
    ui: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ObservationSpec:
        sql = {str(k): str(v) for k, v in data.get("sql", {}).items()}
        unknown = sorted(set(sql) - set(QUERY_COLUMNS))
        if unknown:
            raise ObservationSpecError(
                f"observe.sql: unknown observation(s) {', '.join(unknown)}; known: {', '.join(QUERY_COLUMNS)}"
            )
        health = data.get("health", {})
        log = data.get("log", {})
        return cls(
            sql=sql,
            http={str(k): HttpTemplate.from_mapping(str(k), v) for k, v in data.get("http", {}).items()},
            types={str(k): str(v) for k, v in data.get("types", {}).items()},
            heavy_types=tuple(str(t) for t in data.get("heavy_types", ())),
            run_status={str(k): _words(v) for k, v in data.get("run_status", {}).items()},
            triggers={str(k): _words(v) for k, v in data.get("triggers", {}).items()},
            health_path=str(health.get("path", "/api/v1/health")),
            detailed_health_path=str(health.get("detailed_path", "")),
            health_words={str(k): _words(v) for k, v in health.get("words", {}).items()},
            health_status_key=str(health.get("status_key", "status")),
            token_field=str(data.get("token_field", "access_token")),
            log=LogFormat(
                kind=str(log.get("kind", "json")),
                message_key=str(log.get("message_key", "event")),
                level_key=str(log.get("level_key", "level")),
                prefix=str(log.get("prefix", "")),
            ),
            worker_queues=tuple(str(q) for q in data.get("worker_queues", ())),
            ui={str(k): str(v) for k, v in data.get("ui", {}).items()},
        )

    def declared(self) -> set[Capability]:
        """Capabilities the declarations cover (whether they work is the preflight's question)."""
        found: set[Capability] = set()
        for name in ("sync_configs", "sync_runs", "run_errors"):
            if name in self.sql:
                found.add(Capability(name))
        if all(name in self.sql for name in _TREE_QUERIES):
            found.add(Capability.TREE)
        for name in ("set_interval", "set_enabled", "force_sync", "admin_login", "odoo_client"):
            if name in self.http:
                found.add(Capability(name))
        if self.detailed_health_path:
            found.add(Capability.DETAILED_HEALTH)
        if self.ui.get("sync_intervals_path"):
            found.add(Capability.ADMIN_UI)
        if self.worker_queues:
            found.add(Capability.WORKER_QUEUES)
        found.add(Capability.LOGS)
        return found

    def build_type(self, harness_type: str) -> str:
        return self.types.get(harness_type, harness_type)

    def harness_type(self, build_type: str) -> str:
        for ours, theirs in self.types.items():
            if theirs == build_type:
                return ours
        return build_type

    def run_status_of(self, word: str) -> str:
        """The harness's status for the build's word (unknown words pass through lower-cased)."""
        lowered = str(word).lower()
        for status, words in self.run_status.items():
            if lowered in (w.lower() for w in words):
                return status
        return lowered

    def trigger_of(self, word: str | None) -> str:
        lowered = str(word or "").lower()
        for trigger, words in self.triggers.items():
            if lowered in (w.lower() for w in words):
                return trigger
        return lowered or "scheduled"


def _words(value: Any) -> tuple[str, ...]:
    return (str(value),) if isinstance(value, str) else tuple(str(v) for v in value)
