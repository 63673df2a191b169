"""`reproduce --shrink`: delta-debug a failing run's tape down to the entries the failure needs.

The oracle replays a candidate tape into a fresh Stack (the recorded inputs pinned), then waits up to one
sync interval (the longest enabled type's) plus one beat for the generic invariants to hold: the database
equals the fake's truth, no Logikal session is open and no run is left started, all read while nothing
runs (and, to pass early, no fault rule left armed). A candidate reproduces when every invariant the full
tape broke is broken again.
"""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from rich.console import Console

from harness.errors import HarnessError
from harness.scenario.views import compare_tree, sync_windows
from harness.stack import Stack, StackConfig
from harness.stack.inputs import pinned_overrides
from harness.stack.profile import load_profile
from harness.stack.replay import replay
from harness.stack.tape import Tape, TapeEntry

if TYPE_CHECKING:
    from harness.commands.reproduce import FailedRun, ReproduceOptions
    from harness.runtime.services import ServiceProvider

__all__ = [
    "INVARIANTS",
    "TapeOracle",
    "Trial",
    "ddmin",
    "invariant_violations",
    "run_shrink",
    "split_compound",
]

T = TypeVar("T", bound=Hashable)
INVARIANTS = ("tree", "sessions", "runs_started")
_SPLIT = {"/_fake/faults": "faults", "/_fake/mutate": "operations"}  # list bodies applied item by item


def ddmin(items: Sequence[T], fails: Callable[[list[T]], bool]) -> list[T]:
    """Zeller's ddmin: a 1-minimal sub-list of ``items`` (order kept) on which ``fails`` still holds.

    ``fails(list(items))`` is assumed true. Results are cached, so a subset is never tried twice."""
    seen: dict[tuple[T, ...], bool] = {}

    def test(candidate: list[T]) -> bool:
        key = tuple(candidate)
        if key not in seen:
            seen[key] = fails(candidate)
        return seen[key]

    current, n = list(items), 2
    while len(current) >= 2:
        size = len(current) / n
        chunks = [current[round(i * size) : round((i + 1) * size)] for i in range(n)]
        chunks = [c for c in chunks if c]
        reduced = next((c for c in chunks if test(c)), None)
        if reduced is not None:
            current, n = reduced, 2
            continue
        complements = [[x for x in current if x not in set(c)] for c in chunks] if n > 2 else []
        reduced = next((c for c in complements if test(c)), None)
        if reduced is not None:
            current, n = reduced, max(n - 1, 2)
            continue
        if n >= len(current):
            break
        n = min(2 * n, len(current))
    return current


def split_compound(tape: Tape) -> Tape:
    """One entry per fault rule / mutation of a list body, so shrinking can drop single rules."""
    entries: list[TapeEntry] = []
    for entry in tape:
        body = entry.fields.get("json")
        key = _SPLIT.get(str(entry.fields.get("path", "")).rstrip("/"))
        items = body.get(key) if key and isinstance(body, dict) else None
        is_post = entry.action == "fake" and entry.fields["method"] == "POST"
        if is_post and isinstance(items, list) and len(items) > 1 and isinstance(body, dict) and key:
            for item in items:
                fields = {**entry.fields, "json": {**body, key: [item]}}
                entries.append(TapeEntry(entry.at, entry.action, fields, entry.error))
        else:
            entries.append(entry)
    return Tape(entries, speed=tape.speed, origin=tape.origin)


def invariant_violations(stack: Stack) -> tuple[bool, dict[str, str]]:
    """(whether nothing was queued or running, the generic invariants that do not hold right now)."""
    runs = sync_windows(stack)
    busy = [w for w in runs if w.status in ("queued", "started")]
    found: dict[str, str] = {}
    if any(w.status == "started" for w in runs):
        found["runs_started"] = ", ".join(f"{w.sync_type} {w.run_id}" for w in busy[:5])
    sessions = stack.fake_request("GET", "/_fake/sessions")
    if sessions["open"]:
        found["sessions"] = f"{sessions['open']} Logikal sessions open"
    report = compare_tree(stack)
    if not report.ok:
        found["tree"] = report.summary()
    return not busy, found


def _armed_faults(stack: Stack) -> list[str]:
    """Fault rules that may still fire: a tape whose faults have not hit yet has not been judged yet."""
    rules = stack.fake_request("GET", "/_fake/faults")["faults"]
    return [str(r["id"]) for r in rules if r.get("remaining") is None or r["remaining"] > 0]


