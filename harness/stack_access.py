"""What a running Stack offers: URLs, logs, HTTP clients with the admin token, the fake, the database."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
from psycopg.rows import dict_row

from harness.errors import HarnessError
from harness.process import ManagedProcess
from harness.sut import SutProfile
from harness.topology import ProcessPlan

__all__ = ["FAKE_API_PATH", "StackAccess"]

FAKE_API_PATH = "/MbioeService.svc/api/v3/"


class StackAccess:
    """Read-side helpers of the Stack; the Stack sets these attributes when it starts."""

    run_dir: Path
    profile: SutProfile
    processes: dict[str, ManagedProcess]
    plans: dict[str, ProcessPlan]
    web_port: int
    fake_port: int
    database_url: str
    admin_password: str
    _admin_token: str | None

    @property
    def log_dir(self) -> Path:
        return self.run_dir / "logs"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def fake_url(self) -> str:
        return f"http://127.0.0.1:{self.fake_port}"

    @property
    def fake_api_url(self) -> str:
        return self.fake_url + FAKE_API_PATH

    def url(self, path: str) -> str:
        return self.base_url + path

    def log_text(self, name: str) -> str:
        return self.processes[name].log_text()

    def middleware_logs(self) -> dict[str, str]:
        """The log of every middleware process (the fake's left out)."""
        return {name: self.processes[name].log_text() for name in self.plans}

    def http(self, timeout: float = 15.0) -> httpx.Client:
        """An HTTP client for the middleware; redirects are never followed (a redirect is a finding)."""
        return httpx.Client(base_url=self.base_url, timeout=timeout, follow_redirects=False)

    def admin_token(self, *, refresh: bool = False) -> str:
        if self._admin_token is None or refresh:
            with self.http() as client:
                response = client.post(
                    self.profile.admin_login_path,
                    json={"username": self.profile.admin_username, "password": self.admin_password},
                )
            if response.status_code != 200:
                raise HarnessError(f"admin login failed: {response.status_code} {response.text[:200]}")
            self._admin_token = str(response.json()["access_token"])
        return self._admin_token

    def admin_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_token()}"}

    def fake_request(self, method: str, path: str, **kwargs: Any) -> Any:
        """Call the fake's control plane and return the decoded JSON body (None when empty)."""
        response = httpx.request(method, self.fake_url + path, timeout=30.0, **kwargs)
        if response.status_code >= 400:
            raise HarnessError(f"fake {method} {path}: {response.status_code} {response.text[:300]}")
        return response.json() if response.content else None

    def fake_state(self, parts: str = "none") -> dict[str, Any]:
        """The fake's whole truth; ``parts="all"`` adds every parts list's sha256 (slower)."""
        state: dict[str, Any] = self.fake_request("GET", "/_fake/state", params={"parts": parts})
        return state

    @contextlib.contextmanager
    def db(self) -> Iterator[psycopg.Connection[dict[str, Any]]]:
        """A psycopg connection (autocommit, dict rows) to the run's database."""
        with psycopg.connect(
            self.database_url, autocommit=True, row_factory=dict_row, connect_timeout=5
        ) as conn:
            yield conn

    def query(self, statement: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        with self.db() as conn:
            return list(conn.execute(statement.encode(), params).fetchall())
