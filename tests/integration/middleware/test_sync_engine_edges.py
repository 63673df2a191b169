"""SyncEngine edge cases against real PostgreSQL and the fake: bad payloads and SQLite, session caps, lenient
cursor rules, the injected clock, Logikal's own locks."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from fake_logikal import FakeConfig, FakeLogikalClient
from middleware.clock import ManualClock
from middleware.config import Settings
from middleware.db.models import (
    Elevation,
    ObjectType,
    ParseStatus,
    Project,
    SyncLog,
    SyncStatus,
    SyncTrigger,
)
from middleware.errors import ProjectNotFoundError
from middleware.sync.engine import SyncEngine
from tests.integration.middleware.conftest import make_sync_engine, sync_settings
from tests.integration.middleware.truth import assert_sessions_closed, differences, row_versions

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("effect", "path"),
    [
        ("malformed_json", "/elevations"),
        ("truncated", "/phases"),
        ("malformed_json", "/projects"),
    ],
)
def test_malformed_payload_fails_the_run_and_keeps_earlier_data(
    sync_engine: SyncEngine, fake: FakeLogikalClient, db_engine: Engine, effect: str, path: str
) -> None:
    sync_engine.sync_all(trigger=SyncTrigger.MANUAL, incremental=False)
    count = "SELECT count(*) FROM elevations"
    with db_engine.connect() as connection:
        before = connection.execute(text(count)).scalar()
    fake.mutate({"action": "edit", "kind": "elevation", "count": 5, "changes": {"amount": 3.0}})
    fake.add_fault(effect, path, "GET")

    result = sync_engine.sync_all(trigger=SyncTrigger.SCHEDULED)

    assert result.status in (SyncStatus.FAILED, SyncStatus.PARTIAL)
    assert result.error
    with db_engine.connect() as connection:
        assert connection.execute(text(count)).scalar() == before
    assert_sessions_closed(fake)


def test_invalid_sqlite_is_not_stored_and_counted_as_failed(
    sync_engine: SyncEngine, fake: FakeLogikalClient, session_factory: sessionmaker[Session]
) -> None:
    fake.add_fault("invalid_sqlite", "/elevations/selected/parts-list", "GET", times=1)
    fake.add_fault("truncated_sqlite", "/elevations/selected/parts-list", "GET", times=1)

    result = sync_engine.sync_project("DOS22309", "Demo Odoo", trigger=SyncTrigger.FORCE)

    assert result.status is SyncStatus.PARTIAL
    assert (result.parts_lists_failed, result.parts_lists_synced) == (2, 15)
    assert result.failures == 2
    assert result.counts["parts_list.invalid"] == 2
    with session_factory() as session:
        states = session.execute(select(Elevation.has_parts_data, Elevation.parse_status)).all()
        row = session.scalars(select(SyncLog).where(SyncLog.run_id == result.run_id)).one()
    assert sorted(states).count((False, ParseStatus.PENDING.value)) == 2
    assert sorted(states).count((True, ParseStatus.SUCCESS.value)) == 15
    assert (row.items_failed, row.status) == (2, SyncStatus.PARTIAL.value)


@pytest.mark.parametrize("effect", ["invalid_sqlite", "truncated_sqlite"])
def test_a_bad_parts_list_never_replaces_the_last_good_one(
    sync_engine: SyncEngine, fake: FakeLogikalClient, session_factory: sessionmaker[Session], effect: str
) -> None:
    from middleware.api.force_sync import upstream_body
    from middleware.db.models import ElevationPartsList

    sync_engine.sync_project("DOS22309", "Demo Odoo", trigger=SyncTrigger.FORCE)

    def stored() -> dict[str, tuple[str, int, str, str | None]]:
        with session_factory() as session:
            rows = session.execute(
                select(Elevation.logikal_id, ElevationPartsList.sha256, ElevationPartsList.size_bytes)
                .join(ElevationPartsList, ElevationPartsList.elevation_id == Elevation.id)
                .add_columns(Elevation.parse_status, Elevation.width_out)
            ).all()
        return {guid: (sha, size, status, str(width)) for guid, sha, size, status, width in rows}

    before = stored()
    assert len(before) == 17
    assert all(v[2] == ParseStatus.SUCCESS.value for v in before.values())
    fake.mutate(
        {
            "action": "edit",
            "kind": "elevation",
            "count": 17,
            "project": "DOS22309",
            "changes": {"amount": 3.0},
        }
    )
    fake.add_fault(effect, "/elevations/selected/parts-list", "GET")  # every download is bad now

    result = sync_engine.sync_project("DOS22309", "Demo Odoo", trigger=SyncTrigger.FORCE)

    assert stored() == before  # bytes, size, parse status and parsed values all kept
    assert result.status is SyncStatus.PARTIAL
    assert result.parts_lists_failed == 17
    assert result.failures >= 17
    body = upstream_body(result, "DOS22309", "Demo Odoo")
    assert f"with {result.failures} failures" in body.message
    assert body.failures == result.failures


def test_parse_parts_list_parses_one_stored_elevation(
    sync_engine: SyncEngine, session_factory: sessionmaker[Session]
) -> None:
    for object_type in (ObjectType.DIRECTORY, ObjectType.PROJECT, ObjectType.PHASE, ObjectType.ELEVATION):
        sync_engine.sync_object_type(object_type, trigger=SyncTrigger.SCHEDULED)
    sync_engine.sync_object_type(ObjectType.PARTS_LIST, trigger=SyncTrigger.SCHEDULED)
    with session_factory() as session:
        elevation_id, name = session.execute(
            select(Elevation.id, Elevation.name).where(Elevation.parse_status == ParseStatus.PENDING.value)
        ).first() or (0, "")

    sync_engine.parse_parts_list(elevation_id)

    with session_factory() as session:
        elevation = session.get(Elevation, elevation_id)
        assert elevation is not None
        assert (elevation.name, elevation.parse_status) == (name, ParseStatus.SUCCESS.value)
        assert elevation.system_code
        assert elevation.parts_count
        assert elevation.glass


def test_force_sync_without_directory_finds_a_known_project(
    sync_engine: SyncEngine, fake: FakeLogikalClient
) -> None:
    sync_engine.sync_object_type(ObjectType.DIRECTORY, trigger=SyncTrigger.SCHEDULED)
    sync_engine.sync_object_type(ObjectType.PROJECT, trigger=SyncTrigger.SCHEDULED)

    result = sync_engine.sync_project("DOS22309", None, trigger=SyncTrigger.FORCE)

    assert result.status is SyncStatus.COMPLETED, result.error
    assert result.parts_lists_synced == 17
    with pytest.raises(ProjectNotFoundError, match="give its directory path"):
        sync_engine.sync_project("DOS99999", None, trigger=SyncTrigger.FORCE)
    assert_sessions_closed(fake)


def test_force_sync_on_a_fresh_sync_still_fetches_everything_but_writes_nothing(
    sync_engine: SyncEngine, db_engine: Engine
) -> None:
    sync_engine.sync_project("DOS22309", "Demo Odoo", trigger=SyncTrigger.FORCE)
    before = row_versions(db_engine)

    again = sync_engine.sync_project("DOS22309", "Demo Odoo", trigger=SyncTrigger.FORCE)

    assert row_versions(db_engine) == before

    assert again.parts_lists_synced == 17
    assert again.counts.get("parts_list.written", 0) == 0  # same bytes: fetched, nothing rewritten
    assert again.counts.get("elevation.updated", 0) == 0


def test_directory_flagged_excluded_in_the_database_stops_syncing_its_subtree(
    sync_engine: SyncEngine, fake: FakeLogikalClient, db_engine: Engine
) -> None:
    sync_engine.sync_all(trigger=SyncTrigger.MANUAL, incremental=False)
    with db_engine.begin() as connection:
        connection.execute(
            text("UPDATE directories SET exclude_from_sync = true WHERE logikal_id = 'Demo Odoo'")
        )
    fake.mutate({"action": "edit", "kind": "project", "name": "DOS22309", "changes": {"jobNumber": "J-X"}})

    result = sync_engine.sync_all(trigger=SyncTrigger.SCHEDULED)

    assert result.status is SyncStatus.COMPLETED, result.error
    with db_engine.connect() as connection:
        job = connection.execute(text("SELECT job_number FROM projects WHERE name = 'DOS22309'")).scalar()
        deeper = connection.execute(
            text("SELECT count(*) FROM directories WHERE logikal_id LIKE 'Demo Odoo/%'")
        )
        assert deeper.scalar() == 4  # kept as they were, not walked, not deleted
    assert job == "0000003948"


def test_full_sync_stays_within_a_server_session_cap(
    migrated_database_url: str,
    fake_url: str,
    fake: FakeLogikalClient,
    session_factory: sessionmaker[Session],
    db_engine: Engine,
) -> None:
    fake.configure_sessions(max_sessions=2)
    settings = sync_settings(migrated_database_url, fake_url, LOGIKAL_MAX_SESSIONS=2)

    result = make_sync_engine(settings, session_factory, db_engine).sync_all(incremental=False)

    assert result.status is SyncStatus.COMPLETED, result.error
    assert fake.sessions()["max_concurrent"] <= 2
    assert differences(db_engine, fake.state()) == []
    assert_sessions_closed(fake)


class TestLenientServer:
    """A server that allows sideways selects (another phase/elevation at the same level)."""

    @pytest.fixture
    def fake_config(self) -> FakeConfig:
        return FakeConfig(seed=7, size="small", parts_list_kb=(16, 32), strict_levels=False)

    def test_force_sync_reuses_sessions_sideways(
        self, sync_engine: SyncEngine, fake: FakeLogikalClient
    ) -> None:
        result = sync_engine.sync_project("DOS22309", "Demo Odoo", trigger=SyncTrigger.FORCE)

        assert result.status is SyncStatus.COMPLETED, result.error
        assert result.parts_lists_synced == 17
        assert result.counts["logins"] <= 4  # the strict server needs 17
        assert_sessions_closed(fake)


def test_every_sync_timestamp_comes_from_the_injected_clock(
    settings: Settings, session_factory: sessionmaker[Session], db_engine: Engine
) -> None:
    clock = ManualClock(current=2_000_000_000.0)
    engine = make_sync_engine(settings, session_factory, db_engine, clock)

    result = engine.sync_project("DOS22309", "Demo Odoo", trigger=SyncTrigger.FORCE)

    moment = clock.now()
    with session_factory() as session:
        project = session.scalars(select(Project).where(Project.name == "DOS22309")).one()
        log_row = session.scalars(select(SyncLog).where(SyncLog.run_id == result.run_id)).one()
        stamps = session.execute(select(Elevation.last_sync_date, Elevation.parts_synced_at)).all()
    assert (project.last_sync_date, project.created_at) == (moment, moment)
    assert (log_row.started_at, log_row.completed_at) == (moment, moment)
    assert set(stamps) == {(moment, moment)}
    assert result.duration_seconds == 0.0


def test_elevation_locked_by_another_user_fails_only_its_parts_list(
    sync_engine: SyncEngine, fake: FakeLogikalClient, db_engine: Engine
) -> None:
    fake.add_fault("locked", "/elevations/select", "POST", times=1)

    first = sync_engine.sync_project("DOS22309", "Demo Odoo", trigger=SyncTrigger.FORCE)
    assert first.status is SyncStatus.PARTIAL
    assert (first.parts_lists_synced, first.parts_lists_failed) == (16, 1)
    assert first.error is not None
    assert "locked" in first.error.lower() or "in use" in first.error.lower()
    assert_sessions_closed(fake)

    second = sync_engine.sync_all(trigger=SyncTrigger.SCHEDULED)
    assert second.status is SyncStatus.COMPLETED, second.error
    with db_engine.connect() as connection:
        missing = connection.execute(
            text("SELECT count(*) FROM elevations WHERE NOT has_parts_data")
        ).scalar()
    assert missing == 0
