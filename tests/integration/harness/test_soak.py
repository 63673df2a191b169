"""A shortened soak: `logikal-harness soak` warps a few simulated hours and judges C08 and C10."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_short_soak_reports_memory_slope_and_sync_history(tmp_path: Path) -> None:
    command = [
        sys.executable, "-m", "harness.commands.cli", "soak", "--simulated-hours", "6",
        "--real-minutes", "0.5",
        "--report-dir", str(tmp_path),
    ]  # fmt: skip
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=170, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    evidence = json.loads((tmp_path / "evidence.json").read_text(encoding="utf-8"))
    verdicts = {c["criterion"]: c["verdict"] for c in evidence["criteria"]}
    assert verdicts == {"C08": "passed", "C10": "passed"}
    assert (tmp_path / "plots" / "C10-single-memory.png").exists()
    assert (tmp_path / "plots" / "C08-single-timeline.png").exists()
