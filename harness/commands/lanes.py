"""Split the chosen criteria into parallel lanes for `verify`: each lane is one pytest session of its own.

A verify run mostly waits (for beats, syncs, restarts), so two lanes on two cores take about half the wall
time. Criteria that share a session fixture stay in one lane; the rest are balanced by their expected cost
(longest first, each to the lane with the least work so far), so the plan is the same on every run.
"""

from __future__ import annotations

import os

from harness.criteria import DEFAULT_LANE_COST, LANE_COSTS, SHARES_FIXTURE
from harness.stack.config import LANE_ENV

__all__ = ["LANE_ENV", "MAX_LANES", "default_lanes", "plan_lanes"]

MAX_LANES = 4


def default_lanes() -> int:
    """Two lanes where there are two cores or more; one on a single core."""
    return max(1, min(2, os.cpu_count() or 1))


def plan_lanes(ids: list[str], lanes: int) -> list[list[str]]:
    """The criteria of each lane (no empty lanes), each lane in the order ``ids`` gave them."""
    if not 1 <= lanes <= MAX_LANES:
        raise ValueError(f"lanes must be 1..{MAX_LANES}, not {lanes}")
    units: dict[str, list[str]] = {}
    for criterion_id in ids:
        units.setdefault(SHARES_FIXTURE.get(criterion_id, criterion_id), []).append(criterion_id)

    def cost(unit: list[str]) -> float:
        return sum(LANE_COSTS.get(c, DEFAULT_LANE_COST) for c in unit)

    loads = [0.0] * lanes
    chosen: list[set[str]] = [set() for _ in range(lanes)]
    for unit in sorted(units.values(), key=lambda u: (-cost(u), u[0])):
        lane = min(range(lanes), key=lambda i: (loads[i], i))
        loads[lane] += cost(unit)
        chosen[lane].update(unit)
    return [[c for c in ids if c in lane] for lane in chosen if lane]
