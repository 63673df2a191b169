"""`logikal-harness soak`: one time-warped long run judged like C08 and C10, with its own report."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

from harness.commands.report import RunInfo, passed, write_reports
from harness.observe.evidence import build_results
from harness.scenario.warp_run import (
    BEAT_SECONDS,
    LEAK_BOUND_MB_PER_HOUR,
    WARMUP_FRACTION,
    WarpResult,
    history_evidence,
    memory_evidence,
    mutate_hourly,
    warp_through,
)
from harness.stack import Stack, StackConfig
from harness.stack.profile import load_profile
from harness.stack.topology import Topology

__all__ = ["SoakOptions", "run_soak"]


@dataclass
class SoakOptions:
    simulated_hours: float = 48.0
    real_minutes: float | None = None
    topology: str = "single"
    sut: str | None = None
    services: str | None = None
    report_dir: Path | None = None
    pss_slope_bound_mb_per_hour: float = LEAK_BOUND_MB_PER_HOUR
    warmup_fraction: float = WARMUP_FRACTION

    @property
    def clock_speed(self) -> float:
        minutes = self.real_minutes or max(1.0, 8.0 * self.simulated_hours / 48.0)
        return self.simulated_hours * 3600.0 / (minutes * 60.0)


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
