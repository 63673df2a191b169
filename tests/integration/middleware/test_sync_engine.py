"""SyncEngine against real PostgreSQL and the fake: convergence, idempotency, deletions, locks, faults."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
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
from middleware.errors import ProjectNotFoundError, ResourceLockedError
from middleware.locks import ProjectLock, project_lock_key
from middleware.sync.engine import SyncEngine
from tests.integration.middleware.conftest import make_sync_engine, sync_settings
from tests.integration.middleware.truth import differences

pytestmark = pytest.mark.integration


def api_calls(fake: FakeLogikalClient) -> list[dict[str, Any]]:
    return fake.calls(limit=100_000)


def assert_sessions_closed(fake: FakeLogikalClient) -> None:
    report = fake.sessions()
    assert report["open"] == 0, report
    assert report["opened"] == report["closed"]


def test_full_sync_makes_database_equal_to_logikal(
    sync_engine: SyncEngine, fake: FakeLogikalClient, db_engine: Engine
) -> None:
    result = sync_engine.sync_all(trigger=SyncTrigger.MANUAL, incremental=False)

    assert result.status is SyncStatus.COMPLETED, result.error
    assert differences(db_engine, fake.state()) == []
    assert_sessions_closed(fake)
    assert result.counts["logins"] >= 1
    assert result.counts["logikal_calls"] >= result.counts["logins"]


MIRROR_TABLES = (
    "directories", "projects", "phases", "elevations", "elevation_parts_lists", "elevation_thumbnails",
    "elevation_glass",
)  # fmt: skip


def row_versions(db_engine: Engine) -> dict[str, list[str]]:
    """Every row's xmin: it changes with any UPDATE, so equal snapshots mean nothing was written."""
    with db_engine.connect() as connection:
        return {
            table: sorted(connection.execute(text(f"SELECT xmin::text FROM {table}")).scalars())  # noqa: S608
            for table in MIRROR_TABLES
        }


def test_second_run_without_changes_writes_nothing_and_makes_few_calls(
    sync_engine: SyncEngine, fake: FakeLogikalClient, db_engine: Engine
) -> None:
    first = sync_engine.sync_all(trigger=SyncTrigger.MANUAL, incremental=False)
    fake.clear_calls()
    before = row_versions(db_engine)

    second = sync_engine.sync_all(trigger=SyncTrigger.SCHEDULED)

    assert row_versions(db_engine) == before

    assert second.status is SyncStatus.COMPLETED, second.error
    writes = {k: v for k, v in second.counts.items() if k.endswith((".inserted", ".updated", ".deleted"))}
    assert sum(writes.values()) == 0, writes
    assert second.counts.get("parts_list.fetched", 0) == 0
    assert len(api_calls(fake)) <= 0.10 * first.counts["logikal_calls"]
    assert second.counts["logikal_calls"] <= 0.10 * first.counts["logikal_calls"]
    assert differences(db_engine, fake.state()) == []
    assert_sessions_closed(fake)


def test_incremental_run_converges_after_edits_adds_deletes_and_recycling(
    sync_engine: SyncEngine, fake: FakeLogikalClient, db_engine: Engine
) -> None:
    sync_engine.sync_all(trigger=SyncTrigger.MANUAL, incremental=False)
    fake.mutate(
        {"action": "edit", "kind": "elevation", "count": 3, "changes": {"amount": 9.0, "name": "X-EDIT"}},
        {"action": "edit", "kind": "project", "count": 1, "changes": {"jobNumber": "J-NEW"}},
        {"action": "add", "kind": "elevation", "count": 2},
        {"action": "add", "kind": "phase", "count": 1},
        {"action": "add", "kind": "project", "directory": "Demo Odoo"},
        {"action": "add", "kind": "directory", "directory": "Demo Odoo", "name": "Nieuw"},
        {"action": "delete", "kind": "elevation", "count": 2},
        {"action": "delete", "kind": "phase", "count": 1},
        {"action": "delete", "kind": "project", "count": 1},
        {"action": "recycle", "kind": "elevation", "count": 2},
        {
            "action": "edit",
            "kind": "directory",
            "path": "Projecten 2025",
            "changes": {"name": "Projecten 2026"},
        },
    )

    result = sync_engine.sync_all(trigger=SyncTrigger.SCHEDULED)

    assert result.status is SyncStatus.COMPLETED, result.error
    assert differences(db_engine, fake.state()) == []
    assert result.counts.get("elevation.deleted", 0) >= 2
    assert_sessions_closed(fake)


