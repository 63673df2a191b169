"""`logikal-harness verify`: run the criterion scenarios under pytest, show progress, write the reports."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.live import Live
from rich.table import Table

from harness.commands.lanes import default_lanes, plan_lanes
from harness.commands.preflight import run_preflight
from harness.commands.report import RunInfo, exit_code, gate_word, write_reports
from harness.commands.report.model import slug
from harness.commands.reproduce import reproduce_command
from harness.criteria import MULTI_CRITERIA, criterion
from harness.observe.evidence import EVIDENCE_FILE_ENV, Evidence, Verdict, build_results, read_evidence
from harness.stack.config import LANE_ENV
from harness.stack.profile import load_profile

__all__ = ["MULTI_CRITERIA", "VerifyOptions", "discover_scenarios", "run_verify"]

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "scenarios"
_MODULE = re.compile(r"^test_(c\d\d)_\w+\.py$")
_ICONS = {"running": "…", "passed": "✔", "failed": "✘", "error": "✘"}


@dataclass
class VerifyOptions:
    topology: str = "single"
    report_dir: Path | None = None
    sut: str | None = None
    only: list[str] = field(default_factory=list)
    services: str | None = None
    memory_budget_mb: float = 1024.0
    pytest_args: list[str] = field(default_factory=list)
    lanes: int = field(default_factory=default_lanes)  # parallel pytest sessions per topology


def discover_scenarios(directory: Path = SCENARIO_DIR) -> dict[str, Path]:
    """Criterion id → its scenario module (``test_cNN_<slug>.py``)."""
    found = {}
    for path in sorted(directory.glob("test_c*.py")):
        match = _MODULE.match(path.name)
        if match:
            found[match.group(1).upper()] = path
    return found


def _plan(options: VerifyOptions, available: dict[str, Path]) -> list[tuple[str, list[str]]]:
    """(topology, criterion ids) runs: "both" = everything on single, then Option 2's criteria on multi."""
    selected = [c.upper() for c in options.only] or list(available)
    if options.topology == "both":
        return [("single", selected), ("multi", [c for c in selected if c in MULTI_CRITERIA])]
    return [(options.topology, selected)]


