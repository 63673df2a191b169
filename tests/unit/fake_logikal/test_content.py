"""Content truth: what each parts list says equals what a correct parser reads from the bytes; the traps."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from typing import Any

import pytest

from fake_logikal import DOS22309_ID, ZERO_GUID, Dataset, FakeConfig, FakeLogikalClient, run_in_thread
from fake_logikal.config import PARTS_SIZES
from fake_logikal.content import ELEVATION_COLUMNS, GLASS_COLUMNS
from fake_logikal.partslist import TABLES
from fake_logikal.truth import content_of, elevation_content

from .conftest import Fake, make_fake


def _open(data: bytes) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.deserialize(data)
    return conn


def _read(data: bytes, name: str) -> dict[str, Any]:
    """A correct parser: the row whose Name is exactly `name`, all Glass rows, every table's row count."""
    conn = _open(data)
    try:
        columns = ", ".join(f'"{c}"' for c in ELEVATION_COLUMNS)
        rows = conn.execute(f"SELECT {columns} FROM Elevations ORDER BY rowid").fetchall()  # noqa: S608
        own = [dict(zip(ELEVATION_COLUMNS, r, strict=True)) for r in rows if r[2] == name]
        glass_columns = ", ".join(GLASS_COLUMNS)
        glass = conn.execute(f"SELECT {glass_columns} FROM Glass ORDER BY rowid").fetchall()  # noqa: S608
        counts = {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in TABLES}  # noqa: S608
    finally:
        conn.close()
    return {
        "ownRow": own[0] if len(own) == 1 else None,
        "hasOwnRow": len(own) == 1,
        "elevationRows": [dict(zip(ELEVATION_COLUMNS, r, strict=True)) for r in rows],
        "glass": [dict(zip(GLASS_COLUMNS, g, strict=True)) for g in glass],
        "tableRows": counts,
        "rowCount": sum(counts.values()),
    }


@pytest.mark.parametrize("seed", [1, 7])
def test_truth_equals_what_a_correct_parser_reads_for_every_elevation(seed: int) -> None:
    dataset = Dataset(seed, "small", (16, 48), missing_row_trap=True)
    for elevation in dataset.elevations.values():
        truth = elevation_content(dataset, elevation.id)
        read = _read(dataset.parts_list(elevation.id), elevation.name)
        assert {k: truth[k] for k in read} == read, elevation.name


def test_own_row_carries_the_elevations_listing_values() -> None:
    dataset = Dataset(1, "small", (16, 16))
    elevation = next(e for e in dataset.elevations.values() if e.project_id == DOS22309_ID)
    row = elevation_content(dataset, elevation.id)["ownRow"]
    assert row["Name"] == elevation.name
    assert row["ElevationID"] == "{" + elevation.id.upper() + "}"
    assert (row["Width_Output"], row["Height_Output"]) == (elevation.width, elevation.height)
    assert row["SystemLongName"] == elevation.system_description
    assert row["ColorBase_Long"] == elevation.surface_of_base_element.name


@pytest.mark.parametrize(("seed", "size"), [(1, "small"), (2, "small"), (3, "medium"), (4, 30)])
def test_prefix_names_share_a_phase_and_their_files_hold_other_elevations_rows(
    seed: int, size: str | int
) -> None:
    dataset = Dataset(seed, size, (16, 16))
    traps = content_of(dataset, [])["traps"]
    shared = next(t for t in traps["prefixNamePhases"] if {"P1", "P10", "P11"} <= set(t["names"]))
    p1 = next(
        e for e in dataset.elevations.values() if e.project_id == shared["projectId"] and e.name == "P1"
    )
    assert p1.phase_id == shared["phaseId"]
    truth = elevation_content(dataset, p1.id)
    others = [r for r in truth["elevationRows"] if r["Name"] != "P1"]
    assert [r["Name"] for r in others] == ["P10", "P11", "P12"]
    for other in others:  # a parser that reads another row gets other system data, colour and size
        assert other["SystemCode"] != truth["ownRow"]["SystemCode"]
        assert other["ColorBase_Long"] != truth["ownRow"]["ColorBase_Long"]
    conn = _open(dataset.parts_list(p1.id))
    (picked,) = conn.execute(
        "SELECT Name FROM Elevations WHERE Name = ? OR Name LIKE ? LIMIT 1", ("P1", "%P1%")
    ).fetchone()
    conn.close()
    assert picked != "P1"


