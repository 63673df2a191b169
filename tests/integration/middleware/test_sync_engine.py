"""SyncEngine against real PostgreSQL and the fake: convergence, idempotency, deletions, locks, faults."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from fake_logikal import FakeLogikalClient
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
from tests.integration.middleware.truth import (
    api_calls,
    assert_sessions_closed,
    differences,
    row_versions,
)

pytestmark = pytest.mark.integration


def test_full_sync_makes_database_equal_to_logikal(
    sync_engine: SyncEngine, fake: FakeLogikalClient, db_engine: Engine
) -> None:
    result = sync_engine.sync_all(trigger=SyncTrigger.MANUAL, incremental=False)

    assert result.status is SyncStatus.COMPLETED, result.error
    assert differences(db_engine, fake.state()) == []
    assert_sessions_closed(fake)
    assert result.counts["logins"] >= 1
    assert result.counts["logikal_calls"] >= result.counts["logins"]


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


def test_force_sync_of_an_unknown_directory_writes_no_directory_rows(
    sync_engine: SyncEngine, session_factory: sessionmaker[Session]
) -> None:
    from middleware.db.models import Directory
    from middleware.errors import DirectoryNotFoundError

    for path in ("Nowhere", "Demo Odoo/Nowhere/Deeper"):
        with pytest.raises(DirectoryNotFoundError):
            sync_engine.sync_project("DOS22309", path, trigger=SyncTrigger.FORCE, run_id=None)
    with session_factory() as session:
        assert session.scalars(select(Directory.logikal_id)).all() == []
        assert set(session.scalars(select(SyncLog.status))) == {SyncStatus.FAILED.value}


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