class _Progress:
    """A live table of criteria fed from the JSON-lines progress file the scenario conftest writes; where
    the console is no terminal (CI logs, a redirected run) a live table shows only at the end, so every start
    and finish is also printed as a line of its own."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.rows: dict[tuple[str, str], tuple[str, float]] = {}
        self._offsets: dict[Path, int] = {}

    def read(self, path: Path, topology: str) -> None:
        if not path.exists():
            return
        with path.open(encoding="utf-8") as handle:
            handle.seek(self._offsets.get(path, 0))
            for line in handle:
                if not line.endswith("\n"):
                    break
                event = json.loads(line)
                key = (event["criterion"], topology)
                if event["event"] == "start":
                    self.rows[key] = ("running", event["time"])
                    self._line(key, "started")
                else:
                    started = self.rows.get(key, ("", time.time()))[1]
                    previous = self.rows.get(key, ("passed", 0))[0]
                    outcome = event["outcome"] if previous in ("running", "passed") else previous
                    took = time.time() - started
                    self.rows[key] = (outcome, took)
                    self._line(key, f"{event['outcome']} after {took:.0f} s")
            self._offsets[path] = handle.tell()

    def _line(self, key: tuple[str, str], what: str) -> None:
        if not self.console.is_terminal:
            criterion_id, topology = key
            self.console.print(
                f"{time.strftime('%H:%M:%S')} {criterion_id} ({topology}): {what}", highlight=False
            )

    def table(self) -> Table:
        table = Table(title="logikal-harness verify", show_lines=False)
        for column in ("criterion", "topology", "status", "time"):
            table.add_column(column)
        for (criterion_id, topology), (status, value) in sorted(self.rows.items()):
            seconds = time.time() - value if status == "running" else value
            table.add_row(
                f"{criterion_id} {criterion(criterion_id).title}",
                topology,
                f"{_ICONS.get(status, '')} {status}",
                f"{seconds:.0f} s",
            )
        return table


@dataclass(frozen=True)
class _Lane:
    """One pytest session of the run: ``ids`` on ``topology``, lane ``index`` of ``count``."""

    topology: str
    index: int
    count: int
    ids: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.topology if self.count == 1 else f"{self.topology}-lane{self.index + 1}"


def _start_lane(
    options: VerifyOptions, lane: _Lane, modules: list[Path], report_dir: Path
) -> subprocess.Popen[bytes]:
    for stale in (report_dir / f"evidence-{lane.name}.jsonl", report_dir / f"progress-{lane.name}.jsonl"):
        stale.unlink(missing_ok=True)  # a reused report directory must not mix runs
    env = {
        **os.environ,
        "HARNESS_TOPOLOGY": lane.topology,
        LANE_ENV: f"{lane.index}/{lane.count}",
        EVIDENCE_FILE_ENV: str(report_dir / f"evidence-{lane.name}.jsonl"),
        "HARNESS_PROGRESS_FILE": str(report_dir / f"progress-{lane.name}.jsonl"),
        "HARNESS_RUN_ROOT": str(report_dir / "runs" / lane.name),
        "HARNESS_MEMORY_BUDGET_MB": f"{options.memory_budget_mb:g}",
    }
    if options.sut:
        env["HARNESS_SUT"] = _sut_spec(options.sut) or ""
    if options.services:
        env["HARNESS_SERVICES"] = options.services
    command = [
        sys.executable, "-m", "pytest", *map(str, modules), "-p", "no:randomly", "-p", "no:cacheprovider",
        "-q", "-rfE", f"--junitxml={report_dir / f'pytest-{lane.name}.xml'}", *options.pytest_args,
    ]  # fmt: skip
    with (report_dir / f"pytest-{lane.name}.log").open("w", encoding="utf-8") as log:
        return subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=SCENARIO_DIR.parent
        )


def _run_lanes(
    options: VerifyOptions, lanes: list[_Lane], available: dict[str, Path], report_dir: Path,
    progress: _Progress, live: Live,
) -> list[Evidence]:  # fmt: skip
    """Run the lanes of one topology side by side; the evidence of all of them."""
    running = {
        lane: _start_lane(options, lane, [available[c] for c in lane.ids], report_dir) for lane in lanes
    }
    try:
        while True:
            for lane in lanes:
                progress.read(report_dir / f"progress-{lane.name}.jsonl", lane.name)
            live.update(progress.table())
            if all(process.poll() is not None for process in running.values()):
                break
            time.sleep(0.25)
    finally:
        for process in running.values():
            if process.poll() is None:  # interrupted: the lanes' sessions close their Stacks on SIGTERM
                process.terminate()
                process.wait()
    return [record for lane in lanes for record in read_evidence(report_dir / f"evidence-{lane.name}.jsonl")]


def run_verify(options: VerifyOptions, console: Console | None = None) -> int:
    """Run the selected criteria, write junit.xml, report.md/html and evidence.json.

    Exit code: 0 every criterion passed, 1 any failed, 2 none failed but some were inconclusive."""
    console = console or Console()
    started = datetime.now(UTC)
    report_dir = options.report_dir or Path("reports") / started.strftime("%Y%m%dT%H%M%SZ")
    report_dir.mkdir(parents=True, exist_ok=True)
    profile = load_profile(options.sut)
    profile.check_paths()
    available = discover_scenarios()
    plan = _plan(options, available)
    records: list[Evidence] = []
    progress = _Progress(console)
    t0 = time.monotonic()
    console.print(f"preflight: starting {profile.name!r} once to try its declared observations")
    preflight = run_preflight(profile, options.services, report_dir / "runs" / "preflight")
    preflight.write(report_dir / "preflight.json")
    preflight.show(console, [c for _, ids in plan for c in dict.fromkeys(ids)])
    with Live(progress.table(), console=console, refresh_per_second=4, transient=False) as live:
        for topology, ids in plan:
            records += [preflight.inconclusive(c, topology) for c in ids if preflight.blocked(c)]
            ids = [c for c in ids if not preflight.blocked(c)]
            split = plan_lanes([c for c in ids if c in available], options.lanes) if ids else []
            lanes = [_Lane(topology, i, len(split), tuple(lane_ids)) for i, lane_ids in enumerate(split)]
            if lanes:
                records += _run_lanes(options, lanes, available, report_dir, progress, live)
            records += [_unrun(c, topology) for c in ids if c not in available]
    chosen = [c for _, ids in plan for c in ids]
    # A check held after every scenario (the C22 secret scan) reports only when its criterion was chosen.
    results = build_results([r for r in records if r.criterion in chosen], selected=chosen)
    reproduce = {
        slug(r): reproduce_command(report_dir, r.criterion, r.topology if len(plan) > 1 else "")
        for r in results
        if r.verdict == Verdict.FAILED
    }
    run = RunInfo(
        started=started.isoformat(timespec="seconds"),
        wall_seconds=time.monotonic() - t0,
        topologies=[t for t, _ in plan],
        profile=profile.name,
        command=" ".join(sys.argv),
        memory_budget_mb=options.memory_budget_mb,
        extra={"sut": _sut_spec(options.sut), "services": options.services, "reproduce": reproduce},
    )
    paths = write_reports(results, run, report_dir)
    code = exit_code(results)
    count = sum(r.verdict == Verdict.PASSED for r in results)
    inconclusive = [r for r in results if r.verdict not in (Verdict.PASSED, Verdict.FAILED)]
    console.print()
    for result in inconclusive:
        reason = next((t.failure for t in result.tests if t.failure), result.verdict).strip().splitlines()
        console.print(f"[yellow]? {result.criterion} inconclusive:[/] {reason[0][:200] if reason else ''}")
    for command in reproduce.values():
        console.print(f"reproduce: {command}", markup=False, highlight=False, soft_wrap=True)
    colour = {0: "green", 1: "red", 2: "yellow"}[code]
    console.print(
        f"[bold {colour}]{gate_word(results)}[/]: {count}/{len(results)} criteria passed, "
        f"{len(inconclusive)} inconclusive, in {run.wall_seconds:.0f} s — report: {paths['html']}"
    )
    return code


def _sut_spec(sut: str | None) -> str | None:
    """The --sut value as scenarios load it: a file as an absolute path, a built-in profile by name."""
    if not sut:
        return None
    return str(Path(sut).resolve()) if Path(sut).exists() else sut


def _unrun(criterion_id: str, topology: str) -> Evidence:
    record = Evidence(criterion_id, topology=topology, outcome=Verdict.NOT_RUN)
    record.failure = f"no scenario module for {criterion_id} (not yet automated)"
    return record


def parse_only(values: Iterable[str] | None) -> list[str]:
    """``--only C05,c17 --only C01`` → ["C05", "C17", "C01"]."""
    ids: list[str] = []
    for value in values or ():
        ids += [part.strip().upper() for part in value.split(",") if part.strip()]
    return ids
