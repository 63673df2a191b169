"""Starts force syncs: on the Celery `sync` queue when a worker is alive, otherwise in a background thread."""

from __future__ import annotations

import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, sessionmaker

from middleware.clock import Clock
from middleware.config import Settings
from middleware.db.models import SyncLog, SyncStatus, SyncTrigger
from middleware.db.session import session_scope
from middleware.errors import ResourceLockedError
from middleware.logs import get_logger
from middleware.sync.results import SyncRunResult
from middleware.worker.names import QUEUE_SYNC, TASK_FORCE_SYNC_PROJECT

if TYPE_CHECKING:
    from celery import Celery

__all__ = ["FORCE_SYNC_TYPE", "LaunchMode", "SyncLauncher", "force_sync_target"]

FORCE_SYNC_TYPE = "project"
RESOURCE_LOCKED = "Resource locked"
_log = get_logger(__name__)


class LaunchMode(StrEnum):
    QUEUE = "queue"
    IN_PROCESS = "in_process"


def force_sync_target(project_name: str, directory_path: str | None) -> str:
    target = f"{directory_path.strip('/')}/{project_name}" if directory_path else project_name
    return target[:1024]  # the sync_logs.target column


class SyncLauncher:
    """Creates the queued sync_logs row of a force sync and hands the run to a worker or a local thread."""

    def __init__(
        self, settings: Settings, engine: Engine, session_factory: sessionmaker[Session], clock: Clock
    ) -> None:
        self._settings = settings
        self._engine = engine
        self._session_factory = session_factory
        self._clock = clock
        self._executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="force-sync")
        self._futures: dict[str, Future[SyncRunResult]] = {}
        self._celery: Celery | None = None

    def is_locked(self, project_name: str, directory_path: str | None) -> bool:
        from middleware.locks import ProjectLock, project_lock_key

        return ProjectLock(self._engine).is_locked(project_lock_key(project_name, directory_path))

    def directory_exists(self, path: str) -> bool | None:
        """Whether ``path`` is a Logikal directory: known in the database, else asked of Logikal (listing
        its parent). None when Logikal cannot be asked right now (the run then finds out itself)."""
        from middleware.db.models import Directory
        from middleware.logikal.client import LogikalClient
        from middleware.logikal.errors import LogikalError, LogikalNotFoundError
        from middleware.logikal.payloads import NAME_MAX

        wanted = "/".join(part for part in path.split("/") if part)
        if not wanted or any(len(part) > NAME_MAX for part in wanted.split("/")):
            return False
        with session_scope(self._session_factory) as session:
            if session.scalar(select(Directory.id).where(Directory.logikal_id == wanted)) is not None:
                return True
        parent = wanted.rpartition("/")[0] or None
        try:
            with LogikalClient.from_settings(self._settings) as client:
                return any(d.path.strip("/") == wanted for d in client.list_directories(parent))
        except LogikalNotFoundError:
            return False
        except LogikalError as exc:
            _log.warning("force_sync.directory_check_unavailable", error=str(exc)[:300])
            return None

    def create_run(self, project_name: str, directory_path: str | None) -> str:
        run_id = str(uuid.uuid4())
        with session_scope(self._session_factory) as session:
            session.add(
                SyncLog(
                    run_id=run_id,
                    sync_type=FORCE_SYNC_TYPE,
                    trigger=SyncTrigger.FORCE.value,
                    target=force_sync_target(project_name, directory_path),
                    status=SyncStatus.QUEUED.value,
                    message="Force sync queued",
                    started_at=self._clock.now(),
                    created_at=self._clock.now(),
                )
            )
        return run_id

    def has_live_worker(self) -> bool:
        """True when REDIS_URL is set and a Celery worker's heartbeat is fresh; any error means no."""
        if not self._settings.REDIS_URL:
            return False
        try:
            from middleware.worker.presence import live_workers

            return bool(live_workers(self._settings.REDIS_URL))
        except Exception as exc:  # an unreachable Redis must not stop a force sync: run it here instead
            _log.warning("force_sync.presence_unavailable", error=str(exc))
            return False

    def start(self, run_id: str, project_name: str, directory_path: str | None) -> LaunchMode:
        if self.has_live_worker():
            kwargs = {"run_id": run_id, "project_name": project_name, "directory_path": directory_path}
            self._celery_app().send_task(TASK_FORCE_SYNC_PROJECT, kwargs=kwargs, queue=QUEUE_SYNC)
            _log.info("force_sync.queued", run_id=run_id, project=project_name, directory=directory_path)
            return LaunchMode.QUEUE
        future = self._executor.submit(self._run_here, run_id, project_name, directory_path)
        self._futures[run_id] = future
        future.add_done_callback(lambda _f: self._futures.pop(run_id, None))
        _log.info("force_sync.started_in_process", run_id=run_id, project=project_name)
        return LaunchMode.IN_PROCESS

    def future(self, run_id: str) -> Future[SyncRunResult] | None:
        return self._futures.get(run_id)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        if self._celery is not None:
            self._celery.close()

    def _celery_app(self) -> Celery:
        if self._celery is None:
            from middleware.worker.celery_app import create_celery

            self._celery = create_celery(self._settings)
        return self._celery

    def _run_here(self, run_id: str, project_name: str, directory_path: str | None) -> SyncRunResult:
        from middleware.locks import ProjectLock
        from middleware.logikal.client import LogikalClient
        from middleware.sync.engine import SyncEngine
        from middleware.sync.registry import DatabaseSessionRegistry

        registry = DatabaseSessionRegistry(self._session_factory, self._clock)
        engine = SyncEngine(
            self._settings,
            self._session_factory,
            self._clock,
            ProjectLock(self._engine),
            client_factory=lambda: LogikalClient.from_settings(self._settings, registry=registry),
        )
        try:
            return engine.sync_project(project_name, directory_path, trigger=SyncTrigger.FORCE, run_id=run_id)
        except BaseException as exc:
            self._record_failure(run_id, exc)
            raise

    def _record_failure(self, run_id: str, exc: BaseException) -> None:
        """Close a row the engine left open (it failed before or while recording its outcome)."""
        message = RESOURCE_LOCKED if isinstance(exc, ResourceLockedError) else str(exc)[:500]
        values: dict[str, Any] = {
            "status": SyncStatus.FAILED.value,
            "message": message or type(exc).__name__,
            "error_details": f"{type(exc).__name__}: {exc}"[:2000],
            "completed_at": self._clock.now(),
        }
        open_states = (SyncStatus.QUEUED.value, SyncStatus.STARTED.value)
        try:
            with session_scope(self._session_factory) as session:
                session.execute(
                    update(SyncLog)
                    .where(SyncLog.run_id == run_id, SyncLog.status.in_(open_states))
                    .values(values)
                )
        except Exception as db_exc:  # the original error matters more; log and keep it
            _log.error("force_sync.record_failure_failed", run_id=run_id, error=str(db_exc))
        _log.warning("force_sync.failed", run_id=run_id, error=message)
