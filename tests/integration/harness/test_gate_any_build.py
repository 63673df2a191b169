"""The gate judges a build from outside: our middleware started as a foreign build passes every criterion; a
profile that cannot observe comes out inconclusive (exit 2), never failed; a broken worker fails, not
"inconclusive", under the external warp."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from harness.criteria import CRITERIA

REPO = Path(__file__).resolve().parents[3]
VARIANTS = REPO / "tests" / "sut_variants"
FOREIGN = REPO / "examples" / "sut-profiles" / "ours-external-warp.toml"

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _verify(
    report_dir: Path, *args: str, timeout: float
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    command = [sys.executable, "-m", "harness.commands.cli", "verify", "--report-dir", str(report_dir), *args]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=timeout, check=False)
    evidence_file = report_dir / "evidence.json"
    assert evidence_file.exists(), done.stdout[-3000:] + done.stderr[-3000:]
    return done, json.loads(evidence_file.read_text(encoding="utf-8"))


def _verdicts(evidence: dict[str, Any]) -> dict[str, str]:
    return {c["criterion"]: c["verdict"] for c in evidence["criteria"]}


# The whole gate at the profile's 100x: 1470 s of pytest on two cores (CI, 2026-12-02), plus the warped run's
# extension (up to 24 simulated hours: 864 s at 100x).
@pytest.mark.timeout(3300)
def test_our_middleware_as_a_foreign_build_passes_every_criterion(tmp_path: Path) -> None:
    # External warp (CLOCK_SPEED never given), a clean environment, every observation declared.
    started = time.monotonic()
    # One lane: libfaketime's cost per process makes two lanes of externally warped Stacks crowd two cores;
    # the wall figure stays comparable with the single-lane runs measured before.
    done, evidence = _verify(tmp_path, "--sut", str(FOREIGN), "--lanes", "1", timeout=3200)
    wall = time.monotonic() - started
    sys.stdout.write(f"\nforeign-build gate (external warp): {wall:.0f} s wall\n")
    # C10 rests on a slope whose interval narrows with the simulated hours the capped warp goes on for
    # (docs/sut-profiles.md): printed so CI keeps the figures beside the verdict.
    memory = [
        f for c in evidence["criteria"] if c["criterion"] == "C10" for t in c["tests"] for f in t["figures"]
    ]
    sys.stdout.write(
        "C10: " + "; ".join(f"{f['name']} {f['value']} {f.get('unit', '')}" for f in memory) + "\n"
    )
    verdicts = _verdicts(evidence)
    assert set(verdicts) >= set(CRITERIA), sorted(set(CRITERIA) - set(verdicts))
    assert "inconclusive" not in verdicts.values(), f"{verdicts}\n{done.stdout[-4000:]}"
    failed = {c: v for c, v in verdicts.items() if v != "passed"}
    assert not failed, f"{failed}\n{done.stdout[-4000:]}"
    assert done.returncode == 0
    assert evidence["run"]["profile"] == "ours-external-warp"


def test_a_profile_whose_query_names_a_missing_table_is_inconclusive_not_failed(tmp_path: Path) -> None:
    done, evidence = _verify(
        tmp_path, "--sut", str(VARIANTS / "missing_table.toml"), "--only", "C01,C05,C08,C13", timeout=400
    )
    verdicts = _verdicts(evidence)
    assert verdicts == {"C01": "passed", "C05": "inconclusive", "C08": "inconclusive", "C13": "inconclusive"}
    assert done.returncode == 2, done.stdout[-2000:]
    reasons = {c["criterion"]: c["tests"][0]["failure"] for c in evidence["criteria"] if c["tests"]}
    assert 'relation "sync_history" does not exist' in reasons["C05"]
    # The preflight named them before any scenario ran: its table precedes the scenario progress table.
    out = done.stdout
    assert "preflight: what this build lets the gate see" in out
    assert out.index("preflight: what this build lets the gate see") < out.index("logikal-harness verify")
    preflight = json.loads((tmp_path / "preflight.json").read_text(encoding="utf-8"))
    assert "sync_history" in preflight["capabilities"]["sync_runs"]


def test_a_worker_on_the_default_queue_fails_c04_and_c05_under_the_external_warp(tmp_path: Path) -> None:
    done, evidence = _verify(
        tmp_path, "--sut", str(VARIANTS / "default_queue_external.toml"), "--topology", "multi",
        "--only", "C01,C02,C04,C05", timeout=500,
    )  # fmt: skip
    assert _verdicts(evidence) == {"C01": "passed", "C02": "passed", "C04": "failed", "C05": "failed"}
    assert done.returncode == 1


def test_the_upstream_example_fails_fast_naming_the_setting_to_fix(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "harness.commands.cli", "verify", "--report-dir", str(tmp_path),
               "--sut", str(REPO / "examples" / "sut-profiles" / "upstream.toml")]  # fmt: skip
    started = time.monotonic()
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=60, check=False)
    assert time.monotonic() - started < 20
    assert done.returncode == 2
    assert "set `cwd` in" in done.stderr
    assert "upstream.toml" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
