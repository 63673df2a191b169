"""Logikal sessions: tokens, their cursor, idle expiry, an optional concurrency cap, and the accounting."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from .errors import UnauthorizedError

__all__ = ["Level", "Session", "SessionTable"]


class Level(IntEnum):
    ROOT = 0
    DIRECTORY = 1
    PROJECT = 2
    PHASE = 3
    ELEVATION = 4

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass
class Session:
    token: str
    username: str
    opened_at: float
    last_used_at: float
    directory: str | None = None
    project_id: str | None = None
    phase_id: str | None = None
    elevation_id: str | None = None
    closed_at: float | None = None
    close_reason: str | None = None
    calls: int = 0

    @property
    def level(self) -> Level:
        if self.elevation_id is not None:
            return Level.ELEVATION
        if self.phase_id is not None:
            return Level.PHASE
        if self.project_id is not None:
            return Level.PROJECT
        return Level.DIRECTORY if self.directory is not None else Level.ROOT

    def to_json(self) -> dict[str, Any]:
        return {
            "token": self.token,
            "username": self.username,
            "level": self.level.label,
            "directory": self.directory,
            "projectId": self.project_id,
            "phaseId": self.phase_id,
            "elevationId": self.elevation_id,
            "openedAt": self.opened_at,
            "lastUsedAt": self.last_used_at,
            "closedAt": self.closed_at,
            "closeReason": self.close_reason,
            "calls": self.calls,
        }


class SessionTable:
    """Every session ever opened since the last reset (closed ones are kept for the accounting, bounded)."""

    _KEEP_CLOSED = 10_000

    def __init__(self, seed: int, generation: int, max_sessions: int | None, idle_timeout_s: float | None):
        self._rng = random.Random(f"{seed}:tokens:{generation}")
        self.max_sessions = max_sessions
        self.idle_timeout_s = idle_timeout_s
        self._open: dict[str, Session] = {}
        self._closed: dict[str, Session] = {}
        self.opened = 0
        self.closed = 0
        self.max_concurrent = 0

    def open(self, username: str, now: float) -> Session:
        self.sweep(now)
        if self.max_sessions is not None and len(self._open) >= self.max_sessions:
            raise UnauthorizedError(
                "Authentication failed. The maximum number of concurrent sessions has been reached.",
                f"{len(self._open)} of {self.max_sessions} sessions are in use.",
            )
        token = str(uuid.UUID(int=self._rng.getrandbits(128), version=4))
        session = Session(token, username, now, now)
        self._open[token] = session
        self.opened += 1
        self.max_concurrent = max(self.max_concurrent, len(self._open))
        return session

    def peek(self, token: str | None) -> Session | None:
        return self._open.get(token) if token else None

    def use(self, token: str | None, now: float) -> Session:
        """The open session of `token`, touched; 401 when unknown, closed or idle-expired."""
        session = self._open.get(token) if token else None
        if session is None:
            raise UnauthorizedError()
        if self._expired(session, now):
            self.close(session.token, now, "expired")
            raise UnauthorizedError(detail="The session has expired.")
        session.last_used_at = now
        session.calls += 1
        return session

    def close(self, token: str, now: float, reason: str) -> None:
        session = self._open.pop(token, None)
        if session is None:
            return
        session.closed_at, session.close_reason = now, reason
        self._closed[token] = session
        self.closed += 1
        while len(self._closed) > self._KEEP_CLOSED:
            self._closed.pop(next(iter(self._closed)))

    def close_all(self, now: float, reason: str) -> int:
        tokens = list(self._open)
        for token in tokens:
            self.close(token, now, reason)
        return len(tokens)

    def sweep(self, now: float) -> None:
        for session in [s for s in self._open.values() if self._expired(s, now)]:
            self.close(session.token, now, "expired")

    def _expired(self, session: Session, now: float) -> bool:
        return self.idle_timeout_s is not None and now - session.last_used_at > self.idle_timeout_s

    def report(self, now: float) -> dict[str, Any]:
        self.sweep(now)
        return {
            "opened": self.opened,
            "closed": self.closed,
            "open": len(self._open),
            "max_concurrent": self.max_concurrent,
            "max_sessions": self.max_sessions,
            "idle_timeout_s": self.idle_timeout_s,
            "sessions": [s.to_json() for s in [*self._open.values(), *self._closed.values()]],
        }
