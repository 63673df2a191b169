"""The middleware's /ui pages as a person uses them: log in with the form, read and edit the tables."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Protocol, Self

import httpx

from harness.errors import HarnessError, InconclusiveError

__all__ = ["AdminUi"]

_CSRF = re.compile(r'name="csrf_token"\s+value="([^"]*)"')
_ROW = re.compile(r'<tr data-object-type="([^"]+)">(.*?)</tr>', re.DOTALL)
_CELL = re.compile(r'<td class="([a-z-]+)">(.*?)</td>', re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_STATS_ROW = re.compile(r'<tr data-sync-type="([^"]+)">(.*?)</tr>', re.DOTALL)
_ANY_CELL = re.compile(r"<td[^>]*>(.*?)</td>", re.DOTALL)
_STATS_COLUMNS = (
    "type", "runs", "completed", "partial", "failed", "running",
    "success rate", "failure rate", "mean duration", "max duration", "last started",
)  # fmt: skip


_PATHS = {
    "login_path": "/ui/login",
    "sync_intervals_path": "/ui/sync-intervals",
    "sync_runs_path": "/ui/sync-runs",
}


class _StackLike(Protocol):
    profile: Any
    base_url: str
    admin_password: str


def _text(fragment: str) -> str:
    return html.unescape(_TAG.sub("", fragment)).strip()


class AdminUi:
    """A cookie session on ``/ui`` (login form with its CSRF token), no redirects followed silently."""

    def __init__(self, base_url: str, username: str, password: str, paths: Mapping[str, str] | None = None):
        self._client = httpx.Client(base_url=base_url, timeout=15.0, follow_redirects=False)
        self._username, self._password = username, password
        self._paths = {**_PATHS, **(paths or {})}

    @classmethod
    def of(cls, stack: _StackLike) -> AdminUi:
        """The admin UI of a running Stack, at the paths its SUT profile declares (inconclusive if none)."""
        ui = stack.profile.observe.ui
        if not ui.get("sync_intervals_path"):
            raise InconclusiveError("the SUT profile declares no observe.ui (admin pages)")
        return cls(stack.base_url, stack.profile.admin_username, stack.admin_password, ui)

    def __enter__(self) -> Self:
        return self.login()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._client.close()

    def _csrf(self, path: str) -> str:
        page = self._client.get(path)
        match = _CSRF.search(page.text)
        if page.status_code != 200 or match is None:
            raise HarnessError(f"GET {path}: {page.status_code}, no csrf_token in the page")
        return match.group(1)

    def login(self) -> Self:
        login = self._paths["login_path"]
        token = self._csrf(login)
        response = self._client.post(
            login, data={"username": self._username, "password": self._password, "csrf_token": token}
        )
        if response.status_code != 303 or response.headers.get("location") != "/ui":
            raise HarnessError(f"/ui login failed: {response.status_code} {response.text[:200]}")
        return self

    def page(self, path: str) -> str:
        response = self._client.get(path)
        if response.status_code != 200:
            raise HarnessError(
                f"GET {path}: {response.status_code} (location {response.headers.get('location')})"
            )
        return response.text

    def sync_intervals(self) -> dict[str, dict[str, str]]:
        """The Sync Intervals table: object type → {interval, enabled, last-sync, next-sync, last-result}."""
        rows = {}
        for object_type, row in _ROW.findall(self.page(self._paths["sync_intervals_path"])):
            rows[object_type] = {name: _text(value) for name, value in _CELL.findall(row)}
        return rows

    def run_stats(self) -> dict[str, dict[str, str]]:
        """The "By object type" table of /ui/sync-runs: type → column name → shown text."""
        rows = {}
        for sync_type, row in _STATS_ROW.findall(self.page(self._paths["sync_runs_path"])):
            cells = [_text(cell) for cell in _ANY_CELL.findall(row)]
            rows[sync_type] = dict(zip(_STATS_COLUMNS, cells, strict=False))
        return rows

    def edit_interval(self, object_type: str, minutes: int) -> httpx.Response:
        token = self._csrf(self._paths["sync_intervals_path"])
        return self._client.post(
            f"{self._paths['sync_intervals_path']}/{object_type}",
            data={"sync_interval_minutes": str(minutes), "csrf_token": token},
        )

    def toggle(self, object_type: str) -> httpx.Response:
        token = self._csrf(self._paths["sync_intervals_path"])
        return self._client.post(f"/ui/sync-intervals/{object_type}/toggle", data={"csrf_token": token})
