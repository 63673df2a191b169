"""Cursor rules of the backend, through the HTTP layer (upstream-facts §1.4)."""

from __future__ import annotations

import base64
import sqlite3
import struct
import tempfile
from pathlib import Path

import pytest

from fake_logikal import DOS22309_ID, ZERO_GUID

from .conftest import THUMB_QUERY, Fake, make_fake

LEVELS = ["root", "directory", "project", "phase", "elevation"]
WORDING = {
    "directory": "This operation expects the session to be in a directory.",
    "project": "This operation expects the session to be in a project.",
    "phase": "This operation expects the session to be in a phase.",
    "elevation": "This operation expects the session to be in an elevation.",
}


def test_fresh_token_lists_root_directories(fake: Fake) -> None:
    body = fake.get("/directories", token=fake.login()).json()
    assert {"name": "Demo Odoo", "path": "Demo Odoo"} in body["data"]
    assert body["hints"] == []
    assert body["warnings"] == []


def test_directory_select_lists_children_and_projects(fake: Fake) -> None:
    token = fake.token_at("directory")
    children = fake.get("/directories", token=token).json()["data"]
    assert children == [{"name": "Sublevel 1 Testing", "path": "Demo Odoo/Sublevel 1 Testing"}]
    names = {p["name"] for p in fake.get("/projects", token=token).json()["data"]}
    assert names == {"DOS22309", "DOS22410", "DOS22269"}


def test_directory_tree_is_five_deep_and_walkable_back_up(fake: Fake) -> None:
    token = fake.token_at("directory")
    path = "Demo Odoo"
    for depth in range(1, 5):
        path = f"{path}/Sublevel {depth} Testing"
        assert fake.select(token, "directories", path).status_code == 200
    assert fake.get("/directories", token=token).json()["data"] == []
    assert fake.select(token, "directories", "Demo Odoo").status_code == 200  # re-select the parent


def test_double_slashes_are_tolerated_in_urls_and_identifiers(fake: Fake) -> None:
    token = fake.login()
    response = fake.request(
        "POST",
        "/MbioeService.svc/api/v3//directories/select",
        token=token,
        raw_path=True,
        json={"identifier": "Demo Odoo//Sublevel 1 Testing/"},
    )
    assert response.status_code == 200
    assert fake.get("//directories", token=token).json()["data"][0]["name"] == "Sublevel 2 Testing"


def test_unknown_directory_is_404(fake: Fake) -> None:
    response = fake.select(fake.login(), "directories", "Nope")
    assert response.status_code == 404
    assert response.json()["code"] == 404


@pytest.mark.parametrize("level", ["project", "phase", "elevation"])
def test_directory_select_below_directory_level_is_409_mapping(fake: Fake, level: str) -> None:
    response = fake.select(fake.token_at(level), "directories", "Demo Odoo")
    assert response.status_code == 409
    assert response.json()["errors"] == [
        "The requested resource 'Demo Odoo' cannot be set, because it isn't valid in the current mapping."
    ]


@pytest.mark.parametrize(
    ("level", "method", "path", "expected"),
    [
        ("project", "GET", "/projects", "directory"),
        ("project", "GET", "/directories", "directory"),
        ("phase", "POST", "/projects/select", "directory"),
        ("directory", "GET", "/phases", "project"),
        ("directory", "GET", "/projects/selected", "project"),
        ("phase", "POST", "/phases/select", "project"),
        ("project", "GET", "/elevations", "phase"),
        ("project", "POST", "/elevations/select", "phase"),
        ("elevation", "GET", "/elevations", "phase"),
        ("phase", "GET", "/elevations/selected/parts-list", "elevation"),
        ("phase", "GET", "/elevations/selected/thumbnail", "elevation"),
    ],
)
def test_wrong_level_is_405_with_swagger_wording(
    fake: Fake, level: str, method: str, path: str, expected: str
) -> None:
    json_body = {"identifier": DOS22309_ID} if method == "POST" else None
    response = fake.request(method, path, token=fake.token_at(level), json=json_body)
    assert response.status_code == 405
    assert response.json()["message"] == WORDING[expected]


def test_thumbnail_by_id_needs_phase_level(fake: Fake) -> None:
    token = fake.token_at("project")
    response = fake.get(f"/elevations/{DOS22309_ID}/thumbnail", token=token, params=THUMB_QUERY)
    assert response.status_code == 405
    assert response.json()["message"] == WORDING["phase"]


