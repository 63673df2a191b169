"""Elevation content: thumbnails, parts-list downloads (parallel, bounded by the client) and their parsing."""

from __future__ import annotations

import hashlib
import threading
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from middleware.db.models import (
    Elevation,
    ElevationGlass,
    ElevationPartsList,
    ElevationThumbnail,
    ParseStatus,
)
from middleware.db.session import session_scope
from middleware.logikal.errors import LogikalError
from middleware.sync.context import PartsTarget, RunContext
from middleware.sync.partslist import PartsListError, check_parts_list, parse_parts_list

__all__ = ["ElevationContent"]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class ElevationContent:
    """Downloads start as soon as a target is known (``submit``); ``collect`` stores them after the commit."""

    def __init__(self, ctx: RunContext, *, parse: bool, download: bool = True) -> None:
        self._ctx = ctx
        self._parse = parse
        self._download = download
        workers = ctx.settings.LOGIKAL_MAX_SESSIONS
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="parts")
        self._pending: list[tuple[PartsTarget, Future[bytes]]] = []
        self._queued: deque[PartsTarget] = deque()
        self._window = 2 * workers
        self._lock = threading.Lock()  # phase workers queue downloads while the main thread collects

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    # ----------------------------------------------------------------- thumbnails
    def store_thumbnail(self, session: Session, elevation_id: int, data: bytes) -> None:
        digest, now = _sha256(data), self._ctx.now()
        values: dict[str, Any] = {"data": data, "sha256": digest, "fetched_at": now}
        row = {"elevation_id": elevation_id, "content_type": "image/png", **values}
        statement = pg_insert(ElevationThumbnail).values(**row)
        statement = statement.on_conflict_do_update(
            index_elements=["elevation_id"], set_=values, where=ElevationThumbnail.sha256 != digest
        )
        if session.execute(statement).rowcount:  # type: ignore[attr-defined]
            self._ctx.tally.add("thumbnail.written")
        else:
            self._ctx.tally.add("thumbnail.unchanged")

    # ----------------------------------------------------------------- parts lists
    def submit(self, target: PartsTarget) -> None:
        """Queue a download; at most ``window`` run or wait in memory at once (parts lists are megabytes)."""
        if not self._download:
            return
        with self._lock:
            self._queued.append(target)
        self._start_queued()

    def _start_queued(self) -> None:
        client = self._ctx.client
        with self._lock:
            while self._queued and len(self._pending) < self._window:
                target = self._queued.popleft()
                where = (target.directory, target.project, target.phase, target.elevation)
                self._pending.append((target, self._pool.submit(client.parts_list, *where)))

    def discard(self) -> None:
        """Drop queued downloads and wait for running ones (their elevation rows were rolled back)."""
        with self._lock:
            self._queued.clear()
            pending, self._pending = self._pending, []
        for _, future in pending:
            future.cancel()
            if not future.cancelled():
                future.exception()

    def collect(self) -> None:
        """Store every download (in submission order, starting queued ones as room frees) and parse it."""
        while self._pending:
            with self._lock:
                target, future = self._pending.pop(0)
            try:
                data = future.result()
            except LogikalError as exc:
                self._ctx.tally.add("parts_list.failed")
                self._ctx.tally.item(failed=True)
                self._ctx.tally.error(f"parts list {target.name} ({target.elevation})", exc)
                continue
            finally:
                self._start_queued()
            elevation_id = target.elevation_id or self._row_of(target.elevation)
            if elevation_id is None:
                continue  # the elevation row was not committed (its project failed)
            try:
                check_parts_list(data)
            except PartsListError as exc:  # keep the last good one; the run counts this as failed
                self._ctx.tally.add("parts_list.invalid")
                self._ctx.tally.add("parts_list.failed")
                self._ctx.tally.item(failed=True)
                self._ctx.tally.error(f"parts list {target.name} ({target.elevation})", exc)
                continue
            self._ctx.tally.add("parts_list.fetched")
            self._ctx.tally.item()
            changed = self.store_parts_list(elevation_id, data)
            del data
            if self._parse and changed:
                self.parse(elevation_id)

    def _row_of(self, guid: str) -> int | None:
        with session_scope(self._ctx.factory) as session:
            return session.scalar(select(Elevation.id).where(Elevation.logikal_id == guid))

    def store_parts_list(self, elevation_id: int, data: bytes) -> bool:
        """Keep the bytes; True when they differ from what was stored (then the elevation needs a parse)."""
        digest, now = _sha256(data), self._ctx.now()
        this = Elevation.id == elevation_id
        with session_scope(self._ctx.factory) as session:
            parts = ElevationPartsList
            stored = session.scalar(select(parts.sha256).where(parts.elevation_id == elevation_id))
            if stored == digest and session.scalar(select(Elevation.has_parts_data).where(this)):
                self._ctx.tally.add("parts_list.unchanged")
                # only the "fetched after the row last changed" marker, and only when it is behind
                behind = Elevation.parts_synced_at < Elevation.last_sync_date
                session.execute(update(Elevation).where(this, behind).values(parts_synced_at=now))
                return False
            values: dict[str, Any] = {"data": data, "sha256": digest, "size_bytes": len(data)}
            values["fetched_at"] = now
            statement = pg_insert(parts).values(elevation_id=elevation_id, **values)
            session.execute(statement.on_conflict_do_update(index_elements=["elevation_id"], set_=values))
            self._ctx.tally.add("parts_list.written")
            session.execute(
                update(Elevation)
                .where(Elevation.id == elevation_id)
                .values(has_parts_data=True, parts_synced_at=now, parse_status=ParseStatus.PENDING.value)
            )
        return True

    # ----------------------------------------------------------------- parsing
    def parse(self, elevation_id: int) -> bool:
        """Parse the stored parts list into the elevation's columns and glass rows; record a failure."""
        ctx = self._ctx
        with session_scope(ctx.factory) as session:
            row = session.execute(
                select(Elevation.name, ElevationPartsList.data, ElevationPartsList.sha256)
                .join(ElevationPartsList, ElevationPartsList.elevation_id == Elevation.id)
                .where(Elevation.id == elevation_id)
            ).one_or_none()
            if row is None:
                return False
            name, data, digest = row
            values: dict[str, Any] = {"parts_file_hash": digest, "data_parsed_at": ctx.now()}
            try:
                content = parse_parts_list(data, name)
            except PartsListError as exc:
                ctx.tally.add("parse.failed")
                ctx.tally.error(f"parse {name} (elevation {elevation_id})", exc)
                values.update(parse_status=ParseStatus.FAILED.value, parse_error=str(exc))
                session.execute(update(Elevation).where(Elevation.id == elevation_id).values(**values))
                return False
            values.update(content.values)
            values.update(parse_status=ParseStatus.SUCCESS.value, parse_error=None)
            values["parts_count"] = content.parts_count
            session.execute(update(Elevation).where(Elevation.id == elevation_id).values(**values))
            session.execute(delete(ElevationGlass).where(ElevationGlass.elevation_id == elevation_id))
            if content.glass:
                session.execute(
                    insert(ElevationGlass),
                    [{"elevation_id": elevation_id, "glass_id": g, "name": n, "created_at": ctx.now()}
                     for g, n in content.glass],
                )  # fmt: skip
            ctx.tally.add("parse.succeeded")
            return True

    def parse_all(self, elevation_ids: Iterable[int]) -> None:
        for elevation_id in elevation_ids:
            ok = self.parse(elevation_id)
            self._ctx.tally.item(failed=not ok)
