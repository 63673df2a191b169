"""CI smoke load: one Stack at basic-xs, two short locust runs; the exit code follows thresholds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.stack.topology import Topology
from load.cli import EXIT_FAILED, EXIT_PASSED, exit_code
from load.plans import plan_named
from load.profiles import load_profile
from load.run import RunOptions, run_load
from load.session import LoadSession, SessionOptions

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(240)]

REPORT_FILES = (
    "capacity.html",
    "capacity.md",
    "capacity.json",
    "locust_stats.csv",
    "locust_stats_history.csv",
    "latency.png",
    "throughput.png",
    "resources.png",
)


def test_smoke_load_reports_and_exit_code_follows_thresholds(tmp_path: Path) -> None:
    profile = load_profile("smoke")
    options = SessionOptions(profile=profile, instance=plan_named("basic-xs"), topology=Topology.SINGLE)
    with LoadSession(options) as session:
        session.prepare_reads()
        passing = run_load(session, profile, RunOptions(tmp_path / "ok", workers=2, progress=None))
        impossible = profile.with_thresholds(["p95 < 0.001 ms"])
        failing = run_load(
            session, impossible, RunOptions(tmp_path / "bad", workers=2, duration=10, progress=None)
        )

    for name in REPORT_FILES:
        assert (tmp_path / "ok" / name).is_file(), name
    written = json.loads((tmp_path / "ok" / "capacity.json").read_text())
    assert written["run"]["emulation"].startswith("emulated"), written["run"]["emulation"]
    assert written["run"]["locust_workers"] == 2
    assert [t["expression"] for t in written["thresholds"]] == [t.expression for t in profile.thresholds]
    assert all(t["outcome"] in ("passed", "failed") for t in written["thresholds"]), written["thresholds"]
    assert len(written["steps"]) == 3
    assert all(step["requests"] > 0 for step in written["steps"])
    expected = EXIT_FAILED if any(t["outcome"] == "failed" for t in written["thresholds"]) else EXIT_PASSED
    assert exit_code(passing) == expected
    assert exit_code(passing) == EXIT_PASSED, passing["verdict"]

    impossible_result = next(t for t in failing["thresholds"] if t["expression"] == "p95 < 0.001 ms")
    assert impossible_result["outcome"] == "failed"
    assert exit_code(failing) == EXIT_FAILED
    assert failing["summary"]["breakpoint_users"] is not None
