"""Odoo read API over rows inserted directly: upstream shapes, hidden objects, reads that change nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from middleware.db.models import Elevation, ObjectSyncConfig, Phase, Project

from .conftest import OdooClient
from .demo_rows import (
    EXCLUDED_PROJECT_GUID,
    P01_GUID,
    P02_GUID,
    P03_GUID,
    PHASE_GUID,
    PNG,
    PROJECT_GUID,
    ZERO_GUID,
    insert_demo_rows,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def demo(db: sessionmaker[Session]) -> None:
    insert_demo_rows(db)


def _get(client: httpx.Client, odoo: OdooClient, path: str) -> Any:
    response = client.get(path, headers=odoo.headers)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.usefixtures("demo")
def test_projects_lists_only_visible_projects_in_the_upstream_shape(
    client: httpx.Client, odoo: OdooClient
) -> None:
    body = _get(client, odoo, "/api/v1/odoo/projects")
    assert body["count"] == 1
    assert body["summary"] == {"total_projects": 1, "client_id": odoo.client_id}
    project = body["projects"][0]
    assert project["id"] == PROJECT_GUID
    assert project["name"] == "DOS22309"
    assert project["description"] == "Demo project"
    assert project["status"] == "active"
    assert project["phases_count"] == 2
    assert project["total_elevations"] == 3  # the recycled elevation is hidden
    assert project["created_at"] == "2024-03-26 14:24:20"


@pytest.mark.usefixtures("demo")
def test_deleted_and_excluded_projects_are_not_found(client: httpx.Client, odoo: OdooClient) -> None:
    assert (
        client.get(f"/api/v1/odoo/projects/{EXCLUDED_PROJECT_GUID}", headers=odoo.headers).status_code == 404
    )
    assert client.get("/api/v1/odoo/projects/no-such-guid", headers=odoo.headers).status_code == 404


@pytest.mark.usefixtures("demo")
def test_complete_returns_phases_with_elevations_and_parse_fields(
    client: httpx.Client, odoo: OdooClient
) -> None:
    body = _get(client, odoo, f"/api/v1/odoo/projects/{PROJECT_GUID.upper()}/complete")
    assert body["project"]["id"] == PROJECT_GUID
    phases = {p["phase"]["id"]: p for p in body["phases_with_elevations"]}
    assert set(phases) == {ZERO_GUID, PHASE_GUID}
    assert phases[ZERO_GUID]["phase"] == {
        "id": ZERO_GUID,
        "name": "Posities zonder levering",
        "description": None,
        "status": "active",
    }
    assert [e["id"] for e in phases[ZERO_GUID]["elevations"]] == [P01_GUID, P02_GUID]
    assert [e["id"] for e in phases[PHASE_GUID]["elevations"]] == [P03_GUID]
    p01 = phases[ZERO_GUID]["elevations"][0]
    assert p01["thumbnail_url"] == f"/api/v1/elevations/{P01_GUID}/thumbnail"
    assert p01["glass_specifications"] == [{"glass_id": "{GLASS-1}", "name": "Double glazing 4-16-4"}]
    assert p01["parse_status"] == "success"
    assert p01["system_code"] == "CP130-LS"
    assert p01["has_parts_data"] is True
    assert p01["parts_count"] == 552
    assert p01["phase_id"] == ZERO_GUID
    assert p01["last_sync_date"].startswith("2026-11-01T12:00:00")
    assert p01["last_update_date"].startswith("2026-10-30T08:30:00")
    assert 0 < p01["data_quality_score"] <= 100
    assert phases[ZERO_GUID]["elevations"][1]["thumbnail_url"] is None
    assert "data" not in p01
    assert body["summary"]["total_phases"] == 2
    assert body["summary"]["total_elevations"] == 3
    nested = {p["id"]: len(p["elevations"]) for p in body["project"]["phases"]}
    assert nested == {ZERO_GUID: 2, PHASE_GUID: 1}


@pytest.mark.usefixtures("demo")
def test_phases_and_phase_elevations(client: httpx.Client, odoo: OdooClient) -> None:
    phases = _get(client, odoo, f"/api/v1/odoo/projects/{PROJECT_GUID}/phases")
    assert {p["id"]: p["elevations_count"] for p in phases["phases"]} == {ZERO_GUID: 2, PHASE_GUID: 1}
    elevations = _get(client, odoo, f"/api/v1/odoo/projects/{PROJECT_GUID}/phases/{PHASE_GUID}/elevations")
    assert elevations["count"] == 1
    assert elevations["elevations"][0]["name"] == "P03"


@pytest.mark.usefixtures("demo")
def test_search_finds_projects_by_name_and_job_number(client: httpx.Client, odoo: OdooClient) -> None:
    by_name = _get(client, odoo, "/api/v1/odoo/search?q=dos223")
    assert by_name["query"] == "dos223"
    assert [r["id"] for r in by_name["results"]] == [PROJECT_GUID]
    assert by_name["count"] == 1
    assert _get(client, odoo, "/api/v1/odoo/search?q=3948")["count"] == 1
    assert _get(client, odoo, "/api/v1/odoo/search?q=%25")["count"] == 0  # a literal %, not a wildcard
    assert client.get("/api/v1/odoo/search", headers=odoo.headers).status_code == 422


@pytest.mark.usefixtures("demo")
def test_stats_counts_visible_objects(client: httpx.Client, odoo: OdooClient) -> None:
    body = _get(client, odoo, "/api/v1/odoo/stats")
    assert body["total_projects"] == 1
    assert body["total_phases"] == 2
    assert body["total_elevations"] == 3
    assert body["projects"] == [
        {"id": PROJECT_GUID, "name": "DOS22309", "phases_count": 2, "total_elevations": 3}
    ]


@pytest.mark.usefixtures("demo")
def test_thumbnail_returns_the_png_bytes(client: httpx.Client, odoo: OdooClient) -> None:
    response = client.get(f"/api/v1/elevations/{P01_GUID}/thumbnail", headers=odoo.headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.content == PNG
    assert client.get(f"/api/v1/elevations/{P02_GUID}/thumbnail", headers=odoo.headers).status_code == 404


def _timestamps(db: sessionmaker[Session]) -> list[tuple[Any, ...]]:
    with db() as session:
        rows: list[tuple[Any, ...]] = []
        for model in (Project, Phase, Elevation):
            rows += [
                tuple(r) for r in session.execute(select(model.id, model.last_sync_date, model.updated_at))
            ]
        rows += [
            tuple(r)
            for r in session.execute(select(ObjectSyncConfig.last_sync, ObjectSyncConfig.last_attempt))
        ]
        return rows


@pytest.mark.usefixtures("demo")
def test_reads_never_change_sync_timestamps(
    client: httpx.Client, odoo: OdooClient, db: sessionmaker[Session]
) -> None:
    before = _timestamps(db)
    for path in (
        "/api/v1/odoo/projects",
        f"/api/v1/odoo/projects/{PROJECT_GUID}",
        f"/api/v1/odoo/projects/{PROJECT_GUID}/complete",
        f"/api/v1/odoo/projects/{PROJECT_GUID}/complete?auto_sync=true",
        f"/api/v1/odoo/projects/{PROJECT_GUID}/phases",
        f"/api/v1/odoo/projects/{PROJECT_GUID}/phases/{ZERO_GUID}/elevations",
        "/api/v1/odoo/search?q=DOS",
        "/api/v1/odoo/stats",
        f"/api/v1/elevations/{P01_GUID}/thumbnail",
    ):
        _ = client.get(path, headers=odoo.headers).raise_for_status()
    assert _timestamps(db) == before


@pytest.fixture
def statements() -> Iterator[list[str]]:
    """Every SQL statement any engine in this process runs while the test is active."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    yield seen
    event.remove(Engine, "before_cursor_execute", record)


@pytest.mark.usefixtures("demo")
def test_listing_elevations_never_reads_parts_list_or_thumbnail_bytes(
    client: httpx.Client, odoo: OdooClient, statements: list[str]
) -> None:
    for path in (
        f"/api/v1/odoo/projects/{PROJECT_GUID}/complete",
        f"/api/v1/odoo/projects/{PROJECT_GUID}/phases/{ZERO_GUID}/elevations",
        "/api/v1/odoo/projects",
    ):
        _ = client.get(path, headers=odoo.headers).raise_for_status()
    listing = "\n".join(statements)
    assert "elevation_thumbnails.elevation_id" in listing  # presence is checked by id only
    assert "elevation_thumbnails.data" not in listing
    assert "elevation_parts_lists" not in listing
    _ = client.get(f"/api/v1/elevations/{P01_GUID}/thumbnail", headers=odoo.headers).raise_for_status()
    assert "elevation_thumbnails.data" in "\n".join(statements)  # the probe does see byte reads
