"""Payload models: what Logikal sends is accepted, malformed payloads fail with a message naming the field."""

from __future__ import annotations

from typing import Any

import pytest

from middleware.logikal.errors import LogikalPayloadError
from middleware.logikal.payloads import (
    DirectoryData,
    ElevationData,
    PhaseData,
    ProjectData,
    epoch_to_datetime,
    validate_list,
)
from tests.unit.middleware.logikal.server import ELEVATIONS, PROJECT, elevation, project

ZERO = "00000000-0000-0000-0000-000000000000"


def test_real_project_payload_is_read_with_its_trailing_space() -> None:
    (item,) = validate_list(ProjectData, [project()], operation="GET /projects")
    assert (item.id, item.name, item.person_in_charge) == (PROJECT, "DOS22309", "Nick ")
    assert epoch_to_datetime(item.changed_date).year == 2025


def test_guids_are_normalised_to_lower_case_without_braces() -> None:
    (item,) = validate_list(ProjectData, [project(id="{" + PROJECT.upper() + "}")], operation="op")
    assert item.id == PROJECT


def test_phase_without_id_is_the_zero_guid_default_phase() -> None:
    items = validate_list(PhaseData, [{"name": "Default"}, {"id": "", "name": "Also"}], operation="op")
    assert [p.id for p in items] == [ZERO, ZERO]


def test_full_elevation_payload_is_read() -> None:
    (item,) = validate_list(ElevationData, [elevation(ELEVATIONS[0])], operation="op")
    assert (item.name, item.width, item.is_in_recycle_bin) == ("P01", 1200.0, False)


def test_integer_width_is_accepted_as_a_number() -> None:
    (item,) = validate_list(ElevationData, [elevation(ELEVATIONS[0], width=1200)], operation="op")
    assert item.width == 1200.0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"changedDate": None}, "changedDate"),
        ({"changedDate": "2025-01-01"}, "changedDate"),
        ({"changedDate": 1756302572000}, "changedDate"),  # milliseconds are not epoch seconds
        ({"isInRecycleBin": "no"}, "isInRecycleBin"),
        ({"amount": "1"}, "amount"),
        ({"name": ""}, "name"),
        ({"name": "P" * 10_000}, "name"),
        ({"userDescription": "x" * 1_000_000}, "userDescription"),
        ({"id": 42}, "id"),
    ],
)
def test_a_malformed_elevation_is_skipped_with_its_field_named_and_the_rest_kept(
    changes: dict[str, Any], field: str
) -> None:
    good, bad = elevation(ELEVATIONS[1]), elevation(ELEVATIONS[0], **changes)
    listing = validate_list(ElevationData, [bad, good], operation="GET /elevations")
    assert [item.id for item in listing] == [ELEVATIONS[1]]
    (rejected,) = listing.rejected
    assert rejected.index == 0
    assert field in rejected.reason
    assert "GET /elevations" in rejected.reason
    assert rejected.key == (None if field == "id" else ELEVATIONS[0])


def test_missing_required_field_is_reported() -> None:
    payload = elevation(ELEVATIONS[0])
    del payload["createdDate"]
    (rejected,) = validate_list(ElevationData, [payload], operation="op").rejected
    assert "createdDate" in rejected.reason


def test_directory_needs_a_path() -> None:
    listing = validate_list(DirectoryData, [{"name": "Demo"}, "not a dict"], operation="op")
    assert list(listing) == []
    assert [(r.index, r.key) for r in listing.rejected] == [(0, None), (1, None)]
    assert "path" in listing.rejected[0].reason


def test_a_non_list_is_refused() -> None:
    with pytest.raises(LogikalPayloadError, match="list"):
        validate_list(DirectoryData, "Demo", operation="op")
