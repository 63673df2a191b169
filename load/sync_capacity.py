"""Sync capacity: full and incremental sync duration per object type vs dataset size and LOGIKAL_MAX_SESSIONS,
and from them the shortest safe interval per type."""

from __future__ import annotations

import json
import math
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from harness.runtime.services.select import start_provider
from load.errors import LoadError
from load.session import LoadSession, SessionOptions
from load.waiting import wait_until

__all__ = ["SYNC_TYPES", "run_sync_capacity", "safe_interval_minutes"]

SYNC_TYPES = ("directory", "project", "phase", "elevation", "parts_list", "sqlite_parser")


def _say(message: str) -> None:
    sys.stderr.write(message + "\n")


def safe_interval_minutes(full: float | None, incremental: float | None, factor: float) -> int | None:
    """Whole minutes >= the full run and >= factor x the incremental run (at least one minute); None when
    the full run did not finish within the timeout."""
    if full is None:
        return None
    return max(1, math.ceil(max(full, factor * (incremental or 0.0)) / 60.0))


def _rounds(session: LoadSession) -> dict[str, list[float]]:
    durations: dict[str, list[float]] = {t: [] for t in SYNC_TYPES}
    runs = session.running.observer.sync_runs()
    finished = sorted((w for w in runs if w.trigger == "scheduled" and w.status in ("completed", "partial")
                       and w.end is not None), key=lambda w: w.end or 0.0)  # fmt: skip
    for run in finished:
        if run.sync_type in durations:
            durations[run.sync_type].append(float((run.end or run.start) - run.start))
    return durations


def _measure(
    options: SessionOptions, size: int, sessions: int, latency: str, timeout: float, mutate_percent: float
) -> dict[str, Any]:
    profile = replace(options.profile, dataset_size=str(size), intervals_minutes=dict.fromkeys(SYNC_TYPES, 1))
    measured = replace(options, profile=profile, max_sessions=sessions, latency=latency)
    started = time.monotonic()
    timed_out = ""
    with LoadSession(measured) as session:

        def done(rounds: int) -> Any:
            return lambda seen: all(len(seen[t]) >= rounds for t in SYNC_TYPES)

        try:
            wait_until(
                lambda: _rounds(session), done(1), timeout=timeout, interval=1.0, description="a full round"
            )
            count = max(1, round(size * mutate_percent / 100))
            session.running.fake_request(
                "POST", "/_fake/mutate", json={"action": "edit", "kind": "elevation", "count": count}
            )
            # Every interval is one minute: the next tick after the edit starts the incremental round.
            wait_until(
                lambda: _rounds(session),
                done(2),
                timeout=timeout,
                interval=1.0,
                description="an incremental round",
            )
        except LoadError as exc:
            timed_out = str(exc)
        seen = _rounds(session)
    return {
        "size": size,
        "sessions": sessions,
        "latency": latency,
        "seconds": round(time.monotonic() - started, 1),
        "timed_out": timed_out,
        # None: the round did not finish within the timeout (the type needs longer than that).
        "full": {t: (seen[t][0] if seen[t] else None) for t in SYNC_TYPES},
        "incremental": {t: (seen[t][1] if len(seen[t]) > 1 else None) for t in SYNC_TYPES},
    }


def _estimate(measured: float | None, work: float | None, scale: float) -> float | None:
    if measured is None:
        return None
    if work is None:
        return round(measured / scale, 1)
    return round(max(measured, work + (measured - work) / scale), 1)


