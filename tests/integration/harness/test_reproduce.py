"""Reproducing a failure: the command a red gate prints reproduces it, a tape replays to the same state, and
--shrink drops padding from a tape."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from harness.runtime.services import ServiceProvider
from harness.scenario.views import compare_tree
from harness.stack import Stack, StackConfig
from harness.stack.replay import replay
from harness.stack.tape import Tape

REPO = Path(__file__).resolve().parents[3]
VARIANT = REPO / "tests" / "sut_variants" / "sessions_left_open.toml"
PROJECT, DIRECTORY = "DOS22309", "Demo Odoo"

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _harness(*args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run(
        list(args), cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def red_gate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """`verify --sut sessions_left_open --only C16`: its report directory and output."""
    report = tmp_path_factory.mktemp("red-gate")
    done = _harness("logikal-harness", "verify", "--sut", str(VARIANT), "--only", "C16",
                    "--report-dir", str(report), timeout=300)  # fmt: skip
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-2000:]
    return report, done.stdout


@pytest.mark.timeout(600)
def test_the_reproduce_command_a_red_gate_prints_reproduces_the_failure(red_gate: tuple[Path, str]) -> None:
    report, output = red_gate
    printed = [
        line.removeprefix("reproduce: ") for line in output.splitlines() if line.startswith("reproduce: ")
    ]
    assert printed == [shlex.join(["logikal-harness", "reproduce", str(report), "--criterion", "C16"])]
    assert printed[0] in (report / "report.md").read_text(encoding="utf-8")
    done = _harness(*shlex.split(printed[0]), timeout=300)
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-2000:]
    assert "reproduced: C16 failed again" in done.stdout
    assert "Logikal sessions left open" in done.stdout


@pytest.mark.timeout(400)
def test_shrink_drops_the_padding_of_a_tape_and_the_rest_still_reproduces(
    red_gate: tuple[Path, str], tmp_path: Path
) -> None:
    report, _ = red_gate
    down = {
        "id": "down",
        "effect": "status",
        "status": 500,
        "method": "GET",
        "path": "/elevations",
        "times": 30,
    }
    fault = {"faults": [down]}
    edit = {"action": "edit", "kind": "elevation", "count": 1, "changes": {"userDescription": "x"}}
    padded = Tape.from_json(
        {
            "entries": [
                {"at": 0, "action": "set_enabled", "type": "parts_list", "enabled": False},
                {"at": 30, "action": "fake", "method": "POST", "path": "/_fake/mutate", "json": edit},
                {"at": 60, "action": "fake", "method": "POST", "path": "/_fake/faults", "json": fault},
                {"at": 90, "action": "fake", "method": "DELETE", "path": "/_fake/calls"},
                {"at": 120, "action": "set_interval", "type": "directory", "minutes": 240},
                {"at": 1200, "action": "fake", "method": "POST", "path": "/_fake/sessions", "json": {}},
            ]
        }
    )  # fmt: skip
    minimal = tmp_path / "minimal.json"
    tape_file = padded.save(tmp_path / "padded.json")
    # Settle for one elevation interval (30 simulated minutes) and a beat, not the directory's 4 hours.
    done = _harness("logikal-harness", "reproduce", str(report), "--shrink", "--settle", "3600",
                    "--invariants", "sessions", "--tape", str(tape_file), "--output", str(minimal),
                    timeout=380)  # fmt: skip
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-2000:]
    kept = Tape.load(minimal)
    assert len(kept) == 1, [e.describe() for e in kept]  # only the fault rule is needed
    assert kept.entries[0].fields["json"] == fault
    summary = json.loads(next(report.glob("reproduce-C16-*/shrink.json")).read_text(encoding="utf-8"))
    assert (summary["entries_before"], summary["removed"], summary["violations"]) == (6, 5, ["sessions"])
    last_of_size = [t for t in summary["trial_log"] if t["entries"] == len(kept)]
    assert any("sessions" in t["violations"] for t in last_of_size)


def _journal(stack: Stack) -> dict[str, int]:
    """Calls per operation, without the session bookkeeping: how many logins and selects a sync needs
    depends on which pooled session each of its threads got (±1 between identical runs), not on the tape."""
    summary = stack.fake_request("GET", "/_fake/calls/summary")
    counts = {operation: entry["count"] for operation, entry in summary["operations"].items()}
    assert counts.get("POST /auth") == counts.get("DELETE /auth"), "every session closed"
    return {op: n for op, n in counts.items() if not (op.endswith("/select") or op.endswith(" /auth"))}


def _diff(stack: Stack) -> dict[str, Any]:
    report = compare_tree(stack)
    return {"missing": report.missing, "extra": report.extra, "stale": report.stale,
            "duplicated": report.duplicated}  # fmt: skip


def _act(stack: Stack) -> None:
    """What a developer (or a scenario) does by hand; the Stack records it on its tape."""
    edit = {"action": "edit", "kind": "elevation", "count": 2, "changes": {"userDescription": "taped"}}
    burst = {"faults": [{"id": "b", "effect": "status", "status": 503, "method": "GET", "path": "/elevations",
                         "times": 1}]}  # fmt: skip
    stack.fake_request("POST", "/_fake/mutate", json=edit)
    stack.observer.force_sync(PROJECT, DIRECTORY, wait=True)
    stack.fake_request("POST", "/_fake/faults", json=burst)
    stack.observer.force_sync(PROJECT, DIRECTORY, wait=True)
    stack.fake_request("DELETE", "/_fake/faults")
    stack.fake_request("POST", "/_fake/mutate", json=edit)
    stack.observer.force_sync(PROJECT, DIRECTORY, wait=True)


@pytest.mark.timeout(240)
def test_a_recorded_tape_replayed_into_a_fresh_stack_gives_the_same_state_and_journal(
    service_provider: ServiceProvider, tmp_path: Path
) -> None:
    # No scheduler: every Logikal call comes from the tape's force syncs, so the journals must match exactly.
    config = StackConfig(background_sync=False, clock_speed=600.0)
    with Stack(config, provider=service_provider) as recording:
        _act(recording)
        recorded = (_diff(recording), _journal(recording))
        tape_file = recording.tape.save(tmp_path / "tape.json")
    tape = Tape.load(tape_file)
    actions = ["fake", "force_sync", "fake", "force_sync", "fake", "fake", "force_sync"]
    assert [e.action for e in tape] == actions
    assert recorded[0]["missing"], "a partial sync leaves a diff worth comparing"
    with Stack(StackConfig(background_sync=False, clock_speed=600.0), provider=service_provider) as fresh:
        report = replay(fresh, tape)
        assert report.errors == []
        assert (_diff(fresh), _journal(fresh)) == recorded
        assert [e.describe() for e in fresh.tape] == [e.describe() for e in tape]
