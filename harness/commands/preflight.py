"""Preflight: before any scenario runs, try every declared observation once and say what can be judged.

A criterion whose needs (``harness.criteria``) are not all observable is not run: it is reported
"inconclusive" with the reason, so a profile for another build learns at once what it still has to declare.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table

from harness.criteria import criterion
from harness.errors import BuildStartError, HarnessError
from harness.observe.adapter import preflight_checks
from harness.observe.evidence import Evidence, Verdict
from harness.stack import Stack, StackConfig
from harness.stack.profile import SutProfile
from harness.stack.topology import Topology

__all__ = ["Preflight", "run_preflight"]


@dataclass
class Preflight:
    """Which capabilities work for this build, and which criteria can therefore be judged."""

    capabilities: dict[str, str] = field(default_factory=dict)  # capability → "" or why not
    build_error: str = ""

    def blocked(self, criterion_id: str) -> list[str]:
        """Reasons ``criterion_id`` cannot be judged (empty: it can)."""
        if self.build_error:
            return []  # the build did not start: every criterion runs and fails on its own evidence
        return [
            f"{need.value}: {self.capabilities[need.value]}"
            for need in criterion(criterion_id).needs
            if self.capabilities.get(need.value)
        ]

    def inconclusive(self, criterion_id: str, topology: str) -> Evidence:
        record = Evidence(criterion_id, test="preflight", topology=topology, outcome=Verdict.INCONCLUSIVE)
        record.failure = "inconclusive (preflight): " + "; ".join(self.blocked(criterion_id))
        return record

    def write(self, path: Path) -> None:
        path.write_text(json.dumps({"capabilities": self.capabilities, "build_error": self.build_error},
                                   indent=2), encoding="utf-8")  # fmt: skip

    def show(self, console: Console, criteria: list[str]) -> None:
        table = Table(title="preflight: what this build lets the gate see")
        for column in ("criterion", "judged", "why not"):
            table.add_column(column)
        for criterion_id in criteria:
            reasons = self.blocked(criterion_id)
            table.add_row(
                f"{criterion_id} {criterion(criterion_id).title}",
                "no → inconclusive" if reasons else "yes",
                "; ".join(reasons)[:160],
            )
        console.print(table)
        if self.build_error:
            console.print(f"[red]the build did not start in preflight:[/] {self.build_error.splitlines()[0]}")


def run_preflight(profile: SutProfile, services: str | None, run_dir: Path) -> Preflight:
    """Start the build once (no background sync) and run every declared read-only observation."""
    config = StackConfig(
        topology=Topology.SINGLE, profile=profile, services=services, background_sync=False, run_dir=run_dir
    )
    result = Preflight()
    try:
        with Stack(config) as stack:
            result.capabilities = preflight_checks(stack.observer)
    except BuildStartError as exc:
        result.build_error = str(exc)
    except HarnessError as exc:
        result.capabilities = {"stack": f"preflight could not start the Stack: {exc}"}
        result.build_error = str(exc)
    return result
