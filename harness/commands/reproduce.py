"""`logikal-harness reproduce`: re-run a failed criterion with every recorded input pinned; --keep, --shrink.

The recorded inputs are the Stack records in evidence.json (`harness.stack.inputs`): the scenario runs again
under pytest with HARNESS_PIN_FILE giving each of its Stacks the recorded profile, topology, fake seed, clock
speed, warp and settings. The answer is whether the same criterion failed again (exit 1) or not (exit 0).
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console

from harness.errors import HarnessError
from harness.observe.evidence import EVIDENCE_FILE_ENV, Evidence, Verdict, read_evidence
from harness.stack.keep import KEEP_FILE_ENV, stop_file
from harness.stack.tape import Tape

__all__ = ["FailedRun", "ReproduceOptions", "load_failure", "reproduce_command", "run_reproduce"]

REPO_ROOT = Path(__file__).resolve().parents[2]
PIN_FILE_ENV = "HARNESS_PIN_FILE"


@dataclass
class ReproduceOptions:
    source: Path
    criterion: str | None = None
    topology: str | None = None
    keep: bool = False
    speed: float | None = None
    shrink: bool = False
    tape: Path | None = None  # --shrink: this tape instead of the recorded one
    settle: float | None = None  # --shrink: virtual seconds to wait for the invariants after the tape
    output: Path | None = None  # --shrink: where the minimal tape goes
    invariants: list[str] = field(default_factory=list)  # --shrink: which broken invariants are the failure
    services: str | None = None


@dataclass
class FailedRun:
    """The criterion to reproduce and the evidence of its tests, from one evidence.json."""

    criterion: str
    topology: str
    tests: list[Evidence]
    run: dict[str, Any]
    report_dir: Path
    stacks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def failed_tests(self) -> list[Evidence]:
        return [t for t in self.tests if t.outcome == Verdict.FAILED] or self.tests

    @property
    def sut(self) -> str | None:
        """The spec that loads the recorded SUT profile (a file path or a built-in name)."""
        for record in self.stacks:
            spec = record.get("inputs", {}).get("profile", {}).get("spec")
            if spec:
                return str(spec)
        extra = self.run.get("extra", {})
        return str(extra["sut"]) if extra.get("sut") else None


def reproduce_command(report_dir: Path, criterion: str, topology: str = "") -> str:
    """The exact command `verify` prints for a failed criterion."""
    parts = ["logikal-harness", "reproduce", str(report_dir), "--criterion", criterion]
    if topology:
        parts += ["--topology", topology]
    return shlex.join(parts)


def load_failure(source: Path, criterion: str | None = None, topology: str | None = None) -> FailedRun:
    """Read REPORT_DIR/evidence.json (or the file) and pick ``criterion`` (default: the first failed one)."""
    path = source / "evidence.json" if source.is_dir() else source
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise HarnessError(f"no evidence.json at {path} (give a verify report directory)") from None
    except ValueError as exc:
        raise HarnessError(f"{path} is not JSON: {exc}") from None
    results = data.get("criteria", [])
    wanted = criterion.upper() if criterion else None
    for result in results:
        if wanted and result["criterion"] != wanted:
            continue
        if topology and result.get("topology") != topology:
            continue
        if wanted is None and result["verdict"] != Verdict.FAILED:
            continue
        tests = [Evidence.from_json(t) for t in result.get("tests", [])]
        failed = [t for t in tests if t.outcome == Verdict.FAILED] or tests
        return FailedRun(
            criterion=result["criterion"],
            topology=result.get("topology") or "single",
            tests=tests,
            run=data.get("run", {}),
            report_dir=path.parent,
            stacks=[record for t in failed for record in t.stacks],
        )
    if wanted:
        raise HarnessError(f"{path} has no result for {wanted}" + (f" on {topology}" if topology else ""))
    raise HarnessError(f"no criterion failed in {path}: nothing to reproduce")


def _check_profile(run: FailedRun, console: Console) -> None:
    for record in run.stacks[:1]:
        profile = record.get("inputs", {}).get("profile", {})
        file = Path(str(profile.get("file", "")))
        if file.is_file() and profile.get("sha256"):
            now = hashlib.sha256(file.read_bytes()).hexdigest()
            if now != profile["sha256"]:
                console.print(f"[yellow]note: {file} changed since the run (sha256 differs)[/]")


def _pin_file(run: FailedRun, work: Path, speed: float | None) -> Path:
    pins = {"criterion": run.criterion, "speed": speed, "stacks": run.stacks}
    path = work / "pins.json"
    path.write_text(json.dumps(pins, indent=2, default=str), encoding="utf-8")
    return path


def _environment(run: FailedRun, options: ReproduceOptions, work: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "HARNESS_TOPOLOGY": run.topology,
        EVIDENCE_FILE_ENV: str(work / "evidence.jsonl"),
        "HARNESS_RUN_ROOT": str(work / "runs"),
        PIN_FILE_ENV: str(_pin_file(run, work, options.speed)),
        "HARNESS_MEMORY_BUDGET_MB": f"{float(run.run.get('memory_budget_mb', 1024.0)):g}",
    }
    env.pop("HARNESS_PROGRESS_FILE", None)
    if run.sut:
        env["HARNESS_SUT"] = run.sut
    else:
        env.pop("HARNESS_SUT", None)
    services = options.services or run.run.get("extra", {}).get("services")
    if services:
        env["HARNESS_SERVICES"] = str(services)
    if options.keep:
        env[KEEP_FILE_ENV] = str(work / "keep.json")
    return env


def _signature(tape: dict[str, Any]) -> list[str]:
    return [entry.describe() for entry in Tape.from_json(tape)]


def compare_tapes(recorded: list[dict[str, Any]], again: list[dict[str, Any]]) -> str:
    """Did the re-run do the same control-plane actions, in the same order, as the recorded run?"""
    before = {(r["role"], r.get("index", 0)): _signature(r["tape"]) for r in recorded}
    after = {(r["role"], r.get("index", 0)): _signature(r["tape"]) for r in again}
    lines = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key, []), after.get(key, [])
        label = f"{key[0]}[{key[1]}]"
        if old == new:
            lines.append(f"tape {label}: the same {len(old)} actions in the same order")
            continue
        pairs = enumerate(zip(old, new, strict=False))
        at = next((i for i, (a, b) in pairs if a != b), min(len(old), len(new)))
        was = old[at] if at < len(old) else "(end)"
        now = new[at] if at < len(new) else "(end)"
        lines.append(f"tape {label}: diverged at entry {at}: recorded {was!r}, re-run {now!r}")
    return "\n".join(lines)


def _hold(process: subprocess.Popen[bytes], keep_file: Path, console: Console) -> None:
    """Wait for the kept Stacks' directions, print them, and release them on Ctrl-C."""
    while process.poll() is None and not keep_file.exists():
        threading.Event().wait(0.25)
    if not keep_file.exists():
        console.print("[yellow]the scenario ended before any Stack could be kept[/]")
        return
    kept = json.loads(keep_file.read_text(encoding="utf-8"))
    console.print(f"scenario outcome: [bold]{kept.get('outcome', '?')}[/] — the Stack is still running:")

    def say(text: str) -> None:
        console.print(text, markup=False, highlight=False, soft_wrap=True)  # URLs and paths stay copyable

    for number, directions in enumerate(kept.get("stacks", [])):
        console.print(f"[bold]Stack {number}[/]")
        for key in ("middleware", "admin", "fake", "fake_control", "fake_calls", "fake_sessions", "psql",
                    "redis", "logs"):  # fmt: skip
            say(f"  {key:>13}: {directions.get(key, '')}")
        for name, log in directions.get("log_files", {}).items():
            say(f"  {'log ' + name:>13}: {log}")
    console.print("Ctrl-C stops everything.")
    try:
        while process.poll() is None:
            threading.Event().wait(0.5)
    except KeyboardInterrupt:
        console.print("stopping")
    stop_file(keep_file).touch()
    process.wait()