def run_sync_capacity(
    options: SessionOptions,
    report_dir: Path,
    *,
    sizes: str | None = None,
    sessions: str | None = None,
    services: str | None = None,
) -> dict[str, Any]:
    cap = options.profile.capacity
    size_list = [int(v) for v in (sizes.split(",") if sizes else cap.get("sizes", [100, 1000]))]
    session_list = [int(v) for v in (sessions.split(",") if sessions else cap.get("max_sessions", [1, 4, 8]))]
    scale = float(cap.get("time_scale", 0.05))
    factor = float(cap.get("safety_factor", 2.0))
    timeout = float(cap.get("run_timeout_seconds", 300))
    mutate = float(cap.get("mutate_percent", 2))
    options = replace(options, profile=replace(options.profile, time_scale=scale))
    started = time.time()
    rows: list[dict[str, Any]] = []
    provider = options.provider or start_provider(services)
    try:
        shared = replace(options, provider=provider)
        for size in size_list:
            work = _measure(shared, size, options.profile.max_sessions, "none", timeout, mutate)
            _say(f"sync-capacity: {size} elevations, latency none: {work['seconds']:.0f} s")
            for count in session_list:
                row = _measure(shared, size, count, "production", timeout, mutate)
                for kind in ("full", "incremental"):
                    row[f"{kind}_estimate"] = {
                        t: _estimate(row[kind][t], work[kind][t], scale) for t in SYNC_TYPES
                    }
                row["work"] = work
                row["safe_minutes"] = {
                    t: safe_interval_minutes(row["full_estimate"][t], row["incremental_estimate"][t], factor)
                    for t in SYNC_TYPES
                }
                rows.append(row)
                _say(f"sync-capacity: {size} elevations, {count} sessions: {row['seconds']:.0f} s")
    finally:
        if options.provider is None:
            provider.close()
    capacity = {
        "schema": 1,
        "kind": "sync-capacity",
        "status": "passed",
        "run": {
            "profile": options.profile.name,
            "profile_version": options.profile.version,
            "time_scale": scale,
            "safety_factor": factor,
            "seconds": round(time.time() - started, 1),
        },
        "rows": rows,
        "verdict": _verdict(rows),
        "thresholds": [],
    }
    report_dir.mkdir(parents=True, exist_ok=True)
    capacity["plots"] = [_plot(rows, report_dir / "sync-capacity.png")]
    (report_dir / "capacity.json").write_text(json.dumps(capacity, indent=1), encoding="utf-8")
    markdown = _markdown(capacity)
    (report_dir / "capacity.md").write_text(markdown, encoding="utf-8")
    body = markdown.replace("\n", "<br>\n")
    (report_dir / "capacity.html").write_text(
        f"<!doctype html><meta charset='utf-8'><body style='font-family:"
        f"monospace'>{body}<img src='sync-capacity.png'></body>",
        encoding="utf-8",
    )
    return capacity


def _minutes(value: int | None) -> str:
    return "more than the run timeout" if value is None else f"{value} min"


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _verdict(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "no sync-capacity measurement"
    biggest = max(row["size"] for row in rows)
    parts = []
    for row in (r for r in rows if r["size"] == biggest):
        safe = ", ".join(f"{t} {_minutes(row['safe_minutes'][t])}" for t in SYNC_TYPES)
        known = [v for v in row["full_estimate"].values() if v is not None]
        chain = (
            f"a full chain ≈ {sum(known) / 60:.1f} min"
            if len(known) == len(SYNC_TYPES)
            else "chain unfinished"
        )
        parts.append(f"with LOGIKAL_MAX_SESSIONS={row['sessions']}: {safe} ({chain})")
    head = f"At {biggest} elevations and production latency, the shortest safe intervals are "
    return head + "; ".join(parts) + "."


def _markdown(capacity: dict[str, Any]) -> str:
    run = capacity["run"]
    lines = [
        f"# Sync capacity ({run['profile']} v{run['profile_version']})",
        "",
        f"**{capacity['verdict']}**",
        "",
        f"Measured at production latency x {run['time_scale']:g}; estimate = W + (measured - W) / "
        f"{run['time_scale']:g}, W = the same round at latency none. Safe = >= full and >= "
        f"{run['safety_factor']:g} x incremental. Took {run['seconds']:.0f} s.",
        "",
        "| elevations | sessions | type | full s (est.) | incremental s (est.) | measured full/incr s "
        "| safe interval |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in capacity["rows"]:
        for t in SYNC_TYPES:
            lines.append(
                f"| {row['size']} | {row['sessions']} | {t} | {_seconds(row['full_estimate'][t])} | "
                f"{_seconds(row['incremental_estimate'][t])} | {_seconds(row['full'][t])}/"
                f"{_seconds(row['incremental'][t])} | {_minutes(row['safe_minutes'][t])} |"
            )
    return "\n".join([*lines, "", "![sync capacity](sync-capacity.png)"]) + "\n"


def _nan(value: float | None) -> float:
    return float("nan") if value is None else value


def _plot(rows: list[dict[str, Any]], path: Path) -> str:
    fig, axes = plt.subplots(2, 3, figsize=(12, 7), sharex=True)
    for axis, kind in zip(axes.flat, SYNC_TYPES, strict=True):
        for count in sorted({row["sessions"] for row in rows}):
            mine = sorted((r for r in rows if r["sessions"] == count), key=lambda r: r["size"])
            sizes = [r["size"] for r in mine]
            line = axis.plot(
                sizes, [_nan(r["full_estimate"][kind]) for r in mine], "-o", label=f"full, {count} sess."
            )
            axis.plot(
                sizes,
                [_nan(r["incremental_estimate"][kind]) for r in mine],
                "--",
                color=line[0].get_color(),
                label=f"incr., {count} sess.",
            )
        axis.set(title=kind, xscale="log", ylabel="seconds (production estimate)")
        axis.grid(alpha=0.3)
    axes.flat[0].legend(fontsize=7)
    for axis in axes[1]:
        axis.set_xlabel("elevations")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path.name
