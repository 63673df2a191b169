"""Compare a middleware database with the fake's truth (`GET /_fake/state`) in plain SQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text

from fake_logikal import FakeLogikalClient

__all__ = ["api_calls", "assert_sessions_closed", "differences", "row_versions"]

Rows = dict[Any, tuple[Any, ...]]


def _epoch(value: Any) -> int | None:
    return None if value is None else int(value.timestamp())


def _truth(state: dict[str, Any]) -> dict[str, Rows]:
    return {
        "directories": {d["path"]: (d["name"], d["parent"]) for d in state["directories"]},
        "projects": {
            p["id"]: (
                p["name"],
                p["directory"],
                p["isDeleted"],
                p["changedDate"],
                p["jobNumber"],
                p["estimated"],
            )
            for p in state["projects"]
        },
        "phases": {(p["id"], p["projectId"]): (p["name"], p["description"]) for p in state["phases"]},
        "elevations": {
            e["id"]: (
                e["name"],
                e["phaseId"],
                e["projectId"],
                e["isInRecycleBin"],
                e["changedDate"],
                e["amount"],
                e["partsListSha256"],
                True,
            )
            for e in state["elevations"]
        },
    }


def _database(engine: Engine) -> dict[str, Rows]:
    with engine.connect() as connection:
        directories = connection.execute(
            text(
                "SELECT d.logikal_id, d.name, p.logikal_id FROM directories d"
                " LEFT JOIN directories p ON p.id = d.parent_id"
            )
        ).all()
        projects = connection.execute(
            text(
                "SELECT p.logikal_id, p.name, d.logikal_id, p.is_deleted, p.last_update_date,"
                " p.job_number, p.estimated"
                " FROM projects p JOIN directories d ON d.id = p.directory_id"
            )
        ).all()
        phases = connection.execute(
            text(
                "SELECT ph.logikal_id, p.logikal_id, ph.name, ph.description FROM phases ph"
                " JOIN projects p ON p.id = ph.project_id"
            )
        ).all()
        elevations = connection.execute(
            text(
                "SELECT e.logikal_id, e.name, ph.logikal_id, p.logikal_id, e.is_in_recycle_bin,"
                " e.last_update_date,"
                " e.amount, pl.sha256, t.elevation_id IS NOT NULL FROM elevations e"
                " JOIN phases ph ON ph.id = e.phase_id JOIN projects p ON p.id = e.project_id"
                " LEFT JOIN elevation_parts_lists pl ON pl.elevation_id = e.id"
                " LEFT JOIN elevation_thumbnails t ON t.elevation_id = e.id"
            )
        ).all()
    return {
        "directories": {r[0]: (r[1], r[2]) for r in directories},
        "projects": {r[0]: (r[1], r[2], r[3], _epoch(r[4]), r[5], r[6]) for r in projects},
        "phases": {(r[0], r[1]): (r[2], r[3]) for r in phases},
        "elevations": {r[0]: (r[1], r[2], r[3], r[4], _epoch(r[5]), r[6], r[7], r[8]) for r in elevations},
    }


def differences(engine: Engine, state: dict[str, Any], *, limit: int = 10) -> list[str]:
    """Human-readable differences (missing, extra, different), at most ``limit`` per table; [] when equal."""
    truth, stored = _truth(state), _database(engine)
    found: list[str] = []
    for table, expected in truth.items():
        actual = stored[table]
        problems = [f"{table}: missing {k!r}" for k in expected.keys() - actual.keys()]
        problems += [f"{table}: extra {k!r}" for k in actual.keys() - expected.keys()]
        problems += [
            f"{table}: {k!r} is {actual[k]!r}, Logikal has {expected[k]!r}"
            for k in expected.keys() & actual.keys()
            if actual[k] != expected[k]
        ]
        found += sorted(problems)[:limit]
    return found


def api_calls(fake: FakeLogikalClient) -> list[dict[str, Any]]:
    return fake.calls(limit=100_000)


def assert_sessions_closed(fake: FakeLogikalClient) -> None:
    report = fake.sessions()
    assert report["open"] == 0, report
    assert report["opened"] == report["closed"]


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