def test_deleted_directory_takes_its_whole_subtree_with_it(
    sync_engine: SyncEngine, fake: FakeLogikalClient, db_engine: Engine
) -> None:
    sync_engine.sync_all(trigger=SyncTrigger.MANUAL, incremental=False)
    fake.mutate({"action": "delete", "kind": "directory", "path": "Demo Odoo"})

    result = sync_engine.sync_all(trigger=SyncTrigger.SCHEDULED)

    assert result.status is SyncStatus.COMPLETED, result.error
    assert differences(db_engine, fake.state()) == []
    with db_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM projects WHERE name = 'DOS22309'")).scalar() == 0


def test_excluded_directory_subtree_is_not_synced(
    migrated_database_url: str,
    fake_url: str,
    fake: FakeLogikalClient,
    session_factory: sessionmaker[Session],
    db_engine: Engine,
) -> None:
    settings = sync_settings(migrated_database_url, fake_url, SYNC_EXCLUDED_DIRECTORIES="Demo Odoo")
    engine = make_sync_engine(settings, session_factory, db_engine)

    result = engine.sync_all(trigger=SyncTrigger.MANUAL)

    assert result.status is SyncStatus.COMPLETED, result.error
    with db_engine.connect() as connection:
        paths = set(connection.execute(text("SELECT logikal_id FROM directories")).scalars())
        in_demo = connection.execute(
            text("SELECT count(*) FROM projects p JOIN directories d ON d.id = p.directory_id"
                 " WHERE d.logikal_id LIKE 'Demo Odoo%'")
        ).scalar()  # fmt: skip
    assert "Demo Odoo" in paths  # the excluded directory itself is known, its subtree is not walked
    assert not any(p.startswith("Demo Odoo/") for p in paths)
    assert in_demo == 0


def test_force_sync_of_one_project_fetches_everything_and_parses(
    sync_engine: SyncEngine, fake: FakeLogikalClient, session_factory: sessionmaker[Session]
) -> None:
    result = sync_engine.sync_project("DOS22309", "Demo Odoo", trigger=SyncTrigger.FORCE)

    assert result.status is SyncStatus.COMPLETED, result.error
    assert (result.phases_synced, result.elevations_synced, result.parts_lists_synced) == (2, 17, 17)
    assert result.parts_lists_failed == 0
    with session_factory() as session:
        statuses = session.scalars(
            select(Elevation.parse_status).join(Project).where(Project.name == "DOS22309")
        ).all()
        assert statuses == [ParseStatus.SUCCESS.value] * 17
        log_row = session.scalars(select(SyncLog).where(SyncLog.run_id == result.run_id)).one()
        assert log_row.status == SyncStatus.COMPLETED.value
        assert log_row.counts is not None
        assert log_row.counts["logins"] == result.counts["logins"]
    assert_sessions_closed(fake)


def test_force_sync_of_unknown_project_raises_and_records_failure(
    sync_engine: SyncEngine, session_factory: sessionmaker[Session]
) -> None:
    with pytest.raises(ProjectNotFoundError, match="DOS22410"):
        sync_engine.sync_project("NOPE", "Demo Odoo", trigger=SyncTrigger.FORCE, run_id=None)
    with session_factory() as session:
        assert session.scalar(select(SyncLog.status)) == SyncStatus.FAILED.value


