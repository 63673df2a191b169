"""C31 — Logikal at 10 % 5xx with latency jitter over a warped stretch of a day (12 simulated hours at full
speed, fewer where the build caps the warp), edits made every 2 simulated hours.

While Logikal is flaky the schedule never stalls — the build is never idle while a type is overdue by more
than two beats (slow runs are allowed: Logikal is slow) — and the fault really hit (the fake answered 5xx).
After the faults are cleared: the runs open at that moment close and the synced tree equals the fake's truth
within the longest interval + two beats, no run is left open, and no Logikal session stays open (a failed
logout is a session left open too).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest

from harness.observe.evidence import Evidence
from harness.observe.invariants import idle_while_overdue
from harness.scenario.chaos import judge_recovery
from harness.scenario.views import SYNC_TYPES, sync_configs, sync_windows, timeline, wait_first_syncs
from harness.scenario.warp_run import mutate_hourly, warp_through
from harness.stack import Stack

pytestmark = [pytest.mark.scenario, pytest.mark.criterion("C31"), pytest.mark.timeout(480)]

SPEED = 480.0
FLAKY_HOURS = 12.0  # at full speed: 90 s of real time
FLAKY_REAL_SECONDS = 90.0
MIN_FLAKY_HOURS = 2.0
FAULT_RATE = 0.1
# 10 % of all Logikal calls answered 503, and every call delayed by a jittered extra (real seconds, beside
# the profile's own scaled production latency)
FLAKY = [
    {"id": "flaky-503", "effect": "status", "status": 503, "path": "*", "probability": FAULT_RATE},
    {"id": "jitter", "effect": "latency", "path": "*", "latency": {"lognormal": {"mu": -6.0, "sigma": 1.0}}},
]


def test_syncing_survives_a_flaky_logikal_and_converges_once_it_is_healthy(
    make_stack: Callable[..., Stack], evidence: Evidence
) -> None:
    stack = make_stack(fake_latency="production", fake_time_scale=0.02, clock_speed=SPEED)
    stack.observer.disable_heavy_types()
    beat = stack.config.sync_interval_seconds
    wait_first_syncs(stack, SYNC_TYPES, timeout=stack.clock.real_seconds(4 * beat) + 60)
    hours = max(MIN_FLAKY_HOURS, min(FLAKY_HOURS, stack.clock.speed * FLAKY_REAL_SECONDS / 3600))
    journal_from = int(stack.fake_request("GET", "/_fake/calls?limit=1").get("total", 0))
    stack.fake_request("POST", "/_fake/faults", json={"faults": FLAKY})
    origin = warp_through(stack, hours, every_hours=2.0, on_hour=mutate_hourly(stack))
    cleared_at = stack.clock.now()
    rules = {r["id"]: r for r in stack.fake_request("GET", "/_fake/faults")["faults"]}
    stack.fake_request("DELETE", "/_fake/faults")

    evidence.figure("flaky for", round(hours, 1), "simulated h")
    served = _served_since(stack, journal_from)
    errors = sum(1 for status in served if status >= 500)
    evidence.figure("Logikal calls while flaky", len(served))
    evidence.figure("answered 5xx", errors, bound="≥ 1", ok=errors > 0)
    evidence.figure("503 rule applied", rules["flaky-503"]["applied"])
    windows = sync_windows(stack)
    runs = [w for w in windows if origin <= w.start <= cleared_at]
    evidence.figure("runs while flaky, by outcome", dict(sorted(Counter(w.status for w in runs).items())))
    evidence.figure("runs while flaky, by type", dict(sorted(Counter(w.sync_type for w in runs).items())))
    configs = sync_configs(stack)
    due = {t: c["interval_seconds"] for t, c in configs.items() if c["enabled"] and t in SYNC_TYPES}
    stalls = idle_while_overdue(windows, due, since=origin, until=cleared_at, slack=2 * beat, step=beat / 2)
    evidence.figure("moments idle while a type was overdue", len(stalls), bound="0", ok=not stalls)
    evidence.notes += stalls[:10]
    if stalls:  # judge_recovery draws the timeline from the clearing on; a stall is shown from the start
        evidence.add_timeline(timeline(windows, origin))
    assert errors > 0, "the 5xx fault never hit a Logikal call"
    assert not stalls, f"the schedule stalled while Logikal was flaky: {stalls[:5]}"

    bound = max((c["interval_seconds"] for c in configs.values() if c["enabled"]), default=0) + 2 * beat
    judge_recovery(stack, evidence, fault_at=cleared_at, close_bound=bound, converge_bound=bound)


def _served_since(stack: Stack, first: int) -> list[int]:
    """The status of every Logikal call the fake answered after journal entry ``first`` (of those it kept)."""
    page = stack.fake_request("GET", f"/_fake/calls?since={first}")
    return [int(c["status"]) for c in page.get("calls", [])]
