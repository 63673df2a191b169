"""An Odoo API client for scenarios: registered through the profile's admin template, with its own JWT."""

from __future__ import annotations

import secrets

import httpx

from harness.errors import InconclusiveError
from harness.stack import Stack

__all__ = ["odoo_client"]


def odoo_client(stack: Stack, timeout: float = 15.0) -> httpx.Client:
    """Register a fresh Odoo client (observe.http.odoo_client) and log it in (observe.http.odoo_login)."""
    client_id = f"harness-{secrets.token_hex(4)}"
    created = stack.observer.request("odoo_client", client_id=client_id)
    try:
        client_secret = created.json()["client_secret"]
    except (ValueError, KeyError, TypeError):
        raise InconclusiveError(f"odoo_client answered without client_secret: {created.text[:200]}") from None
    stack.client_secrets[f"Odoo client secret {client_id}"] = str(client_secret)
    login = stack.observer.request("odoo_login", client_id=client_id, client_secret=client_secret)
    try:
        token = login.json()[stack.profile.observe.token_field]
    except (ValueError, KeyError, TypeError):
        raise InconclusiveError(f"odoo_login answered without a token: {login.text[:200]}") from None
    return httpx.Client(
        base_url=stack.base_url,
        timeout=timeout,
        follow_redirects=False,
        headers={"Authorization": f"Bearer {token}"},
    )
