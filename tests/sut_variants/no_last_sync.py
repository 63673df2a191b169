"""Variant: syncs run but the scheduler never writes last_sync (upstream-facts §7.11): C05 must fail."""

from __future__ import annotations

import sys
from typing import Any

from sqlalchemy import update

from middleware import cli
from middleware.db.models import ObjectSyncConfig
from middleware.db.session import session_scope
from middleware.worker import runs, tasks


def record_outcome_without_last_sync(session_factory: Any, clock: Any, object_type: str, result: Any) -> None:
    values = {"last_status": result.status.value, "last_run_id": result.run_id}
    with session_scope(session_factory) as session:
        session.execute(
            update(ObjectSyncConfig).where(ObjectSyncConfig.object_type == object_type).values(values)
        )


runs.record_run_outcome = record_outcome_without_last_sync
tasks.record_run_outcome = record_outcome_without_last_sync  # type: ignore[attr-defined]

if __name__ == "__main__":
    sys.exit(cli.main(sys.argv[1:]))
