"""The Logikal session registry in PostgreSQL: one row per open session with the process that opened it."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from middleware.clock import Clock
from middleware.db.models import LogikalSessionRecord
from middleware.db.session import session_scope
from middleware.logs import get_logger
from middleware.owners import process_owner

__all__ = ["DatabaseSessionRegistry"]

_log = get_logger(__name__)


class DatabaseSessionRegistry:
    """A failed write is logged, never raised: losing a registry row must not fail the sync itself."""

    def __init__(self, session_factory: sessionmaker[Session], clock: Clock) -> None:
        self._factory = session_factory
        self._clock = clock

    def opened(self, token: str) -> None:
        row = {"token": token, "owner": process_owner(), "opened_at": self._clock.now()}
        try:
            with session_scope(self._factory) as session:
                statement = pg_insert(LogikalSessionRecord).values(**row)
                session.execute(statement.on_conflict_do_nothing(index_elements=["token"]))
        except SQLAlchemyError as exc:
            _log.warning("logikal.session_registry_failed", action="opened", error=str(exc).splitlines()[0])

    def closed(self, token: str) -> None:
        try:
            with session_scope(self._factory) as session:
                session.execute(delete(LogikalSessionRecord).where(LogikalSessionRecord.token == token))
        except SQLAlchemyError as exc:
            _log.warning("logikal.session_registry_failed", action="closed", error=str(exc).splitlines()[0])
