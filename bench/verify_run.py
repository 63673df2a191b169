"""One ``logikal-harness verify`` as a subprocess, for the benchmarks that measure the gate itself."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]

__all__ = ["REPO", "run_verify"]


def run_verify(args: list[str], report: Path, timeout: float) -> tuple[float, dict[str, Any] | None]:
    """(wall seconds, evidence.json or None when the run left none) of ``verify ARGS --report-dir REPORT``."""
    command = [sys.executable, "-m", "harness.commands.cli", "verify", *args, "--report-dir", str(report)]
    started = time.monotonic()
    subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=timeout, check=False)
    wall = time.monotonic() - started
    evidence = report / "evidence.json"
    return wall, json.loads(evidence.read_text(encoding="utf-8")) if evidence.exists() else None
