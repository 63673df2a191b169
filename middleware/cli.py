"""`python -m middleware start|web|worker|beat|migrate`: the composition roots of every middleware process."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from types import FrameType
from typing import TYPE_CHECKING, Any

from middleware.config import ConfigError, ProcessRole, Settings, load_settings, pin_clock_anchor
from middleware.logs import configure_logging, get_logger

if TYPE_CHECKING:
    from middleware.supervisor import Supervisor

__all__ = ["main"]

_log = get_logger("middleware")
WORKER_QUEUES = "sync,scheduler,sqlite_parser"
WEB_STABLE_SECONDS = 60.0


class StartupError(Exception):
    """A start-up step failed; the message is the one line printed on stderr."""


def _keep_alive(settings: Settings) -> int:
    """uvicorn's idle keep-alive in whole seconds (the setting the external warp stretches)."""
    return max(1, round(settings.WEB_KEEPALIVE_TIMEOUT_SECONDS))


def _secrets(settings: Settings) -> list[str]:
    values = [
        s.get_secret_value()
        for s in (settings.LOGIKAL_AUTH_PASSWORD, settings.SECRET_KEY, settings.JWT_SECRET_KEY)
        if s is not None
    ]
    if settings.ADMIN_PASSWORD is not None:
        values.append(settings.ADMIN_PASSWORD.get_secret_value())
    for url in (settings.DATABASE_URL, settings.REDIS_URL):
        credentials = (url or "").partition("://")[2].rpartition("@")[0]
        if ":" in credentials:
            values.append(credentials.split(":", 1)[1])
    return values


def _setup(role: ProcessRole, process: str) -> Settings:
    settings = load_settings(role)
    configure_logging(
        level=settings.LOG_LEVEL,
        json_format=settings.LOG_FORMAT.lower() == "json",
        process=process,
        secrets=_secrets(settings),
    )
    return settings


def _keep_our_logging() -> None:
    """Celery configures logging unless someone handles ``setup_logging``; ours is already in place."""
    from celery.signals import setup_logging

    setup_logging.connect(lambda **_: None, weak=False)


def _child(command: str) -> list[str]:
    return [sys.executable, "-m", "middleware", command, "--supervised"]


def command_start(_args: argparse.Namespace) -> int:
    """Checklist Option 1: migrate, then worker + beat (when enabled) as supervised children, then the web
    server in this process (one interpreter less than a web child: see docs/adr/0002)."""
    from middleware.supervisor import ChildSpec, Supervisor

    pin_clock_anchor(os.environ, time.time())  # children inherit it: one virtual time for the whole tree
    settings = _setup(ProcessRole.START, "supervisor")
    _log.info("settings.loaded", settings=settings.safe_summary())
    migrate = subprocess.run(_child("migrate"), check=False)
    if migrate.returncode != 0:
        return 1  # the migrate child printed its one-line reason on stderr
    _log.info("Starting Logikal Middleware with Celery services...")
    specs: list[ChildSpec] = []
    if settings.BACKGROUND_SYNC_ENABLED:
        _log.info("Background sync is enabled, starting Celery services...")
        specs += [ChildSpec("Celery worker", _child("worker")), ChildSpec("Celery beat", _child("beat"))]
    else:
        _log.info("Background sync is disabled, skipping Celery services")
    supervisor = Supervisor(specs)
    supervisor.install_signal_handlers()
    supervisor.start_all()
    monitor = threading.Thread(target=supervisor.run, name="supervisor", daemon=True)
    monitor.start()
    try:
        _log.info("Starting FastAPI application...")
        _serve_web_until_stopped(settings, supervisor)
    finally:
        supervisor.request_stop()
        monitor.join()
    _log.info("middleware.stopped", signal=supervisor.received_signal)
    return 0


def _serve_web_until_stopped(settings: Settings, supervisor: Supervisor) -> None:
    """Uvicorn in this process; it returns normally only after a shutdown signal, and is restarted with
    backoff when it fails (it re-raises the signal it caught, so the supervisor sees it too)."""
    import uvicorn

    failures = 0
    while not supervisor.stopping:
        started = time.monotonic()
        try:
            uvicorn.run(
                _web_app(settings),
                factory=settings.WORKERS > 1,
                host=settings.HOST,
                port=settings.PORT,
                workers=settings.WORKERS,
                log_config=None,  # keep the structured, scrubbed logging already configured
                access_log=True,
                timeout_keep_alive=_keep_alive(settings),
            )
            return
        except (Exception, SystemExit) as exc:
            failures = 1 if time.monotonic() - started >= WEB_STABLE_SECONDS else failures + 1
            delay = min(2.0 ** (failures - 1), 60.0)
            _log.error(
                f"FastAPI application failed ({type(exc).__name__}: {exc}); restarting in {delay:.1f} s",
                event_name="supervisor.web_restarting",
                attempt=failures,
                restart_in_seconds=delay,
            )
            if supervisor.wait_for_stop(delay):
                return


