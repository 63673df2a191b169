"""C22 — secrets never appear in output: nothing any process wrote holds a secret the harness handed out.

Security by default (upstream-facts §4.1 and §7): the Logikal and admin passwords, SECRET_KEY,
JWT_SECRET_KEY, the database password, Odoo client secrets and Logikal tokens, in plain, URL-encoded,
JSON-escaped and base64 forms. Every other scenario's Stack is scanned the same way after it ran
(scenarios/conftest.py); a hit anywhere fails this criterion.
"""

from __future__ import annotations

import pytest

from harness.observe.evidence import Evidence
from harness.scenario.odoo import odoo_client
from harness.scenario.postchecks import scan_for_secrets
from harness.scenario.views import SYNC_TYPES, wait_first_syncs
from harness.stack import Stack

pytestmark = [pytest.mark.scenario, pytest.mark.criterion("C22")]


def test_no_process_output_contains_a_handed_out_secret(shared_stack: Stack, evidence: Evidence) -> None:
    stack = shared_stack
    wait_first_syncs(
        stack, SYNC_TYPES, timeout=stack.clock.real_seconds(2 * stack.config.sync_interval_seconds) + 60
    )
    # Exercise the paths that handle secrets: admin login, an Odoo client's registration and login.
    stack.admin_token(refresh=True)
    with odoo_client(stack) as odoo:
        assert odoo.get("/api/v1/odoo/projects").status_code == 200
    scan = scan_for_secrets(stack)
    evidence.figure("files scanned", scan.sources)
    evidence.figure("secret values scanned for", len(stack.client_secrets) + 5)
    evidence.figure("hits", len(scan.hits), bound="0", ok=scan.ok)
    for hit in scan.hits[:10]:
        evidence.log_line(hit.source.rsplit("/", 1)[-1], str(hit))
    assert scan.ok, "secrets in output: " + "; ".join(str(h) for h in scan.hits[:5])
