"""Thin Celery tasks over the SyncEngine: type syncs, force syncs, parts-list parsing, the scheduler tick."""

from __future__ import annotations

import gc
from collections.abc import Sequence
from typing import Any, cast

from celery import Task, chain, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_before_create_process, worker_process_init, worker_process_shutdown

from middleware.db.models import ObjectType, SyncStatus, SyncTrigger
from middleware.db.session import is_database_unavailable
from middleware.errors import ResourceLockedError
from middleware.locks import type_lock_key
from middleware.logs import get_logger
from middleware.worker.celery_app import MiddlewareCelery
from middleware.worker.context import WorkerContext
from middleware.worker.names import (
    TASK_FORCE_SYNC_PROJECT,
    TASK_PARSE_PARTS_LIST,
    TASK_SCHEDULER,
    TASK_SYNC_OBJECT_TYPE,
)
from middleware.worker.runs import close_open_run, record_run_outcome
from middleware.worker.scheduler import PlannedSync, SyncScheduler

__all__ = ["force_sync_project", "parse_elevation_sqlite", "smart_sync_scheduler", "sync_object_type"]

_log = get_logger(__name__)
# Waits (seconds of the worker's clock) before each redelivery of a run PostgreSQL dropped: ~10 min in all.
DATABASE_RETRY_COUNTDOWNS = (0.5, 1, 2, 4, 8, 15, 30, *([60] * 9))


def _context(task: Task[Any, Any]) -> WorkerContext:
    return cast(MiddlewareCelery, task.app).worker_context()


@worker_before_create_process.connect
def _freeze_before_fork(**_: Any) -> None:
    """Keep the collector away from everything imported so far: a collection in a pool child would write
    to (and so copy) the pages it shares with the parent."""
    gc.freeze()


@worker_process_init.connect
def _build_context_in_child(**_: Any) -> None:
    """Composition root of a pool child: connections built before the fork must not be shared."""
    from celery import current_app

    if isinstance(current_app, MiddlewareCelery):  # the proxy reports the proxied app's class
        current_app.worker_context()


@worker_process_shutdown.connect
def _close_context_in_child(**_: Any) -> None:
    from celery import current_app

    if isinstance(current_app, MiddlewareCelery):
        current_app.close_worker_context()


@shared_task(name=TASK_SYNC_OBJECT_TYPE, bind=True)
def sync_object_type(
    self: Task[Any, Any],
    object_type: str,
    trigger: str = SyncTrigger.SCHEDULED.value,
    run_id: str | None = None,
) -> dict[str, Any]:
    """One type sync under the ``type:<object_type>`` lock; never raises, so a chain goes on to the next."""
    ctx = _context(self)
    kind = ObjectType(object_type)
    log = _log.bind(object_type=kind.value, run_id=run_id, trigger=trigger)
    try:
        with ctx.lock.hold(type_lock_key(kind.value)):
            # we hold the type lock, so a run of this type left "started" lost its process
            decision = ctx.reaper.prepare_run(run_id, still_running_is_lost=True)
            if not decision.should_run:
                log.warning("sync.delivery_skipped", reason=decision.reason)
                return {"object_type": kind.value, "run_id": run_id, "status": "skipped"}
            run_id = decision.run_id
            log = log.bind(run_id=run_id)
            log.info("sync.type_started")
            result = ctx.sync_engine.sync_object_type(kind, trigger=SyncTrigger(trigger), run_id=run_id)
    except ResourceLockedError as exc:
        log.warning("sync.type_skipped_locked", resource=exc.resource)
        if run_id is not None:
            close_open_run(
                ctx.session_factory, ctx.clock, run_id, message=f"skipped: {kind.value} sync already running"
            )
        return {"object_type": kind.value, "run_id": run_id, "status": "skipped"}
    except (Exception, SoftTimeLimitExceeded) as exc:
        _retry_while_database_unavailable(self, exc, log)
        log.exception("sync.type_failed", error=str(exc))
        if run_id is not None:
            close_open_run(
                ctx.session_factory, ctx.clock, run_id, message=f"{kind.value} sync failed", error=exc
            )
        _record_failure(ctx, kind, run_id)
        return {"object_type": kind.value, "run_id": run_id, "status": SyncStatus.FAILED.value}
    record_run_outcome(ctx.session_factory, ctx.clock, kind.value, result)
    log.info("sync.type_finished", status=result.status.value, duration_seconds=result.duration_seconds)
    return {"object_type": kind.value, "run_id": result.run_id, "status": result.status.value}


def _retry_while_database_unavailable(task: Task[Any, Any], exc: Exception, log: Any) -> None:
    """PostgreSQL went away mid-run (restart, crash): the run's row cannot even be closed now. Deliver the
    task again later (its chain rides along) instead of failing it; the redelivery finds the row still
    ``started`` and redoes the run. Gives up (returns, the caller records the failure) after the budget."""
    if not is_database_unavailable(exc) or task.request.retries >= len(DATABASE_RETRY_COUNTDOWNS):
        return
    countdown = DATABASE_RETRY_COUNTDOWNS[task.request.retries]
    log.warning("sync.database_unavailable", error=str(exc), retry_in_seconds=countdown,
                attempt=task.request.retries + 1)  # fmt: skip
    raise task.retry(exc=exc, countdown=countdown, max_retries=len(DATABASE_RETRY_COUNTDOWNS))


