"""ProjectLock: PostgreSQL advisory locks held on a dedicated connection, so a dead holder releases them."""

from __future__ import annotations

import hashlib
import struct
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, text

from middleware.errors import ResourceLockedError

__all__ = ["ProjectLock", "lock_ids", "project_lock_key", "type_lock_key"]

POLL_INTERVAL = 0.05


def lock_ids(key: str) -> tuple[int, int]:
    """Two signed int32 from a stable hash of ``key`` (pg_advisory_lock(int4, int4))."""
    first, second = struct.unpack(">ii", hashlib.sha256(key.encode()).digest()[:8])
    return int(first), int(second)


def project_lock_key(project_name: str, directory_path: str | None = None) -> str:
    """One key per project name, shared by force and scheduled syncs (both know the name; the directory
    path is optional for force sync, so it is not part of the key)."""
    del directory_path
    return f"project:{project_name.strip()}"


def type_lock_key(object_type: str) -> str:
    return f"type:{object_type}"


class ProjectLock:
    """Advisory locks keyed by string; ``hold`` raises ResourceLockedError when another holder has the key."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @contextmanager
    def hold(self, key: str, wait_seconds: float = 0) -> Iterator[None]:
        first, second = lock_ids(key)
        connection = self._engine.connect()
        try:
            if not self._acquire(connection, first, second, wait_seconds):
                raise ResourceLockedError(key)
            try:
                yield
            finally:
                self._release(connection, first, second)
        finally:
            connection.close()

    def is_locked(self, key: str) -> bool:
        first, second = lock_ids(key)
        with self._engine.connect() as connection:
            if not self._try(connection, first, second):
                return True
            self._release(connection, first, second)
            return False

    def _acquire(self, connection: Connection, first: int, second: int, wait_seconds: float) -> bool:
        # a duration, not a time of day: monotonic on purpose (the injected Clock may run warped)
        deadline = time.monotonic() + wait_seconds
        while not self._try(connection, first, second):
            if time.monotonic() >= deadline:
                return False
            time.sleep(POLL_INTERVAL)
        return True

    @staticmethod
    def _try(connection: Connection, first: int, second: int) -> bool:
        acquired = connection.execute(
            text("SELECT pg_try_advisory_lock(:a, :b)"), {"a": first, "b": second}
        ).scalar_one()
        connection.commit()
        return bool(acquired)

    @staticmethod
    def _release(connection: Connection, first: int, second: int) -> None:
        try:
            connection.execute(text("SELECT pg_advisory_unlock(:a, :b)"), {"a": first, "b": second})
            connection.commit()
        except Exception:
            # the lock is session-bound: dropping the connection is what releases it now
            connection.invalidate()
            raise
