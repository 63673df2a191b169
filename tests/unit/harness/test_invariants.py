"""Invariant checkers on hand-made snapshots: data equality, sessions, sync-window history."""

from __future__ import annotations

from typing import Any

from harness.observe.invariants import (
    SyncWindow,
    compare_with_fake,
    logins_in_flight,
    overlapping_windows,
    project_session_overlaps,
    schedule_violations,
    sessions_left_open,
)

P1, P2 = "AAAAAAAA-0000-0000-0000-000000000001", "aaaaaaaa-0000-0000-0000-000000000002"
ZERO = "00000000-0000-0000-0000-000000000000"


def _state() -> dict[str, Any]:
    return {
        "directories": [{"path": "Demo Odoo"}, {"path": "Demo Odoo/Sub"}],
        "projects": [
            {"id": P1, "changedDate": 1000, "isDeleted": False},
            {"id": P2, "changedDate": 1000, "isDeleted": True},
        ],
        "phases": [{"id": ZERO, "projectId": P1}, {"id": ZERO, "projectId": P2}],
        "elevations": [
            {"id": "e1", "changedDate": 2000, "isInRecycleBin": False},
            {"id": "e2", "changedDate": 2000, "isInRecycleBin": True},
        ],
    }


def _db() -> dict[str, list[dict[str, Any]]]:
    return {
        "directories": [{"path": "/Demo Odoo/"}, {"path": "Demo Odoo//Sub"}],
        "projects": [{"id": P1.lower(), "deleted": False, "changed": 1000}],
        "phases": [{"id": ZERO, "project_id": P1, "deleted": False}],
        "elevations": [
            {"id": "e1", "deleted": False, "changed": 2000},
            {"id": "e2", "deleted": True, "changed": 2000},
        ],
    }


def test_equal_snapshots_pass_whatever_the_guid_case_and_path_slashes() -> None:
    report = compare_with_fake(_db(), _state())
    assert report.ok, report.summary()
    assert report.summary() == "database equals the fake"


def test_missing_extra_and_duplicated_rows_are_reported() -> None:
    db = _db()
    db["elevations"] = [
        db["elevations"][0],
        db["elevations"][0],
        {"id": "ghost", "changed": 1},
    ]
    db["projects"].append({"id": P2, "deleted": False, "changed": 1000})
    db["directories"].pop()
    report = compare_with_fake(db, _state())
    assert "elevation e1 x2" in report.duplicated
    assert "elevation ghost" in report.extra
    assert f"project {P2.lower()}" in report.extra  # deleted in Logikal, live in the database
    assert "directory Demo Odoo/Sub" in report.missing
    assert not report.ok


def test_stale_rows_count_only_beyond_the_bound() -> None:
    state = _state()
    state["elevations"][0]["changedDate"] = 5000
    assert compare_with_fake(_db(), state).stale == ["elevation e1"]
    assert compare_with_fake(_db(), state, now=5100, stale_bound=600).ok
    assert compare_with_fake(_db(), state, now=9000, stale_bound=600).stale == ["elevation e1"]


def test_recycled_elevation_may_be_absent_but_not_live() -> None:
    db = _db()
    db["elevations"].pop()
    assert compare_with_fake(db, _state()).ok
    db["elevations"].append({"id": "e2", "deleted": False, "changed": 2000})
    assert compare_with_fake(db, _state()).extra == ["elevation e2"]


def test_open_sessions_are_counted() -> None:
    assert sessions_left_open({"opened": 3, "closed": 3, "open": 0}) == 0
    assert sessions_left_open({"open": 2}) == 2


def test_only_never_used_sessions_opened_by_the_kill_are_logins_in_flight() -> None:
    def session(token: str, opened: float, calls: int, closed: float | None = None) -> dict[str, Any]:
        return {"token": token, "openedAt": opened, "calls": calls, "closedAt": closed}

    sessions = {"sessions": [
        session("in-flight", 995.0, 0),  # opened just before the kill, never used: the client never knew it
        session("answered-late", 1020.0, 0),  # the login's answer came after the kill, within the slack
        session("used", 990.0, 3),  # the build used it, so it could have registered and closed it
        session("closed", 990.0, 0, closed=1001.0),
        session("later", 1100.0, 0),  # opened long after the kill: the restarted build's, a real leak
    ]}  # fmt: skip
    assert logins_in_flight(sessions, killed_at=1000.0, slack=30.0) == ["in-flight", "answered-late"]
    assert logins_in_flight({"open": 0}, killed_at=1000.0, slack=30.0) == []


def _select(token: str, start: float) -> dict[str, Any]:
    return {"method": "POST", "path": "/projects/select", "status": 200, "token": token, "start": start}


def test_two_sessions_on_one_project_at_once_are_an_overlap() -> None:
    sessions = {
        "sessions": [
            {"token": "a", "projectId": P1, "closedAt": 20.0},
            {"token": "b", "projectId": P1, "closedAt": 30.0},
            {"token": "c", "projectId": P2, "closedAt": 15.0},
        ]
    }
    calls = [_select("a", 10.0), _select("b", 15.0), _select("c", 12.0)]
    assert project_session_overlaps(sessions, calls) == [(P1.lower(), "a", "b")]
    serial = [_select("a", 10.0), _select("b", 21.0), _select("c", 12.0)]
    assert project_session_overlaps(sessions, serial) == []


def _window(run: str, start: float, end: float | None, *, target: str | None = None) -> SyncWindow:
    return SyncWindow(run, "elevation", "scheduled", target, "completed", start, end, queued=start)


def test_overlapping_windows_of_one_target() -> None:
    windows = [
        _window("1", 0, 10, target="p"),
        _window("2", 5, 12, target="p"),
        _window("3", 5, 6, target="q"),
    ]
    pairs = overlapping_windows(windows, now=100)
    assert [(a.run_id, b.run_id) for a, b in pairs] == [("1", "2")]
    assert overlapping_windows([_window("1", 0, None), _window("2", 50, 60)], now=100)


def test_runs_queued_at_the_first_tick_after_they_fall_due_are_on_time() -> None:
    # interval 100, runs last 5: due at end + 100, queued within one beat (10) after that
    windows = [_window("0", 5, 10)]
    for i in range(1, 8):
        start = windows[-1].end + 100 + 7  # type: ignore[operator]
        windows.append(_window(str(i), start, start + 5))
    until = windows[-1].end + 50  # type: ignore[operator]
    assert schedule_violations(windows, "elevation", interval=100, beat=10, since=0, until=until) == []


def test_early_late_and_missing_runs_are_reported() -> None:
    windows = [_window("a", 5, 10), _window("b", 60, 65), _window("c", 400, 405)]
    problems = schedule_violations(windows, "elevation", interval=100, beat=10, since=0, until=1000)
    assert any("ran twice" in p for p in problems)
    assert any("window missed" in p for p in problems)
    assert any("no run in the last" in p for p in problems)
    assert schedule_violations([], "elevation", interval=100, beat=10, since=0, until=1000) == [
        "elevation: no scheduled run between 0 and 1000"
    ]


def test_time_the_worker_spent_on_other_types_excuses_a_late_run() -> None:
    other = SyncWindow("x", "parts_list", "scheduled", None, "completed", 112, 300, queued=112)
    windows = [_window("a", 5, 10), other, _window("b", 305, 310)]
    assert schedule_violations(windows, "elevation", interval=100, beat=10, since=0, until=320) == []
    assert schedule_violations(windows[::2], "elevation", interval=100, beat=10, since=0, until=320)