def _record_failure(ctx: WorkerContext, kind: ObjectType, run_id: str | None) -> None:
    from middleware.sync.results import SyncRunResult

    failed = SyncRunResult(run_id=run_id or "", sync_type=kind.value, status=SyncStatus.FAILED)
    try:
        record_run_outcome(ctx.session_factory, ctx.clock, kind.value, failed)
    except Exception as exc:  # the database may be what failed; the run row already says so
        _log.error("sync.record_outcome_failed", object_type=kind.value, error=str(exc))


@shared_task(name=TASK_FORCE_SYNC_PROJECT, bind=True)
def force_sync_project(
    self: Task[Any, Any], run_id: str, project_name: str, directory_path: str | None = None
) -> dict[str, Any]:
    """Full cascade of one project (the engine holds the project lock); a held lock ends the run as failed."""
    ctx = _context(self)
    log = _log.bind(run_id=run_id, project=project_name, directory=directory_path)
    # a retry: the attempt before this one gave up (PostgreSQL went away), so its "started" row runs nowhere
    decision = ctx.reaper.prepare_run(run_id, still_running_is_lost=self.request.retries > 0)
    if not decision.should_run or decision.run_id is None:
        log.warning("force_sync.delivery_skipped", reason=decision.reason)
        return {"run_id": run_id, "status": "skipped", "message": decision.reason}
    run_id = decision.run_id
    log = log.bind(run_id=run_id)
    try:
        result = ctx.sync_engine.sync_project(
            project_name, directory_path, trigger=SyncTrigger.FORCE, run_id=run_id
        )
    except ResourceLockedError as exc:
        log.warning("force_sync.locked", resource=exc.resource)
        close_open_run(ctx.session_factory, ctx.clock, run_id, message="Resource locked", error=exc)
        return {"run_id": run_id, "status": SyncStatus.FAILED.value, "message": "Resource locked"}
    except (Exception, SoftTimeLimitExceeded) as exc:
        _retry_while_database_unavailable(self, exc, log)
        log.exception("force_sync.failed", error=str(exc))
        close_open_run(
            ctx.session_factory, ctx.clock, run_id, message=str(exc) or "force sync failed", error=exc
        )
        return {"run_id": run_id, "status": SyncStatus.FAILED.value, "message": str(exc)}
    log.info("force_sync.finished", status=result.status.value, duration_seconds=result.duration_seconds)
    return {"run_id": result.run_id, "status": result.status.value, "message": result.message}


@shared_task(name=TASK_PARSE_PARTS_LIST, bind=True)
def parse_elevation_sqlite(self: Task[Any, Any], elevation_id: int) -> dict[str, Any]:
    """Parse one stored parts list; the engine records the outcome on the elevation row."""
    _context(self).sync_engine.parse_parts_list(elevation_id)
    return {"elevation_id": elevation_id}


@shared_task(name=TASK_SCHEDULER, bind=True)
def smart_sync_scheduler(self: Task[Any, Any]) -> dict[str, Any]:
    """The beat entry: enqueue every due type as one chain in dependency order (never waits on results)."""
    ctx = _context(self)
    app = self.app

    def dispatch(plans: Sequence[PlannedSync]) -> None:
        signatures = [
            app.signature(
                TASK_SYNC_OBJECT_TYPE,
                kwargs={
                    "object_type": plan.object_type.value,
                    "trigger": SyncTrigger.SCHEDULED.value,
                    "run_id": plan.run_id,
                },
                immutable=True,
            )
            for plan in plans
        ]
        chain(*signatures).apply_async()

    # The hard limit is real seconds; the scheduler compares virtual (possibly warped) times.
    run_limit_seconds = ctx.settings.SYNC_TASK_TIME_LIMIT * ctx.clock.speed
    scheduler = SyncScheduler(
        ctx.session_factory,
        ctx.clock,
        background_sync_enabled=ctx.settings.BACKGROUND_SYNC_ENABLED,
        run_limit_seconds=run_limit_seconds,
        dispatch=dispatch,
    )
    try:  # first close what dead processes left open, so their types are not claimed by a lost run
        ctx.reaper.reap()
    except Exception as exc:  # recovery must never stop the tick itself
        _log.error("scheduler.reap_failed", error=(str(exc).splitlines() or [type(exc).__name__])[0])
    report = scheduler.tick(self.request.id or "local")
    return {
        "enabled": report.enabled,
        "configs_enabled": report.configs_enabled,
        "enqueued": [t.value for t in report.planned_types],
        "still_running": [t.value for t in report.claimed],
    }