def test_dos22309_phases_and_elevations(fake: Fake) -> None:
    token = fake.token_at("project")
    project = fake.get("/projects/selected", token=token).json()["data"]
    assert project["name"] == "DOS22309"
    assert project["personInCharge"] == "Nick "
    phases = fake.get("/phases", token=token).json()["data"]
    assert (phases[0]["id"], phases[0]["name"]) == (ZERO_GUID, "Posities zonder levering")
    assert phases[1]["name"] == "Fase 1 (DEMO)"
    fake.select(token, "phases", ZERO_GUID)
    names = [e["name"] for e in fake.get("/elevations", token=token).json()["data"]]
    assert sorted(names) == [f"P{i:02d}" for i in range(1, 14)]
    assert names != sorted(names)
    other = fake.token_at("project")
    fake.select(other, "phases", phases[1]["id"])
    assert sorted(e["name"] for e in fake.get("/elevations", token=other).json()["data"]) == [
        "P14",
        "P15",
        "P16",
        "P17",
    ]


def test_every_project_has_the_zero_guid_default_phase(fake: Fake) -> None:
    state = fake.get("/_fake/state", params={"parts": "none"}).json()
    for project in state["projects"]:
        assert any(p["id"] == ZERO_GUID and p["projectId"] == project["id"] for p in state["phases"])


@pytest.mark.parametrize(
    ("kind", "body", "status"),
    [
        ("projects", {"identifier": "00000000-0000-0000-0000-00000000abcd"}, 404),
        ("projects", {"identifier": "not-a-guid"}, 400),
        ("projects", {"id": DOS22309_ID}, 400),
        ("projects", [1, 2], 400),
    ],
)
def test_select_validation(fake: Fake, kind: str, body: object, status: int) -> None:
    response = fake.post(f"/{kind}/select", token=fake.token_at("directory"), json=body)
    assert response.status_code == status
    assert set(response.json()) == {"message", "code", "hints", "warnings", "errors"}


def test_malformed_json_body_is_400(fake: Fake) -> None:
    response = fake.post("/projects/select", token=fake.token_at("directory"), content=b"{nope")
    assert response.status_code == 400


@pytest.mark.parametrize("token", [None, "garbage", "00000000-0000-0000-0000-000000000001"])
def test_missing_or_unknown_token_is_401(fake: Fake, token: str | None) -> None:
    assert fake.get("/directories", token=token).status_code == 401


def test_closed_token_is_401(fake: Fake) -> None:
    token = fake.login()
    assert fake.request("DELETE", "/auth", token=token).json() == {"hints": [], "warnings": []}
    assert fake.get("/directories", token=token).status_code == 401
    assert fake.request("DELETE", "/auth", token=token).status_code == 401


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"username": "admin", "password": "wrong", "erp": True}, 401),
        ({"username": "admin"}, 400),
        ({"username": "admin", "password": "admin", "erp": "yes"}, 400),
        ("admin", 400),
    ],
)
def test_login_failures(fake: Fake, body: object, status: int) -> None:
    assert fake.post("/auth", json=body).status_code == status


def test_login_with_custom_credentials() -> None:
    fake = make_fake(username="u", password="p")
    assert fake.post("/auth", json={"username": "u", "password": "p"}).status_code == 200


@pytest.mark.parametrize("missing", list(THUMB_QUERY))
def test_thumbnail_requires_all_six_parameters(fake: Fake, missing: str) -> None:
    token = fake.token_at("phase")
    elevation = fake.get("/elevations", token=token).json()["data"][0]["id"]
    params = {k: v for k, v in THUMB_QUERY.items() if k != missing}
    response = fake.get(f"/elevations/{elevation}/thumbnail", token=token, params=params)
    assert response.status_code == 400
    assert missing in response.json()["errors"][0]


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_thumbnail_is_png_keeping_the_aspect_ratio(fake: Fake) -> None:
    token = fake.token_at("phase")
    elevations = fake.get("/elevations", token=token).json()["data"]
    for elevation in elevations[:5]:
        response = fake.get(f"/elevations/{elevation['id']}/thumbnail", token=token, params=THUMB_QUERY)
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/octet-stream"
        width, height = _png_size(response.content)
        assert max(width, height) == 300
        assert min(width, height) <= 300
        assert width / height == pytest.approx(elevation["width"] / elevation["height"], rel=0.02)


def test_thumbnail_parameter_names_are_case_blind(fake: Fake) -> None:
    params = {
        "Width": "120",
        "Height": "120",
        "Format": "png",
        "View": "Exterior",
        "withDimensions": "false",
        "withDescription": "false",
    }
    response = fake.get("/elevations/selected/thumbnail", token=fake.token_at("elevation"), params=params)
    assert response.status_code == 200
    assert max(_png_size(response.content)) == 120


