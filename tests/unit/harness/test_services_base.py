"""Database names and URLs used by every provider."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import HarnessError
from harness.runtime.services import LocalBinaries, LocalProvider, unique_database_name, with_database

NOWHERE = LocalBinaries(redis_server=Path("/nowhere/redis-server"), pg_bindir=Path("/nowhere/bin"))


def test_with_database_swaps_only_the_path() -> None:
    url = "postgresql://user:pw@db.example:5433/postgres?sslmode=require"
    assert with_database(url, "harness") == "postgresql://user:pw@db.example:5433/harness?sslmode=require"


def test_unique_database_names_differ_and_are_valid_identifiers() -> None:
    names = {unique_database_name("harness_test") for _ in range(100)}
    assert len(names) == 100
    assert all(name.startswith("harness_test_") and name.isidentifier() and len(name) <= 63 for name in names)


@pytest.mark.parametrize("name", ["Harness", "x; DROP DATABASE postgres", "1abc", "a" * 64, ""])
def test_unsafe_database_names_are_refused_before_any_connection(name: str) -> None:
    provider = LocalProvider(NOWHERE)
    with pytest.raises(HarnessError):
        provider.drop_database(name)


def test_urls_of_an_unstarted_provider_are_a_clear_error() -> None:
    provider = LocalProvider(NOWHERE)
    with pytest.raises(HarnessError, match="not started"):
        _ = provider.redis_url
