"""Beat: the schedule's real period follows the clock speed; its state file lives in a private temp dir."""

from __future__ import annotations

from pathlib import Path

from middleware.config import load_settings
from middleware.worker.beat import beat_period_seconds, beat_schedule, schedule_file
from middleware.worker.names import BEAT_ENTRY, QUEUE_SCHEDULER, TASK_SCHEDULER


def test_default_period_is_the_upstream_300_seconds() -> None:
    assert beat_period_seconds(load_settings(ENVIRONMENT="testing")) == 300.0


def test_period_is_sync_interval_over_clock_speed() -> None:
    settings = load_settings(ENVIRONMENT="testing", SYNC_INTERVAL_SECONDS=3600, CLOCK_SPEED=720)
    assert beat_period_seconds(settings) == 5.0
    entry = beat_schedule(settings)[BEAT_ENTRY]
    assert (entry["task"], entry["schedule"], entry["options"]["queue"]) == (
        TASK_SCHEDULER,
        5.0,
        QUEUE_SCHEDULER,
    )


def test_schedule_file_is_in_a_private_temp_dir_removed_afterwards() -> None:
    with schedule_file() as path:
        assert path.parent.is_dir()
        assert path.parent != Path.cwd()
        assert path.parent.name.startswith("logikal-beat-")
    assert not path.parent.exists()
