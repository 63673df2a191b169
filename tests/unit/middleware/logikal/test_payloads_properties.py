"""Property tests: the Logikal payload parsers on arbitrary bytes and JSON never raise anything but
LogikalPayloadError, and account for every record (kept or rejected)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from middleware.logikal.errors import LogikalPayloadError
from middleware.logikal.payloads import DirectoryData, ElevationData, PhaseData, ProjectData, validate_list

SETTINGS = settings(max_examples=300, deadline=None, database=None)
MODELS: list[type[BaseModel]] = [DirectoryData, ProjectData, PhaseData, ElevationData]
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
FIELDS = [
    "id",
    "name",
    "path",
    "createdDate",
    "changedDate",
    "isDeleted",
    "amount",
    "versionId",
    "description",
]
# records shaped like Logikal's, with every value drawn at random: most get past the shape checks
RECORDS = st.dictionaries(st.sampled_from(FIELDS), JSON | st.uuids().map(str), max_size=len(FIELDS))


def _parse(model: type[BaseModel], data: Any) -> None:
    try:
        listing = validate_list(model, data, operation="GET /x")
    except LogikalPayloadError:
        assert not isinstance(data, list)
        return
    assert len(listing) + len(listing.rejected) == len(data)
    assert all(isinstance(item, model) for item in listing)
    assert sorted(r.index for r in listing.rejected) == [r.index for r in listing.rejected]
    assert all("GET /x" in r.reason for r in listing.rejected)


@SETTINGS
@given(raw=st.binary(max_size=2048), model=st.sampled_from(MODELS))
def test_arbitrary_bytes_as_a_listing_body(raw: bytes, model: type[BaseModel]) -> None:
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return  # the transport refuses a body that is not JSON before any parser sees it
    _parse(model, data)


@SETTINGS
@given(data=JSON, model=st.sampled_from(MODELS))
def test_arbitrary_json_as_listing_data(data: Any, model: type[BaseModel]) -> None:
    _parse(model, data)


@SETTINGS
@given(records=st.lists(RECORDS | JSON, max_size=8), model=st.sampled_from(MODELS))
def test_listings_of_near_records_keep_the_valid_ones(records: list[Any], model: type[BaseModel]) -> None:
    _parse(model, records)


@pytest.mark.parametrize("model", MODELS)
def test_a_non_list_body_is_one_payload_error(model: type[BaseModel]) -> None:
    with pytest.raises(LogikalPayloadError, match="not a list"):
        validate_list(model, {"data": []}, operation="GET /x")
