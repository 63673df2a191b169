"""An Odoo API client for scenarios: registered through the admin API, logged in with its own JWT."""

from __future__ import annotations

import secrets

import httpx

from harness.errors import HarnessError
from harness.stack import Stack

__all__ = ["odoo_client"]


def odoo_client(stack: Stack, timeout: float = 15.0) -> httpx.Client:
    """Register a fresh Odoo client with the admin token and return an HTTP client carrying its bearer JWT."""
    client_id = f"harness-{secrets.token_hex(4)}"
    with stack.http() as http:
        created = http.post(
            "/api/v1/admin/clients",
            json={"client_id": client_id, "name": "harness scenarios"},
            headers=stack.admin_headers(),
        )
        if created.status_code not in (200, 201):
            raise HarnessError(f"creating an Odoo client: {created.status_code} {created.text[:200]}")
        login = http.post(
            "/api/v1/client-auth/login",
            json={"client_id": client_id, "client_secret": created.json()["client_secret"]},
        )
        if login.status_code != 200:
            raise HarnessError(f"Odoo client login: {login.status_code} {login.text[:200]}")
    token = login.json()["access_token"]
    return httpx.Client(
        base_url=stack.base_url,
        timeout=timeout,
        follow_redirects=False,
        headers={"Authorization": f"Bearer {token}"},
    )
