"""The control plane: reset, truth, journal, loopback guard, and the typed clients."""

from __future__ import annotations

import asyncio
import hashlib

import httpx
import pytest

from fake_logikal import (
    API_BASE_PATH,
    DOS22309_ID,
    AsyncFakeLogikalClient,
    FakeConfig,
    FakeControlError,
    FakeLogikalClient,
    create_app,
    run_in_thread,
)

from .conftest import Fake, make_fake


def test_state_shape(fake: Fake) -> None:
    state = fake.get("/_fake/state").json()
    assert set(state) >= {
        "seed",
        "size",
        "version",
        "counts",
        "directories",
        "projects",
        "phases",
        "elevations",
    }
    assert state["counts"]["elevations"] == len(state["elevations"]) == 100
    assert state["directories"][0] == {"name": "Demo Odoo", "path": "Demo Odoo", "parent": None}
    project = next(p for p in state["projects"] if p["id"] == DOS22309_ID)
    assert project["directory"] == "Demo Odoo"
    assert project["changedDate"] == 1756302572
    elevation = state["elevations"][0]
    assert {"projectId", "phaseId", "partsListSha256", "partsListSize", "revision", "isInRecycleBin"} <= set(
        elevation
    )


def test_state_digest_matches_the_served_parts_list(fake: Fake) -> None:
    import base64

    token = fake.token_at("elevation")
    served = base64.b64decode(fake.get("/elevations/selected/parts-list", token=token).json()["data"])
    session = next(s for s in fake.get("/_fake/sessions").json()["sessions"] if s["token"] == token)
    truth = next(
        e for e in fake.get("/_fake/state").json()["elevations"] if e["id"] == session["elevationId"]
    )
    assert truth["partsListSha256"] == hashlib.sha256(served).hexdigest()
    assert truth["partsListSize"] == len(served)


def test_state_parts_modes(fake: Fake) -> None:
    assert (
        fake.get("/_fake/state", params={"parts": "none"}).json()["elevations"][0]["partsListSha256"] is None
    )
    assert fake.get("/_fake/state", params={"parts": "bogus"}).status_code == 400


def test_reset_changes_seed_and_size_and_drops_sessions(fake: Fake) -> None:
    token = fake.login()
    fake.post("/_fake/faults", json={"effect": "status", "path": "/version", "status": 500})
    body = fake.post("/_fake/reset", json={"seed": 9, "size": 150}).json()
    assert body["seed"] == 9
    assert body["counts"]["elevations"] == 150
    assert fake.get("/directories", token=token).status_code == 401
    assert fake.get("/version").status_code == 200  # faults cleared
    assert fake.get("/_fake/calls").json()["calls"][-1]["path"] == "/version"


def test_reset_to_same_seed_restores_the_truth(fake: Fake) -> None:
    before = fake.get("/_fake/state", params={"parts": "none"}).json()
    fake.post("/_fake/mutate", json={"action": "delete", "kind": "elevation", "count": 10})
    fake.post("/_fake/reset", json={})
    after = fake.get("/_fake/state", params={"parts": "none"}).json()
    assert before["elevations"] == after["elevations"]
    assert before["projects"] == after["projects"]


def test_journal_records_and_filters_calls(fake: Fake) -> None:
    token = fake.token_at("phase")
    calls = fake.get("/_fake/calls", params={"token": token}).json()["calls"]
    assert [c["path"] for c in calls] == [
        "/auth",
        "/directories/select",
        "/projects/select",
        "/phases/select",
    ]
    assert [c["level"] for c in calls] == [None, "root", "directory", "project"]
    assert all(c["status"] == 200 and c["duration_ms"] >= 0 and c["fault"] is None for c in calls)
    since = calls[-1]["seq"]
    fake.get("/elevations", token=token)
    newer = fake.get("/_fake/calls", params={"since": since, "method": "get", "path": "/elev*"}).json()[
        "calls"
    ]
    assert len(newer) == 1
    assert newer[0]["seq"] == since + 1
    summary = fake.get("/_fake/calls/summary").json()
    assert summary["operations"]["POST /auth"] == {"count": 1, "statuses": {"200": 1}}
    assert summary["operations"]["GET /elevations"]["count"] == 1
    fake.request("DELETE", "/_fake/calls")
    assert fake.get("/_fake/calls").json()["calls"] == []


