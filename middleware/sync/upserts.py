"""Idempotent writes: INSERT ... ON CONFLICT DO UPDATE ... WHERE something changed, and scoped deletes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, false, literal_column, or_, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

__all__ = ["UpsertResult", "delete_missing", "upsert_rows"]

Key = tuple[Any, ...]


@dataclass
class UpsertResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    ids: dict[Key, int] = field(default_factory=dict)  # key values -> row id, for every row given
    written: set[Key] = field(default_factory=set)  # keys of rows inserted or updated


def _dedupe(rows: Iterable[dict[str, Any]], key: Sequence[str]) -> list[dict[str, Any]]:
    by_key: dict[Key, dict[str, Any]] = {}
    for row in rows:
        by_key[tuple(row[k] for k in key)] = row  # a listing naming one object twice: the last one wins
    return list(by_key.values())


def upsert_rows(
    session: Session,
    table: Table,
    key: Sequence[str],
    rows: Iterable[dict[str, Any]],
    *,
    stamp: datetime,
    stamp_columns: Sequence[str] = (),
) -> UpsertResult:
    """Insert new rows, update changed ones (setting ``stamp_columns`` to ``stamp``), leave equal ones alone.

    Only columns present in the row dicts are compared and written, so flags the sync does not own
    (``exclude_from_sync``, parse results) are never overwritten.
    """
    batch = _dedupe(rows, key)
    result = UpsertResult()
    if not batch:
        return result
    compare = [c for c in batch[0] if c not in key]
    stamped = list(stamp_columns) + [c for c in ("created_at", "updated_at") if c in table.c]
    statement = insert(table).values([{**row, **dict.fromkeys(stamped, stamp)} for row in batch])
    changed: list[ColumnElement[bool]] = [table.c[c].is_distinct_from(statement.excluded[c]) for c in compare]
    update = {c: statement.excluded[c] for c in compare}
    update.update({c: statement.excluded[c] for c in stamped if c != "created_at"})
    upsert = statement.on_conflict_do_update(
        index_elements=list(key), set_=update, where=or_(*changed) if changed else false()
    ).returning(*(table.c[k] for k in key), literal_column("(xmax = 0)").label("was_inserted"))
    for row in session.execute(upsert):
        values = tuple(row[: len(key)])
        result.written.add(values)
        if row.was_inserted:
            result.inserted += 1
        else:
            result.updated += 1
    result.unchanged = len(batch) - result.inserted - result.updated
    keys = [tuple(r[k] for k in key) for r in batch]
    columns = [table.c[k] for k in key]
    lookup = select(table.c.id, *columns).where(tuple_(*columns).in_(keys))
    for row in session.execute(lookup):
        result.ids[tuple(row[1:])] = row[0]
    return result


def delete_missing(
    session: Session, table: Table, scope: dict[str, Any], column: str, keep: Iterable[Any]
) -> list[int]:
    """Delete rows of ``scope`` whose ``column`` is not in ``keep``; returns their ids (children cascade)."""
    conditions = [table.c[c] == v for c, v in scope.items()]
    kept = list(keep)
    if kept:
        conditions.append(table.c[column].not_in(kept))
    statement = delete(table).where(*conditions).returning(table.c.id)
    return [row[0] for row in session.execute(statement)]
