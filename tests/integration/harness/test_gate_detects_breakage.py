"""The gate fails when it should: SUT profiles that break one behaviour make the right criterion fail."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

VARIANTS = Path(__file__).resolve().parents[2] / "sut_variants"
REPO = VARIANTS.parents[1]

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(300)]


@pytest.mark.parametrize(
    ("profile", "criterion"),
    [
        ("worker_without_queues.toml", "C04"),
        ("redirecting_health.toml", "C01"),
        ("no_last_sync.toml", "C05"),
        ("no_lock.toml", "C15"),
    ],
)
def test_a_broken_middleware_fails_its_criterion(profile: str, criterion: str, tmp_path: Path) -> None:
    # Option 2 processes: every process runs the variant's own entry point (no supervisor re-spawning ours).
    command = [
        sys.executable, "-m", "harness.commands.cli", "verify", "--sut", str(VARIANTS / profile),
        "--topology", "multi", "--only", criterion, "--report-dir", str(tmp_path),
    ]  # fmt: skip
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=280, check=False)
    evidence = json.loads((tmp_path / "evidence.json").read_text(encoding="utf-8"))
    verdicts = {c["criterion"]: c["verdict"] for c in evidence["criteria"]}
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-2000:]
    assert evidence["passed"] is False
    assert verdicts.get(criterion) in {"failed", "error"}, verdicts
    assert evidence["run"]["profile"] == profile.removesuffix(".toml").replace("_", "-")
