"""Property tests: the parts-list checks and parser on arbitrary and damaged bytes only ever raise
PartsListError, and a damaged copy of a good file never passes the check."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from middleware.sync.partslist import SQLITE_HEADER, PartsListError, check_parts_list, parse_parts_list
from tests.unit.middleware.sync.test_partslist import build

SETTINGS = settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
GOOD = build(["P1", "P2", "P10"], glass=3)


def _outcome(data: bytes, name: str) -> str:
    try:
        check_parts_list(data)
    except PartsListError:
        checked = "refused"
    else:
        checked = "accepted"
    try:
        parse_parts_list(data, name)
    except PartsListError:
        return f"{checked}/unparsed"
    return f"{checked}/parsed"


@SETTINGS
@given(data=st.binary(max_size=4096), name=st.text(max_size=40))
def test_arbitrary_bytes_only_raise_parts_list_error(data: bytes, name: str) -> None:
    assert _outcome(data, name) in {"refused/unparsed", "accepted/unparsed", "accepted/parsed"}


@SETTINGS
@given(tail=st.binary(min_size=84, max_size=8192))
def test_bytes_behind_a_sqlite_header_only_raise_parts_list_error(tail: bytes) -> None:
    assert _outcome(SQLITE_HEADER + tail, "P1") != "refused/parsed"


@SETTINGS
@given(cut=st.integers(min_value=0, max_value=len(GOOD) - 1))
def test_a_truncated_good_file_is_always_refused(cut: int) -> None:
    with pytest.raises(PartsListError):
        check_parts_list(GOOD[:cut])


@SETTINGS
@given(
    flips=st.lists(
        st.tuples(
            st.integers(min_value=100, max_value=len(GOOD) - 1), st.integers(min_value=1, max_value=255)
        ),
        min_size=1,
        max_size=8,
    )
)
def test_a_corrupted_good_file_never_breaks_the_parser(flips: list[tuple[int, int]]) -> None:
    image = bytearray(GOOD)
    for offset, mask in flips:
        image[offset] ^= mask
    outcome = _outcome(bytes(image), "P1")
    # a refused file may still parse (the damage hit a page we do not read); it never raises anything else
    assert outcome in {"refused/unparsed", "refused/parsed", "accepted/unparsed", "accepted/parsed"}


def test_the_good_file_is_accepted_and_parsed() -> None:
    check_parts_list(GOOD)
    assert parse_parts_list(GOOD, "P10").values["system_code"] == "P10"


def test_a_schema_name_that_is_not_utf8_is_a_parts_list_error() -> None:
    # found by the property above in CI: one flipped byte in a table's name in sqlite_master made sqlite3
    # raise UnicodeDecodeError, which escaped the parser as a crash instead of "this parts list is unusable"
    found = re.search(rb"CREATE TABLE Elevations", GOOD)
    assert found is not None
    offset = found.start() + 3
    damaged = GOOD[:offset] + b"\xc1" + GOOD[offset + 1 :]
    with pytest.raises(PartsListError, match="corrupt"):
        parse_parts_list(damaged, "P1")
