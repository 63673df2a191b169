"""C24 — "Force sync sees fresh edits": a project edited right after its scheduled sync and force-synced at
once is in the database, edit included, when the force sync reports success.

A staleness shortcut ("synced less than an hour ago, nothing to fetch", upstream-facts §7.3) passes every
criterion that only force-syncs a project nobody touched. The scheduled types get long intervals once the
first syncs are done, so only the force sync can bring the edit in; parts lists are off (they only lengthen
the run).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from harness.errors import InconclusiveError
from harness.observe.evidence import Evidence
from harness.scenario.views import SYNC_TYPES, compare_tree, sync_windows, wait_first_syncs, wait_idle
from harness.stack import Stack

pytestmark = [pytest.mark.scenario, pytest.mark.criterion("C24")]

SPEED = 120.0  # "right after": seconds of real time are minutes here, never the hour a shortcut waits
PROJECT, DIRECTORY = "DOS22309", "Demo Odoo"
QUIET_MINUTES = 24 * 60  # no scheduled sync of any type for a simulated day after the first syncs


def _guid(value: object) -> str:
    return str(value or "").strip().strip("{}").lower()


def _changed(rows: list[dict[str, Any]], guid: str) -> float | None:
    row = next((r for r in rows if _guid(r["id"]) == guid), None)
    value = None if row is None else row.get("changed")
    return None if value is None else float(value.timestamp() if hasattr(value, "timestamp") else value)


def test_a_force_sync_right_after_a_scheduled_sync_brings_the_fresh_edit(
    make_stack: Callable[..., Stack], evidence: Evidence
) -> None:
    stack = make_stack(clock_speed=SPEED)
    beat = stack.config.sync_interval_seconds
    stack.observer.disable_heavy_types()
    wait_first_syncs(stack, SYNC_TYPES, timeout=stack.clock.real_seconds(2 * beat) + 60)
    wait_idle(stack, timeout=stack.clock.real_seconds(2 * beat) + 60)
    for sync_type in SYNC_TYPES:
        stack.observer.set_interval(sync_type, QUIET_MINUTES)

    state = stack.fake_state()
    project = next(p for p in state["projects"] if p["name"] == PROJECT)
    guid = _guid(project["id"])
    target = next(e for e in state["elevations"] if _guid(e["projectId"]) == guid and not e["isInRecycleBin"])
    amount = target["amount"] + 3
    edited_at = stack.clock.now()
    operations = [
        {"action": "edit", "kind": "elevation", "id": target["id"], "changes": {"amount": amount}},
        {"action": "edit", "kind": "project", "id": project["id"], "changes": {"personInCharge": "C24"}},
        {"action": "add", "kind": "elevation", "project": PROJECT, "name": "C24-new"},
    ]  # fmt: skip
    stack.fake_request("POST", "/_fake/mutate", json={"operations": operations})

    response = stack.observer.force_sync(PROJECT, DIRECTORY, wait=True)
    done_at = stack.clock.now()
    try:
        body: Any = response.json()
    except ValueError:
        body = {"text": response.text[:200]}
    succeeded = response.status_code == 200 and isinstance(body, dict) and body.get("success") is True
    evidence.figure("force sync (wait=true) right after the edit", f"{response.status_code}",
                    bound="200 success=True", ok=succeeded)  # fmt: skip
    assert succeeded, f"force sync answered {response.status_code}: {str(body)[:300]}"

    # Read at once: a scheduled sync must not have been the one that brought the edit.
    tree = stack.observer.tree()
    scheduled = [
        w for w in sync_windows(stack) if w.trigger == "scheduled" and edited_at <= w.start <= done_at
    ]
    if scheduled:
        raise InconclusiveError(f"a scheduled {scheduled[0].sync_type} run started during the force sync")
    truth = stack.fake_state()
    added = next(e for e in truth["elevations"] if e["name"] == "C24-new" and _guid(e["projectId"]) == guid)
    checks = [("edited elevation", "elevations", _guid(target["id"])), ("edited project", "projects", guid)]
    missed: list[str] = []
    for label, kind, key in checks:
        expected = float(next(i for i in truth[kind] if _guid(i["id"]) == key)["changedDate"])
        stored = _changed(tree[kind], key)
        ok = stored is not None and stored + 1 >= expected
        evidence.figure(f"{label}: changedDate in the database", "new" if ok else f"old ({stored})",
                        bound="new", ok=ok)  # fmt: skip
        if not ok:
            missed.append(label)
    has_added = _changed(tree["elevations"], _guid(added["id"])) is not None
    evidence.figure("elevation added before the force sync is in the database", has_added, bound="True",
                    ok=has_added)  # fmt: skip
    evidence.figure("force sync took", round(done_at - edited_at), "s (virtual)")
    assert not missed, f"the force sync reported success without the {' and the '.join(missed)}"
    assert has_added, "the force sync reported success without the elevation added just before"

    report = compare_tree(stack)
    evidence.figure("database vs fake after the force sync", report.summary(), ok=report.ok)
    assert report.ok, report.summary()
