"""Parts-list parsing on SQLite files built here: exact names (P1, P10, P11), WAL, broken files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from middleware.sync.partslist import COLUMN_MAP, PartsListError, parse_parts_list

COLUMNS = ["ElevationID", "Name", *COLUMN_MAP]


def build(rows: list[str], *, glass: int = 2, tmp: Path | None = None, wal: bool = False) -> bytes:
    """A parts list with one Elevations row per name; each row's SystemCode is its own name."""
    if tmp is not None:
        path = tmp / "parts.db"
        connection = sqlite3.connect(path)
    else:
        connection = sqlite3.connect(":memory:")
    try:
        if wal:
            connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(f"CREATE TABLE Elevations ({', '.join(COLUMNS)})")
        connection.execute("CREATE TABLE Glass (GlassID TEXT, ElevationID TEXT, Name TEXT)")
        connection.execute("CREATE TABLE Articles (ArticleID INTEGER, Code TEXT)")
        for index, name in enumerate(rows):
            values = {c: f"{c}-{name}" for c in COLUMN_MAP}
            values.update(Width_Output=1000 + index, Height_Output="2100.5", SystemCode=name)
            connection.execute(
                f"INSERT INTO Elevations VALUES ({', '.join('?' * len(COLUMNS))})",  # noqa: S608 - placeholders
                [f"{{ID-{index}}}", name, *(values[c] for c in COLUMN_MAP)],
            )
        connection.executemany(
            "INSERT INTO Glass VALUES (?, ?, ?)", [(f"{{G{i}}}", "{E}", f"HR++ {i}") for i in range(glass)]
        )
        connection.execute("INSERT INTO Glass VALUES (NULL, '{E}', 'ignored')")
        connection.executemany("INSERT INTO Articles VALUES (?, ?)", [(i, f"A{i}") for i in range(5)])
        connection.commit()
        if tmp is not None:
            connection.close()
            return (tmp / "parts.db").read_bytes()
        return connection.serialize()
    finally:
        connection.close()


@pytest.mark.parametrize("name", ["P1", "P10", "P11"])
def test_row_is_matched_by_exact_name_never_by_prefix(name: str) -> None:
    data = build(["P10", "P11", "P1"])
    content = parse_parts_list(data, name)
    assert content.values["system_code"] == name
    assert content.values["auto_description"] == f"AutoDescription-{name}"


def test_values_are_typed_and_glass_rows_without_id_are_skipped() -> None:
    content = parse_parts_list(build(["P01"]), "P01")
    assert content.values["width_out"] == 1000.0
    assert content.values["height_out"] == 2100.5
    assert content.glass == [("{G0}", "HR++ 0"), ("{G1}", "HR++ 1")]
    assert content.parts_count == 1 + 3 + 5


def test_file_lacking_the_elevation_row_is_an_error_not_another_rows_data() -> None:
    with pytest.raises(PartsListError, match="no Elevations row named 'P1'"):
        parse_parts_list(build(["P10", "P11"]), "P1")


def test_duplicate_rows_for_one_name_are_an_error() -> None:
    with pytest.raises(PartsListError, match="2 Elevations rows"):
        parse_parts_list(build(["P1", "P1"]), "P1")


def test_wal_mode_file_is_readable(tmp_path: Path) -> None:
    data = build(["P07"], tmp=tmp_path, wal=True)
    assert data[18:20] == b"\x02\x02"
    assert parse_parts_list(data, "P07").values["system_code"] == "P07"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"This is not a SQLite database" + bytes(4096), "not a SQLite 3 database"),
        (b"SQLite format 3\x00" + bytes(20), "not a SQLite 3 database"),
    ],
)
def test_invalid_files_are_errors(data: bytes, message: str) -> None:
    with pytest.raises(PartsListError, match=message):
        parse_parts_list(data, "P1")


def test_truncated_file_is_an_error() -> None:
    full = build([f"P{i}" for i in range(400)])
    with pytest.raises(PartsListError, match="SQLite"):
        parse_parts_list(full[: len(full) * 2 // 5], "P399")


def test_missing_tables_and_columns_are_errors() -> None:
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE TABLE Elevations (Name TEXT)")
    data = connection.serialize()
    connection.execute("CREATE TABLE Glass (GlassID TEXT, Name TEXT)")
    data_with_glass = connection.serialize()
    connection.close()
    with pytest.raises(PartsListError, match="no Glass table"):
        parse_parts_list(data, "P1")
    with pytest.raises(PartsListError, match="lacks columns: Area_Output"):
        parse_parts_list(data_with_glass, "P1")