@pytest.mark.parametrize("seed", range(1, 6))
def test_zero_guid_default_phases_hold_elevations_in_several_projects(seed: int) -> None:
    dataset = Dataset(seed, "small", (16, 16))
    projects = content_of(dataset, [])["traps"]["zeroGuidPhaseProjects"]
    assert len(projects) >= 3
    assert DOS22309_ID in projects
    assert all(
        any(e.phase_id == ZERO_GUID for e in dataset.elevations.values() if e.project_id == p)
        for p in projects
    )


def test_missing_row_trap_is_off_by_default_and_changes_nothing_else() -> None:
    plain, trapped = Dataset(3, "small", (16, 16)), Dataset(3, "small", (16, 16), missing_row_trap=True)
    assert content_of(plain, [])["traps"]["missingRowElevations"] == []
    (trap_id,) = content_of(trapped, [])["traps"]["missingRowElevations"]
    truth = elevation_content(trapped, trap_id)
    assert truth["name"] == "P2"
    assert (truth["hasOwnRow"], truth["ownRow"]) == (False, None)
    assert truth["elevationRows"]  # the file holds other elevations' rows: a fallback parser takes one
    assert all(r["Name"] != "P2" for r in truth["elevationRows"])

    def without_trap(dataset: Dataset) -> list[dict[str, Any]]:
        items = dataset.to_state("none")["elevations"]
        return [{k: v for k, v in e.items() if not k.startswith("partsList")} for e in items]

    assert without_trap(plain) == without_trap(trapped)


def test_content_endpoints(fake: Fake) -> None:
    body = fake.get("/_fake/content").json()
    assert set(body) == {"seed", "version", "traps", "elevations"}
    assert len(body["elevations"]) == 100
    first = body["elevations"][0]
    assert first["partsListSha256"] is None  # parts=none by default: no bytes are built
    one = fake.get(f"/_fake/content/{first['id']}", params={"parts": "all"}).json()
    state = fake.get("/_fake/state").json()
    assert (
        one["partsListSha256"]
        == next(e for e in state["elevations"] if e["id"] == first["id"])["partsListSha256"]
    )
    assert {k: v for k, v in one.items() if not k.startswith("partsList")} == {
        k: v for k, v in first.items() if not k.startswith("partsList")
    }
    ids = [e["id"] for e in body["elevations"][:3]]
    picked = fake.get("/_fake/content", params={"ids": ",".join(ids)}).json()["elevations"]
    assert [e["id"] for e in picked] == ids
    assert fake.get("/_fake/content", params={"ids": "nope"}).status_code == 404
    assert fake.get("/_fake/content/nope").status_code == 404
    assert fake.get("/_fake/content", params={"parts": "some"}).status_code == 400


def test_editing_an_elevation_changes_its_content_truth(fake: Fake) -> None:
    def p03() -> dict[str, Any]:
        content = fake.get("/_fake/content").json()["elevations"]
        return next(e for e in content if e["name"] == "P03" and e["projectId"] == DOS22309_ID)

    before = p03()
    fake.post(
        "/_fake/mutate",
        json={
            "action": "edit",
            "kind": "elevation",
            "name": "P03",
            "project": "DOS22309",
            "changes": {"width": 1234.5},
        },
    )
    after = p03()
    assert after["revision"] == before["revision"] + 1
    assert after["ownRow"]["Width_Output"] == 1234.5
    assert after["glass"] != before["glass"]


