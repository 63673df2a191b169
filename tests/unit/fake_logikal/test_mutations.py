"""Control-plane mutations change the truth, the API answers and changedDate."""

from __future__ import annotations

from typing import Any

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


def _state(fake: Fake) -> dict[str, Any]:
    state: dict[str, Any] = fake.get("/_fake/state", params={"parts": "none"}).json()
    return state


def test_deletes_at_every_level_leave_the_truth_and_content(fake: Fake) -> None:
    before = _state(fake)
    fase1 = next(p for p in before["phases"] if p["projectId"] == DOS22309_ID and p["id"] != ZERO_GUID)
    p03 = _elevation(fake, "P03")["id"]
    _mutate(fake, action="delete", kind="elevation", id=p03)
    _mutate(fake, action="delete", kind="phase", project="DOS22309", id=fase1["id"])
    _mutate(fake, action="delete", kind="project", name="DOS22410")
    _mutate(fake, action="delete", kind="directory", path="Demo Odoo/Sublevel 1 Testing")
    after = _state(fake)
    elevation_ids = {e["id"] for e in after["elevations"]}
    assert p03 not in elevation_ids
    assert not any(e["phaseId"] == fase1["id"] for e in after["elevations"])
    assert all(p["id"] != fase1["id"] for p in after["phases"])
    assert "DOS22410" not in {p["name"] for p in after["projects"]}
    assert not any(d["path"].startswith("Demo Odoo/Sublevel") for d in after["directories"])
    assert after["counts"]["elevations"] == len(after["elevations"]) < before["counts"]["elevations"]
    content_ids = {e["id"] for e in fake.get("/_fake/content").json()["elevations"]}
    assert content_ids == elevation_ids
    assert fake.get(f"/_fake/content/{p03}").status_code == 404


def test_deleting_a_directory_deletes_its_projects(fake: Fake) -> None:
    state = _state(fake)
    directory = next(p["directory"] for p in state["projects"] if not p["directory"].startswith("Demo Odoo"))
    inside = {p["id"] for p in state["projects"] if p["directory"] == directory}
    _mutate(fake, action="delete", kind="directory", path=directory)
    after = _state(fake)
    assert not inside & {p["id"] for p in after["projects"]}
    assert not inside & {e["projectId"] for e in after["elevations"]}


def test_is_deleted_and_recycle_bin_flags_show_in_the_truth_and_the_listing(fake: Fake) -> None:
    _mutate(fake, action="edit", kind="project", name="DOS22410", changes={"isDeleted": True})
    _mutate(fake, action="recycle", kind="elevation", name="P07", project="DOS22309")
    state = _state(fake)
    assert next(p for p in state["projects"] if p["name"] == "DOS22410")["isDeleted"] is True
    assert _elevation(fake, "P07")["isInRecycleBin"] is True
    token = fake.token_at("phase")
    listed = {e["name"]: e for e in fake.get("/elevations", token=token).json()["data"]}
    assert listed["P07"]["isInRecycleBin"] is True


def test_move_a_project_to_another_directory(fake: Fake) -> None:
    before = next(p for p in _state(fake)["projects"] if p["name"] == "DOS22410")
    results = _mutate(fake, action="move", kind="project", name="DOS22410", to="Projecten 2025")
    after = next(p for p in _state(fake)["projects"] if p["name"] == "DOS22410")
    assert after["directory"] == "Projecten 2025"
    assert results[0]["changedDate"] == after["changedDate"] > before["changedDate"]
    token = fake.login()
    fake.select(token, "directories", "Demo Odoo")
    assert "DOS22410" not in {p["name"] for p in fake.get("/projects", token=token).json()["data"]}
    other = fake.login()
    fake.select(other, "directories", "Projecten 2025")
    assert "DOS22410" in {p["name"] for p in fake.get("/projects", token=other).json()["data"]}


def test_move_a_directory_under_another_and_to_the_root(fake: Fake) -> None:
    _mutate(fake, action="move", kind="directory", path="Demo Odoo/Sublevel 1 Testing", to="Projecten 2025")
    paths = {d["path"]: d["parent"] for d in _state(fake)["directories"]}
    moved = "Projecten 2025/Sublevel 1 Testing"
    assert paths[moved] == "Projecten 2025"
    assert paths[moved + "/Sublevel 2 Testing"] == moved
    assert not any(p.startswith("Demo Odoo/") for p in paths)
    _mutate(fake, action="move", kind="directory", path=moved, to=None)
    paths = {d["path"]: d["parent"] for d in _state(fake)["directories"]}
    assert paths["Sublevel 1 Testing"] is None
    assert paths["Sublevel 1 Testing/Sublevel 2 Testing"] == "Sublevel 1 Testing"


def test_move_an_elevation_to_another_phase(fake: Fake) -> None:
    fase1 = next(p for p in _state(fake)["phases"] if p["projectId"] == DOS22309_ID and p["id"] != ZERO_GUID)
    before = _elevation(fake, "P02")
    _mutate(fake, action="move", kind="elevation", name="P02", project="DOS22309", to=fase1["id"])
    after = _elevation(fake, "P02")
    assert after["phaseId"] == fase1["id"]
    assert after["revision"] == before["revision"] + 1
    assert after["changedDate"] > before["changedDate"]
    token = fake.token_at("project")
    fake.select(token, "phases", fase1["id"])
    assert "P02" in {e["name"] for e in fake.get("/elevations", token=token).json()["data"]}
    content = fake.get(f"/_fake/content/{after['id']}").json()
    assert content["ownRow"]["PhaseID"] == "{" + fase1["id"].upper() + "}"


@pytest.mark.parametrize(
    "spec",
    [
        {"action": "move", "kind": "project", "name": "DOS22410"},  # no 'to'
        {"action": "move", "kind": "project", "name": "DOS22410", "to": "Nowhere"},
        {"action": "move", "kind": "phase", "project": "DOS22309", "id": ZERO_GUID, "to": "x"},
        {"action": "move", "kind": "directory", "path": "Demo Odoo", "to": "Demo Odoo/Sublevel 1 Testing"},
        {"action": "move", "kind": "elevation", "name": "P01", "project": "DOS22309", "to": "nope"},
    ],
)
def test_bad_moves_are_400(fake: Fake, spec: dict[str, object]) -> None:
    assert fake.post("/_fake/mutate", json=spec).status_code == 400
