"""NUL characters and over-long values from any user are a 4xx with a clear message, never a 500 or an
ERROR record (the unauthenticated logins included)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.integration

NUL = "\x00"


def _assert_clean_4xx(response: httpx.Response, caplog: pytest.LogCaptureFixture, code: int = 422) -> None:
    assert response.status_code == code, response.text
    assert "NUL" in response.text or code != 422
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]
    assert "Traceback" not in caplog.text


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/client-auth/login", {"client_id": f"odoo{NUL}", "client_secret": "x"}),
        ("/api/v1/client-auth/login", {"client_id": "odoo", "client_secret": f"x{NUL}y"}),
        ("/api/v1/admin/login", {"username": f"admin{NUL}", "password": "x"}),
        ("/api/v1/admin/login", {"username": "admin", "password": NUL}),
    ],
)
def test_nul_in_an_unauthenticated_login_body_is_422(
    client: httpx.Client, caplog: pytest.LogCaptureFixture, path: str, body: dict[str, Any]
) -> None:
    with caplog.at_level(logging.INFO):
        _assert_clean_4xx(client.post(path, json=body), caplog)


def test_nul_in_a_form_body_is_422(client: httpx.Client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        response = client.post("/ui/login", data={"username": f"a{NUL}", "password": "b", "form_token": "t"})
    _assert_clean_4xx(response, caplog)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/odoo/projects/%00",
        "/api/v1/odoo/search?q=a%00b",
        "/api/v1/sync/force/project/P%00?directory_id=Demo",
        "/api/v1/sync/force/project/DOS22309?directory_id=Demo%00Odoo",
        "/api/v1/admin/sync-intervals/dir%00ectory",
        "/api/v1/sync/runs?status=%00",
    ],
)
def test_nul_in_a_path_or_query_is_422_for_anyone(
    client: httpx.Client,
    admin_headers: dict[str, str],
    caplog: pytest.LogCaptureFixture,
    url: str,
) -> None:
    with caplog.at_level(logging.INFO):
        method: Callable[..., httpx.Response] = client.post if "/force/" in url else client.get
        _assert_clean_4xx(method(url, headers=admin_headers), caplog)
        _assert_clean_4xx(method(url), caplog)  # refused before authentication, too


def test_nul_in_an_admin_json_body_is_422(
    client: httpx.Client, admin_headers: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    body = {"client_id": "odoo-x", "name": f"Odoo{NUL}", "description": "d"}
    with caplog.at_level(logging.INFO):
        _assert_clean_4xx(client.post("/api/v1/admin/clients", json=body, headers=admin_headers), caplog)


def test_a_json_string_with_an_escaped_backslash_u0000_is_not_a_nul(
    client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    response = client.post("/api/v1/admin/login", json={"username": "\\u0000", "password": "x"})
    assert response.status_code == 401


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/sync/force/project/DOS22309?directory_id=" + "d" * 1024,
        "/api/v1/sync/force/project/DOS22309?directory_id=" + "d" * 5000,
        "/api/v1/sync/force/project/" + "p" * 600 + "?directory_id=Demo",
    ],
)
def test_over_long_force_sync_values_are_4xx_not_500(
    client: httpx.Client, admin_headers: dict[str, str], caplog: pytest.LogCaptureFixture, url: str
) -> None:
    with caplog.at_level(logging.INFO):
        response = client.post(url, headers=admin_headers)
    assert 400 <= response.status_code < 500, response.text
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
