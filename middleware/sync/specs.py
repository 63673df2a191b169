"""The per-level spec table: directory, project, phase and elevation differ here, not in copied classes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table

from middleware.db.models import Base, Directory, Elevation, ObjectType, Phase, Project
from middleware.logikal.payloads import (
    DirectoryData,
    ElevationData,
    PhaseData,
    ProjectData,
    epoch_to_datetime,
)

__all__ = ["DIRECTORY", "ELEVATION", "PHASE", "PROJECT", "SPECS", "EntitySpec"]


@dataclass(frozen=True)
class EntitySpec:
    """How one Logikal level maps to its table: identity, parent scope, row builder and change stamp."""

    object_type: ObjectType
    table: Table
    key: tuple[str, ...]  # the ON CONFLICT columns
    identity: str  # the Logikal identity column (path or GUID)
    scope: str  # the parent column that bounds "vanished from Logikal" deletes
    stamp_columns: tuple[str, ...]  # set to now only when the row really changed
    to_row: Callable[[Any, dict[str, Any]], dict[str, Any]]

    def rows(self, items: list[Any], parent: dict[str, Any]) -> list[dict[str, Any]]:
        return [self.to_row(item, parent) for item in items]


def _directory_row(item: DirectoryData, parent: dict[str, Any]) -> dict[str, Any]:
    path = item.path.strip("/")
    return {
        "logikal_id": path,
        "name": item.name,
        "full_path": path,
        "level": path.count("/"),
        "parent_id": parent.get("parent_id"),
        "sync_status": "synced",
    }


def _project_row(item: ProjectData, parent: dict[str, Any]) -> dict[str, Any]:
    return {
        "logikal_id": item.id,
        "name": item.name,
        "directory_id": parent["directory_id"],
        "job_number": item.job_number,
        "offer_number": item.offer_number,
        "person_in_charge": item.person_in_charge,
        "estimated": item.estimated,
        "is_deleted": item.is_deleted,
        "status": "deleted" if item.is_deleted else "active",
        "logikal_created_at": epoch_to_datetime(item.created_date),
        "last_update_date": epoch_to_datetime(item.changed_date),
    }


def _phase_row(item: PhaseData, parent: dict[str, Any]) -> dict[str, Any]:
    return {
        "logikal_id": item.id,
        "project_id": parent["project_id"],
        "name": item.name,
        "description": item.description,
        "sync_status": "synced",
    }


def _elevation_row(item: ElevationData, parent: dict[str, Any]) -> dict[str, Any]:
    return {
        "logikal_id": item.id,
        "version_id": item.version_id,
        "name": item.name,
        "description": item.automatic_description,
        "phase_id": parent["phase_id"],
        "project_id": parent["project_id"],
        "amount": item.amount,
        "width": item.width,
        "height": item.height,
        "is_in_recycle_bin": item.is_in_recycle_bin,
        "system_description": item.system_description,
        "model_description": item.model_description,
        "user_description": item.user_description,
        "created_by_user": item.created_by_user,
        "type": item.type,
        "state": item.state,
        "logikal_created_at": epoch_to_datetime(item.created_date),
        "last_update_date": epoch_to_datetime(item.changed_date),
        "sync_status": "synced",
    }


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


DIRECTORY = EntitySpec(
    ObjectType.DIRECTORY, _table(Directory), ("logikal_id",), "logikal_id", "parent_id", ("synced_at",),
    _directory_row,
)  # fmt: skip
PROJECT = EntitySpec(
    ObjectType.PROJECT, _table(Project), ("logikal_id",), "logikal_id", "directory_id", ("last_sync_date",),
    _project_row,
)  # fmt: skip
PHASE = EntitySpec(
    ObjectType.PHASE, _table(Phase), ("logikal_id", "project_id"), "logikal_id", "project_id",
    ("last_sync_date",), _phase_row,
)  # fmt: skip
ELEVATION = EntitySpec(
    ObjectType.ELEVATION, _table(Elevation), ("logikal_id",), "logikal_id", "project_id",
    ("last_sync_date",), _elevation_row,
)  # fmt: skip

SPECS: dict[ObjectType, EntitySpec] = {s.object_type: s for s in (DIRECTORY, PROJECT, PHASE, ELEVATION)}
