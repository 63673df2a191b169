"""Login endpoints throttle failed attempts (429 + Retry-After); each client's rate_limit_per_hour holds."""

from __future__ import annotations

import httpx
import pytest

from middleware.api.throttle import LOGIN_LIMITS

from .conftest import ADMIN_PASSWORD, ADMIN_USERNAME, create_odoo_client

pytestmark = pytest.mark.integration
TRIES = LOGIN_LIMITS["account"].count


def _assert_throttled(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert 1 <= int(response.headers["Retry-After"]) <= LOGIN_LIMITS["account"].window_seconds


def test_admin_login_is_throttled_after_repeated_failures(client: httpx.Client) -> None:
    wrong = {"username": ADMIN_USERNAME, "password": "not-the-password"}
    assert [client.post("/api/v1/admin/login", json=wrong).status_code for _ in range(TRIES)] == [401] * TRIES
    _assert_throttled(client.post("/api/v1/admin/login", json=wrong))
    right = {"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD}
    _assert_throttled(
        client.post("/api/v1/admin/login", json=right)
    )  # the account is locked for this address
    assert client.post("/api/v1/admin/login", json={"username": "other", "password": "x"}).status_code == 401


def test_successful_logins_are_not_throttled(client: httpx.Client) -> None:
    right = {"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD}
    assert {client.post("/api/v1/admin/login", json=right).status_code for _ in range(TRIES * 2)} == {200}


def test_password_spraying_from_one_address_is_throttled(client: httpx.Client) -> None:
    limit = LOGIN_LIMITS["address"].count
    codes = [
        client.post(
            "/api/v1/client-auth/login", json={"client_id": f"c-{i}", "client_secret": "x"}
        ).status_code
        for i in range(limit + 1)
    ]
    assert codes[:limit] == [401] * limit
    assert codes[limit] == 429


def test_client_login_is_throttled(client: httpx.Client, admin_headers: dict[str, str]) -> None:
    odoo = create_odoo_client(client, admin_headers, "throttled-client")
    wrong = {"client_id": odoo.client_id, "client_secret": "wrong"}
    for _ in range(TRIES):
        assert client.post("/api/v1/client-auth/login", json=wrong).status_code == 401
    _assert_throttled(client.post("/api/v1/client-auth/login", json=wrong))


def test_ui_login_form_is_throttled(client: httpx.Client) -> None:
    page = client.get("/ui/login")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    form = {"username": ADMIN_USERNAME, "password": "wrong", "csrf_token": token}
    codes = [client.post("/ui/login", data=form).status_code for _ in range(TRIES + 1)]
    assert codes == [401] * TRIES + [429]


def test_the_stored_rate_limit_per_hour_is_enforced(
    client: httpx.Client, admin_headers: dict[str, str]
) -> None:
    body = {"client_id": "limited-3", "name": "three an hour", "rate_limit_per_hour": 3}
    created = client.post("/api/v1/admin/clients", json=body, headers=admin_headers)
    assert created.status_code == 201, created.text
    login = client.post(
        "/api/v1/client-auth/login",
        json={"client_id": "limited-3", "client_secret": created.json()["client_secret"]},
    )
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    codes = [client.get("/api/v1/odoo/projects", headers=headers).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = client.get("/api/v1/odoo/stats", headers=headers)
    assert refused.status_code == 429
    # Sliding windows: an over-limit hour slides out completely within two of them.
    assert 1 <= int(refused.headers["Retry-After"]) <= 2 * 3600
    other = create_odoo_client(client, admin_headers, "unlimited-enough")
    assert client.get("/api/v1/odoo/projects", headers=other.headers).status_code == 200
