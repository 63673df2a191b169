"""C09 — "✅ Data freshness improved in Odoo": a Logikal change reaches the Odoo API within interval + beat
(+ the runs in between, see ``convergence_bound``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from harness.observe.evidence import Evidence
from harness.observe.freshness import convergence_bound
from harness.runtime.polling import wait_for
from harness.scenario.odoo import odoo_client
from harness.scenario.views import sync_configs, sync_windows, wait_first_syncs
from harness.stack import Stack

pytestmark = [pytest.mark.scenario, pytest.mark.criterion("C09")]

SPEED = 600.0


def _amounts(odoo: Any, project_guid: str) -> dict[str, float]:
    response = odoo.get(f"/api/v1/odoo/projects/{project_guid}/complete")
    assert response.status_code == 200, response.text[:300]
    body = response.json()
    project = body.get("project", body)
    return {e["id"].lower(): e["amount"] for phase in project["phases"] for e in phase["elevations"]}


def test_an_elevation_changed_in_logikal_reaches_odoo_within_its_interval_plus_one_beat(
    make_stack: Callable[..., Stack], evidence: Evidence
) -> None:
    stack = make_stack(clock_speed=SPEED)
    beat = stack.config.sync_interval_seconds
    wait_first_syncs(stack, ["elevation"], timeout=60)
    interval = float(sync_configs(stack)["elevation"]["interval_seconds"])
    state = stack.fake_state()
    target = next(e for e in state["elevations"] if not e["isInRecycleBin"])
    new_amount = float(target["amount"]) + 7

    with odoo_client(stack) as odoo:
        assert _amounts(odoo, target["projectId"])[target["id"].lower()] == target["amount"]
        changed_at = stack.clock.now()
        edit = {"action": "edit", "kind": "elevation", "id": target["id"], "changes": {"amount": new_amount}}
        stack.fake_request("POST", "/_fake/mutate", json=edit)
        wait_for(
            lambda: _amounts(odoo, target["projectId"]).get(target["id"].lower()) == new_amount,
            timeout=stack.clock.real_seconds(2 * (interval + beat)) + 30,
            interval=0.2,
            description="the new amount in GET /odoo/projects/{guid}/complete",
        )
        visible_after = stack.clock.now() - changed_at
    # The schedule's share is interval + beat; the runs in between (the one going at the edit, the chain
    # before the next elevation run, that run's own length) are magnified by the warp (C08 reports them).
    bound = convergence_bound(sync_windows(stack), "elevation", interval + beat, changed_at)
    evidence.figure("elevation interval + one beat", round((interval + beat) / 60, 1), "simulated min")
    evidence.figure("change visible in Odoo after", round(visible_after / 60, 1), "simulated min",
                    bound=f"≤ {bound / 60:.1f} (interval + beat + runs in between)",
                    ok=visible_after <= bound)  # fmt: skip
    assert visible_after <= bound, f"visible after {visible_after:.0f}s (> {bound:.0f}s)"