def test_force_sync_reuses_a_queued_sync_log_row(
    sync_engine: SyncEngine, session_factory: sessionmaker[Session]
) -> None:
    with session_factory.begin() as session:
        session.add(SyncLog(run_id="run-1", sync_type="project", status=SyncStatus.QUEUED.value))

    result = sync_engine.sync_project("DOS22309", "Demo Odoo", trigger=SyncTrigger.FORCE, run_id="run-1")

    assert result.run_id == "run-1"
    with session_factory() as session:
        rows = session.scalars(select(SyncLog)).all()
        assert [(r.run_id, r.status) for r in rows] == [("run-1", SyncStatus.COMPLETED.value)]


def test_concurrent_force_syncs_of_one_project_run_once(
    sync_engine: SyncEngine, fake: FakeLogikalClient, session_factory: sessionmaker[Session]
) -> None:
    # the first sync holds the lock while a slow parts list keeps it busy
    fake.add_fault("latency", "/elevations/selected/parts-list", "GET", latency=0.3)
    outcomes: list[object] = []
    barrier = threading.Barrier(2)

    def force() -> None:
        barrier.wait()
        try:
            outcomes.append(sync_engine.sync_project("DOS22309", "Demo Odoo", trigger=SyncTrigger.FORCE))
        except ResourceLockedError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=force) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sorted(type(o).__name__ for o in outcomes) == ["ResourceLockedError", "SyncRunResult"]
    with session_factory() as session:
        assert (
            session.scalar(select(func.count()).select_from(Project).where(Project.name == "DOS22309")) == 1
        )
        assert session.scalar(select(func.count()).select_from(Elevation)) == 17
    assert_sessions_closed(fake)


def test_scheduled_type_run_skips_a_project_locked_by_a_force_sync(
    sync_engine: SyncEngine, db_engine: Engine
) -> None:
    sync_engine.sync_object_type(ObjectType.DIRECTORY, trigger=SyncTrigger.SCHEDULED)
    sync_engine.sync_object_type(ObjectType.PROJECT, trigger=SyncTrigger.SCHEDULED)
    with ProjectLock(db_engine).hold(project_lock_key("DOS22309", "Demo Odoo")):
        result = sync_engine.sync_object_type(ObjectType.PHASE, trigger=SyncTrigger.SCHEDULED)

    assert result.status is SyncStatus.PARTIAL
    assert result.counts["project.locked"] == 1


def test_object_type_runs_in_dependency_order_converge(
    sync_engine: SyncEngine, fake: FakeLogikalClient, db_engine: Engine
) -> None:
    for object_type in ObjectType:
        result = sync_engine.sync_object_type(object_type, trigger=SyncTrigger.SCHEDULED)
        assert result.status is SyncStatus.COMPLETED, (object_type, result.error)

    assert differences(db_engine, fake.state()) == []
    with db_engine.connect() as connection:
        pending = connection.execute(text("SELECT count(*) FROM elevations WHERE parse_status <> 'success'"))
        assert pending.scalar() == 0
    assert_sessions_closed(fake)


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


def test_invalid_sqlite_is_recorded_as_a_parse_error(
    sync_engine: SyncEngine, fake: FakeLogikalClient, session_factory: sessionmaker[Session]
) -> None:
    fake.add_fault("invalid_sqlite", "/elevations/selected/parts-list", "GET", times=1)
    fake.add_fault("truncated_sqlite", "/elevations/selected/parts-list", "GET", times=1)

    result = sync_engine.sync_project("DOS22309", "Demo Odoo", trigger=SyncTrigger.FORCE)

    assert result.status is SyncStatus.PARTIAL
    with session_factory() as session:
        failed = session.scalars(
            select(Elevation.parse_error).where(Elevation.parse_status == ParseStatus.FAILED.value)
        ).all()
        succeeded = session.scalar(
            select(func.count())
            .select_from(Elevation)
            .where(Elevation.parse_status == ParseStatus.SUCCESS.value)
        )
    assert len(failed) == 2
    assert all("SQLite" in (e or "") for e in failed)
    assert succeeded == 15


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
