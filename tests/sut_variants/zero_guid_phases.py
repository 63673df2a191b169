"""Variant: a phase is identified by its GUID alone (upstream-facts §7.2, the global unique index
`ix_phases_logikal_id`): Logikal's zero-GUID default phase of one project replaces every other project's,
so only one project keeps its default phase. C05 must fail (phases missing from the database)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, delete
from sqlalchemy.orm import Session

from middleware.sync import tree
from middleware.sync.upserts import UpsertResult
from tests.sut_variants.entry import run_variant

_upsert_rows = tree.upsert_rows  # type: ignore[attr-defined]


def upsert_phases_by_guid_alone(
    session: Session, table: Table, key: Any, rows: Any, **options: Any
) -> UpsertResult:
    batch = list(rows)
    if table.name == "phases" and batch:
        # the last project to list a phase GUID owns it; the other project's row (and elevations) go
        session.execute(
            delete(table).where(
                table.c.logikal_id.in_([row["logikal_id"] for row in batch]),
                table.c.project_id != batch[0]["project_id"],
            )
        )
    return _upsert_rows(session, table, key, batch, **options)


tree.upsert_rows = upsert_phases_by_guid_alone  # type: ignore[attr-defined]

if __name__ == "__main__":
    run_variant("tests.sut_variants.zero_guid_phases")
