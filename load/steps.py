"""Per-step measurements: requests by endpoint, resources, cgroup events, sync lag and sync runs."""

from __future__ import annotations

import csv
import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from load.sampler import ResourceSample
from load.synclag import LagSample

__all__ = ["RequestLog", "StepWindow", "measure_step", "read_requests", "read_windows"]

_WARMUP_SECONDS = 5.0


@dataclass(frozen=True)
class StepWindow:
    index: int
    label: str
    users: int
    start: float
    end: float


@dataclass
class RequestLog:
    t: np.ndarray
    name: np.ndarray
    ms: np.ndarray
    failed: np.ndarray

    def between(self, start: float, end: float) -> RequestLog:
        keep = (self.t >= start) & (self.t < end)
        return RequestLog(self.t[keep], self.name[keep], self.ms[keep], self.failed[keep])


def read_requests(samples_dir: Path) -> RequestLog:
    rows: list[tuple[float, str, float, int]] = []
    for path in sorted(samples_dir.glob("requests-*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for cells in csv.reader(handle):
                if len(cells) == 4:
                    rows.append((float(cells[0]), cells[1], float(cells[2]), int(cells[3])))
    rows.sort()
    return RequestLog(
        np.array([r[0] for r in rows], float),
        np.array([r[1] for r in rows], object),
        np.array([r[2] for r in rows], float),
        np.array([r[3] for r in rows], int),
    )


def read_windows(stages_file: Path) -> list[StepWindow]:
    """Each stage from its start line to the next line (the last ends at the "end" line)."""
    try:
        records = [json.loads(line) for line in stages_file.read_text(encoding="utf-8").splitlines() if line]
    except FileNotFoundError:
        return []
    windows = []
    for current, following in itertools.pairwise(records):
        if current["index"] is not None:
            windows.append(
                StepWindow(current["index"], current["label"], current["users"], current["t"], following["t"])
            )
    return windows


def _percentiles(ms: np.ndarray) -> dict[str, float | None]:
    if ms.size == 0:
        return {"p50": None, "p95": None, "p99": None}
    p50, p95, p99 = np.percentile(ms, [50, 95, 99])
    return {"p50": round(float(p50), 1), "p95": round(float(p95), 1), "p99": round(float(p99), 1)}


def _request_figures(log: RequestLog, seconds: float) -> dict[str, Any]:
    count = int(log.t.size)
    return {
        "requests": count,
        "rps": round(count / seconds, 2) if seconds > 0 else None,
        "fail_rate": round(100.0 * float(log.failed.sum()) / count, 3) if count else None,
        **_percentiles(log.ms),
    }


def measure_step(
    window: StepWindow,
    requests: RequestLog,
    resources: Sequence[ResourceSample],
    lags: Sequence[LagSample],
    runs: Sequence[dict[str, Any]],
    intervals_minutes: dict[str, int],
) -> dict[str, Any]:
    """The figures of one step; requests of its first seconds (users still spawning) are left out."""
    warm = min(_WARMUP_SECONDS, 0.25 * (window.end - window.start))
    start = window.start + warm
    seconds = max(window.end - start, 1e-6)
    inside = requests.between(start, window.end)
    step: dict[str, Any] = {
        "index": window.index,
        "label": window.label,
        "users": window.users,
        "start": window.start,
        "end": window.end,
        "measured_seconds": round(seconds, 2),
        **_request_figures(inside, seconds),
    }
    step["endpoints"] = {
        str(name): _request_figures(_only(inside, name), seconds)
        for name in sorted(set(inside.name.tolist()))
    }
    step.update(_resource_figures([s for s in resources if window.start <= s.t < window.end]))
    step.update(_cgroup_deltas(resources, window))
    # A lag belongs to the step in which the change became visible.
    resolved = [
        lag.seconds
        for lag in lags
        if lag.seconds and window.start <= lag.mutated_at + lag.seconds < window.end
    ]
    step["sync_lag_p95"] = round(float(np.percentile(resolved, 95)), 2) if resolved else None
    step["sync_lag_samples"] = len(resolved)
    step["sync_lag_unresolved"] = sum(
        1 for lag in lags if window.start <= lag.mutated_at < window.end and lag.timed_out
    )
    started = [
        run for run in runs if run["started"] is not None and window.start <= run["started"] < window.end
    ]
    step["sync_runs"] = len(started)
    step["backlog_runs"] = sum(1 for run in started if is_backlog(run, intervals_minutes))
    return step


def _only(log: RequestLog, name: str) -> RequestLog:
    keep = log.name == name
    return RequestLog(log.t[keep], log.name[keep], log.ms[keep], log.failed[keep])


def is_backlog(run: dict[str, Any], intervals_minutes: dict[str, int]) -> bool:
    """A scheduled run that outlasted its interval, or waited in the queue longer than one."""
    minutes = intervals_minutes.get(str(run["sync_type"]))
    if run.get("trigger") != "scheduled" or not minutes:
        return False
    interval = minutes * 60.0
    waited = (run["started"] - run["created"]) if run.get("created") and run.get("started") else 0.0
    return (run.get("duration") or 0.0) > interval or waited > interval


def _resource_figures(samples: Sequence[ResourceSample]) -> dict[str, Any]:
    if not samples:
        return {
            "peak_pss": None,
            "cpu": None,
            "pss_by_role": {},
            "cpu_by_role": {},
            "redis_memory": None,
            "pg_connections": None,
            "queue_depth": None,
        }
    roles = sorted({role for s in samples for role in s.pss})
    redis_values = [s.redis_used_memory for s in samples if s.redis_used_memory is not None]
    pg_values = [s.pg_connections for s in samples if s.pg_connections is not None]
    depths = [sum(s.queue_depth.values()) for s in samples if s.queue_depth]
    return {
        "peak_pss": max(s.pss_total for s in samples),
        "cpu": round(float(np.mean([s.cpu_total for s in samples])), 1),
        "pss_by_role": {role: max(s.pss.get(role, 0) for s in samples) for role in roles},
        "cpu_by_role": {
            role: round(float(np.mean([s.cpu.get(role, 0.0) for s in samples])), 1) for role in roles
        },
        "redis_memory": max(redis_values) if redis_values else None,
        "pg_connections": max(pg_values) if pg_values else None,
        "queue_depth": max(depths) if depths else None,
    }


def _cgroup_deltas(resources: Sequence[ResourceSample], window: StepWindow) -> dict[str, Any]:
    before = [s for s in resources if s.t < window.start and s.cgroups]
    inside = [s for s in resources if window.start <= s.t < window.end and s.cgroups]
    if not inside:
        return {"oom_kills": None, "throttled": None}
    first, last = (before[-1] if before else inside[0]), inside[-1]
    oom = sum(
        last.cgroups[n].oom_kills - first.cgroups[n].oom_kills for n in last.cgroups if n in first.cgroups
    )
    periods = sum(
        last.cgroups[n].nr_periods - first.cgroups[n].nr_periods for n in last.cgroups if n in first.cgroups
    )
    throttled = sum(
        last.cgroups[n].nr_throttled - first.cgroups[n].nr_throttled
        for n in last.cgroups
        if n in first.cgroups
    )
    return {"oom_kills": oom, "throttled": round(100.0 * throttled / periods, 1) if periods else 0.0}
