"""Rebuild a load report from its capacity.json: the analysis again, on the recorded steps (no new run)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from load.errors import LoadError
from load.plans import plan_named
from load.profiles import load_profile
from load.report import write_report
from load.thresholds import parse_threshold
from load.verdict import analyse, machine_caveats

__all__ = ["rebuild_report"]


def rebuild_report(report_dir: Path) -> dict[str, Any]:
    try:
        capacity: dict[str, Any] = json.loads((report_dir / "capacity.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LoadError(f"--report-from {report_dir}: no readable capacity.json ({exc})") from None
    if capacity.get("kind") == "sync-capacity":
        raise LoadError(
            "--report-from rebuilds load reports; a sync-capacity report has no steps to reanalyse"
        )
    run = capacity["run"]
    at_users = run.get("thresholds_at_users")
    if at_users is None:
        at_users = load_profile(run["profile"]).thresholds_at_users
    capacity.update(
        analyse(
            capacity["steps"],
            [parse_threshold(t["expression"]) for t in capacity["thresholds"]],
            plan_named(run["instance"]),
            at_users=int(at_users),
            emulation_status=run["emulation"],
            intervals_minutes=run["intervals_minutes"],
            caveats=machine_caveats(run.get("loadavg_1m")),
        )
    )
    run.setdefault("emulation_notes", [])
    write_report(capacity, report_dir)
    return capacity
