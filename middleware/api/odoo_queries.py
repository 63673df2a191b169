"""Read-only queries and upstream-shaped dicts for the Odoo API; never loads parts-list or thumbnail bytes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from middleware.db.models import (
    Directory,
    Elevation,
    ElevationGlass,
    ElevationThumbnail,
    ParseStatus,
    Phase,
    Project,
)

__all__ = [
    "count_pairs",
    "elevation_items",
    "phase_item",
    "project_counts",
    "project_item",
    "visible_elevations",
    "visible_phases",
    "visible_projects",
]

DELETED = "deleted"
_QUALITY_FIELDS = (
    "auto_description",
    "width_out",
    "height_out",
    "weight_out",
    "area_output",
    "system_code",
    "system_name",
    "color_base_long",
)


def count_pairs(rows: Iterable[Any]) -> dict[int, int]:
    """``{key: count}`` from the two-column rows of a GROUP BY."""
    return {int(key): int(count) for key, count in rows}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _odoo_date(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value is not None else None


def visible_projects() -> Select[Project]:
    """Projects not deleted in Logikal and not inside an excluded directory."""
    return (
        select(Project)
        .outerjoin(Directory, Project.directory_id == Directory.id)
        .where(
            Project.is_deleted.is_(False),
            Project.status != DELETED,
            or_(Directory.id.is_(None), Directory.exclude_from_sync.is_(False)),
        )
    )


def visible_phases(project_id: int) -> Select[Phase]:
    return select(Phase).where(Phase.project_id == project_id, Phase.status != DELETED).order_by(Phase.name)


def visible_elevations(phase_ids: Sequence[int]) -> Select[Elevation]:
    return (
        select(Elevation)
        .where(
            Elevation.phase_id.in_(phase_ids),
            Elevation.is_in_recycle_bin.is_(False),
            Elevation.sync_status != DELETED,
        )
        .order_by(Elevation.name)
    )


def project_counts(session: Session, project_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """(phases_count, total_elevations) per project id, counting only visible phases and elevations."""
    if not project_ids:
        return {}
    phases = count_pairs(
        session.execute(
            select(Phase.project_id, func.count(Phase.id))
            .where(Phase.project_id.in_(project_ids), Phase.status != DELETED)
            .group_by(Phase.project_id)
        )
    )
    elevations = count_pairs(
        session.execute(
            select(Phase.project_id, func.count(Elevation.id))
            .join(Elevation, Elevation.phase_id == Phase.id)
            .where(
                Phase.project_id.in_(project_ids),
                Phase.status != DELETED,
                Elevation.is_in_recycle_bin.is_(False),
                Elevation.sync_status != DELETED,
            )
            .group_by(Phase.project_id)
        )
    )
    return {pid: (phases.get(pid, 0), elevations.get(pid, 0)) for pid in project_ids}


def project_item(row: Project, counts: tuple[int, int]) -> dict[str, Any]:
    return {
        "id": row.logikal_id,
        "name": row.name,
        "description": row.description,
        "status": row.status,
        "job_number": row.job_number,
        "offer_number": row.offer_number,
        "person_in_charge": row.person_in_charge,
        "estimated": row.estimated,
        "phases_count": counts[0],
        "total_elevations": counts[1],
        "created_at": _odoo_date(row.logikal_created_at or row.created_at),
        "last_sync_date": _iso(row.last_sync_date),
        "last_update_date": _iso(row.last_update_date),
    }


def phase_item(row: Phase) -> dict[str, Any]:
    return {"id": row.logikal_id, "name": row.name, "description": row.description, "status": row.status}


def _quality(row: Elevation) -> int:
    filled = sum(1 for name in _QUALITY_FIELDS if getattr(row, name) not in (None, ""))
    return round(100 * filled / len(_QUALITY_FIELDS))


def elevation_items(
    session: Session, rows: Sequence[Elevation], phase_guids: dict[int, str]
) -> list[dict[str, Any]]:
    """Upstream elevation items; glass and thumbnail presence come from two id-only batch queries."""
    ids = [row.id for row in rows]
    glass: dict[int, list[dict[str, Any]]] = defaultdict(list)
    with_thumbnail: set[int] = set()
    if ids:
        for elevation_id, glass_id, name in session.execute(
            select(ElevationGlass.elevation_id, ElevationGlass.glass_id, ElevationGlass.name)
            .where(ElevationGlass.elevation_id.in_(ids))
            .order_by(ElevationGlass.id)
        ):
            glass[elevation_id].append({"glass_id": glass_id, "name": name})
        with_thumbnail = set(
            session.scalars(
                select(ElevationThumbnail.elevation_id).where(ElevationThumbnail.elevation_id.in_(ids))
            )
        )
    return [
        {
            "id": row.logikal_id,
            "name": row.name,
            "description": row.description,
            "phase_id": phase_guids.get(row.phase_id),
            "thumbnail_url": f"/api/v1/elevations/{row.logikal_id}/thumbnail"
            if row.id in with_thumbnail
            else None,
            "amount": row.amount,
            "width": row.width,
            "height": row.height,
            "depth": None,
            "type": row.type,
            "state": row.state,
            "created_at": _iso(row.logikal_created_at or row.created_at),
            "auto_description": row.auto_description,
            "auto_description_short": row.auto_description_short,
            "width_out": row.width_out,
            "width_unit": row.width_unit,
            "height_out": row.height_out,
            "height_unit": row.height_unit,
            "weight_out": row.weight_out,
            "weight_unit": row.weight_unit,
            "area_output": row.area_output,
            "area_unit": row.area_unit,
            "system_code": row.system_code,
            "system_name": row.system_name,
            "system_long_name": row.system_long_name,
            "color_base_long": row.color_base_long,
            "parts_count": row.parts_count,
            "has_parts_data": row.has_parts_data,
            "parts_synced_at": _iso(row.parts_synced_at),
            "parse_status": row.parse_status or ParseStatus.PENDING.value,
            "data_quality_score": _quality(row),
            "glass_specifications": glass.get(row.id, []),
            "last_sync_date": _iso(row.last_sync_date),
            "last_update_date": _iso(row.last_update_date),
        }
        for row in rows
    ]