def _wait_first_syncs(stack: Stack, timeout: float) -> None:
    """Until every enabled type has synced once (or ``timeout`` real seconds: the invariants then tell)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        configs = stack.observer.sync_configs().values()
        if configs and all(c["last_sync"] for c in configs if c["enabled"]):
            return
        threading.Event().wait(0.25)


@dataclass
class Trial:
    entries: int
    violations: dict[str, str]
    seconds: float
    replay_errors: list[str] = field(default_factory=list)


class TapeOracle:
    """Replays candidate tapes into fresh Stacks of one config (sharing one Redis/PostgreSQL provider)."""

    def __init__(
        self, config: StackConfig, provider: ServiceProvider, *, settle: float | None, console: Console
    ) -> None:
        self.config = config
        self.provider = provider
        self.settle = settle
        self.console = console
        self.trials: list[Trial] = []

    def settle_seconds(self, stack: Stack) -> float:
        """Virtual seconds the invariants may take: the longest enabled type's interval plus one beat."""
        if self.settle is not None:
            return self.settle
        enabled = [c["interval_seconds"] for c in stack.observer.sync_configs().values() if c["enabled"]]
        return max(enabled, default=0.0) + stack.config.sync_interval_seconds

    def __call__(self, tape: Tape) -> dict[str, str]:
        started = time.monotonic()
        with Stack(dataclasses.replace(self.config, run_dir=None), provider=self.provider) as stack:
            report = replay(stack, tape)
            settle = stack.clock.real_seconds(self.settle_seconds(stack))
            _wait_first_syncs(stack, settle)  # a slow first sync (a busy machine) is not the tape's doing
            deadline = time.monotonic() + settle
            idle_seen: dict[str, str] | None = None
            while True:
                idle, found = invariant_violations(stack)
                if idle and not found and not _armed_faults(stack):
                    break  # nothing left that could still break it
                if idle:
                    idle_seen = found  # what holds while nothing runs is the verdict, not a run's middle
                if time.monotonic() >= deadline:
                    found = idle_seen if idle_seen is not None else found
                    break
                threading.Event().wait(0.5)
        trial = Trial(len(tape), found, time.monotonic() - started, report.errors)
        self.trials.append(trial)
        shown = ", ".join(f"{k}: {v[:80]}" for k, v in found.items()) or "every invariant holds"
        line = f"  trial {len(self.trials)}: {len(tape)} entries → {shown} ({trial.seconds:.0f} s)"
        self.console.print(line, markup=False, highlight=False)
        return found


def _recorded_tape(run: FailedRun, options: ReproduceOptions) -> tuple[Tape, dict[str, Any]]:
    with_tape = [r for r in run.stacks if r.get("tape", {}).get("entries")] or run.stacks
    if not with_tape:
        raise HarnessError(f"the evidence of {run.criterion} records no Stack: nothing to replay")
    record = with_tape[0]
    tape = Tape.load(options.tape) if options.tape else Tape.from_json(record["tape"])
    return tape, record["inputs"]


def run_shrink(run: FailedRun, options: ReproduceOptions, work: Path, console: Console) -> int:
    """Exit 1: the tape reproduces the failure (minimal tape written); 0: it does not on a fresh Stack."""
    from harness.runtime.services.select import start_provider

    tape, inputs = _recorded_tape(run, options)
    tape = split_compound(tape)
    spec = inputs.get("profile", {}).get("spec") or run.sut
    profile = load_profile(spec)
    pinned = pinned_overrides(inputs, speed=options.speed)
    config = StackConfig(profile=profile, services=options.services, **pinned)
    started = time.monotonic()
    console.print(f"shrinking a tape of {len(tape)} entries for {run.criterion} (profile {profile.name})")
    with start_provider(options.services or inputs.get("services")) as provider:
        oracle = TapeOracle(config, provider, settle=options.settle, console=console)
        target = set(oracle(tape))
        if options.invariants:
            target &= set(options.invariants)
        if not target:
            console.print("[green]did not reproduce: on a fresh Stack the tape breaks no invariant[/]")
            return 0
        indices = list(range(len(tape)))
        if set(oracle(Tape([], speed=tape.speed, origin=tape.origin))) >= target:
            minimal: list[int] = []
        else:
            minimal = ddmin(indices, lambda subset: set(oracle(tape.subset(subset))) >= target)
    seconds = time.monotonic() - started
    smallest = tape.subset(minimal)
    path = smallest.save(options.output or work / f"{run.criterion}-minimal-tape.json")
    summary = {
        "criterion": run.criterion, "violations": sorted(target), "entries_before": len(tape),
        "entries_after": len(smallest), "removed": len(tape) - len(smallest), "trials": len(oracle.trials),
        "seconds": round(seconds, 1), "minimal_tape": str(path),
        "trial_log": [dataclasses.asdict(t) for t in oracle.trials],
    }  # fmt: skip
    (work / "shrink.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    console.print(f"[bold red]reproduced by replay: {', '.join(sorted(target))}[/]")
    removed = len(tape) - len(smallest)
    line = f"minimal tape: {len(smallest)} of {len(tape)} entries ({removed} removed), "
    line += f"{len(oracle.trials)} trials in {seconds:.0f} s → {path}"
    console.print(line, markup=False, highlight=False)
    for entry in smallest:
        console.print(f"  at {entry.at:g} s: {entry.describe()}", markup=False, highlight=False)
    return 1
