"""What every part of one sync run shares: settings, database, clock, Logikal client, lock and tally."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from middleware.clock import Clock
from middleware.config import Settings
from middleware.locks import ProjectLock
from middleware.logikal.client import LogikalClient
from middleware.sync.runlog import Tally

__all__ = ["DirectoryRef", "PartsTarget", "ProjectRef", "RunContext", "is_excluded"]


@dataclass(frozen=True)
class DirectoryRef:
    id: int
    path: str


@dataclass(frozen=True)
class ProjectRef:
    id: int
    guid: str
    name: str
    directory: str
    changed: bool = True  # the listing changed the row in this run (or we do not know)


@dataclass(frozen=True)
class PartsTarget:
    """One parts list to download: where the elevation is in Logikal and its row."""

    elevation_id: int | None  # None: resolved by GUID once the elevation row is committed
    name: str
    directory: str
    project: str
    phase: str
    elevation: str


@dataclass
class RunContext:
    settings: Settings
    factory: sessionmaker[Session]
    clock: Clock
    lock: ProjectLock
    tally: Tally
    client_factory: Callable[[], LogikalClient]
    _client: LogikalClient | None = field(default=None, repr=False)

    def now(self) -> datetime:
        return self.clock.now()

    @property
    def client(self) -> LogikalClient:
        """Created on first use, so runs that never call Logikal (parsing) open no HTTP client."""
        if self._client is None:
            self._client = self.client_factory()
        return self._client

    def close(self) -> None:
        """Close the client (every Logikal session) and count its calls into the tally."""
        if self._client is not None:
            self._client.close()
            counter = self._client.counter
            self.tally.add("logikal_calls", counter.calls)
            self.tally.add("logins", counter.logins)
            self.tally.add("logouts", counter.logouts)
            self.tally.add("retries", counter.retries)


def is_excluded(path: str, excluded: set[str]) -> bool:
    """A path is excluded when it or any ancestor is in ``excluded``."""
    parts = path.strip("/").split("/")
    return any("/".join(parts[:depth]) in excluded for depth in range(1, len(parts) + 1))
