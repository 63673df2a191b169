"""Invariant checkers: database vs the fake's truth, Logikal sessions, and the history of sync windows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from harness.checks.ids import guid_key
from harness.checks.last_sync import epoch_seconds

__all__ = [
    "DataReport",
    "SyncWindow",
    "compare_with_fake",
    "idle_while_overdue",
    "overlapping_windows",
    "project_session_overlaps",
    "schedule_violations",
    "sessions_left_open",
]


def _path(value: object) -> str:
    return "/".join(part for part in str(value or "").split("/") if part)


@dataclass
class DataReport:
    """Differences between the database and the fake, by kind; empty lists mean "equal"."""

    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.duplicated or self.stale)

    def summary(self, limit: int = 5) -> str:
        parts = []
        for name in ("missing", "extra", "duplicated", "stale"):
            items: list[str] = getattr(self, name)
            if items:
                parts.append(f"{len(items)} {name} (e.g. {', '.join(items[:limit])})")
        return "; ".join(parts) or "database equals the fake"


def _duplicates(kind: str, keys: Iterable[str]) -> list[str]:
    return [f"{kind} {key} x{n}" for key, n in Counter(keys).items() if n > 1]


def compare_with_fake(
    db: Mapping[str, list[dict[str, Any]]],
    state: Mapping[str, Any],
    *,
    now: float | None = None,
    stale_bound: float | None = None,
) -> DataReport:
    """Compare the build's synced tree (``Observer.tree()``, fixed columns) with ``GET /_fake/state``.

    Live objects must be in the database once, deleted/recycled/vanished ones absent or flagged, and an object
    whose ``changedDate`` is older than ``now - stale_bound`` must carry that date (``now=None``: all must).
    """
    report = DataReport()
    horizon = None if now is None or stale_bound is None else now - stale_bound

    fake_dirs = {_path(d["path"]) for d in state.get("directories", [])}
    db_dirs = [_path(d["path"]) for d in db.get("directories", [])]
    report.duplicated += _duplicates("directory", db_dirs)
    report.missing += [f"directory {p}" for p in sorted(fake_dirs - set(db_dirs))]
    report.extra += [f"directory {p}" for p in sorted(set(db_dirs) - fake_dirs)]

    def compare_dated(kind: str, fake_items: list[dict[str, Any]], db_items: list[dict[str, Any]],
                      flag: str) -> None:  # fmt: skip
        keys = [guid_key(row["id"]) for row in db_items]
        report.duplicated.extend(_duplicates(kind, keys))
        rows = {guid_key(row["id"]): row for row in db_items}
        live = {guid_key(item["id"]): item for item in fake_items if not item.get(flag)}
        for key, item in live.items():
            row = rows.get(key)
            if row is None or row.get("deleted"):
                report.missing.append(f"{kind} {key}")
                continue
            changed = float(item.get("changedDate") or 0)
            stored = epoch_seconds(row.get("changed"))
            is_old = horizon is None or changed <= horizon
            if is_old and (stored is None or stored + 1 < changed):
                report.stale.append(f"{kind} {key}")
        for key, row in rows.items():
            if key not in live and not row.get("deleted"):
                report.extra.append(f"{kind} {key}")

    compare_dated("project", state.get("projects", []), db.get("projects", []), "isDeleted")
    compare_dated("elevation", state.get("elevations", []), db.get("elevations", []), "isInRecycleBin")

    fake_phases = {(guid_key(p["id"]), guid_key(p["projectId"])) for p in state.get("phases", [])}
    live_projects = {guid_key(p["id"]) for p in state.get("projects", []) if not p.get("isDeleted")}
    fake_phases = {key for key in fake_phases if key[1] in live_projects}
    db_phase_rows = [row for row in db.get("phases", []) if not row.get("deleted")]
    db_phases = [(guid_key(p["id"]), guid_key(p["project_id"])) for p in db_phase_rows]
    report.duplicated += _duplicates("phase", (f"{a}@{b}" for a, b in db_phases))
    report.missing += [f"phase {a}@{b}" for a, b in sorted(fake_phases - set(db_phases))]
    extra_phases = {key for key in set(db_phases) - fake_phases if key[1] in live_projects}
    report.extra += [f"phase {a}@{b}" for a, b in sorted(extra_phases)]

    report.counts = {
        "fake": {k: len(state.get(k, [])) for k in ("directories", "projects", "phases", "elevations")},
        "db": {k: len(db.get(k, [])) for k in ("directories", "projects", "phases", "elevations")},
    }
    return report


def sessions_left_open(sessions: Mapping[str, Any]) -> int:
    """How many Logikal sessions are still open according to ``GET /_fake/sessions``."""
    return int(sessions.get("open", 0))


def logins_in_flight(sessions: Mapping[str, Any], killed_at: float, slack: float) -> list[str]:
    """Open sessions a killed process could never have known: opened by the time of the kill (+ ``slack``
    for the login's own latency) and never used. A client learns a token only from the login's answer, so a
    process killed while its login was in flight cannot register, use or close that session; only Logikal's
    idle timeout can. Any session the build did use counts as left open."""
    return [
        str(s.get("token"))
        for s in sessions.get("sessions", [])
        if s.get("closedAt") is None
        and not s.get("calls")
        and float(s.get("openedAt", 0)) <= killed_at + slack
    ]


def project_session_overlaps(
    sessions: Mapping[str, Any], calls: Iterable[Mapping[str, Any]]
) -> list[tuple[str, str, str]]:
    """Pairs of sessions that were on the same project at the same time: (project, token a, token b).

    A session is on its project from its successful ``POST /projects/select`` until it closed (or its last
    call when still open); times are the fake's clock.
    """
    first_select: dict[str, float] = {}
    last_seen: dict[str, float] = {}
    for call in calls:
        token = call.get("token")
        if not token:
            continue
        end = float(call["start"]) + float(call.get("duration_ms", 0)) / 1000
        last_seen[token] = max(last_seen.get(token, end), end)
        if (
            call.get("method") == "POST"
            and call.get("path") == "/projects/select"
            and call.get("status") == 200
        ):
            first_select.setdefault(token, float(call["start"]))
    spans: dict[str, list[tuple[float, float, str]]] = {}
    for session in sessions.get("sessions", []):
        token, project = session.get("token"), session.get("projectId")
        if not project or token not in first_select:
            continue
        end = session.get("closedAt") or last_seen.get(token, first_select[token])
        spans.setdefault(guid_key(project), []).append((first_select[token], float(end), token))
    overlaps = []
    for project, items in spans.items():
        items.sort()
        for i, (_start_a, end_a, token_a) in enumerate(items):
            for start_b, _end_b, token_b in items[i + 1 :]:
                if start_b < end_a:
                    overlaps.append((project, token_a, token_b))
    return overlaps


@dataclass(frozen=True)
class SyncWindow:
    """One sync run from sync_logs: what, why, when (epoch seconds of the middleware's clock), outcome."""

    run_id: str
    sync_type: str
    trigger: str
    target: str | None
    status: str
    start: float
    end: float | None
    queued: float = 0.0  # when the scheduler enqueued it (sync_logs.created_at); the start when unknown

    def overlaps(self, other: SyncWindow, now: float) -> bool:
        return self.start < (other.end or now) and other.start < (self.end or now)


def overlapping_windows(windows: list[SyncWindow], now: float) -> list[tuple[SyncWindow, SyncWindow]]:
    """Pairs of runs of the same (type, target) whose windows overlap (never allowed)."""
    pairs = []
    for i, first in enumerate(windows):
        for second in windows[i + 1 :]:
            same = (first.sync_type, first.target) == (second.sync_type, second.target)
            if same and first.overlaps(second, now):
                pairs.append((first, second))
    return pairs


def _busy(windows: list[SyncWindow], own_type: str, start: float, end: float, now: float) -> float:
    """Seconds within [start, end] the worker spent on runs of other types (they delay the next tick)."""
    total = 0.0
    for w in windows:
        if w.sync_type != own_type:
            total += max(0.0, min(end, w.end or now) - max(start, w.start))
    return total


def schedule_violations(
    windows: list[SyncWindow],
    sync_type: str,
    *,
    interval: float,
    beat: float,
    since: float,
    until: float,
    jitter: float = 0.0,
) -> list[str]:
    """Scheduled runs of ``sync_type`` are enqueued at the first tick after they fall due, never before.

    Due = previous completion + ``interval``. A run enqueued more than ``jitter`` before it was due ran twice;
    one enqueued later than one ``beat`` (+ ``jitter``, + the time the worker was busy with other runs) after
    it was due missed its window — also before the first run and after the last one up to ``until``.
    """
    own = sorted(
        (w for w in windows if w.sync_type == sync_type and w.trigger == "scheduled"), key=lambda w: w.queued
    )
    problems = []

    def late(due: float, at: float) -> float:
        return at - due - beat - jitter - _busy(windows, sync_type, due, at, until)

    if not own:
        if late(since, until) > 0:
            problems.append(f"{sync_type}: no scheduled run between {since:.0f} and {until:.0f}")
        return problems
    if own[0].queued >= since and late(since, own[0].queued) > 0:
        problems.append(f"{sync_type}: first run {own[0].queued - since:.0f}s after the start (> one beat)")
    for previous, current in pairwise(own):
        if current.queued < since:
            continue
        if previous.end is None:
            problems.append(
                f"{sync_type}: run {current.run_id} queued while {previous.run_id} never finished"
            )
            continue
        due = previous.end + interval
        if current.queued < due - jitter:
            problems.append(f"{sync_type}: ran twice, queued {due - current.queued:.0f}s before it was due")
        elif late(due, current.queued) > 0:
            problems.append(
                f"{sync_type}: window missed, queued {current.queued - due:.0f}s after it was due"
            )
    last = own[-1]
    if last.end is not None and late(last.end + interval, until) > 0:
        problems.append(f"{sync_type}: no run in the last {until - last.end:.0f}s (interval {interval:.0f}s)")
    return problems


def idle_while_overdue(
    windows: list[SyncWindow],
    intervals: Mapping[str, float],
    *,
    since: float,
    until: float,
    slack: float,
    step: float,
) -> list[str]:
    """Moments in [since, until] (every ``step``) when no run had been in progress for ``slack`` seconds,
    yet a type of ``intervals`` had finished none for longer than its interval + ``slack`` (a type is due an
    interval after its last run ended): the schedule stalled. A run that outlasts the intervals is slow, not
    stalled; the hand-over between the runs of a chain is not idleness; a run only queued is not in progress
    (a worker that never takes it)."""
    problems: list[str] = []
    moment = since
    while moment <= until:
        busy = any(
            w.status != "queued" and w.start <= moment and (w.end is None or w.end >= moment - slack)
            for w in windows
        )
        if not busy:
            late = [
                sync_type
                for sync_type, interval in intervals.items()
                if moment - _last_end(windows, sync_type, moment, since) > interval + slack
            ]
            if late:
                problems.append(f"idle at +{(moment - since) / 60:.0f} min while overdue: {', '.join(late)}")
        moment += step
    return problems


def _last_end(windows: list[SyncWindow], sync_type: str, moment: float, default: float) -> float:
    ends = (w.end for w in windows if w.sync_type == sync_type and w.end is not None and w.end <= moment)
    return max(ends, default=default)
