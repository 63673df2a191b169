"""Odoo read API (client JWT with permissions): projects, phases, elevations, search, stats, thumbnails."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from middleware.api.deps import ClientPrincipal, CurrentClient, SessionDep, check_permissions
from middleware.api.odoo_queries import (
    count_pairs,
    elevation_items,
    phase_item,
    project_counts,
    project_item,
    visible_elevations,
    visible_phases,
    visible_projects,
)
from middleware.db.models import Elevation, ElevationThumbnail, Phase, Project

__all__ = ["SCOPES", "router", "thumbnail_router"]

router = APIRouter(prefix="/api/v1/odoo", tags=["odoo"])
thumbnail_router = APIRouter(prefix="/api/v1/elevations", tags=["odoo"])
PROJECTS, ELEVATIONS = "projects:read", "elevations:read"
# Endpoint (function name) -> every scope it needs: whatever returns elevation data needs elevations:read.
SCOPES: dict[str, tuple[str, ...]] = {
    "list_projects": (PROJECTS,),
    "get_project": (PROJECTS,),
    "get_project_complete": (PROJECTS, ELEVATIONS),
    "list_phases": (PROJECTS,),
    "list_elevations": (PROJECTS, ELEVATIONS),
    "search": (PROJECTS,),
    "stats": (PROJECTS,),
    "thumbnail": (ELEVATIONS,),
}


def _scoped_client(request: Request, client: CurrentClient) -> ClientPrincipal:
    """The current client, holding every scope SCOPES names for the endpoint being called (403 otherwise).

    An Odoo endpoint missing from SCOPES is refused for everyone (and a test fails), never left open."""
    route = request.scope.get("route")
    endpoint = getattr(getattr(route, "endpoint", None), "__name__", "")
    required = SCOPES.get(endpoint)
    if required is None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="This endpoint has no scope assigned")
    return check_permissions(client, required)


OdooReader = Annotated[ClientPrincipal, Depends(_scoped_client)]


def _project(session: Session, guid: str) -> Project:
    row = session.scalar(visible_projects().where(Project.logikal_id == guid.lower()))
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"Project '{guid}' not found")
    return row


def _project_dict(session: Session, row: Project) -> dict[str, Any]:
    return project_item(row, project_counts(session, [row.id]).get(row.id, (0, 0)))


def _phases_with_elevations(session: Session, project: Project) -> list[dict[str, Any]]:
    phases = list(session.scalars(visible_phases(project.id)))
    guids = {p.id: p.logikal_id for p in phases}
    elevations = list(session.scalars(visible_elevations(list(guids)))) if phases else []
    items = elevation_items(session, elevations, guids)
    by_phase: dict[int, list[dict[str, Any]]] = {p.id: [] for p in phases}
    for row, item in zip(elevations, items, strict=True):
        by_phase[row.phase_id].append(item)
    return [{"phase": phase_item(p), "elevations": by_phase[p.id]} for p in phases]


@router.get("/projects")
def list_projects(session: SessionDep, client: OdooReader) -> dict[str, Any]:
    rows = list(session.scalars(visible_projects().order_by(Project.name)))
    counts = project_counts(session, [r.id for r in rows])
    projects = [project_item(r, counts[r.id]) for r in rows]
    return {
        "projects": projects,
        "count": len(projects),
        "summary": {"total_projects": len(projects), "client_id": client.client_id},
    }


@router.get("/projects/{guid}")
def get_project(guid: str, session: SessionDep, _client: OdooReader) -> dict[str, Any]:
    return {"project": _project_dict(session, _project(session, guid))}


@router.get("/projects/{guid}/complete")
def get_project_complete(guid: str, session: SessionDep, _client: OdooReader) -> dict[str, Any]:
    """Project, phases and elevations in one read; unlike the upstream it never touches sync timestamps."""
    project = _project(session, guid)
    phases = _phases_with_elevations(session, project)
    project_dict = _project_dict(session, project)
    project_dict["phases"] = [{**p["phase"], "elevations": p["elevations"]} for p in phases]
    total = sum(len(p["elevations"]) for p in phases)
    summary = {
        "total_phases": len(phases),
        "total_elevations": total,
        "elevations_with_parts": sum(1 for p in phases for e in p["elevations"] if e["has_parts_data"]),
        "elevations_parsed": sum(
            1 for p in phases for e in p["elevations"] if e["parse_status"] == "success"
        ),
    }
    return {"project": project_dict, "phases_with_elevations": phases, "summary": summary}


@router.get("/projects/{guid}/phases")
def list_phases(guid: str, session: SessionDep, _client: OdooReader) -> dict[str, Any]:
    project = _project(session, guid)
    phases = list(session.scalars(visible_phases(project.id)))
    counts = count_pairs(
        session.execute(
            select(Elevation.phase_id, func.count(Elevation.id))
            .where(Elevation.phase_id.in_([p.id for p in phases]), Elevation.is_in_recycle_bin.is_(False))
            .group_by(Elevation.phase_id)
        )
    )
    items = [{**phase_item(p), "elevations_count": counts.get(p.id, 0)} for p in phases]
    return {"project_id": project.logikal_id, "phases": items, "count": len(items)}


@router.get("/projects/{guid}/phases/{phase_guid}/elevations")
def list_elevations(guid: str, phase_guid: str, session: SessionDep, _client: OdooReader) -> dict[str, Any]:
    project = _project(session, guid)
    phase = session.scalar(visible_phases(project.id).where(Phase.logikal_id == phase_guid.lower()))
    if phase is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"Phase '{phase_guid}' not found")
    rows = list(session.scalars(visible_elevations([phase.id])))
    items = elevation_items(session, rows, {phase.id: phase.logikal_id})
    return {
        "project_id": project.logikal_id,
        "phase_id": phase.logikal_id,
        "elevations": items,
        "count": len(items),
    }


@router.get("/search")
def search(
    session: SessionDep,
    q: Annotated[str, Query(min_length=1, max_length=200)],
    _client: OdooReader,
) -> dict[str, Any]:
    pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    query = visible_projects().where(
        or_(
            Project.name.ilike(pattern, escape="\\"),
            Project.description.ilike(pattern, escape="\\"),
            Project.job_number.ilike(pattern, escape="\\"),
            Project.offer_number.ilike(pattern, escape="\\"),
        )
    )
    rows = list(session.scalars(query.order_by(Project.name).limit(100)))
    counts = project_counts(session, [r.id for r in rows])
    results = [{**project_item(r, counts[r.id]), "type": "project"} for r in rows]
    return {"results": results, "query": q, "count": len(results)}


@router.get("/stats")
def stats(session: SessionDep, _client: OdooReader) -> dict[str, Any]:
    rows = list(session.scalars(visible_projects().order_by(Project.name)))
    counts = project_counts(session, [r.id for r in rows])
    projects = [
        {
            "id": r.logikal_id,
            "name": r.name,
            "phases_count": counts[r.id][0],
            "total_elevations": counts[r.id][1],
        }
        for r in rows
    ]
    return {
        "total_projects": len(rows),
        "total_phases": sum(c[0] for c in counts.values()),
        "total_elevations": sum(c[1] for c in counts.values()),
        "projects": projects,
    }


@thumbnail_router.get("/{guid}/thumbnail")
def thumbnail(guid: str, session: SessionDep, _client: OdooReader) -> Response:
    found = session.execute(
        select(ElevationThumbnail.data, ElevationThumbnail.content_type)
        .join(Elevation, Elevation.id == ElevationThumbnail.elevation_id)
        .where(Elevation.logikal_id == guid.lower())
    ).first()
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"No thumbnail for elevation '{guid}'")
    data, content_type = found
    return Response(content=bytes(data), media_type=content_type or "image/png")