def test_a_parts_list_can_lose_its_own_row_at_run_time(fake: Fake) -> None:
    spec = {"action": "edit", "kind": "elevation", "name": "P05", "project": "DOS22309"}
    result = fake.post("/_fake/mutate", json={**spec, "changes": {"partsListOmitsOwnRow": True}}).json()
    elevation_id = result["results"][0]["id"]
    truth = fake.get(f"/_fake/content/{elevation_id}").json()
    assert not truth["hasOwnRow"]
    assert truth["elevationRows"]
    assert all(r["Name"] != "P05" for r in truth["elevationRows"])
    assert fake.get("/_fake/content").json()["traps"]["missingRowElevations"] == [elevation_id]
    fake.post("/_fake/mutate", json={**spec, "changes": {"partsListOmitsOwnRow": False}})
    assert fake.get(f"/_fake/content/{elevation_id}").json()["hasOwnRow"]


def test_production_parts_lists_are_1_to_2_3_mb_valid_and_deterministic() -> None:
    first = Dataset(2, "small", PARTS_SIZES["production"])
    second = Dataset(2, "small", PARTS_SIZES["production"])
    ids = list(first.elevations)[:6]
    started = time.perf_counter()
    files = [first.parts_list(i) for i in ids]
    per_file = (time.perf_counter() - started) / len(ids)
    assert per_file < 1.0, per_file  # measured ~25 ms per file on a shared 2-core machine
    for elevation_id, data in zip(ids, files, strict=True):
        assert 1_000_000 <= len(data) <= 2_300_000 * 1.05, len(data)
        assert data == second.parts_list(elevation_id)
        conn = _open(data)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        conn.close()
        read = _read(data, first.elevations[elevation_id].name)
        assert read["rowCount"] == elevation_content(first, elevation_id)["rowCount"]


def test_reset_switches_parts_size_and_the_missing_row_trap() -> None:
    fake = make_fake()
    answer = fake.post("/_fake/reset", json={"parts_size": "production", "missing_row_trap": True}).json()
    assert answer["parts_list_kb"] == list(PARTS_SIZES["production"])
    assert (answer["parts_size"], answer["missing_row_trap"]) == ("production", True)
    assert fake.get("/_fake/config").json()["parts_size"] == "production"
    content = fake.get("/_fake/content").json()
    assert len(content["traps"]["missingRowElevations"]) == 1
    first = content["elevations"][0]["id"]
    one = fake.get(f"/_fake/content/{first}", params={"parts": "all"}).json()
    assert one["partsListSize"] >= 1_000_000
    back = fake.post("/_fake/reset", json={"parts_list_kb": [16, 32], "missing_row_trap": False}).json()
    assert (back["parts_list_kb"], back["parts_size"], back["missing_row_trap"]) == ([16, 32], None, False)
    assert fake.post("/_fake/reset", json={"parts_size": "huge"}).status_code == 400
    assert fake.post("/_fake/reset", json={"parts_list_kb": [1, 2]}).status_code == 400
    assert fake.post("/_fake/reset", json={"missing_row_trap": "yes"}).status_code == 400


def test_content_json_is_identical_for_one_seed() -> None:
    def dump(dataset: Dataset) -> str:
        return json.dumps(content_of(dataset, parts="all"), sort_keys=True)

    first, second = dump(Dataset(9, "small", (16, 16))), dump(Dataset(9, "small", (16, 16)))
    assert hashlib.sha256(first.encode()).hexdigest() == hashlib.sha256(second.encode()).hexdigest()


def test_client_reads_content_truth_over_http() -> None:
    with run_in_thread(FakeConfig(seed=4, parts_list_kb=(16, 16))) as url, FakeLogikalClient(url) as control:
        truth = control.content()
        assert len(truth["elevations"]) == 100
        first = truth["elevations"][0]
        assert control.elevation_content(first["id"])["ownRow"] == first["ownRow"]
        assert [e["id"] for e in control.content(ids=[first["id"]], parts="all")["elevations"]] == [
            first["id"]
        ]
        assert control.reset(parts_size="production", missing_row_trap=True)["parts_size"] == "production"
        assert len(control.content()["traps"]["missingRowElevations"]) == 1
