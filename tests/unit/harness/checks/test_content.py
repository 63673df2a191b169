"""The content check: correct parsers pass, the upstream's row-matching defects (§7.8) fail it."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from functools import cache
from typing import Any

import pytest

from fake_logikal import Dataset
from fake_logikal.truth import content_of
from harness.checks.content import VALUE_COLUMNS, ContentMismatch, MismatchKind, compare_content

Parser = Callable[[sqlite3.Connection, str], tuple[Any, ...] | None]
_SELECT = ", ".join(f'"{c}"' for c in VALUE_COLUMNS.values())


def exact(conn: sqlite3.Connection, name: str) -> tuple[Any, ...] | None:
    rows = conn.execute(f"SELECT {_SELECT} FROM Elevations WHERE Name = ?", (name,)).fetchall()  # noqa: S608
    return rows[0] if len(rows) == 1 else None


def like_then_first(conn: sqlite3.Connection, name: str) -> tuple[Any, ...] | None:
    """The upstream parser: `Name = ? OR Name LIKE ?` LIMIT 1, falling back to the first row."""
    query = f"SELECT {_SELECT} FROM Elevations WHERE Name = ? OR Name LIKE ? LIMIT 1"  # noqa: S608
    row = conn.execute(query, (name, f"%{name}%")).fetchone()
    return row or conn.execute(f"SELECT {_SELECT} FROM Elevations LIMIT 1").fetchone()  # noqa: S608


def exact_then_first(conn: sqlite3.Connection, name: str) -> tuple[Any, ...] | None:
    return exact(conn, name) or conn.execute(f"SELECT {_SELECT} FROM Elevations LIMIT 1").fetchone()  # noqa: S608


def first_row(conn: sqlite3.Connection, name: str) -> tuple[Any, ...] | None:
    return conn.execute(f"SELECT {_SELECT} FROM Elevations LIMIT 1").fetchone()  # noqa: S608


@cache
def _dataset() -> Dataset:
    return Dataset(3, "small", (16, 16), missing_row_trap=True)


@cache
def _truth() -> list[dict[str, Any]]:
    elevations: list[dict[str, Any]] = content_of(_dataset())["elevations"]
    return elevations


@cache
def _observe(parser: Parser) -> list[dict[str, Any]]:
    """What a middleware using `parser` would store: the row's values, all Glass rows, the row count."""
    dataset, rows = _dataset(), []
    for elevation in dataset.elevations.values():
        conn = sqlite3.connect(":memory:")
        conn.deserialize(dataset.parts_list(elevation.id))
        found = parser(conn, elevation.name)
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        count = sum(conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables)  # noqa: S608
        glass = [{"glass_id": g, "name": n} for g, n in conn.execute("SELECT GlassID, Name FROM Glass")]
        conn.close()
        row: dict[str, Any] = {"logikal_id": elevation.id.upper(), "parse_status": "failed"}
        if found is not None:
            row.update(dict(zip(VALUE_COLUMNS, found, strict=True)), parse_status="success")
            row.update(parts_count=count, glass=glass)
        rows.append(row)
    return rows


def _kinds(mismatches: list[ContentMismatch]) -> dict[str, MismatchKind]:
    return {m.name: m.kind for m in mismatches}


def test_an_exact_name_parser_passes() -> None:
    report = compare_content(_observe(exact), _truth(), require_parsed=True)
    assert report.ok, report.summary()
    assert report.checked == 100
    assert report.missing == report.extra == report.stale == []


def test_the_upstream_like_parser_fails_on_prefix_names() -> None:
    report = compare_content(_observe(like_then_first), _truth())
    kinds = _kinds(report.mismatches)
    p1 = next(m for m in report.mismatches if m.name == "P1")
    assert p1.kind is MismatchKind.OTHER_ROW
    assert p1.taken_from == "P10"
    assert "system_code" in {column for column, _, _ in p1.differences}
    assert kinds.get("P2") is MismatchKind.PARSED_WITHOUT_ROW  # the file without P2's row: first row taken
    assert "P1" in report.summary()


