"""Admin login, client creation and login, and that every non-health endpoint refuses anonymous callers."""

from __future__ import annotations

import re
import time
from datetime import datetime

import httpx
import jwt
import pytest
from fastapi.routing import APIRoute
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from middleware.api.app import ROUTERS
from middleware.db.models import AdminUser, Client

from .conftest import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    OdooClient,
    api_client,
    create_odoo_client,
    make_settings,
)

pytestmark = pytest.mark.integration

PUBLIC = {
    ("GET", "/"),
    ("GET", "/health"),
    ("POST", "/api/v1/admin/login"),
    ("POST", "/api/v1/client-auth/login"),
    ("GET", "/ui/login"),
    ("POST", "/ui/login"),
    ("POST", "/ui/logout"),  # exposes nothing; refused without a form token anyway
}


def test_admin_login_with_the_configured_credentials_returns_a_bearer_token(client: httpx.Client) -> None:
    response = client.post(
        "/api/v1/admin/login", json={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 8 * 3600
    verify = client.get("/api/v1/admin/verify", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert verify.json() == {"authenticated": True, "username": ADMIN_USERNAME}


@pytest.mark.parametrize(
    ("username", "password"), [(ADMIN_USERNAME, "wrong-password"), ("nobody", ADMIN_PASSWORD), ("", "")]
)
def test_admin_login_with_bad_credentials_is_401(client: httpx.Client, username: str, password: str) -> None:
    response = client.post("/api/v1/admin/login", json={"username": username, "password": password})
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid username or password"


def test_admin_login_is_refused_with_a_clear_message_when_admin_password_is_unset(
    api_database_url: str,
) -> None:
    with api_client(make_settings(api_database_url, ADMIN_PASSWORD=None)) as client:
        response = client.post(
            "/api/v1/admin/login", json={"username": ADMIN_USERNAME, "password": "anything"}
        )
    assert response.status_code == 401
    assert "ADMIN_PASSWORD is not set" in response.json()["detail"]


def test_verify_refuses_a_client_token(client: httpx.Client, odoo: OdooClient) -> None:
    assert client.get("/api/v1/admin/verify", headers=odoo.headers).status_code == 401


def test_created_client_logs_in_with_its_permissions(
    client: httpx.Client, admin_headers: dict[str, str]
) -> None:
    created = client.post(
        "/api/v1/admin/clients",
        json={"client_id": "odoo-prod", "name": "Odoo production", "description": "ERP"},
        headers=admin_headers,
    ).json()
    assert len(created["client_secret"]) == 32
    login = client.post(
        "/api/v1/client-auth/login",
        json={"client_id": "odoo-prod", "client_secret": created["client_secret"]},
    )
    assert login.status_code == 200
    body = login.json()
    assert body["token_type"] == "bearer"
    assert body["client_info"] == {
        "client_id": "odoo-prod",
        "name": "Odoo production",
        "permissions": ["projects:read", "elevations:read"],
        "rate_limit_per_hour": 1000,
    }
    listed = client.get("/api/v1/admin/clients", headers=admin_headers).json()
    assert [c["client_id"] for c in listed] == ["odoo-prod"]
    assert "client_secret" not in listed[0]
    assert "client_secret_hash" not in listed[0]


def test_client_login_with_a_wrong_secret_is_401_invalid_credentials(
    client: httpx.Client, odoo: OdooClient
) -> None:
    for client_id, secret in ((odoo.client_id, "wrong"), ("unknown-client", odoo.secret)):
        response = client.post(
            "/api/v1/client-auth/login", json={"client_id": client_id, "client_secret": secret}
        )
        assert response.status_code == 401
        assert response.json()["detail"]["code"] == "INVALID_CREDENTIALS"


def test_duplicate_client_id_is_400(
    client: httpx.Client, admin_headers: dict[str, str], odoo: OdooClient
) -> None:
    response = client.post(
        "/api/v1/admin/clients", json={"client_id": odoo.client_id, "name": "again"}, headers=admin_headers
    )
    assert response.status_code == 400
    assert response.json()["detail"]["code"] == "CLIENT_ID_EXISTS"


def test_deleted_client_token_stops_working(
    client: httpx.Client, admin_headers: dict[str, str], odoo: OdooClient
) -> None:
    assert client.get("/api/v1/odoo/projects", headers=odoo.headers).status_code == 200
    assert client.delete(f"/api/v1/admin/clients/{odoo.client_id}", headers=admin_headers).status_code == 200
    assert client.get("/api/v1/odoo/projects", headers=odoo.headers).status_code == 401


def test_open_registration_is_refused_but_admins_may_register(
    client: httpx.Client, admin_headers: dict[str, str]
) -> None:
    body = {"client_id": "self-made", "name": "x", "permissions": ["admin:write"]}
    assert client.post("/api/v1/client-auth/register", json=body).status_code == 401
    assert client.post("/api/v1/client-auth/register", json=body, headers=admin_headers).status_code == 201


def test_missing_permission_is_403_with_the_permission_named(
    client: httpx.Client, admin_headers: dict[str, str]
) -> None:
    limited = create_odoo_client(client, admin_headers, "projects-only", permissions=["projects:read"])
    assert client.get("/api/v1/odoo/projects", headers=limited.headers).status_code == 200
    response = client.get(
        "/api/v1/elevations/bbbbbbbb-0000-4000-8000-000000000001/thumbnail", headers=limited.headers
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "Permission 'elevations:read' required"


def test_every_endpoint_except_health_and_login_refuses_anonymous_callers(client: httpx.Client) -> None:
    routes = [r for router in ROUTERS for r in router.routes if isinstance(r, APIRoute)]
    checked = 0
    for route in routes:
        path = re.sub(r"\{[^}]+\}", "x", route.path)
        for method in route.methods - {"HEAD"}:
            if (method, route.path) in PUBLIC or route.path.startswith("/api/v1/health"):
                continue
            response = client.request(method, path, json={})
            checked += 1
            if route.path.startswith("/ui"):
                assert response.status_code == 303, (method, route.path, response.status_code)
                assert response.headers["location"] == "/ui/login"
            else:
                assert response.status_code == 401, (method, route.path, response.status_code, response.text)
    assert checked >= 25


def test_admin_and_client_secrets_are_stored_only_as_argon2_hashes(
    client: httpx.Client, odoo: OdooClient, db: sessionmaker[Session]
) -> None:
    with db() as session:
        admin = session.scalars(select(AdminUser).where(AdminUser.username == ADMIN_USERNAME)).one()
        stored = session.scalars(select(Client).where(Client.client_id == odoo.client_id)).one()
    assert admin.password_hash.startswith("$argon2")
    assert ADMIN_PASSWORD not in admin.password_hash
    assert stored.client_secret_hash.startswith("$argon2")
    assert odoo.secret not in stored.client_secret_hash


def test_tokens_expire_in_real_time_even_when_the_clock_is_warped(api_database_url: str) -> None:
    real_now = time.time()
    warped = make_settings(api_database_url, CLOCK_SPEED=10.0, CLOCK_ANCHOR=real_now - 1000)  # +9000 s ahead
    with api_client(warped) as client:
        body = client.post(
            "/api/v1/admin/login", json={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD}
        ).json()
        virtual_now = datetime.fromisoformat(client.get("/api/v1/health").json()["timestamp"]).timestamp()
        verify = client.get(
            "/api/v1/admin/verify", headers={"Authorization": f"Bearer {body['access_token']}"}
        )
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert virtual_now - real_now > 8000  # reads follow the warped clock ...
    assert abs(claims["exp"] - (real_now + 8 * 3600)) < 60  # ... token lifetimes do not
    assert verify.status_code == 200
