"""The scheduler on a real database with a manual clock: intervals, dependency order, claims, disabled."""

from __future__ import annotations

import itertools
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, sessionmaker

from middleware.clock import ManualClock
from middleware.db.models import ObjectSyncConfig, ObjectType, SyncLog, SyncStatus
from middleware.db.session import make_session_factory, session_scope
from middleware.sync.results import SyncRunResult
from middleware.worker.runs import record_run_outcome
from middleware.worker.scheduler import DEPENDENCY_ORDER, PlannedSync, SyncScheduler

pytestmark = pytest.mark.integration

BEAT = 300.0  # seconds between ticks, the upstream default
WEEK = 7 * 24 * 3600.0
START = 1_790_000_000.0
RUN_LIMIT = 1800.0  # the default hard time limit


class Inbox:
    """Collects what the scheduler dispatches; stands in for the broker, not for any of our classes."""

    def __init__(self) -> None:
        self.batches: list[list[PlannedSync]] = []
        self.lock = threading.Lock()

    def __call__(self, plans: Sequence[PlannedSync]) -> None:
        with self.lock:
            self.batches.append(list(plans))

    def take(self) -> list[PlannedSync]:
        with self.lock:
            plans = [plan for batch in self.batches for plan in batch]
            self.batches.clear()
            return plans


def _scheduler(
    factory: sessionmaker[Session], clock: ManualClock, inbox: Inbox, *, enabled: bool = True
) -> SyncScheduler:
    return SyncScheduler(
        factory, clock, background_sync_enabled=enabled, run_limit_seconds=RUN_LIMIT, dispatch=inbox
    )


def _complete(factory: sessionmaker[Session], clock: ManualClock, plan: PlannedSync) -> None:
    """What the sync task does when the engine finishes: close the run row, then record the outcome."""
    with session_scope(factory) as session:
        session.execute(
            update(SyncLog)
            .where(SyncLog.run_id == plan.run_id)
            .values(status=SyncStatus.COMPLETED.value, completed_at=clock.now())
        )
    result = SyncRunResult(run_id=plan.run_id, sync_type=plan.object_type.value, status=SyncStatus.COMPLETED)
    record_run_outcome(factory, clock, plan.object_type.value, result)


def _configs(factory: sessionmaker[Session]) -> dict[str, ObjectSyncConfig]:
    with session_scope(factory) as session:
        return {c.object_type: c for c in session.scalars(select(ObjectSyncConfig))}


def _set(factory: sessionmaker[Session], object_type: ObjectType, **values: Any) -> None:
    with session_scope(factory) as session:
        session.execute(
            update(ObjectSyncConfig).where(ObjectSyncConfig.object_type == object_type.value).values(values)
        )


@pytest.mark.slow
def test_simulated_week_respects_every_interval_and_never_syncs_a_disabled_type(
    session_factory: sessionmaker[Session],
) -> None:
    _set(session_factory, ObjectType.PHASE, is_sync_enabled=False)
    intervals = {t: timedelta(minutes=c.sync_interval_minutes) for t, c in _configs(session_factory).items()}
    clock, inbox = ManualClock(START), Inbox()
    scheduler = _scheduler(session_factory, clock, inbox)
    synced: dict[str, list[datetime]] = defaultdict(list)
    while clock.time() < START + WEEK:
        report = scheduler.tick(f"tick-{clock.time():.0f}")
        assert report.planned_types == sorted(report.planned_types, key=DEPENDENCY_ORDER.index)
        for plan in inbox.take():
            _complete(session_factory, clock, plan)
            synced[plan.object_type.value].append(clock.now())
        clock.advance(BEAT)

    assert ObjectType.PHASE.value not in synced
    beat = timedelta(seconds=BEAT)
    end = datetime.fromtimestamp(START + WEEK, tz=clock.now().tzinfo)
    for object_type in (t for t in ObjectType if t is not ObjectType.PHASE):
        times = synced[object_type.value]
        interval = intervals[object_type.value]
        assert times[0] == datetime.fromtimestamp(START, tz=times[0].tzinfo), object_type
        gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
        assert min(gaps) >= interval, object_type
        assert max([*gaps, end - times[-1]]) <= interval + beat, object_type
    assert len(synced[ObjectType.DIRECTORY.value]) == 42  # every 4 h for 7 days


