"""Variant: the parts-list parser takes the first Elevations row whose Name contains the elevation's name,
else the first row (upstream-facts §7.8, `LIKE '%P1%'` then `LIMIT 1`): P1 gets P10's system data, and a file
lacking the elevation's row still yields content. The content post-check must fail."""

from __future__ import annotations

from middleware.sync import content, partslist
from middleware.sync.partslist import COLUMN_MAP, PartsListContent
from tests.sut_variants.entry import run_variant


def parse_first_match(data: bytes, elevation_name: str) -> PartsListContent:
    connection = partslist._open(data)
    try:
        columns = ", ".join(f'"{c}"' for c in COLUMN_MAP)
        like = f"SELECT {columns} FROM Elevations WHERE Name LIKE ? LIMIT 1"  # noqa: S608 - constant columns
        first = f"SELECT {columns} FROM Elevations LIMIT 1"  # noqa: S608 - constant columns
        row = connection.execute(like, (f"%{elevation_name}%",)).fetchone()
        row = row or connection.execute(first).fetchone()
        if row is None:
            raise partslist.PartsListError("parts list has no Elevations rows")
        pairs = zip(COLUMN_MAP.values(), row, strict=True)
        values = {target: partslist._convert(target, value) for target, value in pairs}
        glass = [
            (str(gid), None if name is None else str(name))
            for gid, name in connection.execute("SELECT GlassID, Name FROM Glass WHERE GlassID IS NOT NULL")
        ]
        tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        count = sum(
            connection.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]  # noqa: S608 - from sqlite_master
            for t in tables
            if not t.startswith("sqlite_")
        )
        return PartsListContent(values=values, glass=glass, parts_count=count)
    finally:
        connection.close()


content.parse_parts_list = parse_first_match  # type: ignore[attr-defined]

if __name__ == "__main__":
    run_variant("tests.sut_variants.prefix_parser")
