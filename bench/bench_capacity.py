"""Benchmark: step-ramp at basic-xxs and basic-xs, then sync-capacity; prints verdicts and timings."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

RUNS = {
    "step-ramp basic-xxs": ["--profile", "step-ramp", "--instance", "basic-xxs"],
    "step-ramp basic-xs": ["--profile", "step-ramp", "--instance", "basic-xs"],
    "sync-capacity": ["--profile", "sync-capacity"],
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--out", type=Path, default=Path("reports") / time.strftime("bench-capacity-%Y%m%d-%H%M%S")
    )
    parser.add_argument("--duration", default="150", help="seconds per step ramp (the shape is rescaled)")
    parser.add_argument("--sizes", default="100,400", help="sync-capacity dataset sizes (elevations)")
    parser.add_argument("--sessions", default="1,4,8", help="sync-capacity LOGIKAL_MAX_SESSIONS values")
    parser.add_argument("--only", choices=sorted(RUNS), action="append")
    args = parser.parse_args()
    for name in args.only or list(RUNS):
        extra = ["--sizes", args.sizes, "--sessions", args.sessions] if name == "sync-capacity" else []
        if name != "sync-capacity":
            extra = ["--duration", args.duration]
        report = args.out / name.replace(" ", "-")
        started = time.monotonic()
        command = [sys.executable, "-m", "load", *RUNS[name], *extra, "--report-dir", str(report)]
        code = subprocess.run(command, check=False, stdout=subprocess.DEVNULL).returncode
        seconds = time.monotonic() - started
        try:
            capacity = json.loads((report / "capacity.json").read_text())
        except (OSError, ValueError):
            print(f"{name}: exit {code} after {seconds:.0f} s, no report")
            continue
        summary = capacity.get("summary", {})
        print(f"{name}: exit {code}, {seconds:.0f} s")
        print(f"  verdict: {capacity['verdict']}")
        if summary:
            print(
                f"  knee {summary.get('knee_users')} users, "
                f"breakpoint {summary.get('breakpoint_users')} users, "
                f"max users within thresholds {summary.get('max_users_within_thresholds')}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