def test_a_first_row_fallback_fails_only_on_the_missing_row() -> None:
    report = compare_content(_observe(exact_then_first), _truth())
    (mismatch,) = report.mismatches
    assert (mismatch.name, mismatch.kind) == ("P2", MismatchKind.PARSED_WITHOUT_ROW)
    assert mismatch.taken_from is not None


def test_a_first_row_parser_fails_on_every_multi_row_file() -> None:
    report = compare_content(_observe(first_row), _truth())
    names = {m.name for m in report.mismatches}
    assert {"P1", "P2"} <= names
    truth = {e["name"]: e for e in _truth() if e["name"] in names}
    assert all(len(truth[name]["elevationRows"]) > 1 for name in names)


def _one(**row: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    truth = next(e for e in _truth() if e["hasOwnRow"])
    observed = next(r for r in _observe(exact) if r["logikal_id"].lower() == truth["id"])
    return {**observed, **row}, truth


def test_wrong_dimensions_parts_count_and_glass_are_reported() -> None:
    truth = next(e for e in _truth() if e["hasOwnRow"])
    good, _ = _one()
    bad = {**good, "width_out": good["width_out"] + 1, "parts_count": 3, "glass": good["glass"][:1]}
    (mismatch,) = compare_content([bad], [truth]).mismatches
    assert mismatch.kind is MismatchKind.VALUES
    assert {c for c, _, _ in mismatch.differences} == {"width_out", "parts_count", "glass"}
    assert compare_content([{**good, "width_out": good["width_out"] + 1e-9}], [truth]).ok


def test_unexposed_columns_are_not_compared_and_guids_normalise() -> None:
    good, truth = _one()
    minimal = {"logikal_id": "{" + good["logikal_id"] + "}", "system_code": good["system_code"]}
    assert compare_content([minimal], [truth]).ok
    ids = {**minimal, "glass": [g["glass_id"].strip("{}").lower() for g in good["glass"]]}
    assert compare_content([ids], [truth]).ok
    assert compare_content([{**minimal, "system_code": None}], [truth]).unparsed == [truth["id"]]
    parsed_empty = {**minimal, "system_code": None, "parse_status": "success"}
    assert not compare_content([parsed_empty], [truth]).ok


@pytest.mark.parametrize(
    ("status", "require_parsed", "kind", "unparsed"),
    [
        ("failed", False, MismatchKind.PARSE_FAILED, 0),
        ("pending", False, None, 1),
        ("pending", True, MismatchKind.UNPARSED, 0),
    ],
)
def test_parse_status(status: str, require_parsed: bool, kind: MismatchKind | None, unparsed: int) -> None:
    good, truth = _one()
    report = compare_content([{**good, "parse_status": status}], [truth], require_parsed=require_parsed)
    assert [m.kind for m in report.mismatches] == ([kind] if kind else [])
    assert len(report.unparsed) == unparsed


def test_a_failed_parse_of_a_file_without_the_row_is_right() -> None:
    truth = next(e for e in _truth() if not e["hasOwnRow"])
    row = {"logikal_id": truth["id"], "parse_status": "failed", "system_code": None}
    assert compare_content([row], [truth]).ok
    assert not compare_content([{"logikal_id": truth["id"], "system_code": "CS77"}], [truth]).ok


def test_stale_missing_and_extra_rows_are_listed_not_failed() -> None:
    good, truth = _one()
    other = next(e for e in _truth() if e["id"] != truth["id"])
    stale = {**good, "parts_sha256": "0" * 64, "width_out": -1.0}
    truth = {**truth, "partsListSha256": "1" * 64}
    report = compare_content([stale, {"logikal_id": "not-in-the-fake"}], [truth, other])
    assert report.ok
    assert report.stale == [truth["id"]]
    assert report.missing == [other["id"]]
    assert report.extra == ["not-in-the-fake"]
    assert report.checked == 0
    assert not compare_content([{**stale, "parts_sha256": "1" * 64}], [truth]).ok  # same file: compared
