"""The sync-intervals admin API: list, get, validated partial updates, toggle and overview."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from middleware.db.models import ObjectSyncConfig
from middleware.db.session import session_scope

pytestmark = pytest.mark.integration

BASE = "/api/v1/admin/sync-intervals"


def test_lists_the_seeded_configs_in_dependency_order(
    client: httpx.Client, admin_headers: dict[str, str]
) -> None:
    items = client.get(f"{BASE}/", headers=admin_headers).json()
    assert [i["object_type"] for i in items] == [
        "directory",
        "project",
        "phase",
        "elevation",
        "parts_list",
        "sqlite_parser",
    ]
    by_type = {i["object_type"]: i for i in items}
    assert by_type["directory"]["sync_interval_minutes"] == 240
    assert by_type["elevation"]["sync_interval_minutes"] == 30
    assert by_type["project"]["depends_on"] == ["directory"]
    assert by_type["directory"]["last_sync"] is None
    assert by_type["directory"]["is_stale"] is True
    assert client.get(BASE, headers=admin_headers).status_code == 200  # no trailing-slash redirect


def test_get_unknown_object_type_is_404(client: httpx.Client, admin_headers: dict[str, str]) -> None:
    response = client.get(f"{BASE}/nonsense", headers=admin_headers)
    assert response.status_code == 404
    assert "nonsense" in response.json()["detail"]


def test_partial_update_changes_only_the_given_fields(
    client: httpx.Client, admin_headers: dict[str, str]
) -> None:
    response = client.put(
        f"{BASE}/phase", json={"sync_interval_minutes": 45, "priority": 7}, headers=admin_headers
    )
    assert response.status_code == 200
    body = response.json()
    assert body["sync_interval_minutes"] == 45
    assert body["priority"] == 7
    assert body["is_sync_enabled"] is True
    assert body["batch_size"] == 100
    assert client.get(f"{BASE}/phase", headers=admin_headers).json()["sync_interval_minutes"] == 45


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"sync_interval_minutes": 0}, "sync_interval_minutes: Input should be greater than or equal to 1"),
        (
            {"sync_interval_minutes": 10081},
            "sync_interval_minutes: Input should be less than or equal to 10080",
        ),
        ({"sync_interval_minutes": "often"}, "sync_interval_minutes: Input should be a valid integer"),
        ({"sync_interval_minutes": 1.5}, "sync_interval_minutes: Input should be a valid integer"),
        ({"priority": 11}, "priority: Input should be less than or equal to 10"),
        ({"batch_size": 1001}, "batch_size: Input should be less than or equal to 1000"),
        ({"last_sync": "2026-01-01T00:00:00Z"}, "last_sync: Extra inputs are not permitted"),
    ],
)
def test_bad_input_is_422_with_a_clear_message(
    client: httpx.Client, admin_headers: dict[str, str], body: dict[str, Any], message: str
) -> None:
    response = client.put(f"{BASE}/directory", json=body, headers=admin_headers)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail["code"] == "VALIDATION_ERROR"
    assert detail["message"].startswith(message)
    assert client.get(f"{BASE}/directory", headers=admin_headers).json()["sync_interval_minutes"] == 240


def test_toggle_flips_enabled_and_says_so(client: httpx.Client, admin_headers: dict[str, str]) -> None:
    first = client.post(f"{BASE}/elevation/toggle", headers=admin_headers).json()
    assert first == {"success": True, "message": "Sync for Elevations disabled", "is_sync_enabled": False}
    assert client.get(f"{BASE}/elevation", headers=admin_headers).json()["is_sync_enabled"] is False
    second = client.post(f"{BASE}/elevation/toggle", headers=admin_headers).json()
    assert second["is_sync_enabled"] is True


def test_there_is_no_endpoint_that_stamps_last_sync(
    client: httpx.Client, admin_headers: dict[str, str]
) -> None:
    response = client.post(f"{BASE}/directory/sync", headers=admin_headers)
    assert response.status_code in (404, 405)
    assert client.get(f"{BASE}/directory", headers=admin_headers).json()["last_sync"] is None


def test_next_sync_is_last_sync_plus_interval(
    client: httpx.Client, admin_headers: dict[str, str], db: sessionmaker[Session]
) -> None:
    last = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)
    with session_scope(db) as session:
        session.execute(
            update(ObjectSyncConfig)
            .where(ObjectSyncConfig.object_type == "project")
            .values(last_sync=last, last_status="completed")
        )
    item = client.get(f"{BASE}/project", headers=admin_headers).json()
    assert datetime.fromisoformat(item["last_sync"]) == last
    assert datetime.fromisoformat(item["next_sync_time"]) == last + timedelta(minutes=120)
    assert item["last_status"] == "completed"
    assert item["is_stale"] is False


def test_overview_summarises_enabled_and_disabled(
    client: httpx.Client, admin_headers: dict[str, str]
) -> None:
    client.post(f"{BASE}/sqlite_parser/toggle", headers=admin_headers).raise_for_status()
    body = client.get(f"{BASE}/summary/overview", headers=admin_headers).json()
    assert body["success"] is True
    data = body["data"]
    assert (data["total_configs"], data["enabled_configs"], data["disabled_configs"]) == (6, 5, 1)
    assert set(data["configs_by_type"]) == {
        "directory",
        "project",
        "phase",
        "elevation",
        "parts_list",
        "sqlite_parser",
    }
    assert len(data["next_syncs"]) == 5
