"""Unit tests of request validation: sync-config ranges and the readable 422 message."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from middleware.api.error_handlers import validation_message
from middleware.api.schemas import DEFAULT_CLIENT_PERMISSIONS, ClientCreateIn, SyncConfigUpdate


@pytest.mark.parametrize("value", [0, 10081, -5, "30", 30.5, "abc", True])
def test_interval_outside_range_or_not_an_integer_is_refused(value: Any) -> None:
    with pytest.raises(ValidationError):
        SyncConfigUpdate(sync_interval_minutes=value)


@pytest.mark.parametrize("value", [1, 30, 10080])
def test_interval_within_range_is_accepted(value: int) -> None:
    assert SyncConfigUpdate(sync_interval_minutes=value).sync_interval_minutes == value


def test_unknown_fields_are_refused_so_last_sync_cannot_be_written() -> None:
    with pytest.raises(ValidationError, match="last_sync"):
        SyncConfigUpdate.model_validate({"last_sync": "2026-01-01T00:00:00Z"})


def test_partial_update_keeps_only_the_fields_given() -> None:
    update = SyncConfigUpdate(priority=3)
    assert update.model_dump(exclude_unset=True) == {"priority": 3}


def test_validation_message_names_the_field_without_the_body_prefix() -> None:
    try:
        SyncConfigUpdate(sync_interval_minutes=10081)
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]
        message, items = validation_message(errors)
    assert message == "sync_interval_minutes: Input should be less than or equal to 10080"
    assert items == [
        {"field": "sync_interval_minutes", "message": "Input should be less than or equal to 10080"}
    ]


def test_new_client_gets_the_upstream_default_permissions() -> None:
    client = ClientCreateIn(client_id="odoo-prod", name="Odoo")
    assert client.permissions == DEFAULT_CLIENT_PERMISSIONS
