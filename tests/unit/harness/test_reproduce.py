"""reproduce: which failure an evidence file names, the printed command, pins and tape comparison."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import pytest

from harness.commands.cli import build_parser, main
from harness.commands.report import RunInfo, write_reports
from harness.commands.reproduce import compare_tapes, load_failure, reproduce_command
from harness.errors import HarnessError
from harness.observe.evidence import Evidence, Verdict, build_results
from harness.stack.inputs import pinned_overrides
from harness.stack.tape import Tape
from harness.stack.topology import Topology
from harness.stack.warp import WarpMode

INPUTS: dict[str, Any] = {
    "profile": {"name": "sessions-left-open", "spec": "/x/sessions_left_open.toml", "sha256": "ab"},
    "topology": "single",
    "fake_seed": 7,
    "fake_size": "small",
    "fake_latency": "none",
    "fake_time_scale": None,
    "fake_args": ["--max-sessions", "8"],
    "clock_anchor": 1.0,
    "clock_speed": 600.0,
    "warp": "clock_speed",
    "sync_interval_seconds": 300.0,
    "settings": {"LOGIKAL_API_TIMEOUT": "2", "SOME_PASSWORD": "<redacted>"},
    "background_sync": True,
}


def tape_of(*targets: str) -> dict[str, Any]:
    tape = Tape()
    for n, target in enumerate(targets):
        tape.record(float(n), "kill", target=target)
    return tape.to_json()


def write_evidence(tmp_path: Path, outcomes: dict[str, str]) -> Path:
    records = []
    for criterion, outcome in outcomes.items():
        record = Evidence(
            criterion, test=f"scenarios/test_{criterion.lower()}_x.py::test_it", topology="single"
        )
        record.outcome = outcome
        record.stacks = [{"role": "make_stack", "index": 0, "inputs": INPUTS, "tape": tape_of("worker")}]
        records.append(record)
    run = RunInfo(started="now", wall_seconds=1.0, topologies=["single"], profile="p",
                  extra={"reproduce": {}, "sut": None, "services": None})  # fmt: skip
    write_reports(build_results(records), run, tmp_path)
    return tmp_path


def test_the_first_failed_criterion_is_picked_with_its_stacks(tmp_path: Path) -> None:
    report = write_evidence(tmp_path, {"C05": Verdict.PASSED, "C15": Verdict.FAILED, "C16": Verdict.FAILED})
    run = load_failure(report)
    assert (run.criterion, run.topology, run.report_dir) == ("C15", "single", tmp_path)
    assert run.sut == "/x/sessions_left_open.toml"
    assert [t.test for t in run.failed_tests] == ["scenarios/test_c15_x.py::test_it"]
    assert load_failure(report / "evidence.json", "c16").criterion == "C16"


def test_no_failure_or_an_unknown_criterion_is_a_clear_error(tmp_path: Path) -> None:
    report = write_evidence(tmp_path, {"C05": Verdict.PASSED})
    with pytest.raises(HarnessError, match="no criterion failed"):
        load_failure(report)
    with pytest.raises(HarnessError, match="no result for C99"):
        load_failure(report, "C99")
    with pytest.raises(HarnessError, match=r"no evidence\.json"):
        load_failure(tmp_path / "elsewhere")


def test_the_printed_command_parses_back_to_the_same_request() -> None:
    command = reproduce_command(Path("reports/a b"), "C16", "multi")
    assert command == "logikal-harness reproduce 'reports/a b' --criterion C16 --topology multi"
    args = build_parser().parse_args(shlex.split(command)[1:])
    assert (args.source, args.criterion, args.topology, args.keep) == ("reports/a b", "C16", "multi", False)


def test_pins_rebuild_the_config_without_redacted_settings_and_with_another_speed() -> None:
    pins = pinned_overrides(INPUTS, speed=1200.0)
    assert pins["fake_seed"] == 7
    assert pins["fake_args"] == ("--max-sessions", "8")
    assert pins["warp"] is WarpMode.CLOCK_SPEED
    assert pins["topology"] is Topology.SINGLE
    assert pins["settings"] == {"LOGIKAL_API_TIMEOUT": "2"}
    assert pins["clock_speed"] == 1200.0
    assert "clock_anchor" not in pins


def test_tapes_are_compared_action_by_action() -> None:
    recorded = [{"role": "make_stack", "index": 0, "tape": tape_of("worker", "beat")}]
    same = [{"role": "make_stack", "index": 0, "tape": tape_of("worker", "beat")}]
    other = [{"role": "make_stack", "index": 0, "tape": tape_of("worker", "fake")}]
    assert compare_tapes(recorded, same) == "tape make_stack[0]: the same 2 actions in the same order"
    assert "diverged at entry 1: recorded 'kill target=beat', re-run 'kill target=fake'" in compare_tapes(
        recorded, other
    )


def test_reports_carry_the_reproduce_command_of_a_failed_criterion(tmp_path: Path) -> None:
    record = Evidence("C16", test="t", topology="single", outcome=Verdict.FAILED)
    command = reproduce_command(tmp_path, "C16")
    run = RunInfo(started="now", wall_seconds=1.0, topologies=["single"], profile="p",
                  extra={"reproduce": {"C16-single": command}})  # fmt: skip
    paths = write_reports(build_results([record]), run, tmp_path)
    assert f"`{command}`" in paths["markdown"].read_text(encoding="utf-8")
    assert command in paths["html"].read_text(encoding="utf-8")
    stored = json.loads(paths["evidence"].read_text(encoding="utf-8"))
    assert stored["criteria"][0]["tests"][0]["stacks"] == []


def test_evidence_without_stacks_still_loads() -> None:
    assert Evidence.from_json({"criterion": "C01", "unknown_later_field": 1}).stacks == []


def test_up_takes_a_tape_and_a_bad_tape_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert build_parser().parse_args(["up", "--tape", "bug.toml"]).tape == "bug.toml"
    bad = tmp_path / "bug.json"
    bad.write_text('{"entries": [{"at": 1, "action": "explode"}]}', encoding="utf-8")
    assert main(["up", "--tape", str(bad)]) == 1
    assert "tape entry 0: unknown action 'explode'" in capsys.readouterr().err
