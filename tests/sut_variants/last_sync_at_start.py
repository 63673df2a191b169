"""Variant: a type's last_sync is stamped when its task starts, not when the run completed (upstream-facts
§7.12; also how a failed run moves it): the last_sync post-check must fail ("stamped at start")."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from middleware.db.models import ObjectSyncConfig, ObjectType
from middleware.db.session import session_scope
from middleware.sync.engine import SyncEngine
from middleware.sync.results import SyncRunResult
from middleware.worker import runs, tasks
from tests.sut_variants.entry import run_variant

_sync_object_type = SyncEngine.sync_object_type


def _stamp(session_factory: Any, object_type: str, values: dict[str, Any]) -> None:
    with session_scope(session_factory) as session:
        session.execute(
            update(ObjectSyncConfig).where(ObjectSyncConfig.object_type == object_type).values(values)
        )


def stamp_then_sync(self: SyncEngine, object_type: ObjectType, **options: Any) -> SyncRunResult:
    _stamp(self._factory, object_type.value, {"last_sync": self._clock.now()})
    return _sync_object_type(self, object_type, **options)


def record_outcome_only(session_factory: Any, clock: Any, object_type: str, result: Any) -> None:
    _stamp(session_factory, object_type, {"last_status": result.status.value, "last_run_id": result.run_id})


SyncEngine.sync_object_type = stamp_then_sync  # type: ignore[method-assign]
runs.record_run_outcome = record_outcome_only
tasks.record_run_outcome = record_outcome_only  # type: ignore[attr-defined]

if __name__ == "__main__":
    run_variant("tests.sut_variants.last_sync_at_start")
