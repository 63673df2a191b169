"""Rows the API tests insert directly: one visible project with two phases, plus hidden ones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from middleware.db.models import (
    Directory,
    Elevation,
    ElevationGlass,
    ElevationPartsList,
    ElevationThumbnail,
    Phase,
    Project,
)
from middleware.db.session import session_scope

PROJECT_GUID = "5ddb1393-56eb-4280-9f7e-3c3aec51483c"
DELETED_PROJECT_GUID = "15782e4d-a69c-4ce5-9c17-d3060a039b2d"
EXCLUDED_PROJECT_GUID = "f584ee63-90d9-4903-9e5f-96f8fc2837fe"
ZERO_GUID = "00000000-0000-0000-0000-000000000000"
PHASE_GUID = "aaaaaaaa-0000-4000-8000-000000000001"
P01_GUID = "bbbbbbbb-0000-4000-8000-000000000001"
P02_GUID = "bbbbbbbb-0000-4000-8000-000000000002"
P03_GUID = "bbbbbbbb-0000-4000-8000-000000000003"
RECYCLED_GUID = "bbbbbbbb-0000-4000-8000-000000000099"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
SYNCED_AT = datetime(2026, 11, 1, 12, 0, 0, tzinfo=UTC)
CHANGED_AT = datetime(2026, 10, 30, 8, 30, 0, tzinfo=UTC)
CREATED_AT = datetime(2024, 3, 26, 14, 24, 20, tzinfo=UTC)


@dataclass(frozen=True)
class DemoIds:
    project_id: int
    p01_id: int


def _elevation(name: str, guid: str, phase: Phase, project: Project, **extra: object) -> Elevation:
    return Elevation(
        logikal_id=guid,
        name=name,
        description=f"Elevation {name}",
        phase_id=phase.id,
        project_id=project.id,
        width=1200.0,
        height=2100.0,
        amount=1.0,
        logikal_created_at=CREATED_AT,
        last_update_date=CHANGED_AT,
        last_sync_date=SYNCED_AT,
        sync_status="synced",
        **extra,
    )


def _project(session: Session, guid: str, name: str, directory: Directory, **extra: object) -> Project:
    project = Project(
        logikal_id=guid,
        name=name,
        directory_id=directory.id,
        job_number="0000003948",
        offer_number="OFF44465 NG",
        person_in_charge="Nick ",
        logikal_created_at=CREATED_AT,
        last_update_date=CHANGED_AT,
        last_sync_date=SYNCED_AT,
        **extra,
    )
    session.add(project)
    session.flush()
    return project


def insert_demo_rows(factory: sessionmaker[Session]) -> DemoIds:
    with session_scope(factory) as session:
        demo = Directory(logikal_id="Demo Odoo", name="Demo Odoo", full_path="Demo Odoo", level=0)
        hidden = Directory(
            logikal_id="Archive", name="Archive", full_path="Archive", level=0, exclude_from_sync=True
        )
        session.add_all([demo, hidden])
        session.flush()
        project = _project(session, PROJECT_GUID, "DOS22309", demo, description="Demo project")
        deleted = _project(session, DELETED_PROJECT_GUID, "DOS22410", demo, is_deleted=True, status="deleted")
        excluded = _project(session, EXCLUDED_PROJECT_GUID, "DOS22269", hidden)
        default = Phase(
            logikal_id=ZERO_GUID,
            name="Posities zonder levering",
            project_id=project.id,
            last_sync_date=SYNCED_AT,
        )
        phase1 = Phase(
            logikal_id=PHASE_GUID, name="Fase 1 (DEMO)", project_id=project.id, last_sync_date=SYNCED_AT
        )
        other_default = Phase(logikal_id=ZERO_GUID, name="Default", project_id=excluded.id)
        session.add_all(
            [default, phase1, other_default, Phase(logikal_id=ZERO_GUID, name="D", project_id=deleted.id)]
        )
        session.flush()
        p01 = _elevation(
            "P01",
            P01_GUID,
            default,
            project,
            has_parts_data=True,
            parts_count=552,
            parse_status="success",
            auto_description="Sliding door",
            system_code="CP130-LS",
            system_name="ConceptPatio 130-LS",
            width_out=3100.0,
            width_unit="mm",
        )
        session.add_all(
            [
                p01,
                _elevation("P02", P02_GUID, default, project),
                _elevation("P03", P03_GUID, phase1, project),
                _elevation("R001", RECYCLED_GUID, phase1, project, is_in_recycle_bin=True),
            ]
        )
        session.flush()
        session.add_all(
            [
                ElevationThumbnail(elevation_id=p01.id, data=PNG, content_type="image/png", sha256="0" * 64),
                ElevationPartsList(
                    elevation_id=p01.id, data=b"SQLite format 3\x00", sha256="1" * 64, size_bytes=16
                ),
                ElevationGlass(elevation_id=p01.id, glass_id="{GLASS-1}", name="Double glazing 4-16-4"),
            ]
        )
        return DemoIds(project_id=project.id, p01_id=p01.id)
