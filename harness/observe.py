"""What scenarios look at in a running Stack: log lines, sync configs, sync runs, health, memory series."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from harness.invariants import SyncWindow, load_sync_windows
from harness.polling import wait_for
from harness.stack import Stack

__all__ = [
    "ERROR_PATTERN",
    "SYNC_TYPES",
    "detailed_health",
    "error_lines",
    "find_lines",
    "memory_series",
    "sync_configs",
    "sync_windows",
    "timeline",
    "update_sync_config",
    "wait_first_syncs",
    "wait_idle",
]

SYNC_TYPES = ("directory", "project", "phase", "elevation")
# A log record at ERROR/CRITICAL level (plain or JSON logs) or a Python traceback.
ERROR_PATTERN = re.compile(
    r'"level":\s*"(?i:error|critical|fatal)"|\b(ERROR|CRITICAL|FATAL)\b|Traceback \(most recent call last\)'
)


def _message(line: str) -> str:
    """The human message of a log line: the ``event`` of a JSON record, else the line itself."""
    if line.startswith("{"):
        try:
            record = json.loads(line)
        except ValueError:
            return line
        if isinstance(record, dict) and "event" in record:
            return str(record["event"])
    return line


def find_lines(text: str, needle: str) -> list[str]:
    """Lines whose message contains ``needle`` verbatim (a regular expression when it starts with ``re:``)."""
    if needle.startswith("re:"):
        pattern = re.compile(needle[3:])
        return [line for line in text.splitlines() if pattern.search(_message(line))]
    return [line for line in text.splitlines() if needle in _message(line)]


def error_lines(text: str, *, allow: Iterable[str] = ()) -> list[str]:
    """ERROR/CRITICAL records and tracebacks, minus lines containing an ``allow`` fragment."""
    allowed = tuple(allow)
    return [
        line
        for line in text.splitlines()
        if ERROR_PATTERN.search(line) and not any(fragment in line for fragment in allowed)
    ]


def sync_configs(stack: Stack) -> dict[str, dict[str, Any]]:
    rows = stack.query(
        "SELECT object_type, sync_interval_minutes, is_sync_enabled, last_sync, last_attempt, last_status "
        "FROM object_sync_configs"
    )
    return {str(row["object_type"]): row for row in rows}


def sync_windows(stack: Stack) -> list[SyncWindow]:
    with stack.db() as conn:
        return load_sync_windows(conn)


def wait_first_syncs(stack: Stack, types: Iterable[str], timeout: float) -> dict[str, datetime]:
    """Wait until every type in ``types`` has a ``last_sync``; return them (fails with the last configs)."""
    wanted = list(types)

    def done() -> dict[str, datetime]:
        configs = sync_configs(stack)
        stamps = {t: configs[t]["last_sync"] for t in wanted if configs.get(t, {}).get("last_sync")}
        return stamps if len(stamps) == len(wanted) else {}

    def describe() -> str:
        return str({t: (c["last_sync"], c["last_status"]) for t, c in sync_configs(stack).items()})

    try:
        return wait_for(done, timeout=timeout, interval=0.2, description=f"last_sync of {wanted}")
    except Exception as exc:
        raise AssertionError(f"{exc}; configs: {describe()}; last log lines:\n{_log_tails(stack)}") from None


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


def update_sync_config(stack: Stack, object_type: str, **changes: Any) -> dict[str, Any]:
    """PUT /api/v1/admin/sync-intervals/{type} as the admin; returns the config the API answers with."""
    with stack.http() as client:
        response = client.put(
            f"/api/v1/admin/sync-intervals/{object_type}", json=changes, headers=stack.admin_headers()
        )
    if response.status_code != 200:
        raise AssertionError(
            f"PUT sync-intervals/{object_type}: {response.status_code} {response.text[:300]}"
        )
    body: dict[str, Any] = response.json()
    return body


def detailed_health(stack: Stack) -> tuple[int, dict[str, Any]]:
    """(status code, body) of the SUT's detailed health URL."""
    with stack.http(timeout=10) as client:
        response = client.get(stack.profile.detailed_health_path)
    try:
        body: dict[str, Any] = response.json()
    except ValueError:
        body = {"status": f"<not JSON: {response.text[:100]}>"}
    return response.status_code, body


def wait_idle(stack: Stack, timeout: float = 60) -> None:
    """Wait until no sync run is queued or running (e.g. the first tick's runs are all done)."""

    def busy() -> list[str]:
        return [f"{w.sync_type}:{w.status}" for w in sync_windows(stack) if w.status in ("queued", "started")]

    wait_for(lambda: not busy(), timeout=timeout, interval=0.2, description="no queued or running sync")
