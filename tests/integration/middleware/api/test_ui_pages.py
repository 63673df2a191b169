"""The /ui pages over HTTP: login with a form token, dashboard figures, interval edits and run statistics."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from middleware.db.models import SyncLog
from middleware.db.session import session_scope

from .conftest import ADMIN_PASSWORD, ADMIN_USERNAME

pytestmark = pytest.mark.integration


def _form_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', html)
    assert found, "no form token on the page"
    return found.group(1)


def _log_in(client: httpx.Client) -> str:
    token = _form_token(client.get("/ui/login").text)
    response = client.post(
        "/ui/login", data={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/ui"
    return token


def test_pages_redirect_to_login_without_a_session(client: httpx.Client) -> None:
    for path in ("/ui", "/ui/sync-intervals", "/ui/sync-runs"):
        response = client.get(path)
        assert response.status_code == 303
        assert response.headers["location"] == "/ui/login"


def test_session_cookie_is_httponly_and_samesite_strict(client: httpx.Client) -> None:
    token = _form_token(client.get("/ui/login").text)
    response = client.post(
        "/ui/login", data={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD, "csrf_token": token}
    )
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie


def test_login_without_the_form_token_is_refused(client: httpx.Client) -> None:
    client.get("/ui/login")
    response = client.post("/ui/login", data={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD})
    assert response.status_code == 403
    assert "mw_admin_session" not in client.cookies


def test_login_with_a_wrong_password_shows_an_error(client: httpx.Client) -> None:
    token = _form_token(client.get("/ui/login").text)
    response = client.post(
        "/ui/login", data={"username": ADMIN_USERNAME, "password": "nope", "csrf_token": token}
    )
    assert response.status_code == 401
    assert "Invalid username or password" in response.text


def test_dashboard_shows_counts_and_sync_types(client: httpx.Client) -> None:
    _log_in(client)
    page = client.get("/ui")
    assert page.status_code == 200
    assert 'data-count="Projects"' in page.text
    assert "Directories" in page.text
    assert "Never" in page.text


def test_interval_edit_saves_a_valid_value_and_explains_an_invalid_one(client: httpx.Client) -> None:
    token = _log_in(client)
    bad = client.post(
        "/ui/sync-intervals/directory", data={"sync_interval_minutes": "0", "csrf_token": token}
    )
    assert bad.status_code == 422
    assert "sync_interval_minutes: Input should be greater than or equal to 1" in bad.text
    words = client.post(
        "/ui/sync-intervals/directory", data={"sync_interval_minutes": "ten", "csrf_token": token}
    )
    assert words.status_code == 422
    assert "is not a whole number" in words.text
    good = client.post(
        "/ui/sync-intervals/directory", data={"sync_interval_minutes": "180", "csrf_token": token}
    )
    assert good.status_code == 303
    page = client.get("/ui/sync-intervals").text
    row = re.search(r'data-object-type="directory">.*?class="interval">(\d+)<', page, re.S)
    assert row is not None
    assert row.group(1) == "180"


def test_interval_edit_without_the_form_token_is_refused(client: httpx.Client) -> None:
    _log_in(client)
    response = client.post("/ui/sync-intervals/directory", data={"sync_interval_minutes": "5"})
    assert response.status_code == 403


def test_toggle_disables_and_enables_a_type(client: httpx.Client) -> None:
    token = _log_in(client)
    assert client.post("/ui/sync-intervals/phase/toggle", data={"csrf_token": token}).status_code == 303
    page = client.get("/ui/sync-intervals").text
    assert re.search(r'data-object-type="phase">.*?class="enabled">Disabled<', page, re.S)


def test_runs_page_shows_success_and_failure_rates_per_type(
    client: httpx.Client, db: sessionmaker[Session]
) -> None:
    started = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
    with session_scope(db) as session:
        for index, status in enumerate(["completed", "completed", "completed", "failed"]):
            session.add(
                SyncLog(
                    run_id=f"00000000-0000-4000-8000-00000000000{index}",
                    sync_type="project",
                    trigger="scheduled",
                    status=status,
                    duration_seconds=2.0 + index,
                    started_at=started,
                    message="boom" if status == "failed" else None,
                )
            )
    _log_in(client)
    page = client.get("/ui/sync-runs").text
    row = re.search(r'data-sync-type="project">(.*?)</tr>', page, re.S)
    assert row is not None
    assert 'class="success-rate">75 %<' in row.group(1)
    assert 'class="failure-rate">25 %<' in row.group(1)
    assert "3.5 s" in row.group(1)  # mean of 2, 3, 4, 5
    assert "boom" in client.get("/ui").text  # the failure is listed on the dashboard
