"""The sync_logs row of one run: started (or a queued row reused), counted, finished with an outcome."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from middleware.clock import Clock
from middleware.db.models import SyncLog, SyncStatus, SyncTrigger
from middleware.db.session import session_scope
from middleware.errors import DirectoryNotFoundError, ProjectNotFoundError
from middleware.logs import get_logger
from middleware.owners import process_owner
from middleware.sync.results import SyncRunResult

__all__ = ["RunLog", "Tally"]

log = get_logger(__name__)
MAX_ERRORS_KEPT = 50


@dataclass
class Tally:
    """Counts per level and outcome (``project.inserted``...), plus the errors of the run."""

    counts: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    items_processed: int = 0
    items_failed: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, name: str, amount: int = 1) -> None:
        if amount:
            with self._lock:
                self.counts[name] += amount

    def item(self, *, failed: bool = False) -> None:
        with self._lock:
            self.items_processed += 1
            self.items_failed += int(failed)

    def error(self, where: str, error: BaseException | str) -> None:
        text = f"{where}: {error}"
        # a request naming something that does not exist is the caller's mistake, not an operator's alarm
        report = (
            log.warning if isinstance(error, ProjectNotFoundError | DirectoryNotFoundError) else log.error
        )
        report("sync.error", where=where, error=str(error), error_type=type(error).__name__)
        with self._lock:
            self.counts["errors"] += 1  # every recorded failure, also beyond the MAX_ERRORS_KEPT texts
            if len(self.errors) < MAX_ERRORS_KEPT:
                self.errors.append(text)

    @property
    def writes(self) -> int:
        return sum(v for k, v in self.counts.items() if k.endswith((".inserted", ".updated", ".deleted")))


class RunLog:
    """Writes the run's sync_logs row at start and at the end; reuses a queued row with the same run_id."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        clock: Clock,
        *,
        sync_type: str,
        trigger: SyncTrigger,
        target: str | None = None,
        run_id: str | None = None,
    ) -> None:
        self._factory = factory
        self._clock = clock
        self.run_id = run_id or str(uuid.uuid4())
        self.sync_type = sync_type
        self.trigger = trigger
        self.target = target[:1024] if target else target  # the sync_logs.target column
        self.started = clock.now()

    def start(self) -> None:
        with session_scope(self._factory) as session:
            row = session.scalars(select(SyncLog).where(SyncLog.run_id == self.run_id)).one_or_none()
            if row is None:
                row = SyncLog(run_id=self.run_id, created_at=self.started)
                session.add(row)
            row.sync_type, row.trigger, row.target = self.sync_type, self.trigger.value, self.target
            row.status, row.started_at = SyncStatus.STARTED.value, self.started
            row.owner = process_owner()  # a reaper closes the row if this process dies mid-run
        log.info("sync.started", run_id=self.run_id, sync_type=self.sync_type, target=self.target)

    def finish(self, tally: Tally, *, fatal: BaseException | None = None, message: str = "") -> SyncRunResult:
        seconds = max(self._clock.time() - self.started.timestamp(), 0.0)
        if fatal is not None:
            tally.error("run", fatal)
        if fatal is not None or (tally.items_failed and tally.items_failed >= tally.items_processed):
            status = SyncStatus.FAILED
        elif tally.errors:
            status = SyncStatus.PARTIAL
        else:
            status = SyncStatus.COMPLETED
        counts = dict(sorted(tally.counts.items()))
        message = message or f"{self.sync_type} sync {status.value}"
        error = "\n".join(tally.errors) or None
        with session_scope(self._factory) as session:
            row = session.scalars(select(SyncLog).where(SyncLog.run_id == self.run_id)).one()
            row.status, row.message, row.counts = status.value, message, counts
            row.items_processed = tally.items_processed
            row.items_failed = tally.items_failed
            row.items_successful = tally.items_processed - tally.items_failed
            row.error_details, row.duration_seconds = error, round(seconds, 3)
            row.completed_at = self._clock.now()
        log.info(
            "sync.finished", run_id=self.run_id, status=status.value, seconds=round(seconds, 2), counts=counts
        )
        return SyncRunResult(
            run_id=self.run_id,
            sync_type=self.sync_type,
            status=status,
            message=message,
            counts=counts,
            phases_synced=counts.get("phase.seen", 0),
            elevations_synced=counts.get("elevation.seen", 0),
            parts_lists_synced=counts.get("parts_list.fetched", 0),
            parts_lists_failed=counts.get("parts_list.failed", 0),
            failures=counts.get("errors", 0),
            duration_seconds=round(seconds, 3),
            error=error,
        )
