"""What one worker (child) process holds: settings, clock, database engine, locks and the SyncEngine."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from middleware.clock import Clock, clock_from_settings
from middleware.config import ConfigError, Settings
from middleware.db.session import make_engine, make_session_factory
from middleware.locks import ProjectLock

if TYPE_CHECKING:
    from middleware.sync.engine import SyncEngine
    from middleware.worker.reaper import Reaper

__all__ = ["WorkerContext", "build_worker_context"]


@dataclass
class WorkerContext:
    """Built once per process (a forked pool child builds its own: connections must not cross a fork)."""

    settings: Settings
    clock: Clock
    engine: Engine
    session_factory: sessionmaker[Session]
    lock: ProjectLock
    sync_engine: SyncEngine
    reaper: Reaper
    pid: int = field(default_factory=os.getpid)

    def belongs_to_this_process(self) -> bool:
        return self.pid == os.getpid()

    def close(self) -> None:
        self.engine.dispose()


def build_worker_context(settings: Settings) -> WorkerContext:
    from middleware.logikal.client import LogikalClient
    from middleware.sync.engine import SyncEngine
    from middleware.sync.registry import DatabaseSessionRegistry
    from middleware.worker.reaper import Reaper

    if settings.DATABASE_URL is None:
        raise ConfigError("missing required environment variables: DATABASE_URL")
    clock = clock_from_settings(settings.CLOCK_SPEED, settings.CLOCK_ANCHOR)
    # Small pool: one sync at a time per child, plus lock connections (type lock + project locks).
    engine = make_engine(settings.DATABASE_URL, pool_size=3, max_overflow=4)
    factory = make_session_factory(engine)
    lock = ProjectLock(engine)
    registry = DatabaseSessionRegistry(factory, clock)

    def client() -> LogikalClient:
        return LogikalClient.from_settings(settings, registry=registry)

    sync_engine = SyncEngine(settings, factory, clock, lock, client_factory=client)
    reaper = Reaper(factory, clock, client)
    return WorkerContext(settings, clock, engine, factory, lock, sync_engine, reaper)
