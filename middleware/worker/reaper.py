"""Recovery from lost processes: close the runs and Logikal sessions of processes that died, redo a run."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from middleware.clock import Clock
from middleware.db.models import LogikalSessionRecord, SyncLog, SyncStatus, SyncTrigger
from middleware.db.session import session_scope
from middleware.logikal.client import LogikalClient
from middleware.logs import get_logger
from middleware.owners import is_owner_alive
from middleware.worker.runs import abandon_runs, queued_run

__all__ = ["MAX_WORKER_LOSSES", "ReapReport", "Reaper", "RedoDecision"]

MAX_WORKER_LOSSES = 3  # a run that kills its worker every time (a poison message) is given up after this
_log = get_logger(__name__)


@dataclass
class ReapReport:
    dead_owners: list[str] = field(default_factory=list)
    runs_abandoned: list[str] = field(default_factory=list)
    sessions_closed: int = 0
    sessions_left: int = 0


@dataclass(frozen=True)
class RedoDecision:
    """What a delivered task should do: run under ``run_id`` (maybe a new one; None: the engine picks one),
    or nothing (``should_run`` False, ``reason`` says why)."""

    should_run: bool
    run_id: str | None
    reason: str = ""


class Reaper:
    """Run at every scheduler tick and whenever a task is redelivered after its worker died."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        clock: Clock,
        client_factory: Callable[[], LogikalClient],
    ) -> None:
        self._factory = session_factory
        self._clock = clock
        self._client_factory = client_factory

    def reap(self, *, spare_batch: str | None = None) -> ReapReport:
        """Abandon the started runs of dead processes (and the queued rest of their scheduler chains, except
        ``spare_batch`` whose chain a redelivered task is carrying on), then log out their sessions."""
        report = ReapReport()
        with session_scope(self._factory) as session:
            owners = set(
                session.scalars(
                    select(SyncLog.owner).where(
                        SyncLog.status == SyncStatus.STARTED.value, SyncLog.owner.is_not(None)
                    )
                )
            )
            owners |= set(session.scalars(select(LogikalSessionRecord.owner).distinct()))
            report.dead_owners = sorted(o for o in owners if o and not is_owner_alive(o))
            for owner in report.dead_owners:
                report.runs_abandoned += self._abandon_owner(session, owner, spare_batch)
            tokens = list(
                session.scalars(
                    select(LogikalSessionRecord.token).where(
                        LogikalSessionRecord.owner.in_(report.dead_owners)
                    )
                )
            )
        if tokens:
            self._close_sessions(tokens, report)
        if report.dead_owners:
            _log.warning(
                "worker.lost_process_reaped",
                owners=report.dead_owners,
                runs_abandoned=report.runs_abandoned,
                sessions_closed=report.sessions_closed,
                sessions_left=report.sessions_left,
            )
        return report

    def _abandon_owner(self, session: Session, owner: str, spare_batch: str | None) -> list[str]:
        reason = f"abandoned: the process running it ({owner}) died"
        batches = set(
            session.scalars(
                select(SyncLog.batch_id).where(
                    SyncLog.owner == owner,
                    SyncLog.status == SyncStatus.STARTED.value,
                    SyncLog.trigger != SyncTrigger.FORCE.value,
                    SyncLog.batch_id.is_not(None),
                )
            )
        ) - {spare_batch, None}
        abandoned = abandon_runs(session, self._clock, SyncLog.owner == owner, reason=reason)
        if batches:
            rest = and_(SyncLog.batch_id.in_(batches), SyncLog.status == SyncStatus.QUEUED.value)
            abandoned += abandon_runs(
                session, self._clock, rest, reason=f"abandoned: its scheduler chain died with {owner}"
            )
        return abandoned

    def _close_sessions(self, tokens: list[str], report: ReapReport) -> None:
        client = self._client_factory()
        try:
            for token in tokens:
                if client.close_session(token):
                    report.sessions_closed += 1
                else:
                    report.sessions_left += 1
        finally:
            client.close()

    # ----------------------------------------------------------------- redelivered tasks
    def prepare_run(self, run_id: str | None, *, still_running_is_lost: bool) -> RedoDecision:
        """Decide about a delivered run: a fresh one runs as is; a finished one was delivered twice (skip);
        a started one lost its process, so it is abandoned and redone under a new run id, at most
        MAX_WORKER_LOSSES times. ``still_running_is_lost``: the caller knows no one runs it now (it holds the
        run's lock, or this is a retry of an attempt that gave up), whichever process the row names."""
        if run_id is None:
            return RedoDecision(True, None)
        with session_scope(self._factory) as session:
            row = session.scalar(select(SyncLog).where(SyncLog.run_id == run_id))
            if row is None or row.status == SyncStatus.QUEUED.value:
                return RedoDecision(True, run_id)
            if row.status != SyncStatus.STARTED.value:
                return RedoDecision(False, None, f"run {run_id} already ended ({row.status})")
            owner, batch = row.owner, row.batch_id or row.run_id
            if not still_running_is_lost and owner and is_owner_alive(owner):
                return RedoDecision(False, None, f"run {run_id} is still running in {owner}")
        self.reap(spare_batch=batch)
        with session_scope(self._factory) as session:
            reason = f"abandoned: redelivered after its worker ({owner}) was lost"
            abandon_runs(session, self._clock, SyncLog.run_id == run_id, reason=reason)
            row = session.scalars(select(SyncLog).where(SyncLog.run_id == run_id)).one()
            losses = session.scalar(
                select(func.count())
                .select_from(SyncLog)
                .where(
                    SyncLog.status == SyncStatus.ABANDONED.value,
                    SyncLog.sync_type == row.sync_type,
                    func.coalesce(SyncLog.batch_id, SyncLog.run_id) == batch,
                )
            )
            if (losses or 0) >= MAX_WORKER_LOSSES:
                _log.error("worker.run_given_up", run_id=run_id, losses=losses, sync_type=row.sync_type)
                return RedoDecision(False, None, f"given up after {losses} worker losses")
            redo = queued_run(
                str(uuid.uuid4()), row.sync_type, SyncTrigger(row.trigger), self._clock, batch_id=batch
            )
            redo.target = row.target
            session.add(redo)
            session.execute(
                update(SyncLog)
                .where(SyncLog.run_id == run_id)
                .values(message=f"{row.message}; redone as run {redo.run_id}"[:500])
            )
        _log.warning("worker.run_redone", run_id=run_id, redo_run_id=redo.run_id, lost_owner=owner)
        return RedoDecision(True, redo.run_id, f"redo of {run_id}")
