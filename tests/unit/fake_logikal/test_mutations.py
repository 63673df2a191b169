"""Control-plane mutations change the truth, the API answers and changedDate."""

from __future__ import annotations

import pytest

from fake_logikal import DOS22309_ID, ZERO_GUID

from .conftest import Fake


def _mutate(fake: Fake, **spec: object) -> list[dict[str, object]]:
    response = fake.post("/_fake/mutate", json=spec)
    assert response.status_code == 200, response.text
    results: list[dict[str, object]] = response.json()["results"]
    return results


def _elevation(fake: Fake, name: str) -> dict[str, object]:
    state = fake.get("/_fake/state").json()
    return next(e for e in state["elevations"] if e["name"] == name and e["projectId"] == DOS22309_ID)


def test_edit_elevation_bumps_changed_date_and_parts_list(fake: Fake) -> None:
    before = _elevation(fake, "P03")
    project_before = fake.get("/_fake/state", params={"parts": "none"}).json()["projects"][0]["changedDate"]
    results = _mutate(
        fake, action="edit", kind="elevation", name="P03", project="DOS22309", changes={"amount": 5.0}
    )
    after = _elevation(fake, "P03")
    assert results[0]["changedDate"] == after["changedDate"] > before["changedDate"]
    assert after["amount"] == 5.0
    assert after["revision"] == 1
    assert after["partsListSha256"] != before["partsListSha256"]
    assert after["versionId"] != before["versionId"]
    project_after = fake.get("/_fake/state", params={"parts": "none"}).json()["projects"][0]["changedDate"]
    assert project_after > project_before


def test_changed_date_comes_from_the_fake_clock(fake: Fake) -> None:
    fake.post("/_fake/clock", json={"now": 1_900_000_000})
    results = _mutate(fake, action="edit", kind="project", id=DOS22309_ID, changes={"jobNumber": "X"})
    assert 1_900_000_000 <= results[0]["changedDate"] < 1_900_000_100  # type: ignore[operator]
    token = fake.token_at("directory")
    project = next(p for p in fake.get("/projects", token=token).json()["data"] if p["id"] == DOS22309_ID)
    assert project["changedDate"] == results[0]["changedDate"]
    assert project["jobNumber"] == "X"


def test_edit_random_elevations(fake: Fake) -> None:
    results = _mutate(fake, action="edit", kind="elevation", count=5)
    assert len({r["id"] for r in results}) == 5


def test_add_elevation_appears_in_the_listing(fake: Fake) -> None:
    results = _mutate(
        fake, action="add", kind="elevation", project="DOS22309", phase=ZERO_GUID, name="R004_A"
    )
    token = fake.token_at("phase")
    listed = fake.get("/elevations", token=token).json()["data"]
    assert any(e["id"] == results[0]["id"] and e["name"] == "R004_A" for e in listed)


def test_add_and_delete_phase(fake: Fake) -> None:
    phase = _mutate(fake, action="add", kind="phase", project="DOS22309", name="Fase 2")[0]
    token = fake.token_at("project")
    assert "Fase 2" in {p["name"] for p in fake.get("/phases", token=token).json()["data"]}
    _mutate(fake, action="delete", kind="phase", project="DOS22309", id=phase["id"])
    assert fake.select(token, "phases", str(phase["id"])).status_code == 404


def test_delete_project_makes_select_404(fake: Fake) -> None:
    token = fake.token_at("directory")
    _mutate(fake, action="delete", kind="project", name="DOS22410")
    assert fake.select(token, "projects", "15782e4d-a69c-4ce5-9c17-d3060a039b2d").status_code == 404
    state = fake.get("/_fake/state", params={"parts": "none"}).json()
    assert all(e["projectId"] != "15782e4d-a69c-4ce5-9c17-d3060a039b2d" for e in state["elevations"])


def test_delete_under_a_session_answers_404(fake: Fake) -> None:
    token = fake.token_at("phase")
    _mutate(fake, action="delete", kind="project", id=DOS22309_ID)
    assert fake.get("/elevations", token=token).status_code == 404


def test_recycle_and_restore(fake: Fake) -> None:
    _mutate(fake, action="recycle", kind="elevation", name="P05", project="DOS22309")
    assert _elevation(fake, "P05")["isInRecycleBin"] is True
    _mutate(fake, action="restore", kind="elevation", name="P05", project="DOS22309")
    assert _elevation(fake, "P05")["isInRecycleBin"] is False
    result = _mutate(fake, action="recycle", kind="project", name="DOS22269")
    assert result[0]["kind"] == "project"


def test_add_and_rename_directories(fake: Fake) -> None:
    _mutate(fake, action="add", kind="directory", directory="Demo Odoo", name="Nieuw")
    token = fake.token_at("directory")
    assert "Demo Odoo/Nieuw" in {d["path"] for d in fake.get("/directories", token=token).json()["data"]}
    _mutate(fake, action="edit", kind="directory", path="Demo Odoo", changes={"name": "Demo Odoo 2"})
    state = fake.get("/_fake/state", params={"parts": "none"}).json()
    paths = {d["path"] for d in state["directories"]}
    assert "Demo Odoo 2/Sublevel 1 Testing" in paths
    assert "Demo Odoo" not in paths
    assert next(p for p in state["projects"] if p["id"] == DOS22309_ID)["directory"] == "Demo Odoo 2"


def test_several_operations_in_one_request(fake: Fake) -> None:
    response = fake.post(
        "/_fake/mutate",
        json={
            "operations": [
                {"action": "add", "kind": "project", "directory": "Demo Odoo", "name": "DOS30001"},
                {"action": "add", "kind": "elevation", "project": "DOS30001", "count": 3},
            ]
        },
    )
    assert len(response.json()["results"]) == 4
    token = fake.token_at("directory")
    assert "DOS30001" in {p["name"] for p in fake.get("/projects", token=token).json()["data"]}


@pytest.mark.parametrize(
    "spec",
    [
        {"action": "explode", "kind": "elevation"},
        {"action": "edit", "kind": "elevation"},
        {"action": "edit", "kind": "project", "name": "NOPE"},
        {"action": "edit", "kind": "elevation", "name": "P01"},  # ambiguous without project
        {"action": "edit", "kind": "project", "id": DOS22309_ID, "changes": {"colour": "red"}},
        {"action": "recycle", "kind": "phase", "count": 1},
    ],
)
def test_bad_mutations_are_400(fake: Fake, spec: dict[str, object]) -> None:
    assert fake.post("/_fake/mutate", json=spec).status_code == 400
