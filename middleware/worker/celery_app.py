"""The Celery app: broker from REDIS_URL, three routed queues, late acks, limits, heartbeat, beat schedule."""

from __future__ import annotations

import ssl
import threading
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from celery import Celery
from kombu import Exchange, Queue

from middleware.config import ConfigError, ProcessRole, Settings, load_settings
from middleware.worker.beat import beat_schedule
from middleware.worker.names import (
    ALL_QUEUES,
    QUEUE_PARSER,
    QUEUE_SCHEDULER,
    QUEUE_SYNC,
    TASK_FORCE_SYNC_PROJECT,
    TASK_PARSE_PARTS_LIST,
    TASK_SCHEDULER,
    TASK_SYNC_OBJECT_TYPE,
)
from middleware.worker.presence import HeartbeatStep

if TYPE_CHECKING:
    from middleware.worker.context import WorkerContext

__all__ = ["TASK_ROUTES", "MiddlewareCelery", "broker_url", "create_celery"]

TASK_MODULES = ("middleware.worker.tasks",)
TASK_ROUTES: dict[str, dict[str, str]] = {
    TASK_SYNC_OBJECT_TYPE: {"queue": QUEUE_SYNC},
    TASK_FORCE_SYNC_PROJECT: {"queue": QUEUE_SYNC},
    TASK_PARSE_PARTS_LIST: {"queue": QUEUE_PARSER},
    TASK_SCHEDULER: {"queue": QUEUE_SCHEDULER},
    # Upstream name families, so any task added later under these prefixes lands on the right queue.
    "tasks.sync_tasks.*": {"queue": QUEUE_SYNC},
    "tasks.sqlite_parser_tasks.*": {"queue": QUEUE_PARSER},
    "tasks.scheduler_tasks.*": {"queue": QUEUE_SCHEDULER},
}
# A redelivered message must never overtake a task that is still running: visibility > hard limit + margin.
VISIBILITY_MARGIN_SECONDS = 300.0
_SSL_CERT_REQS = {"required": ssl.CERT_REQUIRED, "optional": ssl.CERT_OPTIONAL, "none": ssl.CERT_NONE}


class MiddlewareCelery(Celery):
    """A Celery app that carries the Settings it was built from and, in a worker, its WorkerContext."""

    def __init__(self, settings: Settings, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.settings = settings
        self._context: WorkerContext | None = None
        self._context_lock = threading.Lock()

    def worker_context(self) -> WorkerContext:
        """The composition root of a worker process: built once per (child) process, rebuilt after fork."""
        from middleware.worker.context import build_worker_context

        with self._context_lock:
            if self._context is None or not self._context.belongs_to_this_process():
                self._context = build_worker_context(self.settings)
            return self._context

    def close_worker_context(self) -> None:
        with self._context_lock:
            if self._context is not None and self._context.belongs_to_this_process():
                self._context.close()
            self._context = None


def broker_url(redis_url: str) -> str:
    """The broker URL; ``rediss://`` gets ``ssl_cert_reqs=required`` unless the URL already says otherwise.

    Celery refuses (result backend) or silently downgrades to CERT_NONE (broker) a ``rediss://`` URL without
    ``ssl_cert_reqs``; ``required`` is spelled so that kombu and redis-py both accept it.
    """
    parts = urlsplit(redis_url)
    if parts.scheme != "rediss":
        return redis_url
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(key == "ssl_cert_reqs" for key, _ in query):
        return redis_url
    return urlunsplit(parts._replace(query=urlencode([*query, ("ssl_cert_reqs", "required")])))


def _broker_ssl_options(url: str) -> dict[str, Any] | None:
    parts = urlsplit(url)
    if parts.scheme != "rediss":
        return None
    given = dict(parse_qsl(parts.query)).get("ssl_cert_reqs", "required")
    name = given.lower().removeprefix("cert_")
    return {"ssl_cert_reqs": _SSL_CERT_REQS.get(name, ssl.CERT_REQUIRED)}


def create_celery(settings: Settings, *, with_tasks: bool = True) -> MiddlewareCelery:
    """Build the app from ``settings``; task modules are imported only by a worker (``include``), and not
    at all with ``with_tasks=False`` (beat and senders address tasks by name)."""
    if settings.REDIS_URL is None:
        raise ConfigError("missing required environment variables: REDIS_URL")
    url = broker_url(settings.REDIS_URL)
    app = MiddlewareCelery(
        settings, main="logikal_middleware", broker=url, include=list(TASK_MODULES) if with_tasks else []
    )
    hard_limit = settings.SYNC_TASK_TIME_LIMIT
    app.conf.update(
        broker_url=url,
        broker_use_ssl=_broker_ssl_options(url),
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            "visibility_timeout": int(hard_limit + VISIBILITY_MARGIN_SECONDS),
            "health_check_interval": settings.CELERY_BROKER_HEALTH_CHECK_INTERVAL,
        },
        # Run state lives in sync_logs / object_sync_configs; nothing reads Celery results.
        result_backend=None,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        timezone="UTC",
        enable_utc=True,
        task_queues=[Queue(name, Exchange(name, type="direct"), routing_key=name) for name in ALL_QUEUES],
        task_default_queue=QUEUE_SYNC,
        task_routes=TASK_ROUTES,
        task_acks_late=True,
        # A pool child killed mid-task (OOM, kill -9) gives its message back instead of acking it lost.
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_soft_time_limit=settings.SYNC_TASK_SOFT_TIME_LIMIT,
        task_time_limit=hard_limit,
        worker_max_tasks_per_child=settings.CELERY_MAX_TASKS_PER_CHILD,
        worker_proc_alive_timeout=settings.CELERY_WORKER_PROC_ALIVE_TIMEOUT,
        worker_concurrency=settings.CELERY_WORKER_CONCURRENCY,
        worker_pool=settings.CELERY_WORKER_POOL,
        # An unackable task after a lost connection is cancelled and redelivered (the Celery 6 default).
        worker_cancel_long_running_tasks_on_connection_loss=True,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        beat_schedule=beat_schedule(settings),
    )
    app.steps["worker"].add(HeartbeatStep)
    return app


_lazy_app: MiddlewareCelery | None = None
_lazy_lock = threading.Lock()


def _app_from_environment() -> MiddlewareCelery:
    """Composition root for ``celery -A middleware.worker.celery_app worker|beat``."""
    from middleware.logs import configure_logging

    settings = load_settings(ProcessRole.BEAT)
    secrets = [s.get_secret_value() for s in (settings.LOGIKAL_AUTH_PASSWORD, settings.SECRET_KEY) if s]
    configure_logging(level=settings.LOG_LEVEL, json_format=settings.LOG_FORMAT == "json", secrets=secrets)
    return create_celery(settings)


def __getattr__(name: str) -> Any:
    """``app`` is built on first access, never at import time: importing this module reads no environment."""
    global _lazy_app
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    with _lazy_lock:
        if _lazy_app is None:
            _lazy_app = _app_from_environment()
        return _lazy_app
