"""Variant: the worker-loss recovery undone (issue 10): a pool child killed mid-sync loses its task (acked,
not redelivered), its run rows stay started/queued for the claim window and its Logikal sessions stay open.
The worker-SIGKILL chaos criterion must fail."""

from __future__ import annotations

import sys
from typing import Any

from middleware import cli
from middleware.sync.registry import DatabaseSessionRegistry
from middleware.worker import celery_app
from middleware.worker.reaper import Reaper, ReapReport, RedoDecision

_create_celery = celery_app.create_celery


def create_celery_losing_tasks(settings: Any, **kwargs: Any) -> Any:
    app = _create_celery(settings, **kwargs)
    app.conf.task_reject_on_worker_lost = False  # the upstream's acks_late alone: a lost child's task is gone
    return app


def reap_nothing(self: Reaper, *, spare_batch: str | None = None) -> ReapReport:
    return ReapReport()


def run_as_delivered(self: Reaper, run_id: str | None, *, still_running_is_lost: bool) -> RedoDecision:
    return RedoDecision(True, run_id)


def remember_nothing(self: DatabaseSessionRegistry, token: str) -> None:
    return None


def child_of_this_variant(command: str) -> list[str]:
    """`start` spawns worker and beat through this module too, so they carry the same patches."""
    return [sys.executable, "-m", "tests.sut_variants.worker_loss_unfixed", command, "--supervised"]


celery_app.create_celery = create_celery_losing_tasks
Reaper.reap = reap_nothing  # type: ignore[method-assign]
Reaper.prepare_run = run_as_delivered  # type: ignore[method-assign]
DatabaseSessionRegistry.opened = remember_nothing  # type: ignore[method-assign]
cli._child = child_of_this_variant

if __name__ == "__main__":
    sys.exit(cli.main(sys.argv[1:]))