def test_journal_is_bounded() -> None:
    fake = make_fake(journal_size=5)
    for _ in range(12):
        fake.get("/version")
    body = fake.get("/_fake/calls").json()
    assert body["total"] == 12
    assert [c["seq"] for c in body["calls"]] == [8, 9, 10, 11, 12]


def test_control_plane_refuses_non_loopback_clients_when_restricted() -> None:
    app = create_app(FakeConfig(restrict_control_to_loopback=True))
    assert Fake(app, client_host="10.1.2.3").get("/_fake/state").status_code == 403
    assert Fake(app, client_host="10.1.2.3").get("/version").status_code == 200  # the API stays open
    assert Fake(app, client_host="127.0.0.1").get("/_fake/health").status_code == 200
    assert Fake(app, client_host="::1").get("/_fake/health").status_code == 200


def test_control_plane_bad_json_is_400(fake: Fake) -> None:
    assert fake.post("/_fake/mutate", content=b"{").status_code == 400
    assert fake.post("/_fake/mutate", json=[1]).status_code == 400


def test_config_endpoint_hides_the_password(fake: Fake) -> None:
    config = fake.get("/_fake/config").json()
    assert config["password"] == "***"
    assert config["seed"] == 7


def test_sync_client_against_a_threaded_server() -> None:
    with run_in_thread(FakeConfig(seed=4, parts_list_kb=(16, 16))) as url, FakeLogikalClient(url) as control:
        assert control.health() == {"status": "ok"}
        rule = control.add_fault("status", "/version", "GET", status=503, times=1)
        assert control.list_faults()[0]["id"] == rule["id"]
        with httpx.Client(base_url=url) as api:
            assert api.get(f"{API_BASE_PATH}/version").status_code == 503
            assert api.get(f"{API_BASE_PATH}//version").status_code == 200
            token = api.post(f"{API_BASE_PATH}/auth", json={"username": "admin", "password": "admin"}).json()
        assert [c["status"] for c in control.calls(path="/version")] == [503, 200]
        assert control.call_summary()["operations"]["GET /version"]["statuses"] == {"503": 1, "200": 1}
        assert control.sessions()["open"] == 1
        assert token["data"]["token"]
        control.configure_sessions(max_sessions=3, idle_timeout_s=None)
        assert control.sessions()["max_sessions"] == 3
        assert control.close_sessions() == 1
        changed = control.mutate({"action": "edit", "kind": "elevation", "count": 2})
        assert len(changed["results"]) == 2
        assert control.set_clock(advance=3600)["offset"] > 3500
        assert control.clock()["speed"] == 1.0
        assert len(control.state(parts="none")["elevations"]) == 100
        control.remove_fault(rule["id"])
        control.add_fault("latency", "/x", latency={"fixed": 0.1})
        assert control.clear_faults() == 1
        control.clear_calls()
        assert control.calls() == []
        assert control.reset(seed=5)["seed"] == 5
        with pytest.raises(FakeControlError, match="400"):
            control.mutate({"action": "nope"})


def test_async_client_in_process() -> None:
    async def scenario() -> None:
        app = create_app(FakeConfig(seed=4, parts_list_kb=(16, 16)))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fake") as http:
            control = AsyncFakeLogikalClient(http)
            await control.add_fault("status", "/version", status=500, times=1)
            assert (await http.get(f"{API_BASE_PATH}/version")).status_code == 500
            assert len(await control.calls(path="/version")) == 1
            assert (await control.sessions())["open"] == 0
            await control.mutate({"action": "add", "kind": "project", "directory": "Demo Odoo"})
            assert (await control.state(parts="none"))["counts"]["projects"] == 11
            assert (await control.set_clock(advance=10))["offset"] >= 9
            assert await control.clear_faults() == 1  # spent rules stay listed until cleared
            assert (await control.reset(seed=6))["seed"] == 6

    asyncio.run(scenario())
