"""Logikal sessions with their cursors, and the capped pool of open sessions a client shares."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum

__all__ = ["Level", "Location", "Session", "SessionPool", "common_prefix"]


class Level(IntEnum):
    """Depth of a session's cursor; a Location's path has one item per level below ROOT."""

    ROOT = 0
    DIRECTORY = 1
    PROJECT = 2
    PHASE = 3
    ELEVATION = 4


@dataclass(frozen=True)
class Location:
    """Where a session must stand for a call: a directory path, then project, phase and elevation GUIDs."""

    directory: str | None = None
    project: str | None = None
    phase: str | None = None
    elevation: str | None = None

    @property
    def path(self) -> tuple[str, ...]:
        items: list[str] = []
        for item in (self.directory, self.project, self.phase, self.elevation):
            if item is None:
                break
            items.append(item)
        return tuple(items)


@dataclass
class Session:
    """One Logikal token and where its server-side cursor stands."""

    token: str
    cursor: tuple[str, ...] = ()


def common_prefix(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    k = 0
    while k < min(len(a), len(b)) and a[k] == b[k]:
        k += 1
    return k


Cost = Callable[[tuple[str, ...], tuple[str, ...]], int | None]


@dataclass
class SessionPool:
    """Idle sessions plus a count of open ones, never more than ``size`` (the per-client semaphore)."""

    size: int
    idle: list[Session] = field(default_factory=list)
    open: int = 0
    cond: threading.Condition = field(default_factory=threading.Condition)

    def take(self, target: tuple[str, ...], cost: Cost) -> tuple[Session | None, Session | None]:
        """The cheapest idle session that can reach ``target``; else a free slot (None, caller logs in);
        else an idle session to close, whose slot passes to the caller. Blocks while all are busy."""
        with self.cond:
            while True:
                scored = [(c, s) for s in self.idle if (c := cost(s.cursor, target)) is not None]
                if scored:
                    _, best = min(scored, key=lambda pair: pair[0])
                    self.idle.remove(best)
                    return best, None
                if self.open < self.size:
                    self.open += 1
                    return None, None
                if self.idle:
                    # evict the deepest cursor: an elevation-level session can serve the fewest calls
                    victim = max(self.idle, key=lambda s: len(s.cursor))
                    self.idle.remove(victim)
                    return None, victim
                self.cond.wait()

    def reserve(self) -> bool:
        """Take a free slot without waiting (for a background login)."""
        with self.cond:
            if self.open >= self.size:
                return False
            self.open += 1
            return True

    def give_back(self, session: Session | None, keep: bool) -> None:
        """Return a session to the idle list, or free its slot (the caller has logged it out)."""
        with self.cond:
            if session is not None and keep:
                self.idle.append(session)
            else:
                self.open -= 1
            self.cond.notify_all()

    def drain(self) -> list[Session]:
        """Remove and return every idle session (to be logged out)."""
        with self.cond:
            sessions, self.idle = self.idle, []
            self.open -= len(sessions)
            self.cond.notify_all()
            return sessions
