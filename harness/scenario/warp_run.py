"""Time-warped long runs: drive a Stack through simulated hours; judge the memory slope and sync history."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from harness.observe.evidence import Evidence, Verdict
from harness.observe.invariants import SyncWindow, overlapping_windows, schedule_violations
from harness.observe.trend import Trend, trend
from harness.runtime.polling import wait_for
from harness.scenario.views import SYNC_TYPES, memory_series, sync_configs, sync_windows, timeline
from harness.stack import Stack

__all__ = [
    "LEAK_BOUND_MB_PER_HOUR",
    "WARMUP_FRACTION",
    "WARMUP_HOURS",
    "HistoryVerdict",
    "WarpResult",
    "history_evidence",
    "judge_history",
    "judge_memory",
    "memory_evidence",
    "memory_trend",
    "mutate_hourly",
    "warp_through",
]

BEAT_SECONDS = 300.0
# The warm-up a long run's judges skip: the larger of this share of the samples and these simulated hours
# (the first full sync of every type: caches, allocator arenas, the chain's first pass).
WARMUP_FRACTION = 0.15
WARMUP_HOURS = 2.0
# C10's bound: 48 MB a day; an upstream-size instance would survive a week of it.
LEAK_BOUND_MB_PER_HOUR = 2.0
# The memory trend's noise is judged from means over this many simulated hours (one elevation interval).
TREND_BLOCK_HOURS = 0.5


def warp_through(
    stack: Stack,
    simulated_hours: float,
    *,
    every_hours: float = 1.0,
    on_hour: Callable[[float], None] | None = None,
    extend_while: Callable[[], bool] | None = None,
    max_hours: float | None = None,
) -> float:
    """Let ``simulated_hours`` of virtual time pass (polling the clock), calling ``on_hour`` every so often;
    past them, go on up to ``max_hours`` while ``extend_while()`` (asked at every mark) says so.

    Returns the virtual time at the start; fails early if a middleware process dies on the way.
    """
    origin = stack.clock.now()
    next_mark = every_hours
    longest = max(simulated_hours, max_hours or 0.0) if extend_while is not None else simulated_hours
    deadline_real = stack.clock.real_seconds(longest * 3600) * 1.5 + 30
    extending, asked = True, False

    def reached() -> bool:
        nonlocal next_mark, extending, asked
        for name in stack.plans:
            process = stack.processes[name]
            if not process.is_running:
                raise AssertionError(f"{name} died during the warped run:\n{process.log_tail()}")
        elapsed = (stack.clock.now() - origin) / 3600
        marked = False
        while elapsed >= next_mark:
            if on_hour is not None:
                on_hour(next_mark)
            next_mark += every_hours
            marked = True
        if elapsed < simulated_hours:
            return False
        if extend_while is None or elapsed >= longest:
            return True
        if marked or not asked:  # asked once the minimum is reached, then at every mark
            asked, extending = True, extend_while()
        return not extending

    wait_for(reached, timeout=deadline_real, interval=0.25, description=f"{longest:g} simulated hours")
    return origin


def mutate_hourly(
    stack: Stack, report: Callable[[float], None] | None = None, *, count: int = 2
) -> Callable[[float], None]:
    """An ``on_hour`` callback editing ``count`` random elevations in the fake, so later syncs have work."""

    def mutate(hour: float) -> None:
        if report is not None:
            report(hour)
        changes = {"userDescription": f"edited at simulated hour {hour:g}"}
        stack.fake_request(
            "POST",
            "/_fake/mutate",
            json={"action": "edit", "kind": "elevation", "count": count, "changes": changes},
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
        if config is None or not config["enabled"]:
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
            interval=float(config["interval_seconds"]),
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
    speed: float = 1440.0

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
            speed=stack.clock.speed,
        )


def _settled(
    totals: list[tuple[float, float, int, int]], warmup_fraction: float, warmup_hours: float
) -> list[tuple[float, float]]:
    """(simulated hour, PSS bytes) after the warm-up: the larger of ``warmup_fraction`` of the samples and
    ``warmup_hours`` simulated hours (the first full sync of every type: caches, allocator arenas), growth a
    shortened run must not count as a leak."""
    skip = int(len(totals) * warmup_fraction)
    if totals:
        settled = totals[0][1] + warmup_hours * 3600
        skip = max(skip, next((i for i, t in enumerate(totals) if t[1] >= settled), len(totals)))
    return [(virtual / 3600, float(pss)) for _real, virtual, _rss, pss in totals[skip:]]


def memory_trend(
    totals: list[tuple[float, float, int, int]],
    warmup_fraction: float = WARMUP_FRACTION,
    warmup_hours: float = WARMUP_HOURS,
) -> Trend:
    """The PSS slope after the warm-up, in MB per simulated hour, with its ~95 % interval."""
    found = trend(_settled(totals, warmup_fraction, warmup_hours), TREND_BLOCK_HOURS)
    return Trend(found.slope / 1e6, found.half_width / 1e6, found.blocks)


def judge_memory(
    totals: list[tuple[float, float, int, int]],
    warmup_fraction: float = WARMUP_FRACTION,
    warmup_hours: float = WARMUP_HOURS,
) -> tuple[float, float, int]:
    """(PSS slope in MB per simulated hour after the warm-up, peak total PSS in MB, samples used)."""
    points = _settled(totals, warmup_fraction, warmup_hours)
    peak = max((pss / 1e6 for *_, pss in totals), default=0.0)
    return memory_trend(totals, warmup_fraction, warmup_hours).slope, peak, len(points)


def history_evidence(result: WarpResult, warmup_hours: float = WARMUP_HOURS) -> Evidence:
    """C08: the sync-window history after the warm-up (the first full sync) judged against the intervals."""
    since = result.origin + warmup_hours * 3600
    history = judge_history(result.windows, result.configs, since, result.until, result.beat)
    record = Evidence("C08", test="sync-window history", topology=result.topology)
    record.figure("simulated hours judged (after the warm-up)", round((result.until - since) / 3600, 1), "h")
    for sync_type, runs in history.runs_per_type.items():
        minutes = f"{result.configs[sync_type]['interval_seconds'] / 60:g}"
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


def memory_evidence(
    result: WarpResult,
    bound_mb_per_hour: float,
    warmup_fraction: float = WARMUP_FRACTION,
    warmup_hours: float = WARMUP_HOURS,
) -> Evidence:
    """C10: the least-squares PSS slope over the simulated run, after a warm-up (see ``_settled``); its
    ~95 % interval is reported beside it (a run long enough resolves the bound: ``memory_trend``)."""
    slope, peak, samples = judge_memory(result.totals, warmup_fraction, warmup_hours)
    found = memory_trend(result.totals, warmup_fraction, warmup_hours)
    record = Evidence("C10", test="PSS slope", topology=result.topology)
    ok = slope < bound_mb_per_hour and samples >= 10
    record.figure(
        "PSS slope", round(slope, 3), "MB per simulated hour", bound=f"< {bound_mb_per_hour:g}", ok=ok
    )
    record.figure("PSS slope, ~95 % interval half-width", round(found.half_width, 3), "MB per simulated hour")
    record.figure("peak PSS", round(peak, 1), "MB")
    record.figure("simulated hours", round((result.until - result.origin) / 3600, 1), "h")
    record.figure("samples after warm-up", samples, bound="≥ 10", ok=samples >= 10)
    if not found.resolves(bound_mb_per_hour):
        record.notes.append(
            f"the slope's interval {found.low:.2f}..{found.high:.2f} MB/h still straddles the bound: "
            "the verdict rests on the point estimate"
        )
    record.series.update(result.memory)
    record.outcome = Verdict.PASSED if ok else Verdict.FAILED
    return record
