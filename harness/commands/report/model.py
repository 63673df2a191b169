"""The data every report renders: facts about the run, plots, and the overall verdict."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from harness.observe.evidence import CriterionResult, Verdict

__all__ = ["Plot", "RunInfo", "exit_code", "gate_word", "passed", "slug"]


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


def exit_code(results: list[CriterionResult]) -> int:
    """The gate's answer: 0 all passed, 1 any failed, 2 none failed but some could not be judged."""
    if any(r.verdict == Verdict.FAILED for r in results):
        return 1
    return 0 if passed(results) else 2


def gate_word(results: list[CriterionResult]) -> str:
    return {0: "PASSED", 1: "FAILED", 2: "INCONCLUSIVE"}[exit_code(results)]


def slug(result: CriterionResult) -> str:
    return f"{result.criterion}-{result.topology or 'any'}"
