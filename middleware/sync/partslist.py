"""Parts-list parsing (upstream-facts §6): the Elevations row matched by EXACT name, and the Glass rows."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "COLUMN_MAP",
    "MAX_PARTS_LIST_BYTES",
    "PartsListContent",
    "PartsListError",
    "check_parts_list",
    "parse_parts_list",
]

MAX_PARTS_LIST_BYTES = 10 * 1024 * 1024
SQLITE_HEADER = b"SQLite format 3\x00"

# Elevations column -> elevations column
COLUMN_MAP = {
    "AutoDescription": "auto_description",
    "AutoDescriptionShort": "auto_description_short",
    "Width_Output": "width_out",
    "Width_Unit": "width_unit",
    "Height_Output": "height_out",
    "Height_Unit": "height_unit",
    "Weight_Output": "weight_out",
    "Weight_Unit": "weight_unit",
    "Area_Output": "area_output",
    "Area_Unit": "area_unit",
    "SystemCode": "system_code",
    "SystemName": "system_name",
    "SystemLongName": "system_long_name",
    "ColorBase_Long": "color_base_long",
}
_FLOATS = {"width_out", "height_out", "weight_out", "area_output"}


class PartsListError(Exception):
    """The parts list cannot be used: not SQLite, truncated, wrong schema, or no row for this elevation."""


@dataclass(frozen=True)
class PartsListContent:
    values: dict[str, Any]
    glass: list[tuple[str, str | None]] = field(default_factory=list)
    parts_count: int = 0


def _open(data: bytes) -> sqlite3.Connection:
    if not data:
        raise PartsListError("parts list is empty")
    if len(data) > MAX_PARTS_LIST_BYTES:
        raise PartsListError(f"parts list is {len(data)} bytes, more than {MAX_PARTS_LIST_BYTES}")
    if not data.startswith(SQLITE_HEADER) or len(data) < 100:
        raise PartsListError("parts list is not a SQLite 3 database")
    image = bytearray(data)
    # Logikal writes WAL-mode files; an in-memory image must say "rollback journal" (1) to be readable
    image[18:20] = b"\x01\x01"
    connection = sqlite3.connect(":memory:")
    try:
        connection.deserialize(bytes(image))
    except sqlite3.DatabaseError as exc:
        connection.close()
        raise PartsListError(f"parts list is not a readable SQLite database: {exc}") from None
    return connection


def check_parts_list(data: bytes) -> None:
    """Raise PartsListError unless ``data`` is a whole, readable SQLite file with the tables we read: a
    download failing this never replaces the stored parts list."""
    connection = _open(data)
    raw_page_size = int.from_bytes(data[16:18], "big")
    page_size = 65536 if raw_page_size == 1 else raw_page_size
    header_pages = int.from_bytes(data[28:32], "big")
    if page_size < 512 or len(data) % page_size or len(data) < header_pages * page_size:
        connection.close()
        raise PartsListError(
            f"parts list is truncated: {len(data)} bytes for {header_pages} pages of {page_size}"
        )
    try:
        verdict = [row[0] for row in connection.execute("PRAGMA quick_check")]
        if verdict != ["ok"]:
            raise PartsListError(f"parts list is a corrupt SQLite file: {'; '.join(map(str, verdict))[:300]}")
        tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        for required in ("Elevations", "Glass"):
            if required not in tables:
                raise PartsListError(f"parts list has no {required} table")
    except (sqlite3.Error, UnicodeDecodeError) as exc:  # damaged text cells decode as neither
        raise PartsListError(f"parts list is a corrupt or truncated SQLite file: {exc}") from None
    finally:
        connection.close()


def _columns(connection: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')}


def _convert(column: str, value: Any) -> Any:
    if value is None:
        return None
    if column in _FLOATS:
        try:
            return float(value)
        except (TypeError, ValueError):
            return None
    return str(value)


def parse_parts_list(data: bytes, elevation_name: str) -> PartsListContent:
    """Read the row whose Name is exactly ``elevation_name``; never a LIKE match or a first-row fallback."""
    connection = _open(data)
    try:
        tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for required in ("Elevations", "Glass"):
            if required not in tables:
                raise PartsListError(f"parts list has no {required} table")
        missing = sorted(({"Name", *COLUMN_MAP}) - _columns(connection, "Elevations"))
        if missing:
            raise PartsListError(f"Elevations table lacks columns: {', '.join(missing)}")
        if not {"GlassID", "Name"} <= _columns(connection, "Glass"):
            raise PartsListError("Glass table lacks GlassID/Name")
        select = ", ".join(f'"{c}"' for c in COLUMN_MAP)
        rows = connection.execute(
            f"SELECT {select} FROM Elevations WHERE Name = ?",  # noqa: S608 - column names are constants
            (elevation_name,),
        ).fetchall()
        if not rows:
            raise PartsListError(f"parts list has no Elevations row named {elevation_name!r}")
        if len(rows) > 1:
            raise PartsListError(f"parts list has {len(rows)} Elevations rows named {elevation_name!r}")
        values = {target: _convert(target, v) for target, v in zip(COLUMN_MAP.values(), rows[0], strict=True)}
        glass = [
            (str(gid), None if name is None else str(name))
            for gid, name in connection.execute("SELECT GlassID, Name FROM Glass WHERE GlassID IS NOT NULL")
        ]
        count = sum(
            connection.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]  # noqa: S608 - names from sqlite_master
            for t in tables
            if not t.startswith("sqlite_")
        )
        return PartsListContent(values=values, glass=glass, parts_count=count)
    except (sqlite3.Error, UnicodeDecodeError) as exc:  # damaged text cells decode as neither
        raise PartsListError(f"parts list is a corrupt or truncated SQLite file: {exc}") from None
    finally:
        connection.close()
