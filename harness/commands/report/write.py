"""Write every report of a verify run from its criterion results: JSON, JUnit, Markdown, HTML, plots."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from harness.commands.report.html import render_html
from harness.commands.report.markdown import render_markdown
from harness.commands.report.model import Plot, RunInfo, passed, slug
from harness.commands.report.plots import memory_plot, timeline_plot
from harness.observe.evidence import CriterionResult, Verdict

__all__ = ["make_plots", "render_junit", "write_reports"]


def make_plots(results: list[CriterionResult], run: RunInfo) -> dict[str, list[Plot]]:
    """Plots per criterion result key: memory series and sync timelines found in its evidence."""
    plots: dict[str, list[Plot]] = {}
    for result in results:
        series: dict[str, list[list[float]]] = {}
        timeline: list[dict[str, Any]] = []
        for test in result.tests:
            series.update(test.series)
            timeline.extend(test.timeline)
        found = []
        if any(name.startswith("memory") and points for name, points in series.items()):
            found.append(Plot("Memory (PSS) over time", f"{slug(result)}-memory.png",
                              memory_plot(series, run.budgets_mb)))  # fmt: skip
        if timeline:
            found.append(Plot("Sync timeline", f"{slug(result)}-timeline.png", timeline_plot(timeline)))
        if found:
            plots[slug(result)] = found
    return plots


def render_junit(results: list[CriterionResult], run: RunInfo) -> bytes:
    """One testsuite per topology, one testcase per criterion (failures carry the first failure text)."""
    root = ET.Element("testsuites", name="logikal-harness verify")
    by_topology: dict[str, list[CriterionResult]] = {}
    for result in results:
        by_topology.setdefault(result.topology or "any", []).append(result)
    for topology, items in by_topology.items():
        suite = ET.SubElement(
            root,
            "testsuite",
            name=f"criteria[{topology}]",
            tests=str(len(items)),
            failures=str(sum(r.verdict == Verdict.FAILED for r in items)),
            errors="0",
            skipped=str(sum(r.verdict not in (Verdict.PASSED, Verdict.FAILED) for r in items)),
            time=f"{sum(r.duration for r in items):.3f}",
        )
        for result in items:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"criteria.{topology}",
                name=f"{result.criterion} {result.title}",
                time=f"{result.duration:.3f}",
            )
            failure = next((t.failure for t in result.tests if t.failure), "")
            if result.verdict == Verdict.FAILED:
                ET.SubElement(case, "failure", message=failure.splitlines()[0][:200] if failure else "failed")
                case[-1].text = failure
            elif result.verdict != Verdict.PASSED:
                # Inconclusive is not the build failing: CI shows it as skipped, with the reason.
                reason = failure.strip().splitlines()[-1][:200] if failure.strip() else result.verdict
                ET.SubElement(case, "skipped", message=f"{result.verdict}: {reason}")
    ET.indent(root)
    body: bytes = ET.tostring(root, encoding="utf-8")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body


def write_reports(results: list[CriterionResult], run: RunInfo, report_dir: Path) -> dict[str, Path]:
    """Write evidence.json, junit.xml, report.md, report.html and the PNG plots; return their paths."""
    report_dir.mkdir(parents=True, exist_ok=True)
    plots = make_plots(results, run)
    plot_dir = report_dir / "plots"
    for items in plots.values():
        for plot in items:
            plot_dir.mkdir(exist_ok=True)
            (plot_dir / plot.file).write_bytes(plot.png)
    evidence = {
        "passed": passed(results),
        "run": asdict(run),
        "criteria": [r.to_json() for r in results],
    }
    paths = {
        "evidence": report_dir / "evidence.json",
        "junit": report_dir / "junit.xml",
        "markdown": report_dir / "report.md",
        "html": report_dir / "report.html",
    }
    paths["evidence"].write_text(json.dumps(evidence, indent=2, default=str), encoding="utf-8")
    paths["junit"].write_bytes(render_junit(results, run))
    paths["markdown"].write_text(render_markdown(results, run, plots), encoding="utf-8")
    paths["html"].write_text(render_html(results, run, plots), encoding="utf-8")
    return paths
