"""The Observer: everything the harness reads from or does to a build, through the profile's declarations.

Scenarios and checkers never read a build's tables, type names or pages directly; they call this. What the
profile does not declare, or what fails to answer, raises ``InconclusiveError``: the harness could not see.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import httpx
import psycopg
from psycopg.rows import dict_row

from harness.checks.last_sync import epoch_seconds
from harness.errors import InconclusiveError
from harness.observe.invariants import SyncWindow
from harness.observe.spec import QUERY_COLUMNS, Capability, ObservationSpec

__all__ = ["Observer", "SyncConfig", "preflight_checks"]

SyncConfig = dict[str, Any]  # type, interval_seconds, enabled, last_sync (epoch seconds or None)


def _pointer(body: object, dotted: str) -> object:
    """``body["detail"]["status"]`` for "detail.status"; the first key path that exists wins ("a|b")."""
    for path in dotted.split("|"):
        value: object = body
        for key in path.split("."):
            value = value.get(key) if isinstance(value, dict) else None
        if value is not None:
            return value
    return None


class Observer:
    """Declared observations of one running build (database URL, web URL, admin credentials)."""

    def __init__(
        self,
        spec: ObservationSpec,
        *,
        database_url: str,
        base_url: str,
        admin_username: str,
        admin_password: str,
        on_action: Callable[[str, dict[str, Any]], object] | None = None,
    ) -> None:
        self.spec = spec
        self._on_action = on_action  # told of every change this observer makes (the Stack's tape)
        self._database_url = database_url
        self._base_url = base_url
        self._admin = (admin_username, admin_password)
        self._token: str | None = None
        self._prefix = re.compile(spec.log.prefix) if spec.log.prefix else None

    # ------------------------------------------------------------------------------------------ SQL
    def query(self, name: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run the declared SQL observation ``name``; its fixed columns are checked."""
        statement = self.spec.sql.get(name)
        if statement is None:
            raise InconclusiveError(f"the SUT profile declares no observe.sql.{name}")
        try:
            with psycopg.connect(
                self._database_url, autocommit=True, row_factory=dict_row, connect_timeout=5
            ) as conn:
                cursor = conn.execute(statement.encode(), params or {})
                columns = [c.name for c in cursor.description or ()]
                rows = list(cursor.fetchall())
        except psycopg.Error as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise InconclusiveError(f"observe.sql.{name} failed: {first}") from None
        missing = [c for c in QUERY_COLUMNS[name] if c not in columns]
        if missing:
            raise InconclusiveError(f"observe.sql.{name} returns no column(s) {', '.join(missing)}")
        return rows

    def sync_configs(self) -> dict[str, SyncConfig]:
        """Harness type → {type, interval_seconds, enabled, last_sync (epoch)}; lazily seeded may be {}."""
        configs = {}
        for row in self.query("sync_configs"):
            name = self.spec.harness_type(str(row["type"]))
            configs[name] = {
                "type": name,
                "interval_seconds": float(row["interval_seconds"] or 0),
                "enabled": bool(row["enabled"]),
                "last_sync": epoch_seconds(row["last_sync"]),
            }
        return configs

    def sync_runs(self) -> list[SyncWindow]:
        rows = self.query("sync_runs")
        windows = [
            SyncWindow(
                run_id=str(r["run_id"]),
                sync_type=self.spec.harness_type(str(r["type"])),
                trigger=self.spec.trigger_of(r["trigger"]),
                target=r["target"],
                status=self.spec.run_status_of(str(r["status"])),
                start=epoch_seconds(r["started"]) or epoch_seconds(r["queued"]) or 0.0,
                end=epoch_seconds(r["finished"]),
                queued=epoch_seconds(r["queued"]) or epoch_seconds(r["started"]) or 0.0,
            )
            for r in rows
        ]
        return sorted(windows, key=lambda w: w.start)

    def run_error(self, run_id: str) -> str:
        rows = self.query("run_errors", {"run_id": run_id})
        return json.dumps([r["detail"] for r in rows], default=str)

    def tree(self) -> dict[str, list[dict[str, Any]]]:
        """The synced tree as the invariants compare it (fixed column names)."""
        return {kind: self.query(kind) for kind in ("directories", "projects", "phases", "elevations")}

    # ------------------------------------------------------------------------------------------ HTTP
    def http(self, timeout: float = 15.0) -> httpx.Client:
        return httpx.Client(base_url=self._base_url, timeout=timeout, follow_redirects=False)

    def admin_token(self, *, refresh: bool = False) -> str:
        if self._token is None or refresh:
            response = self.request("admin_login", auth=False)
            try:
                self._token = str(response.json()[self.spec.token_field])
            except (ValueError, KeyError, TypeError):
                raise InconclusiveError(
                    f"admin login answered without {self.spec.token_field!r}: {response.text[:200]}"
                ) from None
        return self._token

    def admin_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_token()}"}

    def request(
        self, name: str, *, auth: bool = True, timeout: float = 30.0, check: bool = True, **values: Any
    ) -> httpx.Response:
        """Send the declared HTTP template ``name``; a status outside its ``ok`` list is inconclusive."""
        template = self.spec.http.get(name)
        if template is None:
            raise InconclusiveError(f"the SUT profile declares no observe.http.{name}")
        username, password = self._admin
        filled = {"username": username, "password": password, **values}
        admin = auth and template.auth == "admin"
        try:
            with self.http(timeout) as client:
                headers = self.admin_headers() if admin else {}
                response = client.request(headers=headers, **template.render(filled))
                if admin and response.status_code == 401:
                    # Tokens expire in the build's (warped) clock: log in again once, as a real client does.
                    self.admin_token(refresh=True)
                    response = client.request(headers=self.admin_headers(), **template.render(filled))
        except httpx.HTTPError as exc:
            raise InconclusiveError(f"observe.http.{name}: {type(exc).__name__}: {exc}") from None
        if check and response.status_code not in template.ok:
            raise InconclusiveError(
                f"observe.http.{name}: {response.status_code} {response.text[:200]} (expected {template.ok})"
            )
        return response

    def _act(self, action: str, **fields: Any) -> None:
        if self._on_action is not None:
            self._on_action(action, fields)

    def set_interval(self, sync_type: str, minutes: float) -> httpx.Response:
        self._act("set_interval", type=sync_type, minutes=minutes)
        return self.request(
            "set_interval", type=self.spec.build_type(sync_type), minutes=minutes, seconds=minutes * 60
        )

    def set_enabled(self, sync_type: str, enabled: bool) -> httpx.Response:
        self._act("set_enabled", type=sync_type, enabled=enabled)
        return self.request("set_enabled", type=self.spec.build_type(sync_type), enabled=enabled)

    def disable_heavy_types(self) -> None:
        """Switch off the types that only lengthen runs (parts lists), when the build declares any."""
        for heavy in self.spec.heavy_types:
            self.set_enabled(heavy, False)

    def force_sync(self, project: str, directory: str, *, wait: bool = False) -> httpx.Response:
        """POST the declared force sync, after its ``force_sync_prepare`` step when the profile declares one
        (e.g. a directory discovery); the answer is the caller's to judge (no ``ok`` check)."""
        self._act("force_sync", project=project, directory=directory, wait=wait)
        if "force_sync_prepare" in self.spec.http:
            self.request("force_sync_prepare", timeout=120, project=project, directory=directory)
        return self.request(
            "force_sync", check=False, project=project, directory=directory, wait=str(wait).lower()
        )

    def detailed_health(self) -> tuple[int, str, dict[str, Any]]:
        """(status code, harness word healthy|degraded|unknown, body) of the detailed health URL."""
        if not self.spec.detailed_health_path:
            raise InconclusiveError("the SUT profile declares no health.detailed_path")
        try:
            with self.http(timeout=10) as client:
                response = client.get(self.spec.detailed_health_path)
        except httpx.HTTPError as exc:
            return 0, "unknown", {"error": f"{type(exc).__name__}"}
        try:
            body: dict[str, Any] = response.json()
        except ValueError:
            body = {"status": f"<not JSON: {response.text[:100]}>"}
        shown = str(_pointer(body, self.spec.health_status_key) or "").lower()
        word = next((k for k, words in self.spec.health_words.items() if shown in words), "unknown")
        return response.status_code, word, body

    # ------------------------------------------------------------------------------------------ logs
    def log_message(self, line: str) -> str:
        """The human message of one log line, as the profile says to read it."""
        log = self.spec.log
        if log.kind == "json" and line.startswith("{"):
            try:
                record = json.loads(line)
            except ValueError:
                return line
            if isinstance(record, dict) and log.message_key in record:
                return str(record[log.message_key])
        if self._prefix is not None:
            match = self._prefix.match(line)
            if match:
                return line[match.end() :]
        return line

    def has(self, capability: Capability) -> bool:
        return capability in self.spec.declared()

    def require(self, *capabilities: Capability) -> None:
        missing = [c.value for c in capabilities if not self.has(c)]
        if missing:
            raise InconclusiveError(f"the SUT profile declares no {', '.join(missing)}")


def preflight_checks(observer: Observer) -> dict[str, str]:
    """Run every declared read-only observation once: capability → "" (works) or the reason it does not."""
    results: dict[str, str] = {}
    probes: dict[Capability, Callable[[], object]] = {
        Capability.SYNC_CONFIGS: observer.sync_configs,
        Capability.SYNC_RUNS: observer.sync_runs,
        Capability.RUN_ERRORS: lambda: observer.run_error("00000000-0000-0000-0000-000000000000"),
        Capability.TREE: observer.tree,
        Capability.ADMIN_LOGIN: lambda: observer.admin_token(refresh=True),
        Capability.DETAILED_HEALTH: observer.detailed_health,
    }
    for capability in Capability:
        if not observer.has(capability):
            results[capability.value] = "not declared in the SUT profile"
            continue
        probe = probes.get(capability)
        try:
            if probe is not None:
                probe()
            results[capability.value] = ""
        except InconclusiveError as exc:
            results[capability.value] = str(exc)
    return results