def rerun(run: FailedRun, options: ReproduceOptions, work: Path, console: Console) -> list[Evidence]:
    """Run the failed tests of ``run`` again under pytest with their inputs pinned; their new evidence."""
    env = _environment(run, options, work)
    # A record of a check held after the scenario ("<nodeid> [secret scan]") re-runs that scenario.
    nodeids = list(dict.fromkeys(t.test.split(" [", 1)[0] for t in run.failed_tests if t.test))
    if not nodeids:
        raise HarnessError(f"the evidence of {run.criterion} names no test to run again")
    command = [sys.executable, "-m", "pytest", *nodeids, "-p", "no:randomly", "-p", "no:cacheprovider",
               "-q", "-rfE", f"--junitxml={work / 'pytest.xml'}"]  # fmt: skip
    console.print(f"re-running {', '.join(nodeids)} (log: {work / 'pytest.log'})")
    with (work / "pytest.log").open("wb") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=REPO_ROOT,
            start_new_session=options.keep,  # --keep: Ctrl-C is ours; the scenario is released by a file
        )  # fmt: skip
        if options.keep:
            _hold(process, work / "keep.json", console)
        process.wait()
    return read_evidence(work / "evidence.jsonl")


def _verdict_of(records: list[Evidence]) -> str:
    outcomes = [r.outcome for r in records]
    if Verdict.FAILED in outcomes:
        return Verdict.FAILED
    if outcomes and all(o == Verdict.PASSED for o in outcomes):
        return Verdict.PASSED
    return Verdict.INCONCLUSIVE


def _first_failure(records: list[Evidence]) -> str:
    text = next((r.failure for r in records if r.failure), "").strip()
    raised = [line[1:].strip() for line in text.splitlines() if line.startswith("E ")]
    return (raised[0] if raised else (text.splitlines() or [""])[-1])[:300]


def run_reproduce(options: ReproduceOptions, console: Console | None = None) -> int:
    """Exit 1: the criterion failed again (reproduced); 0: it passed; 2: it could not be judged."""
    console = console or Console()
    run = load_failure(options.source, options.criterion, options.topology)
    _check_profile(run, console)
    work = run.report_dir / f"reproduce-{run.criterion}-{time.strftime('%Y%m%dT%H%M%S')}"
    work.mkdir(parents=True, exist_ok=True)
    if options.shrink:
        from harness.commands.shrink import run_shrink

        code: int = run_shrink(run, options, work, console)
        return code
    started = time.monotonic()
    records = rerun(run, options, work, console)
    seconds = time.monotonic() - started
    verdict = _verdict_of(records)
    again = [s for r in records for s in r.stacks]
    if run.stacks and again:
        console.print(compare_tapes(run.stacks, again), markup=False, highlight=False)
    if verdict == Verdict.FAILED:
        console.print(f"[bold red]reproduced: {run.criterion} failed again[/] in {seconds:.0f} s")
        console.print(f"  {_first_failure(records)}", markup=False, highlight=False)
        return 1
    if verdict == Verdict.PASSED:
        console.print(f"[bold green]did not reproduce: {run.criterion} passed[/] in {seconds:.0f} s")
        return 0
    reason = _first_failure(records) or f"no evidence (see {work / 'pytest.log'})"
    console.print(f"[yellow]could not judge: {run.criterion} was inconclusive: {reason}[/]")
    return 2
