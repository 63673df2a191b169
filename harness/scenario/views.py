"""What scenarios look at in a running Stack, all through its Observer: log lines, sync configs and runs,
the synced tree against the fake, health, memory series."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from harness.observe.adapter import Observer
from harness.observe.invariants import DataReport, SyncWindow, compare_with_fake
from harness.observe.spec import SYNC_TYPES
from harness.runtime.polling import wait_for
from harness.stack import Stack

__all__ = [
    "ERROR_PATTERN",
    "SYNC_TYPES",
    "compare_tree",
    "detailed_health",
    "error_lines",
    "find_lines",
    "memory_series",
    "sync_configs",
    "sync_windows",
    "timeline",
    "wait_first_syncs",
    "wait_idle",
]

# A log record at ERROR/CRITICAL level (plain or JSON logs) or a Python traceback.
ERROR_PATTERN = re.compile(
    r'"level":\s*"(?i:error|critical|fatal)"|\b(ERROR|CRITICAL|FATAL)\b|Traceback \(most recent call last\)'
)


def find_lines(text: str, needle: str, observer: Observer | None = None) -> list[str]:
    """Lines whose message contains ``needle`` verbatim (a regular expression when it starts with ``re:``).

    The message is read as the profile's log format says (JSON key or prefix); without an observer the line.
    """
    message = observer.log_message if observer is not None else (lambda line: line)
    if needle.startswith("re:"):
        pattern = re.compile(needle[3:])
        return [line for line in text.splitlines() if pattern.search(message(line))]
    return [line for line in text.splitlines() if needle in message(line)]


def error_lines(text: str, *, allow: Iterable[str] = ()) -> list[str]:
    """ERROR/CRITICAL records and tracebacks, minus lines containing an ``allow`` fragment."""
    allowed = tuple(allow)
    return [
        line
        for line in text.splitlines()
        if ERROR_PATTERN.search(line) and not any(fragment in line for fragment in allowed)
    ]


def sync_configs(stack: Stack) -> dict[str, dict[str, Any]]:
    """Harness type → {type, interval_seconds, enabled, last_sync}, through the profile's declared query."""
    return stack.observer.sync_configs()


def sync_windows(stack: Stack) -> list[SyncWindow]:
    return stack.observer.sync_runs()


def compare_tree(stack: Stack, *, now: float | None = None, stale_bound: float | None = None) -> DataReport:
    """The build's synced tree against the fake's truth (see ``compare_with_fake``)."""
    return compare_with_fake(stack.observer.tree(), stack.fake_state(), now=now, stale_bound=stale_bound)


def wait_first_syncs(stack: Stack, types: Iterable[str], timeout: float) -> dict[str, float]:
    """Wait until every type in ``types`` has a ``last_sync``; return them (fails with the last configs)."""
    wanted = list(types)

    def done() -> dict[str, float]:
        configs = sync_configs(stack)
        stamps = {t: configs[t]["last_sync"] for t in wanted if configs.get(t, {}).get("last_sync")}
        return stamps if len(stamps) == len(wanted) else {}

    def describe() -> str:
        runs = [(w.sync_type, w.status) for w in sync_windows(stack)][-8:]
        return f"configs {sync_configs(stack)}; last runs {runs}"

    try:
        return wait_for(done, timeout=timeout, interval=0.2, description=f"last_sync of {wanted}")
    except Exception as exc:
        raise AssertionError(f"{exc}; {describe()}; last log lines:\n{_log_tails(stack)}") from None


def _log_tails(stack: Stack, lines: int = 6) -> str:
    """The last lines of each middleware log, without HTTP access and beat "Sending due task" noise."""
    tails = []
    for name, text in stack.middleware_logs().items():
        kept = [
            line
            for line in text.splitlines()
            if "uvicorn.access" not in line and "Sending due task" not in line
        ]
        tails += [f"[{name}] {line[:300]}" for line in kept[-lines:]]
    return "\n".join(tails)


def timeline(windows: Iterable[SyncWindow], origin: float, unit: float = 3600.0) -> list[dict[str, Any]]:
    """Sync windows as report rows: label (type/trigger), start and end in ``unit`` since ``origin``."""
    rows = []
    for w in windows:
        end = w.end if w.end is not None else w.start
        label = w.sync_type if w.trigger == "scheduled" else f"{w.sync_type} ({w.trigger})"
        rows.append(
            {
                "label": label,
                "start": (w.start - origin) / unit,
                "end": (end - origin) / unit,
                "status": w.status,
            }
        )
    return rows


def memory_series(stack: Stack, *, virtual_hours: bool = False) -> dict[str, list[list[float]]]:
    """PSS in MB over time for each process and in total, x in seconds since ready (or simulated hours)."""
    origin_real = stack.ready_at or stack.started_at
    origin_virtual = stack.clock.now(origin_real)

    def x(real: float, virtual: float) -> float:
        return (virtual - origin_virtual) / 3600 if virtual_hours else real - origin_real

    series: dict[str, list[list[float]]] = {}
    for point in stack.sampler.points:
        series.setdefault(f"memory_{point.process}", []).append(
            [x(point.real_time, point.virtual_time), point.pss / 1e6]
        )
    series["memory_total"] = [
        [x(real, virtual), pss / 1e6] for real, virtual, _rss, pss in stack.sampler.totals()
    ]
    if virtual_hours:
        series = {f"{name}_hours": points for name, points in series.items()}
    return series


def detailed_health(stack: Stack) -> tuple[int, str, dict[str, Any]]:
    """(status code, healthy|degraded|unknown in the profile's words, body) of the detailed health URL."""
    return stack.observer.detailed_health()


def wait_idle(stack: Stack, timeout: float = 60) -> None:
    """Wait until no sync run is queued or running (e.g. the first tick's runs are all done)."""

    def busy() -> list[str]:
        return [f"{w.sync_type}:{w.status}" for w in sync_windows(stack) if w.status in ("queued", "started")]

    wait_for(lambda: not busy(), timeout=timeout, interval=0.2, description="no queued or running sync")
