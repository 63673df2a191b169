"""Reading and editing object_sync_configs rows; shared by the sync-intervals API and the /ui pages."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from middleware.api.schemas import SyncConfigOut, SyncConfigUpdate
from middleware.db.models import ObjectSyncConfig, ObjectType

__all__ = [
    "ConfigNotFoundError",
    "config_item",
    "list_configs",
    "load_config",
    "toggle_config",
    "update_config",
]

_ORDER = {t.value: i for i, t in enumerate(ObjectType)}


class ConfigNotFoundError(LookupError):
    def __init__(self, object_type: str) -> None:
        super().__init__(f"Sync configuration for object type '{object_type}' not found")
        self.object_type = object_type


def next_sync_time(row: ObjectSyncConfig, now: datetime) -> datetime:
    """last_sync + interval, or now when the type was never synced (upstream semantics)."""
    if row.last_sync is None:
        return now
    return row.last_sync + timedelta(minutes=row.sync_interval_minutes)


def is_stale(row: ObjectSyncConfig, now: datetime) -> bool:
    if row.last_sync is None:
        return True
    return now - row.last_sync > timedelta(minutes=row.staleness_threshold_minutes)


def config_item(row: ObjectSyncConfig, now: datetime) -> SyncConfigOut:
    return SyncConfigOut(
        id=row.id,
        object_type=row.object_type,
        display_name=row.display_name,
        description=row.description,
        sync_interval_minutes=row.sync_interval_minutes,
        is_sync_enabled=row.is_sync_enabled,
        staleness_threshold_minutes=row.staleness_threshold_minutes,
        priority=row.priority,
        depends_on=[d.strip() for d in (row.depends_on or "").split(",") if d.strip()],
        cascade_sync=row.cascade_sync,
        batch_size=row.batch_size,
        max_retry_attempts=row.max_retry_attempts,
        retry_delay_minutes=row.retry_delay_minutes,
        created_at=row.created_at,
        updated_at=row.updated_at,
        last_sync=row.last_sync,
        last_attempt=row.last_attempt,
        last_status=row.last_status,
        last_run_id=row.last_run_id,
        next_sync_time=next_sync_time(row, now),
        is_stale=is_stale(row, now),
    )


def list_configs(session: Session) -> list[ObjectSyncConfig]:
    """All rows in dependency order (directory → … → sqlite_parser), unknown types last."""
    rows = list(session.scalars(select(ObjectSyncConfig)))
    return sorted(rows, key=lambda r: (_ORDER.get(r.object_type, len(_ORDER)), r.priority, r.object_type))


def load_config(session: Session, object_type: str, *, for_update: bool = False) -> ObjectSyncConfig:
    query = select(ObjectSyncConfig).where(ObjectSyncConfig.object_type == object_type)
    if for_update:
        query = query.with_for_update()
    row = session.scalar(query)
    if row is None:
        raise ConfigNotFoundError(object_type)
    return row


def update_config(session: Session, object_type: str, changes: SyncConfigUpdate) -> ObjectSyncConfig:
    """Apply the fields set in ``changes``; last_sync is never writable (it moves only after a real sync)."""
    row = load_config(session, object_type, for_update=True)
    for field, value in changes.model_dump(exclude_unset=True, exclude_none=True).items():
        setattr(row, field, value)
    session.flush()
    session.refresh(row)
    return row


def toggle_config(session: Session, object_type: str) -> ObjectSyncConfig:
    row = load_config(session, object_type, for_update=True)
    row.is_sync_enabled = not row.is_sync_enabled
    session.flush()
    session.refresh(row)
    return row
