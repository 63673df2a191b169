"""Readiness probes for managed processes: an HTTP status, a log line, or any callable."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import httpx

__all__ = ["CallableProbe", "HttpProbe", "LogLineProbe", "Probe", "ProbeTarget"]


@dataclass(frozen=True)
class ProbeTarget:
    """What a probe may look at: the process and the part of its log written since its last start."""

    pid: int
    log_path: Path
    log_offset: int

    def read_log(self) -> str:
        """Return the log text written since the process last started."""
        try:
            with self.log_path.open("rb") as log:
                log.seek(self.log_offset)
                return log.read().decode("utf-8", errors="replace")
        except FileNotFoundError:
            return ""


class Probe(Protocol):
    """Something that says whether a process is ready; ``description`` names it in error messages."""

    @property
    def description(self) -> str: ...

    def check(self, target: ProbeTarget) -> bool: ...


@dataclass(frozen=True)
class HttpProbe:
    """Ready when a GET of ``url`` answers ``expect_status`` (redirects are not followed)."""

    url: str
    expect_status: int = 200
    request_timeout: float = 1.0

    @property
    def description(self) -> str:
        return f"HTTP {self.expect_status} from {self.url}"

    def check(self, target: ProbeTarget) -> bool:
        try:
            response = httpx.get(self.url, timeout=self.request_timeout, follow_redirects=False)
        except httpx.HTTPError:
            return False
        return response.status_code == self.expect_status


@dataclass(frozen=True)
class LogLineProbe:
    """Ready when a line matching the regular expression ``pattern`` appears in the log."""

    pattern: str

    @property
    def description(self) -> str:
        return f"a log line matching {self.pattern!r}"

    def check(self, target: ProbeTarget) -> bool:
        return re.search(self.pattern, target.read_log(), flags=re.MULTILINE) is not None


@dataclass(frozen=True)
class CallableProbe:
    """Ready when ``fn()`` returns a truthy value; exceptions count as not ready."""

    fn: Callable[[], object]
    name: str = "callable probe"

    @property
    def description(self) -> str:
        return self.name

    def check(self, target: ProbeTarget) -> bool:
        try:
            return bool(self.fn())
        except Exception:  # any failure of a readiness check means "not ready yet"
            return False