def test_first_tick_enqueues_every_enabled_type_in_dependency_order(
    session_factory: sessionmaker[Session],
) -> None:
    clock, inbox = ManualClock(START), Inbox()
    report = _scheduler(session_factory, clock, inbox).tick("first")
    assert report.configs_enabled == 6
    assert report.planned_types == list(DEPENDENCY_ORDER)
    assert [len(batch) for batch in inbox.batches] == [6]
    configs = _configs(session_factory)
    assert all(c.last_attempt == clock.now() and c.last_sync is None for c in configs.values())
    with session_scope(session_factory) as session:
        rows = session.scalars(select(SyncLog).order_by(SyncLog.id)).all()
        assert [(r.sync_type, r.status, r.trigger) for r in rows] == [
            (t.value, "queued", "scheduled") for t in DEPENDENCY_ORDER
        ]


def test_interval_change_takes_effect_on_the_next_tick(session_factory: sessionmaker[Session]) -> None:
    clock, inbox = ManualClock(START), Inbox()
    scheduler = _scheduler(session_factory, clock, inbox)
    scheduler.tick("t0")
    for plan in inbox.take():
        _complete(session_factory, clock, plan)
    _set(session_factory, ObjectType.DIRECTORY, sync_interval_minutes=5)
    _set(session_factory, ObjectType.ELEVATION, sync_interval_minutes=600)
    clock.advance(BEAT)
    assert scheduler.tick("t1").planned_types == [ObjectType.DIRECTORY]
    for plan in inbox.take():
        _complete(session_factory, clock, plan)
    clock.advance(30 * 60)
    planned = scheduler.tick("t2").planned_types
    assert ObjectType.DIRECTORY in planned
    assert ObjectType.ELEVATION not in planned  # 30 min passed, its new interval is 10 h
    assert ObjectType.PARTS_LIST in planned


def test_disabled_background_sync_logs_the_line_and_enqueues_nothing(
    session_factory: sessionmaker[Session], log_events: Callable[[], list[dict[str, Any]]]
) -> None:
    clock, inbox = ManualClock(START), Inbox()
    report = _scheduler(session_factory, clock, inbox, enabled=False).tick("abc-123")
    assert report.planned == []
    assert inbox.batches == []
    events = [e["event"] for e in log_events()]
    assert "Starting smart sync scheduler task abc-123" in events
    assert any("Background sync is disabled" in e for e in events)
    assert all(c.last_attempt is None for c in _configs(session_factory).values())
    with session_scope(session_factory) as session:
        assert session.scalars(select(SyncLog)).all() == []


def test_enabled_tick_logs_the_checklist_lines(
    session_factory: sessionmaker[Session], log_events: Callable[[], list[dict[str, Any]]]
) -> None:
    _set(session_factory, ObjectType.SQLITE_PARSER, is_sync_enabled=False)
    _scheduler(session_factory, ManualClock(START), Inbox()).tick("task-42")
    events = [e["event"] for e in log_events()]
    assert "Starting smart sync scheduler task task-42" in events
    assert "Found 5 enabled sync configurations" in events
    assert not any("disabled" in e for e in events)


def test_a_queued_run_is_not_enqueued_again_until_it_finishes(session_factory: sessionmaker[Session]) -> None:
    clock, inbox = ManualClock(START), Inbox()
    scheduler = _scheduler(session_factory, clock, inbox)
    first = scheduler.tick("t0")
    clock.advance(BEAT)
    second = scheduler.tick("t1")
    assert second.planned == []
    assert second.claimed == list(DEPENDENCY_ORDER)
    directory = next(p for p in first.planned if p.object_type is ObjectType.DIRECTORY)
    _complete(session_factory, clock, directory)
    clock.advance(BEAT)
    assert scheduler.tick("t2").planned == []  # directory completed 5 min ago; the others still queued


