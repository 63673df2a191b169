"""Every fault effect and every budget, in-process; transport-level effects also over a real socket."""

from __future__ import annotations

import base64
import json
import random
import sqlite3
import time

import httpx
import pytest

from fake_logikal import API_BASE_PATH, FakeConfig, create_app, run_in_thread
from fake_logikal.faults import FaultRule, LatencySpec

from .conftest import Fake


def _add(fake: Fake, **rule: object) -> dict[str, object]:
    response = fake.post("/_fake/faults", json=rule)
    assert response.status_code == 200, response.text
    created: dict[str, object] = response.json()["faults"][0]
    return created


def test_status_fault_answers_logikal_error_body(fake: Fake) -> None:
    _add(fake, effect="status", path="/directories", status=503, message="Service Unavailable")
    response = fake.get("/directories", token=fake.login())
    assert response.status_code == 503
    assert response.json() == {
        "message": "Service Unavailable",
        "code": 503,
        "hints": [],
        "warnings": [],
        "errors": [],
    }


def test_times_budget_fails_twice_then_succeeds(fake: Fake) -> None:
    rule = _add(fake, effect="status", method="GET", path="/directories", status=502, times=2)
    token = fake.login()
    statuses = [fake.get("/directories", token=token).status_code for _ in range(4)]
    assert statuses == [502, 502, 200, 200]
    listed = fake.get("/_fake/faults").json()["faults"][0]
    assert listed["id"] == rule["id"]
    assert listed["applied"] == 2
    assert listed["remaining"] == 0


def test_method_and_glob_matching(fake: Fake) -> None:
    _add(fake, effect="status", method="POST", path="/*/select", status=500)
    token = fake.login()
    assert fake.get("/directories", token=token).status_code == 200
    assert fake.select(token, "directories", "Demo Odoo").status_code == 500


def test_token_and_level_matching(fake: Fake) -> None:
    victim, bystander = fake.token_at("phase"), fake.token_at("phase")
    _add(fake, effect="status", path="/elevations", token=victim, status=500)
    _add(fake, effect="status", path="/projects", level="directory", status=418)
    assert fake.get("/elevations", token=victim).status_code == 500
    assert fake.get("/elevations", token=bystander).status_code == 200
    assert fake.get("/projects", token=fake.token_at("directory")).status_code == 418
    assert fake.get("/projects", token=fake.token_at("project")).status_code == 405  # level did not match


def test_probability_budget_is_deterministic_per_seed() -> None:
    def pattern() -> list[int]:
        fake = Fake(create_app(FakeConfig(seed=1, parts_list_kb=(16, 16))))
        _add(fake, effect="status", path="/directories", status=500, probability=0.5, seed=42)
        token = fake.login()
        return [fake.get("/directories", token=token).status_code for _ in range(20)]

    first = pattern()
    assert first == pattern()
    assert 0 < first.count(500) < 20
    rng = random.Random(42)
    assert first == [500 if rng.random() < 0.5 else 200 for _ in range(20)]


def test_active_window_follows_the_fake_clock(fake: Fake) -> None:
    _add(fake, effect="status", path="/directories", status=503, after_s=100, for_s=50)
    token = fake.login()
    assert fake.get("/directories", token=token).status_code == 200
    fake.post("/_fake/clock", json={"advance": 120})
    assert fake.get("/directories", token=token).status_code == 503
    fake.post("/_fake/clock", json={"advance": 60})
    assert fake.get("/directories", token=token).status_code == 200


def test_latency_fixed_delays_then_answers(fake: Fake) -> None:
    _add(fake, effect="latency", path="/version", latency={"fixed": 0.2})
    started = time.perf_counter()
    assert fake.get("/version").status_code == 200
    assert time.perf_counter() - started >= 0.2
    call = fake.get("/_fake/calls", params={"path": "/version"}).json()["calls"][-1]
    assert call["duration_ms"] >= 200
    assert call["fault"].endswith(":latency")


@pytest.mark.parametrize(
    ("spec", "low", "high"),
    [
        ({"fixed": 1.5}, 1.5, 1.5),
        ({"uniform": [0.1, 0.3]}, 0.1, 0.3),
        ({"lognormal": {"mu": 0, "sigma": 0.5}}, 0, 60),
    ],
)
def test_latency_specs_draw_within_their_ranges(spec: dict[str, object], low: float, high: float) -> None:
    latency = LatencySpec.from_json(spec)
    draws = [latency.draw(random.Random(i)) for i in range(50)]
    assert all(low <= d <= high for d in draws)
    assert LatencySpec.from_json(latency.to_json()) == latency


def test_latency_may_precede_another_effect(fake: Fake) -> None:
    _add(fake, effect="status", path="/version", status=504, latency={"uniform": [0.05, 0.06]})
    started = time.perf_counter()
    assert fake.get("/version").status_code == 504
    assert time.perf_counter() - started >= 0.05


def test_hang_in_process_raises_a_read_timeout(fake: Fake) -> None:
    _add(fake, effect="hang", path="/version", hang_s=0.05)
    with pytest.raises(httpx.ReadTimeout):
        fake.get("/version")


