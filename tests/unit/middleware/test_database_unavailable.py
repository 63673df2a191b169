"""Which database errors mean "PostgreSQL is away, do the work again later" (middleware.db.session)."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError, ProgrammingError

from middleware.db.session import is_database_unavailable


class _Driver(Exception):
    pass


@pytest.mark.parametrize(
    ("error", "unavailable"),
    [
        (OperationalError("SELECT 1", {}, _Driver("connection refused")), True),
        (InterfaceError("SELECT 1", {}, _Driver("connection already closed")), True),
        (DBAPIError("SELECT 1", {}, _Driver("server closed"), connection_invalidated=True), True),
        (ProgrammingError("SELECT nope", {}, _Driver('relation "nope" does not exist')), False),
        (IntegrityError("INSERT", {}, _Driver("duplicate key")), False),
        (DBAPIError("SELECT 1", {}, _Driver("bad value")), False),
        (ValueError("not a database error"), False),
    ],
)
def test_only_lost_connections_count_as_the_database_being_away(error: Exception, unavailable: bool) -> None:
    assert is_database_unavailable(error) is unavailable
