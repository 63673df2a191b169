"""One malformed record in a Logikal listing is skipped, recorded and reported; the rest of it syncs."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from fake_logikal import FakeLogikalClient
from middleware.db.models import Elevation, Project, SyncLog, SyncStatus, SyncTrigger
from middleware.sync.engine import SyncEngine

pytestmark = pytest.mark.integration


def _names(factory: sessionmaker[Session], column: type[Project] | type[Elevation]) -> set[str]:
    with factory() as session:
        return set(session.scalars(select(column.name)))


def test_a_malformed_project_and_elevation_are_skipped_while_the_rest_syncs(
    sync_engine: SyncEngine, fake: FakeLogikalClient, session_factory: sessionmaker[Session]
) -> None:
    first = sync_engine.sync_all(trigger=SyncTrigger.MANUAL, incremental=False)
    assert first.status is SyncStatus.COMPLETED
    projects, elevations = _names(session_factory, Project), _names(session_factory, Elevation)
    state = fake.state()
    bad_project = next(p for p in state["projects"] if p["name"] != "DOS22309")
    good_elevation = next(e for e in state["elevations"] if e["projectId"] != bad_project["id"])
    fake.mutate(
        {"action": "edit", "kind": "project", "id": bad_project["id"], "changes": {"jobNumber": 12345}},
        {"action": "edit", "kind": "elevation", "id": good_elevation["id"], "changes": {"amount": "many"}},
        {"action": "add", "kind": "project", "directory": "Demo Odoo", "name": "DOS39999"},
    )

    result = sync_engine.sync_all(trigger=SyncTrigger.MANUAL, incremental=False)

    assert result.status is SyncStatus.PARTIAL
    assert result.counts["project.malformed"] == 1
    assert result.counts["elevation.malformed"] == 1
    assert result.failures >= 2
    # nothing the malformed records name was deleted, and the rest of their listings synced
    assert _names(session_factory, Project) == projects | {"DOS39999"}
    assert _names(session_factory, Elevation) >= elevations
    with session_factory() as session:
        row = session.scalars(select(SyncLog).where(SyncLog.run_id == result.run_id)).one()
    assert row.status == SyncStatus.PARTIAL.value
    assert "jobNumber" in (row.error_details or "")
    assert "amount" in (row.error_details or "")
    assert bad_project["id"] in (row.error_details or "")
