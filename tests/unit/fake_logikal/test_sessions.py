"""Session accounting, the concurrency cap and idle expiry."""

from __future__ import annotations

from fake_logikal.sessions import Level, SessionTable

from .conftest import Fake, make_fake


def test_accounting_counts_opened_closed_open_and_peak(fake: Fake) -> None:
    tokens = [fake.login() for _ in range(3)]
    fake.request("DELETE", "/auth", token=tokens[0])
    report = fake.get("/_fake/sessions").json()
    assert (report["opened"], report["closed"], report["open"], report["max_concurrent"]) == (3, 1, 2, 3)
    by_token = {s["token"]: s for s in report["sessions"]}
    assert by_token[tokens[0]]["closeReason"] == "logout"
    assert by_token[tokens[1]]["level"] == "root"


def test_session_detail_follows_the_cursor(fake: Fake) -> None:
    token = fake.token_at("phase")
    detail = next(s for s in fake.get("/_fake/sessions").json()["sessions"] if s["token"] == token)
    assert detail["level"] == "phase"
    assert detail["directory"] == "Demo Odoo"
    assert detail["calls"] >= 3


def test_cap_answers_401_until_a_session_closes() -> None:
    fake = make_fake(max_sessions=2)
    first, _ = fake.login(), fake.login()
    refused = fake.post("/auth", json={"username": "admin", "password": "admin"})
    assert refused.status_code == 401
    assert "maximum number of concurrent sessions" in refused.json()["message"]
    fake.request("DELETE", "/auth", token=first)
    assert fake.post("/auth", json={"username": "admin", "password": "admin"}).status_code == 200


def test_idle_expiry_uses_the_fake_clock(fake: Fake) -> None:
    fake.post("/_fake/sessions", json={"idle_timeout_s": 600})
    token = fake.login()
    fake.post("/_fake/clock", json={"advance": 500})
    assert fake.get("/directories", token=token).status_code == 200  # touching resets the idle timer
    fake.post("/_fake/clock", json={"advance": 601})
    assert fake.get("/directories", token=token).status_code == 401
    report = fake.get("/_fake/sessions").json()
    assert report["closed"] == 1
    assert report["sessions"][0]["closeReason"] == "expired"


def test_expired_sessions_free_capacity() -> None:
    fake = make_fake(max_sessions=1, session_idle_timeout_s=10)
    fake.login()
    fake.post("/_fake/clock", json={"advance": 11})
    assert fake.post("/auth", json={"username": "admin", "password": "admin"}).status_code == 200


def test_kill_all_sessions(fake: Fake) -> None:
    token = fake.login()
    assert fake.request("DELETE", "/_fake/sessions").json() == {"closed": 1}
    assert fake.get("/directories", token=token).status_code == 401


def test_table_tokens_are_deterministic_per_seed_and_generation() -> None:
    def tokens(generation: int) -> list[str]:
        table = SessionTable(5, generation, None, None)
        return [table.open("admin", 0.0).token for _ in range(3)]

    assert tokens(0) == tokens(0)
    assert tokens(0) != tokens(1)


def test_level_labels() -> None:
    assert [level.label for level in Level] == ["root", "directory", "project", "phase", "elevation"]
