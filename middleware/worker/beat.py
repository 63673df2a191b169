"""Beat schedule (`smart-sync-scheduler` every SYNC_INTERVAL_SECONDS of virtual time) and its state file."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from middleware.config import Settings
from middleware.worker.names import BEAT_ENTRY, QUEUE_SCHEDULER, TASK_SCHEDULER

__all__ = ["beat_period_seconds", "beat_schedule", "schedule_file"]


def beat_period_seconds(settings: Settings) -> float:
    """Real seconds between ticks: SYNC_INTERVAL_SECONDS of virtual time at CLOCK_SPEED."""
    return settings.SYNC_INTERVAL_SECONDS / settings.CLOCK_SPEED


def beat_schedule(settings: Settings) -> dict[str, dict[str, Any]]:
    period = beat_period_seconds(settings)
    return {
        BEAT_ENTRY: {
            "task": TASK_SCHEDULER,
            "schedule": period,
            # A tick nobody consumed within one period is superseded by the next one: do not pile them up.
            "options": {"queue": QUEUE_SCHEDULER, "expires": max(period, 1.0)},
        }
    }


@contextmanager
def schedule_file() -> Iterator[Path]:
    """A private temp directory for beat's state file (never the CWD: containers may mount it read-only)."""
    directory = Path(tempfile.mkdtemp(prefix="logikal-beat-"))
    try:
        yield directory / "celerybeat-schedule"
    finally:
        shutil.rmtree(directory, ignore_errors=True)
