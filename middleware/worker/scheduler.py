"""The scheduler tick: find due object types in dependency order, claim them, hand them to a dispatcher."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, sessionmaker

from middleware.clock import Clock
from middleware.db.models import ObjectSyncConfig, ObjectType, SyncLog, SyncStatus, SyncTrigger
from middleware.db.session import session_scope
from middleware.logs import get_logger
from middleware.worker.runs import close_open_run, queued_run

__all__ = ["DEPENDENCY_ORDER", "Dispatch", "PlannedSync", "SyncScheduler", "TickReport", "is_due"]

DEPENDENCY_ORDER: tuple[ObjectType, ...] = tuple(ObjectType)
_RANK = {object_type.value: rank for rank, object_type in enumerate(DEPENDENCY_ORDER)}
_log = get_logger(__name__)


@dataclass(frozen=True)
class PlannedSync:
    """One enqueued type sync: its sync_logs row (status queued) already exists under ``run_id``."""

    object_type: ObjectType
    run_id: str


Dispatch = Callable[[Sequence[PlannedSync]], None]
"""Sends the planned syncs, in the given (dependency) order, to whatever runs them."""


@dataclass
class TickReport:
    task_id: str
    enabled: bool
    configs_enabled: int = 0
    planned: list[PlannedSync] = field(default_factory=list)
    claimed: list[ObjectType] = field(default_factory=list)  # due, but a run of it is still queued/running

    @property
    def planned_types(self) -> list[ObjectType]:
        return [plan.object_type for plan in self.planned]


def is_due(config: ObjectSyncConfig, now: datetime) -> bool:
    """Enabled, and never synced or its interval has passed since the last completed sync."""
    if not config.is_sync_enabled:
        return False
    if config.last_sync is None:
        return True
    return now - config.last_sync >= timedelta(minutes=config.sync_interval_minutes)


class SyncScheduler:
    """One tick = one transaction holding the config rows FOR UPDATE, so concurrent ticks serialise.

    A type is *claimed* while a scheduled/manual sync_logs row of it is started less than one run limit ago
    (``run_limit_seconds``, the hard time limit in virtual seconds), or queued less than one run limit per
    type ago (a queued row may wait for every type before it in the chain). Claimed types are never enqueued
    again, so a second beat, a slow worker or overlapping ticks cannot double-enqueue; a run lost with its
    worker is retried once its claim lapses. The sync task holds the ``type:<object_type>`` advisory lock, so
    even a lapsed claim cannot make two runs of one type overlap.
    """

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        clock: Clock,
        *,
        background_sync_enabled: bool,
        run_limit_seconds: float,
        dispatch: Dispatch,
    ) -> None:
        self._session_factory = session_factory
        self._clock = clock
        self._enabled = background_sync_enabled
        self._started_window = timedelta(seconds=run_limit_seconds)
        self._queued_window = self._started_window * len(DEPENDENCY_ORDER)
        self._dispatch = dispatch

    def tick(self, task_id: str) -> TickReport:
        _log.info(f"Starting smart sync scheduler task {task_id}", task_id=task_id)
        report = TickReport(task_id=task_id, enabled=self._enabled)
        if not self._enabled:
            _log.info(
                f"Background sync is disabled, skipping smart sync scheduler task {task_id}", task_id=task_id
            )
            return report
        now = self._clock.now()
        with session_scope(self._session_factory) as session:
            configs = session.scalars(
                select(ObjectSyncConfig).order_by(ObjectSyncConfig.id).with_for_update()
            ).all()
            enabled = [c for c in configs if c.is_sync_enabled]
            report.configs_enabled = len(enabled)
            _log.info(f"Found {len(enabled)} enabled sync configurations", count=len(enabled))
            active = self._active_types(session, now)
            for config in sorted(enabled, key=lambda c: _RANK.get(c.object_type, len(_RANK))):
                if config.object_type not in _RANK:
                    _log.warning("scheduler.unknown_object_type", object_type=config.object_type)
                    continue
                if not is_due(config, now):
                    continue
                object_type = ObjectType(config.object_type)
                if config.object_type in active:
                    report.claimed.append(object_type)
                    continue
                plan = PlannedSync(object_type, str(uuid.uuid4()))
                config.last_attempt = now
                run = queued_run(
                    plan.run_id, object_type.value, SyncTrigger.SCHEDULED, self._clock, batch_id=task_id
                )
                session.add(run)
                report.planned.append(plan)
        self._send(report)
        return report

    def _active_types(self, session: Session, now: datetime) -> set[str]:
        """Types with a scheduled/manual run still queued or started within its claim window."""
        rows = session.scalars(
            select(SyncLog.sync_type)
            .where(
                SyncLog.trigger != SyncTrigger.FORCE.value,  # force syncs are per project, not per type
                or_(
                    and_(
                        SyncLog.status == SyncStatus.STARTED.value,
                        SyncLog.started_at >= now - self._started_window,
                    ),
                    and_(
                        SyncLog.status == SyncStatus.QUEUED.value,
                        SyncLog.created_at >= now - self._queued_window,
                    ),
                ),
            )
            .distinct()
        )
        return set(rows)

    def _send(self, report: TickReport) -> None:
        if report.claimed:
            _log.info(
                "scheduler.still_running",
                object_types=[t.value for t in report.claimed],
                task_id=report.task_id,
            )
        if not report.planned:
            _log.info("Smart sync scheduler completed: nothing due", task_id=report.task_id)
            return
        try:
            self._dispatch(report.planned)
        except Exception as exc:
            # Release the claims at once, or the types would wait a whole claim window for nothing.
            for plan in report.planned:
                close_open_run(
                    self._session_factory, self._clock, plan.run_id, message="could not enqueue", error=exc
                )
            _log.error("scheduler.dispatch_failed", error=str(exc), task_id=report.task_id)
            raise
        for plan in report.planned:
            _log.info(
                f"Triggered sync for {plan.object_type.value}",
                object_type=plan.object_type.value,
                run_id=plan.run_id,
            )
        _log.info(
            f"Smart sync scheduler completed: {len(report.planned)} syncs enqueued",
            task_id=report.task_id,
            object_types=[t.value for t in report.planned_types],
        )
