"""One load run against a LoadSession: locust, samplers, the sync-lag probe, analysis and the report."""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from harness.stack import Stack
from load.analysis import fit_usl
from load.baseline import compare_with_baseline
from load.errors import LoadError
from load.locust_process import LocustRun, last_aggregate
from load.plots import plot_latency, plot_resources, plot_throughput
from load.profiles import Profile
from load.report import write_report
from load.run_config import RunConfig
from load.sampler import ResourceSampler
from load.session import LoadSession
from load.shapes import total_seconds
from load.steps import measure_step, read_requests, read_windows
from load.synclag import SyncLagProbe
from load.verdict import analyse, machine_caveats

__all__ = ["RunOptions", "run_load"]

_MB = 1024 * 1024


def sync_run_rows(stack: Stack) -> list[dict[str, Any]]:
    """The build's sync runs through its SUT profile's declared observation (never its tables directly)."""
    return [
        {"sync_type": w.sync_type, "trigger": w.trigger, "status": w.status,
         "duration": (w.end - w.start) if w.end is not None else None,
         "created": w.queued, "started": w.start, "completed": w.end}
        for w in stack.observer.sync_runs()
    ]  # fmt: skip


@dataclass
class RunOptions:
    report_dir: Path
    users: int | None = None
    duration: float | None = None
    workers: int = 0
    baseline: Path | None = None
    tolerance: float = 0.10
    progress: TextIO | None = sys.stderr


def _progress_line(
    elapsed: float,
    total: float,
    history: dict[str, str] | None,
    sampler: ResourceSampler,
    probe: SyncLagProbe,
    session: LoadSession,
) -> str:
    parts = [f"[{elapsed:4.0f}s/{total:4.0f}s]"]
    if history:
        parts.append(f"users {history.get('User Count', '?')}")
        parts.append(f"{float(history.get('Requests/s') or 0):6.1f} req/s")
        parts.append(f"p95 {history.get('95%', '?')} ms")
        parts.append(f"fail/s {float(history.get('Failures/s') or 0):.2f}")
    sample = sampler.latest()
    if sample is not None:
        plan = session.options.instance
        share = (
            f" ({100 * sample.pss_total / plan.memory_bytes:.0f} % of {plan.name})" if plan.is_limited else ""
        )
        parts.append(f"PSS {sample.pss_total / _MB:.0f} MB{share}")
        parts.append(f"CPU {sample.cpu_total:.0f} %")
        parts.append(f"queue {sum(sample.queue_depth.values())}")
    lags = [s.seconds for s in probe.samples if s.seconds is not None]
    if lags:
        parts.append(f"lag {lags[-1]:.0f} s")
    return " | ".join(parts)


