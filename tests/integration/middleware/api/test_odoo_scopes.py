"""Every Odoo endpoint checks the scopes of its SCOPES row, tested both ways (held: allowed; lacking: 403)."""

from __future__ import annotations

import httpx
import pytest
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session, sessionmaker

from middleware.api import odoo

from .conftest import create_odoo_client
from .demo_rows import P01_GUID, PHASE_GUID, PROJECT_GUID, insert_demo_rows

pytestmark = pytest.mark.integration

URLS = {
    "list_projects": "/api/v1/odoo/projects",
    "get_project": f"/api/v1/odoo/projects/{PROJECT_GUID}",
    "get_project_complete": f"/api/v1/odoo/projects/{PROJECT_GUID}/complete",
    "list_phases": f"/api/v1/odoo/projects/{PROJECT_GUID}/phases",
    "list_elevations": f"/api/v1/odoo/projects/{PROJECT_GUID}/phases/{PHASE_GUID}/elevations",
    "search": "/api/v1/odoo/search?q=DOS",
    "stats": "/api/v1/odoo/stats",
    "thumbnail": f"/api/v1/elevations/{P01_GUID}/thumbnail",
}
ALL_SCOPES = sorted({scope for scopes in odoo.SCOPES.values() for scope in scopes})


def test_every_odoo_route_has_a_scope_row_and_a_test_url() -> None:
    routes = [r for r in (*odoo.router.routes, *odoo.thumbnail_router.routes) if isinstance(r, APIRoute)]
    assert sorted(r.endpoint.__name__ for r in routes) == sorted(odoo.SCOPES) == sorted(URLS)


def test_complete_project_needs_elevation_scope_too() -> None:
    assert set(odoo.SCOPES["get_project_complete"]) == {"projects:read", "elevations:read"}


@pytest.mark.parametrize("endpoint", sorted(odoo.SCOPES))
def test_each_endpoint_allows_its_scopes_and_refuses_a_client_lacking_any(
    endpoint: str, client: httpx.Client, admin_headers: dict[str, str], db: sessionmaker[Session]
) -> None:
    insert_demo_rows(db)
    required = odoo.SCOPES[endpoint]
    holder = create_odoo_client(client, admin_headers, "holder", permissions=list(required))
    allowed = client.get(URLS[endpoint], headers=holder.headers)
    assert allowed.status_code == 200, (endpoint, allowed.text)
    for missing in required:
        others = [s for s in ALL_SCOPES if s != missing]
        lacking = create_odoo_client(client, admin_headers, f"no-{missing.replace(':', '-')}", others)
        refused = client.get(URLS[endpoint], headers=lacking.headers)
        assert refused.status_code == 403, (endpoint, missing, refused.text)
        assert missing in refused.json()["detail"]
        if endpoint == "get_project_complete":
            assert "elevation" not in refused.text.replace("elevations:read", "")
