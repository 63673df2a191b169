"""verify's planning: which scenario modules run for --only and --topology, and how --only parses."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

from rich.console import Console

from harness.commands.verify import (
    MULTI_CRITERIA,
    VerifyOptions,
    _plan,
    _Progress,
    discover_scenarios,
    parse_only,
)


def test_every_scenario_module_maps_to_one_criterion() -> None:
    found = discover_scenarios()
    assert {"C01", "C04", "C05", "C17"} <= found.keys()
    for criterion, path in found.items():
        assert path.name.startswith(f"test_{criterion.lower()}_")


def test_discovery_ignores_other_files(tmp_path: Path) -> None:
    for name in ("test_c07_logs.py", "conftest.py", "test_helpers.py", "c09_pending.py"):
        (tmp_path / name).write_text("", encoding="utf-8")
    assert list(discover_scenarios(tmp_path)) == ["C07"]


def test_only_accepts_commas_repeats_and_lower_case() -> None:
    assert parse_only(["C05,c17", " C01 "]) == ["C05", "C17", "C01"]
    assert parse_only(None) == []


def test_both_runs_everything_on_single_then_option_2_criteria_on_multi() -> None:
    available = {c: Path(f"test_{c.lower()}_x.py") for c in ("C01", "C04", "C05", "C17")}
    plan = _plan(VerifyOptions(topology="both"), available)
    assert plan == [("single", ["C01", "C04", "C05", "C17"]), ("multi", list(MULTI_CRITERIA))]
    assert _plan(VerifyOptions(topology="multi", only=["C17", "C99"]), available) == [
        ("multi", ["C17", "C99"])
    ]


def test_cli_wires_verify_up_and_soak() -> None:
    from harness.commands.cli import build_parser
    from harness.commands.gate import run_soak_command, run_up_command, run_verify_command

    parser = build_parser()
    verify = parser.parse_args(["verify", "--only", "C05,C17", "--sut", "x.toml", "--topology", "both"])
    assert (verify.handler, verify.only, verify.sut, verify.report_dir) == (
        run_verify_command,
        ["C05,C17"],
        "x.toml",
        None,
    )
    assert parser.parse_args(["up", "--topology", "multi"]).handler is run_up_command
    soak = parser.parse_args(["soak", "--simulated-hours", "48"])
    assert (soak.handler, soak.simulated_hours) == (run_soak_command, 48.0)


def _progress_events(path: Path, *events: dict[str, object]) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.writelines(json.dumps(event) + "\n" for event in events)


def test_progress_prints_a_line_per_start_and_finish_where_no_live_table_can_show(tmp_path: Path) -> None:
    out = io.StringIO()
    progress = _Progress(Console(file=out, force_terminal=False, width=120))
    path = tmp_path / "progress-single.jsonl"
    _progress_events(path, {"event": "start", "criterion": "C08", "time": time.time() - 5})
    progress.read(path, "single")
    _progress_events(path, {"event": "finish", "criterion": "C08", "outcome": "passed"})
    _progress_events(path, {"event": "start", "criterion": "C10", "time": time.time()})
    progress.read(path, "single")
    progress.read(path, "single")  # nothing new: nothing printed twice
    lines = out.getvalue().splitlines()
    assert [line.split(" ", 1)[1] for line in lines] == [
        "C08 (single): started",
        "C08 (single): passed after 5 s",
        "C10 (single): started",
    ]


def test_progress_on_a_terminal_leaves_the_lines_to_the_live_table(tmp_path: Path) -> None:
    out = io.StringIO()
    progress = _Progress(Console(file=out, force_terminal=True, width=120))
    path = tmp_path / "progress-single.jsonl"
    _progress_events(path, {"event": "start", "criterion": "C08", "time": time.time()})
    progress.read(path, "single")
    assert out.getvalue() == ""
    assert progress.rows[("C08", "single")][0] == "running"
