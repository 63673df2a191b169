"""Variant: the scheduler ignores the configured intervals and syncs every type once an hour (the upstream's
documented intervals were never read by its scheduler): C12 must fail."""

from __future__ import annotations

from datetime import datetime, timedelta

from middleware.db.models import ObjectSyncConfig
from middleware.worker import scheduler
from tests.sut_variants.entry import run_variant

FIXED_INTERVAL = timedelta(hours=1)


def is_due_every_hour(config: ObjectSyncConfig, now: datetime) -> bool:
    if not config.is_sync_enabled:
        return False
    return config.last_sync is None or now - config.last_sync >= FIXED_INTERVAL


scheduler.is_due = is_due_every_hour

if __name__ == "__main__":
    run_variant("tests.sut_variants.fixed_interval")
