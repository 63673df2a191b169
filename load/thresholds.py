"""Thresholds as data: ``"p95 < 500 ms"``, ``"fail_rate < 1 %"``, ``"peak_pss < 80 % of plan"``."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from load.errors import ThresholdSyntaxError
from load.plans import InstancePlan

__all__ = ["METRICS", "Outcome", "Threshold", "ThresholdResult", "evaluate", "parse_threshold"]

# metric → (canonical unit, what it means); step measurements hold values in the canonical unit.
METRICS: dict[str, tuple[str, str]] = {
    "p50": ("ms", "median response time"),
    "p95": ("ms", "95th percentile response time"),
    "p99": ("ms", "99th percentile response time"),
    "fail_rate": ("%", "failed requests"),
    "rps": ("req/s", "requests per second"),
    "peak_pss": ("bytes", "peak PSS of the middleware's process tree"),
    "cpu": ("%", "mean CPU of the middleware's process tree, 100 % = one core"),
    "oom_kills": ("count", "OOM kills inside the instance's cgroup"),
    "throttled": ("%", "CPU periods throttled by the instance's quota"),
    "sync_lag_p95": ("s", "95th percentile of mutation in Logikal → visible in the Odoo API"),
    "redis_memory": ("bytes", "Redis used_memory"),
    "pg_connections": ("count", "PostgreSQL connections of the run's database"),
    "queue_depth": ("count", "Celery messages waiting in sync, scheduler and sqlite_parser"),
    "backlog_runs": ("count", "scheduled sync runs that outlasted their interval"),
}
_OPS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
}
_SCALE = {"ms": 1.0, "s": 1000.0, "kb": 1024.0, "mb": 1024.0**2, "gb": 1024.0**3, "%": 1.0, "": 1.0}
_PATTERN = re.compile(
    r"^\s*(?P<metric>[a-z_0-9]+)\s*(?P<op><=|>=|==|<|>)\s*(?P<number>\d+(?:\.\d+)?)\s*"
    r"(?P<unit>ms|s|kb|mb|gb|%)?\s*(?P<relative>of\s+plan)?\s*$",
    re.IGNORECASE,
)


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    UNMEASURED = "unmeasured"


@dataclass(frozen=True)
class Threshold:
    """One check; ``relative`` limits (``% of plan``) are resolved against the emulated instance."""

    expression: str
    metric: str
    op: str
    number: float
    unit: str
    relative: bool = False

    @property
    def is_upper_bound(self) -> bool:
        return self.op in ("<", "<=", "==")

    def limit(self, plan: InstancePlan) -> float | None:
        """The limit in the metric's canonical unit; None when relative to a plan without limits."""
        if not self.relative:
            canonical = METRICS[self.metric][0]
            if canonical == "s" and self.unit in ("ms", "s"):
                return self.number * _SCALE[self.unit] / 1000.0
            return self.number * _SCALE[self.unit]
        if not plan.is_limited:
            return None
        if self.metric == "peak_pss":
            return plan.memory_bytes * self.number / 100.0
        return plan.vcpu * self.number  # cpu: percent of the plan's vCPUs, 100 % = one core

    def check(self, value: float, plan: InstancePlan) -> Outcome:
        limit = self.limit(plan)
        if limit is None:
            return Outcome.UNMEASURED
        return Outcome.PASSED if _OPS[self.op](value, limit) else Outcome.FAILED


@dataclass(frozen=True)
class ThresholdResult:
    expression: str
    outcome: Outcome
    value: float | None
    limit: float | None
    unit: str
    worst_users: int | None  # the step (by its user count) the value comes from

    def as_dict(self) -> dict[str, object]:
        return {
            "expression": self.expression,
            "outcome": self.outcome.value,
            "value": self.value,
            "limit": self.limit,
            "unit": self.unit,
            "worst_users": self.worst_users,
        }


def parse_threshold(expression: str) -> Threshold:
    match = _PATTERN.match(expression)
    if match is None:
        raise ThresholdSyntaxError(
            f"threshold {expression!r}: expected '<metric> <op> <number> [unit] [of plan]', "
            "e.g. 'p95 < 500 ms'"
        )
    metric = match["metric"].lower()
    if metric not in METRICS:
        raise ThresholdSyntaxError(f"threshold {expression!r}: unknown metric; known: {', '.join(METRICS)}")
    unit = (match["unit"] or "").lower()
    relative = match["relative"] is not None
    if relative and (unit != "%" or metric not in ("peak_pss", "cpu")):
        raise ThresholdSyntaxError(f"threshold {expression!r}: only 'peak_pss'/'cpu' take '% of plan'")
    return Threshold(expression.strip(), metric, match["op"], float(match["number"]), unit, relative)


def evaluate(
    thresholds: Sequence[Threshold],
    steps: Sequence[tuple[int, Mapping[str, float | None]]],
    plan: InstancePlan,
) -> list[ThresholdResult]:
    """Check each threshold on its worst step; ``steps`` are (users, metric → value) pairs."""
    results = []
    for threshold in thresholds:
        measured = [(users, values.get(threshold.metric)) for users, values in steps]
        present = [(users, value) for users, value in measured if value is not None]
        limit = threshold.limit(plan)
        unit = METRICS[threshold.metric][0]
        if not present or limit is None:
            results.append(ThresholdResult(threshold.expression, Outcome.UNMEASURED, None, limit, unit, None))
            continue
        pick = max if threshold.is_upper_bound else min
        users, value = pick(present, key=lambda pair: pair[1])
        results.append(
            ThresholdResult(threshold.expression, threshold.check(value, plan), value, limit, unit, users)
        )
    return results
