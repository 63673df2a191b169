"""Run bookkeeping shared by the scheduler and the tasks: queued rows, outcomes on configs, left-open rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from middleware.clock import Clock
from middleware.db.models import ObjectSyncConfig, SyncLog, SyncStatus, SyncTrigger
from middleware.db.session import session_scope
from middleware.sync.results import SyncRunResult

__all__ = ["OPEN_STATES", "abandon_runs", "close_open_run", "queued_run", "record_run_outcome"]

OPEN_STATES = (SyncStatus.QUEUED.value, SyncStatus.STARTED.value)


def queued_run(
    run_id: str, object_type: str, trigger: SyncTrigger, clock: Clock, *, batch_id: str | None = None
) -> SyncLog:
    """The sync_logs row of a run that is enqueued but not started; times come from the (warped) clock."""
    now = clock.now()
    return SyncLog(
        run_id=run_id,
        batch_id=batch_id,
        sync_type=object_type,
        trigger=trigger.value,
        target=object_type,
        status=SyncStatus.QUEUED.value,
        message=f"{object_type} sync queued",
        started_at=now,
        created_at=now,
    )


def record_run_outcome(
    session_factory: sessionmaker[Session], clock: Clock, object_type: str, result: SyncRunResult
) -> None:
    """Note how a run of ``object_type`` ended; ``last_sync`` moves only when the run completed."""
    values: dict[str, Any] = {"last_status": result.status.value, "last_run_id": result.run_id}
    if result.status is SyncStatus.COMPLETED:
        values["last_sync"] = clock.now()
    with session_scope(session_factory) as session:
        session.execute(
            update(ObjectSyncConfig).where(ObjectSyncConfig.object_type == object_type).values(values)
        )


def close_open_run(
    session_factory: sessionmaker[Session],
    clock: Clock,
    run_id: str,
    *,
    message: str,
    error: BaseException | None = None,
) -> bool:
    """Mark a row the engine left queued/started as failed; True when a row was closed."""
    values: dict[str, Any] = {
        "status": SyncStatus.FAILED.value,
        "message": message[:500],
        "completed_at": clock.now(),
    }
    if error is not None:
        values["error_details"] = f"{type(error).__name__}: {error}"[:2000]
    with session_scope(session_factory) as session:
        closed = session.execute(
            update(SyncLog).where(SyncLog.run_id == run_id, SyncLog.status.in_(OPEN_STATES)).values(values)
        )
        return bool(getattr(closed, "rowcount", 0))


def abandon_runs(session: Session, clock: Clock, condition: Any, *, reason: str) -> list[str]:
    """Close the open rows matching ``condition`` as abandoned with ``reason``; their run ids."""
    closed = session.execute(
        update(SyncLog)
        .where(condition, SyncLog.status.in_(OPEN_STATES))
        .values(
            status=SyncStatus.ABANDONED.value,
            message=reason[:500],
            error_details=reason[:2000],
            completed_at=clock.now(),
        )
        .returning(SyncLog.run_id)
    )
    return list(closed.scalars())
