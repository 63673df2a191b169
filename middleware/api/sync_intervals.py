"""Admin API over object_sync_configs: list, get, partial update, toggle and an overview (no "sync now")."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, status

from middleware.api.config_records import (
    ConfigNotFoundError,
    config_item,
    list_configs,
    load_config,
    toggle_config,
    update_config,
)
from middleware.api.deps import ClockDep, CurrentAdmin, SessionDep
from middleware.api.schemas import SyncConfigOut, SyncConfigUpdate, ToggleOut
from middleware.logs import get_logger

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/admin/sync-intervals", tags=["sync-intervals"])
_log = get_logger(__name__)


def _not_found(exc: ConfigNotFoundError) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc))


@router.get("")
@router.get("/", include_in_schema=False)
def list_intervals(session: SessionDep, clock: ClockDep, _admin: CurrentAdmin) -> list[SyncConfigOut]:
    now = clock.now()
    return [config_item(row, now) for row in list_configs(session)]


@router.get("/summary/overview")
def overview(session: SessionDep, clock: ClockDep, _admin: CurrentAdmin) -> dict[str, Any]:
    now = clock.now()
    items = [config_item(row, now) for row in list_configs(session)]
    enabled = [i for i in items if i.is_sync_enabled]
    data = {
        "total_configs": len(items),
        "enabled_configs": len(enabled),
        "disabled_configs": len(items) - len(enabled),
        "configs_by_type": {i.object_type: i.model_dump(mode="json") for i in items},
        "next_syncs": [
            {"object_type": i.object_type, "next_sync_time": i.next_sync_time.isoformat()}
            for i in sorted(enabled, key=lambda i: i.next_sync_time)
        ],
        "stale_configs": [i.object_type for i in items if i.is_stale],
    }
    return {"success": True, "data": data}


@router.get("/{object_type}")
def get_interval(
    object_type: str, session: SessionDep, clock: ClockDep, _admin: CurrentAdmin
) -> SyncConfigOut:
    try:
        return config_item(load_config(session, object_type), clock.now())
    except ConfigNotFoundError as exc:
        raise _not_found(exc) from None


@router.put("/{object_type}")
def put_interval(
    object_type: str, changes: SyncConfigUpdate, session: SessionDep, clock: ClockDep, admin: CurrentAdmin
) -> SyncConfigOut:
    try:
        row = update_config(session, object_type, changes)
    except ConfigNotFoundError as exc:
        raise _not_found(exc) from None
    _log.info(
        "sync_config.updated",
        object_type=object_type,
        changes=changes.model_dump(exclude_unset=True),
        admin=admin.username,
    )
    return config_item(row, clock.now())


@router.post("/{object_type}/toggle")
def toggle_interval(object_type: str, session: SessionDep, admin: CurrentAdmin) -> ToggleOut:
    try:
        row = toggle_config(session, object_type)
    except ConfigNotFoundError as exc:
        raise _not_found(exc) from None
    state = "enabled" if row.is_sync_enabled else "disabled"
    _log.info(
        "sync_config.toggled", object_type=object_type, enabled=row.is_sync_enabled, admin=admin.username
    )
    return ToggleOut(
        success=True, message=f"Sync for {row.display_name} {state}", is_sync_enabled=row.is_sync_enabled
    )
