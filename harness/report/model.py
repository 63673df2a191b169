"""The data every report renders: facts about the run, plots, and the overall verdict."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from harness.evidence import CriterionResult, Verdict

__all__ = ["Plot", "RunInfo", "passed", "slug"]


@dataclass
class RunInfo:
    """Facts about the run shown at the top of every report."""

    started: str
    wall_seconds: float
    topologies: list[str]
    profile: str
    command: str = ""
    memory_budget_mb: float = 1024.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def budgets_mb(self) -> dict[str, float]:
        return {
            f"80 % of {self.memory_budget_mb:g} MB": 0.8 * self.memory_budget_mb,
            "80 % of 512 MB": 0.8 * 512,
        }


@dataclass(frozen=True)
class Plot:
    """A PNG written next to the reports and embedded in the HTML."""

    title: str
    file: str
    png: bytes

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


def passed(results: list[CriterionResult]) -> bool:
    return bool(results) and all(r.verdict == Verdict.PASSED for r in results)


def slug(result: CriterionResult) -> str:
    return f"{result.criterion}-{result.topology or 'any'}"
