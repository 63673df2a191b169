"""Evidence records and the reports built from them: JSON, JUnit, Markdown, HTML and plots."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

from harness.commands.report import RunInfo, passed, write_reports
from harness.observe.evidence import Evidence, Verdict, append_evidence, build_results, read_evidence

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _records() -> list[Evidence]:
    ok = Evidence("C06", test="test_memory", topology="single", outcome=Verdict.PASSED, duration=2.5)
    ok.figure("peak PSS", 310.2, "MB", bound="< 819 MB", ok=True)
    ok.log_line("app", "Started Celery worker process (PID: 42)\n")
    ok.timing("health ready", 3.21)
    ok.add_series("memory_total_mb", [(0, 300), (1, 305), (2, 310)])
    ok.add_timeline([{"label": "elevation", "start": 0.0, "end": 0.5, "status": "completed"}])
    bad = Evidence("C05", test="test_first_sync", topology="single", outcome=Verdict.FAILED, duration=1.0)
    bad.failure = "AssertionError: database differs\n3 missing (e.g. project x)"
    return [ok, bad]


def test_evidence_survives_a_json_lines_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "evidence.jsonl"
    for record in _records():
        append_evidence(path, record)
    loaded = read_evidence(path)
    assert [r.to_json() for r in loaded] == [r.to_json() for r in _records()]
    assert read_evidence(tmp_path / "missing.jsonl") == []


def test_results_group_by_criterion_and_mark_unrun_selected_ones() -> None:
    results = build_results(_records(), selected=["C05", "C06", "C17"])
    verdicts = {r.criterion: r.verdict for r in results}
    assert verdicts == {"C05": "failed", "C06": "passed", "C17": "not run"}
    assert not passed(results)
    assert passed([r for r in results if r.criterion == "C06"])
    assert not passed([])


def test_reports_are_written_with_verdicts_evidence_and_plots(tmp_path: Path) -> None:
    results = build_results(_records(), selected=["C05", "C06"])
    run = RunInfo(started="2026-01-01T00:00:00Z", wall_seconds=12.0, topologies=["single"], profile="default")
    paths = write_reports(results, run, tmp_path)

    evidence = json.loads(paths["evidence"].read_text(encoding="utf-8"))
    assert evidence["passed"] is False
    assert [c["criterion"] for c in evidence["criteria"]] == ["C05", "C06"]

    junit = ET.fromstring(paths["junit"].read_bytes())  # noqa: S314 - our own file
    suite = junit.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures")) == ("2", "1")
    failure = junit.find(".//testcase[@name='C05 First scheduled sync']/failure")
    assert failure is not None
    assert "database differs" in (failure.text or "")

    markdown = paths["markdown"].read_text(encoding="utf-8")
    assert markdown.startswith("# Deployment gate: FAILED — 1/2 passed, 0 inconclusive")
    assert "| C06 Memory under 80 % | single | ✔ passed | peak PSS 310.2 MB |" in markdown
    assert "[app] Started Celery worker process (PID: 42)" in markdown
    assert "![Memory (PSS) over time](plots/C06-single-memory.png)" in markdown

    html = paths["html"].read_text(encoding="utf-8")
    assert "data:image/png;base64," in html
    assert "class='banner bad'" in html
    for name in ("C06-single-memory.png", "C06-single-timeline.png"):
        assert (tmp_path / "plots" / name).read_bytes().startswith(PNG_MAGIC)


def test_all_passed_reports_say_passed(tmp_path: Path) -> None:
    results = build_results(_records()[:1])
    run = RunInfo(started="now", wall_seconds=1.0, topologies=["multi"], profile="default")
    paths = write_reports(results, run, tmp_path)
    assert paths["markdown"].read_text(encoding="utf-8").startswith("# Deployment gate: PASSED")
    assert json.loads(paths["evidence"].read_text(encoding="utf-8"))["passed"] is True