def test_reset_in_process_raises_a_read_error(fake: Fake) -> None:
    _add(fake, effect="reset", path="/version")
    with pytest.raises(httpx.ReadError):
        fake.get("/version")
    assert fake.get("/_fake/calls").json()["calls"][-1]["status"] == 0


def test_malformed_json_is_not_json(fake: Fake) -> None:
    _add(fake, effect="malformed_json", path="/version")
    response = fake.get("/version")
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_truncated_body_in_process(fake: Fake) -> None:
    full = fake.get("/version").content
    _add(fake, effect="truncated", path="/version")
    response = fake.get("/version")
    assert response.content == full[: len(full) // 2]


def test_locked_on_select_names_the_resource(fake: Fake) -> None:
    token = fake.token_at("directory")
    _add(fake, effect="locked", method="POST", path="/projects/select", times=1)
    from fake_logikal import DOS22309_ID

    response = fake.select(token, "projects", DOS22309_ID)
    assert response.status_code == 409
    assert "in use by another user" in response.json()["errors"][0]
    assert DOS22309_ID in response.json()["errors"][0]
    assert fake.select(token, "projects", DOS22309_ID).status_code == 200


def test_session_expired_closes_the_session(fake: Fake) -> None:
    token = fake.login()
    _add(fake, effect="session_expired", path="/directories", times=1)
    assert fake.get("/directories", token=token).status_code == 401
    assert fake.get("/directories", token=token).status_code == 401  # the session is really gone
    sessions = fake.get("/_fake/sessions").json()
    assert sessions["closed"] == 1
    assert sessions["sessions"][0]["closeReason"] == "expired"


def test_rate_limit_sends_retry_after(fake: Fake) -> None:
    _add(fake, effect="rate_limit", path="/version", retry_after_s=7)
    response = fake.get("/version")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"
    assert response.json()["code"] == 429


def _count_rows(data: bytes) -> int:
    conn = sqlite3.connect(":memory:")
    try:
        conn.deserialize(data)
        return int(conn.execute("SELECT COUNT(*) FROM CalcDetailItems").fetchone()[0])
    finally:
        conn.close()


@pytest.mark.parametrize("effect", ["invalid_sqlite", "truncated_sqlite"])
def test_corrupt_parts_lists_fail_to_open(fake: Fake, effect: str, tmp_path: object) -> None:
    token = fake.token_at("elevation")
    _add(fake, effect=effect, path="/elevations/selected/parts-list")
    data = base64.b64decode(fake.get("/elevations/selected/parts-list", token=token).json()["data"])
    with pytest.raises(sqlite3.DatabaseError):
        _count_rows(data)


def test_remove_one_rule_and_clear_all(fake: Fake) -> None:
    first = _add(fake, effect="status", path="/version", status=500)
    _add(fake, effect="status", path="/auth", status=500)
    assert fake.request("DELETE", f"/_fake/faults/{first['id']}").status_code == 200
    assert fake.request("DELETE", "/_fake/faults/nope").status_code == 404
    assert fake.get("/version").status_code == 200
    assert fake.request("DELETE", "/_fake/faults").json() == {"removed": 1}


def test_invalid_rules_are_400(fake: Fake) -> None:
    assert fake.post("/_fake/faults", json={"effect": "explode"}).status_code == 400
    assert fake.post("/_fake/faults", json={"effect": "status", "bogus": 1}).status_code == 400
    assert fake.post("/_fake/faults", json={"effect": "status", "probability": 2}).status_code == 400


def test_rule_round_trips_through_json() -> None:
    rule = FaultRule.from_json({"effect": "status", "path": "/x", "times": 3}, "f9", 0.0)
    assert rule.to_json()["remaining"] == 3
    assert rule.to_json()["id"] == "f9"


# --- over a real socket --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def server() -> object:
    app = create_app(FakeConfig(seed=3, parts_list_kb=(16, 16)))
    with run_in_thread(app) as url:
        yield url, app


def test_reset_over_tcp_is_a_connection_error(server: tuple[str, object]) -> None:
    url, app = server
    app.faults.add({"effect": "reset", "path": "/version", "times": 1}, 0)  # type: ignore[attr-defined]
    with httpx.Client(base_url=url) as client:
        with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
            client.get(f"{API_BASE_PATH}/version")
        assert client.get(f"{API_BASE_PATH}/version").status_code == 200


def test_truncated_over_tcp_is_an_incomplete_body(server: tuple[str, object]) -> None:
    url, app = server
    app.faults.add({"effect": "truncated", "path": "/version", "times": 1}, 0)  # type: ignore[attr-defined]
    with httpx.Client(base_url=url) as client, pytest.raises(httpx.RemoteProtocolError):
        client.get(f"{API_BASE_PATH}/version")


def test_hang_over_tcp_lasts_until_the_client_times_out(server: tuple[str, object]) -> None:
    url, app = server
    app.faults.add({"effect": "hang", "path": "/version", "times": 1}, 0)  # type: ignore[attr-defined]
    started = time.perf_counter()
    with httpx.Client(base_url=url, timeout=0.3) as client, pytest.raises(httpx.ReadTimeout):
        client.get(f"{API_BASE_PATH}/version")
    assert time.perf_counter() - started >= 0.3
