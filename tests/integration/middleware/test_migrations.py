"""Alembic from an empty database to head, and the seeded sync configs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, inspect, text

from harness.runtime.services.base import ServiceProvider, unique_database_name
from middleware.db.migrate import current_revision, head_revision, upgrade
from tests.integration.middleware.conftest import sqlalchemy_url

pytestmark = pytest.mark.integration


@pytest.fixture
def empty_database_url(service_provider: ServiceProvider) -> Iterator[str]:
    name = unique_database_name("migrate_empty")
    url = service_provider.create_database(name)
    yield sqlalchemy_url(url)
    service_provider.drop_database(name)


def test_upgrade_from_an_empty_database_reaches_head(empty_database_url: str) -> None:
    assert current_revision(empty_database_url) is None

    upgrade(empty_database_url)

    assert current_revision(empty_database_url) == head_revision()
    engine = create_engine(empty_database_url)
    try:
        tables = set(inspect(engine).get_table_names())
        with engine.connect() as connection:
            configs = dict(
                connection.execute(
                    text("SELECT object_type, sync_interval_minutes FROM object_sync_configs")
                ).all()
            )
    finally:
        engine.dispose()
    assert {"directories", "projects", "phases", "elevations", "object_sync_configs", "sync_logs"} <= tables
    assert {"elevation_parts_lists", "elevation_thumbnails", "elevation_glass"} <= tables
    assert configs["directory"] == 240
    assert configs["project"] == 120
    assert configs["phase"] == 60
    assert configs["elevation"] == 30


def test_upgrade_twice_is_a_no_op(empty_database_url: str) -> None:
    upgrade(empty_database_url)
    upgrade(empty_database_url)
    assert current_revision(empty_database_url) == head_revision()


def test_two_projects_each_keep_their_zero_guid_default_phase(migrated_database_url: str) -> None:
    zero = "00000000-0000-0000-0000-000000000000"
    engine = create_engine(migrated_database_url)
    try:
        with engine.begin() as connection:
            for guid in ("11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"):
                project_id = connection.execute(
                    text("INSERT INTO projects (logikal_id, name) VALUES (:g, :g) RETURNING id"), {"g": guid}
                ).scalar_one()
                connection.execute(
                    text("INSERT INTO phases (logikal_id, name, project_id) VALUES (:z, 'default', :p)"),
                    {"z": zero, "p": project_id},
                )
            count = connection.execute(text("SELECT count(*) FROM phases WHERE logikal_id = :z"), {"z": zero})
            assert count.scalar() == 2
    finally:
        engine.dispose()
