"""Variant: the project delete after a directory select is unscoped (upstream-facts §7.1, the upstream's
`query(Project).delete()` in `_clear_cached_data()`): each directory's project sync removes every other
directory's projects. C05 must fail (projects missing from the database)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session

from middleware.sync import tree
from tests.sut_variants.entry import run_variant

_delete_missing = tree.delete_missing  # type: ignore[attr-defined]


def delete_without_scope(
    session: Session, table: Table, scope: dict[str, Any], column: str, keep: Any
) -> list[int]:
    if table.name == "projects":
        scope = {}  # "Cleared cached projects, phases, and elevations due to directory change"
    return _delete_missing(session, table, scope, column, keep)


tree.delete_missing = delete_without_scope  # type: ignore[attr-defined]

if __name__ == "__main__":
    run_variant("tests.sut_variants.unscoped_delete")
