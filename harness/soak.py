"""Time-warped long runs: drive a Stack through simulated hours; judge the memory slope and sync history."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console

from harness.evidence import Evidence, Verdict, build_results
from harness.invariants import SyncWindow, overlapping_windows, schedule_violations
from harness.observe import SYNC_TYPES, memory_series, sync_configs, sync_windows, timeline
from harness.polling import wait_for
from harness.report import RunInfo, passed, write_reports
from harness.sampling import pss_slope
from harness.stack import Stack, StackConfig
from harness.sut import load_profile
from harness.topology import Topology

__all__ = [
    "HistoryVerdict",
    "SoakOptions",
    "WarpResult",
    "history_evidence",
    "judge_history",
    "judge_memory",
    "memory_evidence",
    "mutate_hourly",
    "run_soak",
    "warp_through",
]

BEAT_SECONDS = 300.0


@dataclass
class SoakOptions:
    simulated_hours: float = 48.0
    real_minutes: float | None = None
    topology: str = "single"
    sut: str | None = None
    services: str | None = None
    report_dir: Path | None = None
    pss_slope_bound_mb_per_hour: float = 2.0
    warmup_fraction: float = 0.15

    @property
    def clock_speed(self) -> float:
        minutes = self.real_minutes or max(1.0, 8.0 * self.simulated_hours / 48.0)
        return self.simulated_hours * 3600.0 / (minutes * 60.0)


def warp_through(
    stack: Stack,
    simulated_hours: float,
    *,
    every_hours: float = 1.0,
    on_hour: Callable[[float], None] | None = None,
) -> float:
    """Let ``simulated_hours`` of virtual time pass (polling the clock), calling ``on_hour`` every so often.

    Returns the virtual time at the start; fails early if a middleware process dies on the way.
    """
    origin = stack.clock.now()
    next_mark = every_hours
    deadline_real = stack.clock.real_seconds(simulated_hours * 3600) * 1.5 + 30

    def reached() -> bool:
        nonlocal next_mark
        for name in stack.plans:
            process = stack.processes[name]
            if not process.is_running:
                raise AssertionError(f"{name} died during the warped run:\n{process.log_tail()}")
        elapsed = (stack.clock.now() - origin) / 3600
        while on_hour is not None and elapsed >= next_mark:
            on_hour(next_mark)
            next_mark += every_hours
        return elapsed >= simulated_hours

    wait_for(
        reached, timeout=deadline_real, interval=0.25, description=f"{simulated_hours:g} simulated hours"
    )
    return origin


def mutate_hourly(stack: Stack, report: Callable[[float], None] | None = None) -> Callable[[float], None]:
    """An ``on_hour`` callback that edits two random elevations in the fake, so later syncs have work."""

    def mutate(hour: float) -> None:
        if report is not None:
            report(hour)
        changes = {"userDescription": f"edited at simulated hour {hour:g}"}
        stack.fake_request(
            "POST",
            "/_fake/mutate",
            json={"action": "edit", "kind": "elevation", "count": 2, "changes": changes},
        )

    return mutate


@dataclass
class HistoryVerdict:
    """The sync-window history of a run judged against the configured intervals."""

    problems: list[str] = field(default_factory=list)
    runs_per_type: dict[str, int] = field(default_factory=dict)
    max_duration: dict[str, float] = field(default_factory=dict)
    failed_runs: int = 0
    windows: list[SyncWindow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def judge_history(
    windows: list[SyncWindow],
    configs: dict[str, dict[str, Any]],
    since: float,
    until: float,
    beat: float = BEAT_SECONDS,
) -> HistoryVerdict:
    """Every enabled type synced once per interval ± one beat (+ its longest run); no overlapping runs."""
    verdict = HistoryVerdict(windows=windows)
    for sync_type in SYNC_TYPES:
        config = configs.get(sync_type)
        if config is None or not config["is_sync_enabled"]:
            continue
        own = [
            w for w in windows if w.sync_type == sync_type and w.trigger == "scheduled" and w.start >= since
        ]
        durations = [(w.end or until) - w.start for w in own]
        verdict.runs_per_type[sync_type] = len(own)
        verdict.max_duration[sync_type] = max(durations, default=0.0)
        verdict.problems += schedule_violations(
            windows,
            sync_type,
            interval=float(config["sync_interval_minutes"]) * 60,
            beat=beat,
            since=since,
            until=until,
            jitter=0.1 * beat,
        )
    verdict.failed_runs = sum(w.status == "failed" for w in windows if w.start >= since)
    for first, second in overlapping_windows(windows, now=until):
        verdict.problems.append(f"overlapping runs {first.run_id} and {second.run_id} ({first.sync_type})")
    return verdict


@dataclass
class WarpResult:
    """What a warped run leaves behind once its Stack is gone: history, configs, memory."""

    topology: str
    origin: float
    until: float
    windows: list[SyncWindow]
    configs: dict[str, dict[str, Any]]
    totals: list[tuple[float, float, int, int]]
    memory: dict[str, list[list[float]]]
    beat: float = BEAT_SECONDS

    @classmethod
    def capture(cls, stack: Stack, origin: float) -> WarpResult:
        return cls(
            topology=stack.topology.value,
            origin=origin,
            until=stack.clock.now(),
            windows=sync_windows(stack),
            configs=sync_configs(stack),
            totals=stack.sampler.totals(),
            memory=memory_series(stack, virtual_hours=True),
            beat=stack.config.sync_interval_seconds,
        )


def judge_memory(
    totals: list[tuple[float, float, int, int]], warmup_fraction: float = 0.15
) -> tuple[float, float, int]:
    """(PSS slope in MB per simulated hour after the warm-up, peak total PSS in MB, samples used)."""
    skip = int(len(totals) * warmup_fraction)
    points = [(virtual / 3600, int(pss)) for _real, virtual, _rss, pss in totals[skip:]]
    slope = pss_slope(points) / 1e6
    peak = max((pss / 1e6 for *_, pss in totals), default=0.0)
    return slope, peak, len(points)


def history_evidence(result: WarpResult, warmup_hours: float = 2.0) -> Evidence:
    """C08: the sync-window history after the warm-up (the first full sync) judged against the intervals."""
    since = result.origin + warmup_hours * 3600
    history = judge_history(result.windows, result.configs, since, result.until, result.beat)
    record = Evidence("C08", test="sync-window history", topology=result.topology)
    record.figure("simulated hours judged", round((result.until - since) / 3600, 1), "h", bound="≥ 24")
    for sync_type, runs in history.runs_per_type.items():
        minutes = result.configs[sync_type]["sync_interval_minutes"]
        record.figure(f"{sync_type} (every {minutes} min): scheduled runs", runs)
        record.figure(
            f"{sync_type} longest run", round(history.max_duration[sync_type] / 60, 1), "simulated min"
        )
    record.figure("failed runs", history.failed_runs, bound="0", ok=history.failed_runs == 0)
    record.figure("schedule problems (missed, doubled, overlapping)", len(history.problems), bound="0",
                  ok=history.ok)  # fmt: skip
    record.notes += history.problems[:20]
    record.add_timeline(timeline([w for w in result.windows if w.start >= result.origin], result.origin))
    record.outcome = Verdict.PASSED if history.ok and history.failed_runs == 0 else Verdict.FAILED
    return record


def memory_evidence(result: WarpResult, bound_mb_per_hour: float, warmup_fraction: float = 0.15) -> Evidence:
    """C10: the least-squares PSS slope over the simulated run, after a warm-up."""
    slope, peak, samples = judge_memory(result.totals, warmup_fraction)
    record = Evidence("C10", test="PSS slope", topology=result.topology)
    ok = slope < bound_mb_per_hour and samples >= 10
    record.figure(
        "PSS slope", round(slope, 3), "MB per simulated hour", bound=f"< {bound_mb_per_hour:g}", ok=ok
    )
    record.figure("peak PSS", round(peak, 1), "MB")
    record.figure("simulated hours", round((result.until - result.origin) / 3600, 1), "h")
    record.figure("samples after warm-up", samples, bound="≥ 10", ok=samples >= 10)
    record.series.update(result.memory)
    record.outcome = Verdict.PASSED if ok else Verdict.FAILED
    return record


def run_soak(options: SoakOptions, console: Console | None = None) -> int:
    """`logikal-harness soak`: one warped run, reports under ``report_dir``; 0 when C08 and C10 hold."""
    console = console or Console()
    started = datetime.now(UTC)
    report_dir = options.report_dir or Path("reports") / f"soak-{started.strftime('%Y%m%dT%H%M%SZ')}"
    config = StackConfig(
        topology=Topology(options.topology),
        profile=load_profile(options.sut),
        services=options.services,
        sync_interval_seconds=BEAT_SECONDS,
        clock_speed=options.clock_speed,
        memory_interval=1.0,
        run_dir=report_dir / "run",
        # Count-based recycling does not warp: every 50 tasks would be every few real seconds here.
        settings={"CELERY_MAX_TASKS_PER_CHILD": "100000"},
    )
    t0 = time.monotonic()
    console.print(f"soak: {options.simulated_hours:g} simulated hours at {options.clock_speed:g}x")
    with Stack(config) as stack:
        mutate = mutate_hourly(stack, lambda hour: console.print(
            f"  simulated hour {hour:g}: PSS {stack.sampler.peak_pss() / 1e6:.0f} MB peak so far"
        ))  # fmt: skip
        origin = warp_through(stack, options.simulated_hours, every_hours=4.0, on_hour=mutate)
        result = WarpResult.capture(stack, origin)
    records = [
        history_evidence(result),
        memory_evidence(result, options.pss_slope_bound_mb_per_hour, options.warmup_fraction),
    ]
    for record in records:
        record.duration = time.monotonic() - t0
    results = build_results(records)
    run = RunInfo(
        started=started.isoformat(timespec="seconds"),
        wall_seconds=time.monotonic() - t0,
        topologies=[options.topology],
        profile=config.profile.name if config.profile else "default",
        command=f"soak --simulated-hours {options.simulated_hours:g}",
        extra={"clock_speed": options.clock_speed},
    )
    paths = write_reports(results, run, report_dir)
    ok = passed(results)
    for record in records:
        figures = "; ".join(f"{f.name} {f.value} {f.unit}".strip() for f in record.figures[:6])
        console.print(f"{record.criterion} {record.outcome}: {figures}")
    console.print(f"{'PASSED' if ok else 'FAILED'} in {run.wall_seconds:.0f} s — report: {paths['html']}")
    return 0 if ok else 1
