"""C27 — two beat processes at once (a rolling deploy, a second container by mistake): no run twice.

Option 2 with a second `beat` started beside the first: over two simulated hours no sync type is enqueued
twice for one due time and no two runs of one type overlap.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from harness.observe.evidence import Evidence
from harness.observe.invariants import overlapping_windows, schedule_violations
from harness.runtime.polling import wait_for
from harness.scenario.views import SYNC_TYPES, sync_configs, sync_windows, timeline, wait_first_syncs
from harness.stack import Stack
from harness.stack.topology import Topology

pytestmark = [pytest.mark.scenario, pytest.mark.criterion("C27")]

HOURS = 2.0


def test_a_second_beat_never_makes_a_type_run_twice(
    make_stack: Callable[..., Stack], evidence: Evidence
) -> None:
    stack = make_stack(topology=Topology.MULTI, clock_speed=240.0)
    stack.observer.disable_heavy_types()
    beat = stack.config.sync_interval_seconds
    stack.add_process("beat2", "beat")
    since = stack.clock.now()
    wait_first_syncs(stack, SYNC_TYPES, timeout=stack.clock.real_seconds(4 * beat) + 30)
    until = since + HOURS * 3600
    wait_for(lambda: stack.clock.now() >= until, timeout=stack.clock.real_seconds(HOURS * 3600) + 30,
             interval=0.5, description=f"{HOURS:g} simulated hours with two beats")  # fmt: skip
    windows = sync_windows(stack)
    configs = sync_configs(stack)
    doubled = []
    for sync_type in SYNC_TYPES:
        interval = float(configs[sync_type]["interval_seconds"])
        problems = schedule_violations(windows, sync_type, interval=interval, beat=beat, since=since,
                                       until=stack.clock.now(), jitter=0.1 * beat)  # fmt: skip
        doubled += [p for p in problems if "twice" in p]
    overlaps = overlapping_windows(windows, now=stack.clock.now())
    evidence.figure("beat processes", 2)
    evidence.figure("scheduled runs", sum(w.trigger == "scheduled" for w in windows))
    evidence.figure("types enqueued twice for one due time", len(doubled), bound="0", ok=not doubled)
    evidence.figure("overlapping runs of one type", len(overlaps), bound="0", ok=not overlaps)
    evidence.add_timeline(timeline(windows, since))
    assert not doubled, doubled[:5]
    assert not overlaps, [(a.run_id, b.run_id) for a, b in overlaps[:3]]