def test_a_queued_claim_lapses_after_one_run_limit_per_type(session_factory: sessionmaker[Session]) -> None:
    clock, inbox = ManualClock(START), Inbox()
    scheduler = _scheduler(session_factory, clock, inbox)
    scheduler.tick("t0")  # nothing ever runs: the worker died with the messages
    clock.advance(RUN_LIMIT * len(DEPENDENCY_ORDER) - 1)
    assert scheduler.tick("still-waiting").planned == []
    clock.advance(2)
    assert scheduler.tick("late").planned_types == list(DEPENDENCY_ORDER)


def test_a_started_run_killed_by_the_hard_limit_is_retried_after_one_run_limit(
    session_factory: sessionmaker[Session],
) -> None:
    clock, inbox = ManualClock(START), Inbox()
    scheduler = _scheduler(session_factory, clock, inbox)
    plans = scheduler.tick("t0").planned
    for plan in plans[1:]:
        _complete(session_factory, clock, plan)
    with session_scope(session_factory) as session:  # the directory run started, then its child was killed
        session.execute(
            update(SyncLog)
            .where(SyncLog.run_id == plans[0].run_id)
            .values(status=SyncStatus.STARTED.value, started_at=clock.now())
        )
    clock.advance(RUN_LIMIT - 1)
    assert scheduler.tick("running").claimed == [ObjectType.DIRECTORY]
    clock.advance(2)
    assert ObjectType.DIRECTORY in scheduler.tick("lost").planned_types


def test_two_schedulers_ticking_at_once_enqueue_each_type_once(
    session_factory: sessionmaker[Session], db_engine: Engine
) -> None:
    clock, inbox = ManualClock(START), Inbox()
    other_factory = make_session_factory(db_engine)
    schedulers = [_scheduler(session_factory, clock, inbox), _scheduler(other_factory, clock, inbox)]
    barrier = threading.Barrier(len(schedulers))
    errors: list[BaseException] = []

    def tick(scheduler: SyncScheduler, name: str) -> None:
        barrier.wait()
        try:
            for round_ in range(3):
                scheduler.tick(f"{name}-{round_}")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=tick, args=(s, f"beat{i}")) for i, s in enumerate(schedulers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    planned = [plan.object_type for plan in inbox.take()]
    assert sorted(planned) == sorted(DEPENDENCY_ORDER)
    with session_scope(session_factory) as session:
        assert len(session.scalars(select(SyncLog)).all()) == len(DEPENDENCY_ORDER)


def test_a_failed_dispatch_releases_its_claims(session_factory: sessionmaker[Session]) -> None:
    clock = ManualClock(START)

    def broken(_plans: Sequence[PlannedSync]) -> None:
        raise ConnectionError("broker down")

    scheduler = SyncScheduler(
        session_factory, clock, background_sync_enabled=True, run_limit_seconds=RUN_LIMIT, dispatch=broken
    )
    with pytest.raises(ConnectionError):
        scheduler.tick("t0")
    with session_scope(session_factory) as session:
        assert {r.status for r in session.scalars(select(SyncLog))} == {"failed"}
    inbox = Inbox()
    clock.advance(BEAT)
    assert _scheduler(session_factory, clock, inbox).tick("t1").planned_types == list(DEPENDENCY_ORDER)


def test_last_sync_moves_only_when_a_run_completed(session_factory: sessionmaker[Session]) -> None:
    clock = ManualClock(START)
    failed = SyncRunResult(run_id="r-1", sync_type="directory", status=SyncStatus.FAILED)
    record_run_outcome(session_factory, clock, "directory", failed)
    directory = _configs(session_factory)["directory"]
    assert (directory.last_sync, directory.last_status, directory.last_run_id) == (None, "failed", "r-1")
    partial = SyncRunResult(run_id="r-2", sync_type="directory", status=SyncStatus.PARTIAL)
    record_run_outcome(session_factory, clock, "directory", partial)
    assert _configs(session_factory)["directory"].last_sync is None
    done = SyncRunResult(run_id="r-3", sync_type="directory", status=SyncStatus.COMPLETED)
    record_run_outcome(session_factory, clock, "directory", done)
    assert _configs(session_factory)["directory"].last_sync == clock.now()
