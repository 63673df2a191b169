"""Report plots (PNG, matplotlib Agg): latency and throughput vs users, resources and sync runs over time."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from load.analysis import UslFit
from load.plans import InstancePlan
from load.sampler import ResourceSample

__all__ = ["plot_latency", "plot_resources", "plot_throughput"]

_MB = 1024 * 1024
_COLOURS = {
    "directory": "#8c564b",
    "project": "#1f77b4",
    "phase": "#2ca02c",
    "elevation": "#d62728",
    "parts_list": "#9467bd",
    "sqlite_parser": "#7f7f7f",
}


def _values(steps: Sequence[dict[str, Any]], key: str) -> list[float]:
    return [float("nan") if s.get(key) is None else float(s[key]) for s in steps]


def plot_latency(steps: Sequence[dict[str, Any]], path: Path, knee: float | None) -> Path:
    fig, ax = plt.subplots(figsize=(7, 4))
    users = [s["users"] for s in steps]
    for key, style in (("p50", "-o"), ("p95", "-s"), ("p99", "-^")):
        ax.plot(users, _values(steps, key), style, label=key)
    if knee is not None:
        ax.axvline(knee, color="grey", linestyle="--", label=f"knee ({knee:g} users)")
    ax.set(xlabel="users", ylabel="response time (ms)", title="Latency percentiles vs users")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_throughput(steps: Sequence[dict[str, Any]], path: Path, usl: UslFit | None) -> Path:
    fig, ax = plt.subplots(figsize=(7, 4))
    users = [s["users"] for s in steps]
    ax.plot(users, _values(steps, "rps"), "o", label="measured")
    if usl is not None and users:
        top = max(max(users), usl.peak_users or 0) * 1.1
        grid = [1 + i * (top - 1) / 100 for i in range(101)]
        ax.plot(grid, [usl.throughput(n) for n in grid], "-", label=f"USL fit (R² {usl.r2:.2f})")
    ax.set(xlabel="users", ylabel="requests/s", title="Throughput vs users")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_resources(
    samples: Sequence[ResourceSample],
    runs: Sequence[dict[str, Any]],
    steps: Sequence[dict[str, Any]],
    plan: InstancePlan,
    path: Path,
) -> Path:
    """Memory per role (stacked) and CPU against the plan's limits, sync runs below, one time axis."""
    fig, (mem, cpu, bars) = plt.subplots(3, 1, figsize=(9, 8), sharex=True, height_ratios=[3, 2, 2])
    t0 = samples[0].t if samples else 0.0
    times = [s.t - t0 for s in samples]
    roles = sorted({role for s in samples for role in s.pss})
    if roles:
        mem.stackplot(
            times, *[[s.pss.get(r, 0) / _MB for s in samples] for r in roles], labels=roles, alpha=0.7
        )
        cpu.stackplot(times, *[[s.cpu.get(r, 0.0) for s in samples] for r in roles], labels=roles, alpha=0.7)
    if plan.is_limited:
        mem.axhline(plan.memory_mb, color="red", linestyle="--", label=f"{plan.name} limit")
        mem.axhline(0.8 * plan.memory_mb, color="orange", linestyle=":", label="80 %")
        cpu.axhline(100 * plan.vcpu, color="red", linestyle="--", label=f"{plan.vcpu:g} vCPU quota")
        cpu.axhline(80 * plan.vcpu, color="orange", linestyle=":", label="80 %")
    for step in steps:
        for axis in (mem, cpu, bars):
            axis.axvline(step["start"] - t0, color="grey", alpha=0.2)
        mem.text(step["start"] - t0, 0, f" {step['users']}u", fontsize=7, va="bottom")
    mem.set(ylabel="PSS (MB)", title="Memory and CPU of the middleware, sync runs (same time axis)")
    cpu.set(ylabel="CPU (% of a core)")
    types = list(_COLOURS)
    for run in runs:
        if run.get("started") is None:
            continue
        end = run.get("completed") or (samples[-1].t if samples else run["started"])
        row = types.index(run["sync_type"]) if run["sync_type"] in types else len(types)
        width = max(end - run["started"], 0.5)
        colour = _COLOURS.get(run["sync_type"], "black")
        hatch = "//" if run.get("status") == "failed" else None
        bars.barh(row, width, left=run["started"] - t0, color=colour, hatch=hatch, alpha=0.8)
    bars.set_yticks(range(len(types) + 1), [*types, "project (force)"])
    bars.set(xlabel="seconds since the first sample", ylabel="sync runs")
    for axis in (mem, cpu):
        axis.grid(alpha=0.3)
        axis.legend(loc="upper left", fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