def test_thumbnail_of_unknown_elevation_is_404(fake: Fake) -> None:
    response = fake.get(
        f"/elevations/{DOS22309_ID}/thumbnail", token=fake.token_at("phase"), params=THUMB_QUERY
    )
    assert response.status_code == 404


def test_selected_thumbnail_at_elevation_level(fake: Fake) -> None:
    response = fake.get(
        "/elevations/selected/thumbnail", token=fake.token_at("elevation"), params=THUMB_QUERY
    )
    assert response.status_code == 200
    _png_size(response.content)


def _open_sqlite(data: bytes) -> sqlite3.Connection:
    path = Path(tempfile.mkdtemp()) / "parts.db"
    path.write_bytes(data)
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def test_parts_list_is_base64_sqlite_with_the_elevation_row(fake: Fake) -> None:
    token = fake.token_at("phase")
    elevation = fake.get("/elevations", token=token).json()["data"][0]
    fake.select(token, "elevations", elevation["id"])
    response = fake.get(
        "/elevations/selected/parts-list", token=token, headers={"Accept": "application/json"}
    )
    assert response.status_code == 200
    conn = _open_sqlite(base64.b64decode(response.json()["data"]))
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"Elevations", "Glass", "Articles", "Profiles", "Projects", "Phases"} <= tables
    assert len(tables) >= 10
    row = conn.execute(
        "SELECT ElevationID, Width_Output, SystemLongName FROM Elevations WHERE Name = ?",
        (elevation["name"],),
    ).fetchone()
    assert row == ("{" + elevation["id"].upper() + "}", elevation["width"], elevation["systemDescription"])
    assert conn.execute("SELECT COUNT(*) FROM Glass WHERE GlassID IS NOT NULL").fetchone()[0] >= 1
    conn.close()


def test_unknown_endpoint_and_projects_by_guid_are_404(fake: Fake) -> None:
    assert fake.get(f"/projects/{DOS22309_ID}", token=fake.token_at("directory")).status_code == 404
    assert fake.get("/nothing/here", raw_path=True).status_code == 404
    assert fake.request("PUT", "/auth").status_code == 405


def test_version_needs_no_auth(fake: Fake) -> None:
    data = fake.get("/version").json()["data"]
    assert data["componentVersions"][0]["version"] == "12.2.6.59"


# --- switches for uncertain behaviour -----------------------------------------------------------------------
def test_switch_get_directories_at_deeper_level_resets_to_directory() -> None:
    fake = make_fake(directories_at_deeper_level="reset")
    token = fake.token_at("phase")
    assert fake.get("/directories", token=token).json()["data"][0]["name"] == "Sublevel 1 Testing"
    assert fake.get("/projects", token=token).status_code == 200


def test_switch_stepwise_directory_select() -> None:
    fake = make_fake(deep_directory_select=False)
    token = fake.login()
    assert fake.select(token, "directories", "Demo Odoo/Sublevel 1 Testing").status_code == 409
    assert fake.select(token, "directories", "Demo Odoo").status_code == 200
    assert fake.select(token, "directories", "Demo Odoo/Sublevel 1 Testing").status_code == 200
    assert fake.select(token, "directories", "Demo Odoo").status_code == 200  # back to an ancestor


def test_switch_lenient_levels_allows_listing_below_the_level() -> None:
    fake = make_fake(strict_levels=False)
    token = fake.token_at("elevation")
    assert fake.get("/elevations", token=token).status_code == 200
    assert fake.get("/phases", token=token).status_code == 200


def test_switch_root_projects() -> None:
    fake = make_fake()
    assert fake.get("/projects", token=fake.login()).json()["data"] == []
    strict = make_fake(root_projects="405")
    assert strict.get("/projects", token=strict.login()).status_code == 405


def test_switch_hides_recycled_and_deleted() -> None:
    fake = make_fake(list_recycled_elevations=False, list_deleted_projects=False)
    fake.post("/_fake/mutate", json={"action": "recycle", "kind": "project", "name": "DOS22410"})
    fake.post(
        "/_fake/mutate", json={"action": "recycle", "kind": "elevation", "name": "P01", "project": "DOS22309"}
    )
    token = fake.token_at("phase")
    assert "P01" not in {e["name"] for e in fake.get("/elevations", token=token).json()["data"]}
    directory = fake.token_at("directory")
    assert "DOS22410" not in {p["name"] for p in fake.get("/projects", token=directory).json()["data"]}
