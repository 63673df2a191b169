"""What a running Stack offers: URLs, logs, HTTP clients with the admin token, the fake, the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from harness.errors import HarnessError
from harness.observe.adapter import Observer
from harness.runtime.process import ManagedProcess, MemorySample
from harness.stack.profile import SutProfile
from harness.stack.tape import Tape, fake_fields, taped
from harness.stack.topology import ProcessPlan, Topology
from harness.stack.warp import WarpClock, WarpMode

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
    redis_url: str
    topology: Topology
    clock: WarpClock
    warp: WarpMode
    tape: Tape
    ready_at: float = 0.0
    processes_started: bool = False

    @property
    def observer(self) -> Observer:
        raise NotImplementedError

    @property
    def is_running(self) -> bool:
        """Started and not closed: its processes can still be observed."""
        return bool(self.ready_at) and not getattr(self, "_closed", True)

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
        return self.observer.admin_token(refresh=refresh)

    def admin_headers(self) -> dict[str, str]:
        return self.observer.admin_headers()

    @taped("fake", fake_fields)
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

    def _memory_sources(self) -> dict[str, Any]:
        sources: dict[str, Any] = {}
        for name in self.plans:
            process = self.processes[name]
            if process.is_running:
                sources[name] = process.memory
        return sources

    def memory(self) -> dict[str, MemorySample]:
        """Memory of each middleware process tree right now."""
        return {name: measure() for name, measure in self._memory_sources().items()}

    def describe(self) -> dict[str, Any]:
        """URLs and paths for people (`logikal-harness up`) and for the report."""
        return {
            "topology": self.topology.value,
            "profile": self.profile.name,
            "middleware": self.base_url,
            "fake": self.fake_api_url,
            "fake_control": self.fake_url + "/_fake/",
            "redis": self.redis_url,
            "database": self.database_url,
            "logs": str(self.log_dir),
            "clock_speed": self.clock.speed,
            "time_warp": self.warp.value,
            "admin": f"{self.profile.admin_username} / {self.admin_password}",
        }