def run_load(session: LoadSession, profile: Profile, options: RunOptions) -> dict[str, Any]:
    """Run locust with ``profile`` against the started session; write the report; return capacity.json."""
    stack = session.running
    started = time.time()
    load_before = os.getloadavg()
    out = options.report_dir
    samples_dir = out / "samples"
    out.mkdir(parents=True, exist_ok=True)
    stages = profile.stages(users=options.users, duration=options.duration)
    config = RunConfig(
        stages=stages,
        user_weights=profile.user_weights,
        task_weights=profile.task_weights,
        think_time=profile.think_time,
        odoo_client_id=session.odoo_client_id,
        odoo_client_secret=session.odoo_client_secret,
        admin_username=stack.profile.admin_username,
        admin_password=stack.admin_password,
        targets=session.targets,
        intervals_minutes=profile.intervals_minutes,
        samples_dir=str(samples_dir),
        stages_file=str(out / "stages.jsonl"),
    )
    config_path = config.write(out / "run-config.json")
    sampler = ResourceSampler(
        session.leaders,
        redis_url=stack.redis_url,
        database_url=stack.database_url,
        cgroup_stats=session.emulation.stats if session.emulation else dict,
    )
    elevation_minutes = profile.intervals_minutes.get("elevation", 30)
    probe = SyncLagProbe(
        lambda body: stack.fake_request("POST", "/_fake/mutate", json=body),
        session.odoo_http,
        json.loads(json.dumps(session.targets)),
        period=profile.sync_lag_period,
        deadline=3 * elevation_minutes * 60 + 60,
    )
    locust = LocustRun(stack.base_url, config_path, out, workers=options.workers)
    total = total_seconds(stages)
    sampler.start()
    probe.start()
    locust.start()
    try:
        _watch(locust, total, sampler, probe, session, options.progress)
    finally:
        locust.stop()
        lags = probe.stop()
        samples = sampler.stop()
    runs = [run for run in sync_run_rows(stack) if run["started"] is None or run["started"] >= started - 1]
    windows = read_windows(out / "stages.jsonl")
    if not windows:
        raise LoadError(f"locust ran no stage; see {out / 'locust-master.log'}")
    requests = read_requests(samples_dir)
    steps = [measure_step(w, requests, samples, lags, runs, profile.intervals_minutes) for w in windows]
    emulation = session.emulation.status if session.emulation else "not emulated"
    loadavg = {"start": load_before[0], "end": os.getloadavg()[0], "cpus": float(os.cpu_count() or 1)}
    result = analyse(
        steps,
        profile.thresholds,
        session.options.instance,
        at_users=profile.thresholds_at_users,
        emulation_status=emulation,
        intervals_minutes=profile.intervals_minutes,
        caveats=machine_caveats(loadavg),
    )
    capacity: dict[str, Any] = {
        "schema": 1,
        "run": {
            "profile": profile.name,
            "profile_version": profile.version,
            "instance": session.options.instance.name,
            "instance_plan": session.options.instance.describe(),
            "emulation": emulation,
            "unattached_pids": session.unattached,
            "emulation_notes": session.emulation.notes if session.emulation else [],
            "cgroup_memory_limits": session.emulation.memory_limits if session.emulation else {},
            "topology": str(session.options.topology),
            "locust_workers": options.workers,
            "dataset_size": profile.dataset_size,
            "time_scale": profile.time_scale,
            "intervals_minutes": profile.intervals_minutes,
            "thresholds_at_users": profile.thresholds_at_users,
            "beat_seconds": profile.beat_seconds,
            "stages": [vars(s) for s in stages],
            "started": started,
            "seconds": time.time() - started,
            "locust_exit_code": locust.poll(),
            # The machine is shared: a high load average means the figures carry other people's work too.
            "loadavg_1m": loadavg,
        },
        **result,
        "steps": steps,
        "sync_runs": runs,
        "sync_lag": [vars(s) for s in lags],
        "samples": [s.as_dict() for s in samples],
    }
    if options.baseline is not None:
        _compare(capacity, options)
    usl = fit_usl([s["users"] for s in steps if s["rps"]], [s["rps"] for s in steps if s["rps"]])
    capacity["plots"] = [
        plot_latency(steps, out / "latency.png", result["summary"]["knee_users"]).name,
        plot_throughput(steps, out / "throughput.png", usl).name,
        plot_resources(samples, runs, steps, session.options.instance, out / "resources.png").name,
    ]
    write_report(capacity, out)
    return capacity


def _compare(capacity: dict[str, Any], options: RunOptions) -> None:
    assert options.baseline is not None
    try:
        old = json.loads(options.baseline.read_text(encoding="utf-8"))["summary"]
    except (OSError, ValueError, KeyError) as exc:
        raise LoadError(f"--baseline {options.baseline}: not a capacity.json ({exc})") from None
    rows = compare_with_baseline(capacity["summary"], old, options.tolerance)
    capacity["baseline"] = {
        "path": str(options.baseline),
        "tolerance": options.tolerance,
        "comparisons": [row.as_dict() for row in rows],
        "regressed": any(row.is_regression for row in rows),
    }


def _watch(
    locust: LocustRun,
    total: float,
    sampler: ResourceSampler,
    probe: SyncLagProbe,
    session: LoadSession,
    stream: TextIO | None,
) -> None:
    """Print the live progress line until the master exits; give up well after the shape's end."""
    start = time.monotonic()
    history = locust.csv_prefix.with_name("locust_stats_history.csv")
    interactive = bool(stream and stream.isatty())
    last_print = 0.0
    while locust.poll() is None:
        elapsed = time.monotonic() - start
        if elapsed > total + 120:
            raise LoadError(f"locust still running {elapsed:.0f}s after a {total:.0f}s shape")
        if stream is not None and (interactive or elapsed - last_print >= 10):
            line = _progress_line(elapsed, total, last_aggregate(history), sampler, probe, session)
            stream.write(("\r" + line + "\033[K") if interactive else line + "\n")
            stream.flush()
            last_print = elapsed
        time.sleep(1.0)
    if stream is not None and interactive:
        stream.write("\n")
