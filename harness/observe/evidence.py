"""Evidence per criterion: figures, log lines, timings, series; recorded by scenarios, read by reports."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from harness.criteria import criterion
from harness.errors import BuildStartError, InconclusiveError, WaitTimeoutError

__all__ = [
    "EVIDENCE_FILE_ENV",
    "CriterionResult",
    "Evidence",
    "Figure",
    "Verdict",
    "append_evidence",
    "build_results",
    "judge_exception",
    "read_evidence",
]

EVIDENCE_FILE_ENV = "HARNESS_EVIDENCE_FILE"
_append_lock = threading.Lock()


class Verdict:
    """Outcome words used in evidence and reports."""

    PASSED = "passed"
    FAILED = "failed"
    INCONCLUSIVE = "inconclusive"  # the harness could not observe what the criterion needs
    ERROR = "error"
    SKIPPED = "skipped"
    NOT_RUN = "not run"


@dataclass
class Figure:
    """A measured value, optionally with the bound it was held to and whether it met it."""

    name: str
    value: float | int | str | bool
    unit: str = ""
    bound: str = ""
    ok: bool | None = None


@dataclass
class Evidence:
    """What one scenario test observed for its criterion."""

    criterion: str
    test: str = ""
    topology: str = ""
    outcome: str = Verdict.NOT_RUN
    duration: float = 0.0
    failure: str = ""
    figures: list[Figure] = field(default_factory=list)
    log_lines: list[dict[str, str]] = field(default_factory=list)
    timings: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    series: dict[str, list[list[float]]] = field(default_factory=dict)
    timeline: list[dict[str, Any]] = field(default_factory=list)
    # Every Stack the test used: {"role", "index", "inputs", "tape"} (harness.stack.inputs.stack_record).
    stacks: list[dict[str, Any]] = field(default_factory=list)

    def figure(
        self,
        name: str,
        value: float | int | str | bool,
        unit: str = "",
        *,
        bound: str = "",
        ok: bool | None = None,
    ) -> None:
        self.figures.append(Figure(name, value, unit, bound, ok))

    def log_line(self, process: str, line: str) -> None:
        self.log_lines.append({"process": process, "line": line.rstrip()[:500]})

    def timing(self, name: str, seconds: float) -> None:
        self.timings.append({"name": name, "seconds": round(seconds, 3)})

    def note(self, text: str) -> None:
        self.notes.append(text)

    def add_series(self, name: str, points: Iterable[Sequence[float]]) -> None:
        """A time series, e.g. ``memory_pss_mb``: [[seconds since start, value], ...]."""
        self.series[name] = [[float(x), float(y)] for x, y in points]

    def add_timeline(self, windows: Iterable[dict[str, Any]]) -> None:
        """Sync windows: dicts with ``label``, ``start``, ``end`` (seconds, virtual) and ``status``."""
        self.timeline.extend(windows)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Evidence:
        figures = [Figure(**f) for f in data.get("figures", [])]
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__ and k != "figures"}
        return cls(figures=figures, **fields)


def judge_exception(exc: BaseException | None) -> tuple[str, str]:
    """(outcome, reason) for an exception that ended a scenario: only a check that ran can fail the build.

    An assertion, a condition the build never reached in time, or a build that did not start → failed;
    anything else (the harness could not observe, or broke) → inconclusive, never "failed".
    """
    if exc is None:
        return Verdict.INCONCLUSIVE, "inconclusive: no exception recorded"
    if isinstance(exc, InconclusiveError):
        return Verdict.INCONCLUSIVE, f"inconclusive: {exc}"
    if isinstance(exc, AssertionError | WaitTimeoutError | BuildStartError) or type(exc).__name__ == "Failed":
        return Verdict.FAILED, ""
    return Verdict.INCONCLUSIVE, f"inconclusive: harness error {type(exc).__name__}: {str(exc)[:300]}"


def append_evidence(path: Path, evidence: Evidence) -> None:
    """Append one record to a JSON-lines file (one line per finished test)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(evidence.to_json(), default=str)
    with _append_lock, path.open("a", encoding="utf-8") as out:
        out.write(line + "\n")


def read_evidence(path: Path) -> list[Evidence]:
    """Read a JSON-lines evidence file; a missing file is no evidence."""
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            records.append(Evidence.from_json(json.loads(line)))
    return records


@dataclass
class CriterionResult:
    """The verdict of one criterion (per topology) and the evidence of every test behind it."""

    criterion: str
    title: str
    checklist: str
    topology: str
    verdict: str
    tests: list[Evidence]

    @property
    def duration(self) -> float:
        return sum(t.duration for t in self.tests)

    def to_json(self) -> dict[str, Any]:
        return {
            "criterion": self.criterion,
            "title": self.title,
            "checklist": self.checklist,
            "topology": self.topology,
            "verdict": self.verdict,
            "duration": round(self.duration, 3),
            "tests": [t.to_json() for t in self.tests],
        }


def _verdict(outcomes: list[str]) -> str:
    """Failed if any test found the build wrong; passed only if all passed; otherwise inconclusive."""
    if not outcomes or all(o == Verdict.NOT_RUN for o in outcomes):
        return Verdict.NOT_RUN
    if Verdict.FAILED in outcomes:
        return Verdict.FAILED
    if all(o == Verdict.PASSED for o in outcomes):
        return Verdict.PASSED
    return Verdict.INCONCLUSIVE


def build_results(records: Iterable[Evidence], selected: Iterable[str] = ()) -> list[CriterionResult]:
    """Group records by (criterion, topology); ``selected`` criteria without records are "not run"."""
    grouped: dict[tuple[str, str], list[Evidence]] = {}
    for record in records:
        grouped.setdefault((record.criterion, record.topology), []).append(record)
    for criterion_id in selected:
        if not any(key[0] == criterion_id for key in grouped):
            grouped[(criterion_id, "")] = []
    results = []
    for (criterion_id, topology), tests in sorted(grouped.items()):
        info = criterion(criterion_id)
        results.append(
            CriterionResult(
                criterion=criterion_id,
                title=info.title,
                checklist=info.checklist,
                topology=topology,
                verdict=_verdict([t.outcome for t in tests]),
                tests=tests,
            )
        )
    return results