def _web_app(settings: Settings) -> Any:
    """One worker: the app built from this process's Settings. Several: an import string each child loads."""
    if settings.WORKERS > 1:
        return "middleware.api.app:create_app"
    from middleware.api.app import create_app

    return create_app(settings)


def command_web(args: argparse.Namespace) -> int:
    import uvicorn

    settings = _setup(ProcessRole.WEB, "web")
    # uvicorn stops gracefully on SIGTERM, then re-raises it to the previous handler: make that an exit 0.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    if not args.supervised:
        if not settings.BACKGROUND_SYNC_ENABLED:
            _log.info("Background sync is disabled, skipping Celery services")
        _log.info("Starting FastAPI application...")
    uvicorn.run(
        "middleware.api.app:create_app",
        factory=True,
        host=settings.HOST,
        port=settings.PORT,
        workers=settings.WORKERS,
        log_config=None,  # keep the structured, scrubbed logging configured above
        access_log=True,
        timeout_keep_alive=_keep_alive(settings),
    )
    return 0


def _exit_cleanly(_signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(0)


def _sync_state_line(settings: Settings) -> str:
    return "Background sync is enabled" if settings.BACKGROUND_SYNC_ENABLED else "Background sync is disabled"


def command_worker(_args: argparse.Namespace) -> int:
    from middleware.worker.celery_app import create_celery

    settings = _setup(ProcessRole.WORKER, "worker")
    _log.info(_sync_state_line(settings))
    _log.info(
        "Starting Celery worker",
        queues=WORKER_QUEUES,
        pool=settings.CELERY_WORKER_POOL,
        concurrency=settings.CELERY_WORKER_CONCURRENCY,
        max_tasks_per_child=settings.CELERY_MAX_TASKS_PER_CHILD,
    )
    _keep_our_logging()
    app = create_celery(settings)
    app.worker_main(
        [
            "worker",
            f"--queues={WORKER_QUEUES}",
            f"--pool={settings.CELERY_WORKER_POOL}",
            f"--concurrency={settings.CELERY_WORKER_CONCURRENCY}",
            f"--max-tasks-per-child={settings.CELERY_MAX_TASKS_PER_CHILD}",
            f"--loglevel={settings.LOG_LEVEL}",
            # unique per process: two workers on one host must not share a heartbeat key or node name
            f"--hostname=logikal-{os.getpid()}@%h",
            "--without-gossip",
            "--without-mingle",
        ]
    )
    return 0


def command_beat(_args: argparse.Namespace) -> int:
    from middleware.worker.beat import beat_period_seconds, schedule_file
    from middleware.worker.celery_app import create_celery

    settings = _setup(ProcessRole.BEAT, "beat")
    _log.info(_sync_state_line(settings))
    _log.info("Starting Celery beat", period_seconds=beat_period_seconds(settings))
    _keep_our_logging()
    app = create_celery(settings, with_tasks=False)  # beat only sends by name: no SQLAlchemy, no engine
    with schedule_file() as path:
        app.Beat(schedule=str(path), loglevel=settings.LOG_LEVEL).run()
    return 0


def command_migrate(_args: argparse.Namespace) -> int:
    from middleware.db.migrate import DatabaseUnavailableError, current_revision, upgrade, wait_for_database

    settings = _setup(ProcessRole.MIGRATE, "migrate")
    assert settings.DATABASE_URL is not None  # required for the role
    _log.info("Waiting for database to be available...")
    try:
        wait_for_database(settings.DATABASE_URL, timeout=60.0)
    except DatabaseUnavailableError as exc:
        raise StartupError(str(exc)) from None
    _log.info("Running database migrations...")
    upgrade(settings.DATABASE_URL)
    _log.info("Database migrations complete", revision=current_revision(settings.DATABASE_URL))
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "start": command_start,
    "web": command_web,
    "worker": command_worker,
    "beat": command_beat,
    "migrate": command_migrate,
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m middleware", description=__doc__)
    parser.add_argument("command", choices=sorted(COMMANDS), help="which process to run")
    parser.add_argument("--supervised", action="store_true", help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (ConfigError, StartupError) as exc:
        print(f"error: {exc}", file=sys.stderr)  # noqa: T201 - the one line a person reads
        return 1
    except KeyboardInterrupt:
        return 0
