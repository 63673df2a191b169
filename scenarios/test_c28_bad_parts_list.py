"""C28 — a parts list that is invalid, then valid again: a bad download never replaces the last good one.

After a full sync with parts lists, Logikal answers truncated and non-SQLite parts lists for a while and the
elevations are edited (so they are fetched again): their stored content stays the last good one, the runs say
what failed; once Logikal answers again, the new content arrives.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from harness.checks.content import VALUE_COLUMNS, compare_content
from harness.checks.ids import guid_key
from harness.observe.evidence import Evidence
from harness.runtime.polling import wait_for
from harness.scenario.chaos import edit_elevations
from harness.scenario.views import SYNC_TYPES, sync_configs, sync_windows, wait_first_syncs, wait_idle
from harness.stack import Stack

pytestmark = [pytest.mark.scenario, pytest.mark.criterion("C28")]

# Statuses under which an elevation still serves its parsed content: parsed, or waiting for a re-parse.
KEPT_STATUSES = ("success", "pending")

FAULTS: list[dict[str, Any]] = [
    {"id": "invalid", "effect": "invalid_sqlite", "path": "/elevations/selected/parts-list", "times": 6},
    {"id": "truncated", "effect": "truncated_sqlite", "path": "/elevations/selected/parts-list", "times": 6},
]


def _content(stack: Stack) -> dict[str, dict[str, Any]]:
    return {guid_key(r["logikal_id"]): r for r in stack.observer.query("content")}


def test_a_bad_parts_list_never_replaces_the_good_one(
    make_stack: Callable[..., Stack], evidence: Evidence
) -> None:
    stack = make_stack(clock_speed=240.0)
    beat = stack.config.sync_interval_seconds
    heavy = stack.observer.spec.heavy_types
    wait_first_syncs(stack, [*SYNC_TYPES, *heavy[:1]], timeout=stack.clock.real_seconds(4 * beat) + 60)
    wait_idle(stack, timeout=stack.clock.real_seconds(4 * beat) + 60)
    good = _content(stack)
    assert good, "no parts-list content observed after the first sync"
    stack.fake_request("POST", "/_fake/faults", json={"faults": FAULTS})
    faults_at = stack.clock.now()
    edit_elevations(stack, 20, "re-fetch under bad parts lists")
    interval = max(float(c["interval_seconds"]) for t, c in sync_configs(stack).items() if t in heavy[:1])

    def applied() -> bool:
        rules = stack.fake_request("GET", "/_fake/faults")["faults"]
        return all(rule["applied"] > 0 for rule in rules)

    wait_for(applied, timeout=stack.clock.real_seconds(interval + 2 * beat) + 60, interval=0.5,
             description="bad parts lists served")  # fmt: skip
    wait_idle(stack, timeout=stack.clock.real_seconds(2 * beat) + 60)
    during = _content(stack)
    truth = stack.fake_request("GET", "/_fake/content", params={"parts": "cached"})["elevations"]
    fake_ids = {guid_key(item["id"]): str(item["id"]) for item in truth}

    def changed(ident: str, row: dict[str, Any], valid: dict[str, Any]) -> bool:
        before = good.get(ident, {})
        if before.get("parse_status") != "success":
            return False
        lost = [c for c in VALUE_COLUMNS if before.get(c) is not None and row.get(c) is None]
        return bool(lost) or row.get("parse_status") not in KEPT_STATUSES or row.get("parts_sha256") not in (
            before.get("parts_sha256"), valid.get(ident))  # fmt: skip

    # Each elevation parsed before keeps good content from a good parts list: the old one (parsed, or
    # pending a re-parse of Logikal's edit) or Logikal's current valid one. The fake's cached digests may
    # miss a file; the suspects' digests are computed in full before judging.
    suspects = [ident for ident, row in during.items() if changed(ident, row, {})]
    exact = stack.fake_request("GET", "/_fake/content", params={
        "parts": "all", "ids": ",".join(fake_ids[i] for i in suspects if i in fake_ids)})["elevations"] \
        if suspects else []  # fmt: skip
    valid = {guid_key(item["id"]): item.get("partsListSha256") for item in exact}
    replaced = [ident for ident in suspects if changed(ident, during[ident], valid)]
    lost: list[str] = []
    failures = [w for w in sync_windows(stack) if w.start >= faults_at and w.status in ("partial", "failed")]
    served = sum(rule["applied"] for rule in stack.fake_request("GET", "/_fake/faults")["faults"])
    evidence.figure("bad parts lists served", served)
    evidence.figure("good content replaced by a bad download", len(replaced) + len(lost), bound="0",
                    ok=not (replaced or lost))  # fmt: skip
    evidence.figure(
        "runs reporting the failures (partial/failed)", len(failures), bound="≥ 1", ok=bool(failures)
    )
    shown = [
        f"{i}: was {good[i].get('parts_sha256')}, now {during[i].get('parse_status')} "
        f"{during[i].get('parts_sha256')} (Logikal's valid file {valid.get(i)})"
        for i in replaced[:3]
    ]
    assert not replaced, f"{len(replaced)} bad downloads replaced good parts lists: {'; '.join(shown)}"
    assert not lost, f"parsed content lost after bad downloads: {lost[:5]}"
    assert failures, "no run reported the bad parts lists"

    stack.fake_request("DELETE", "/_fake/faults")

    def converged() -> bool:
        report = compare_content(stack.observer.query("content"), truth)
        return not report.mismatches and not report.stale

    wait_for(converged, timeout=stack.clock.real_seconds(interval + 2 * beat) + 60, interval=0.5,
             description="the new content after Logikal recovered")  # fmt: skip
    evidence.figure("content after recovery", "equals the fake's truth", ok=True)
