"""report.md: a verdict line, a table of criteria, then each criterion's evidence."""

from __future__ import annotations

from harness.commands.report.model import Plot, RunInfo, gate_word, slug
from harness.observe.evidence import CriterionResult, Evidence, Verdict

__all__ = ["ICONS", "key_evidence", "render_markdown"]

# Plain symbols every font has (emoji are missing in headless browsers and many terminals).
ICONS = {
    Verdict.PASSED: "✔",
    Verdict.FAILED: "✘",
    Verdict.ERROR: "?",
    Verdict.INCONCLUSIVE: "?",
    Verdict.SKIPPED: "-",
    Verdict.NOT_RUN: "-",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def key_evidence(result: CriterionResult, limit: int = 3) -> str:
    """The first few figures as "name value unit", or the first failure line."""
    parts = []
    for test in result.tests:
        for figure in test.figures:
            unit = f" {figure.unit}" if figure.unit else ""
            parts.append(f"{figure.name} {figure.value}{unit}")
    if result.verdict in (Verdict.FAILED, Verdict.ERROR, Verdict.INCONCLUSIVE):
        failure = next((t.failure for t in result.tests if t.failure), "")
        if failure:
            lines = failure.strip().splitlines()
            raised = [line[1:].strip() for line in lines if line.startswith("E ")]
            return (raised[0] if raised else lines[-1])[:160]
    return "; ".join(parts[:limit]) or "—"


def _test_section(test: Evidence) -> list[str]:
    lines = [
        f"**{test.test or 'test'}** — {ICONS.get(test.outcome, '')} {test.outcome} in {test.duration:.1f} s",
        "",
    ]
    if test.figures:
        lines += ["| figure | value | bound | ok |", "|---|---|---|---|"]
        for f in test.figures:
            ok = "" if f.ok is None else ("✅" if f.ok else "❌")
            lines.append(
                f"| {_cell(f.name)} | {_cell(f'{f.value} {f.unit}'.strip())} | {_cell(f.bound)} | {ok} |"
            )
        lines.append("")
    if test.timings:
        lines.append("Timings: " + ", ".join(f"{t['name']} {t['seconds']} s" for t in test.timings))
        lines.append("")
    if test.log_lines:
        lines.append("```text")
        lines += [f"[{entry['process']}] {entry['line']}" for entry in test.log_lines[:20]]
        lines += ["```", ""]
    lines += [f"- {note}" for note in test.notes]
    if test.notes:
        lines.append("")
    if test.failure:
        lines += ["Failure:", "```text", test.failure.strip()[-3000:], "```", ""]
    return lines


def render_markdown(results: list[CriterionResult], run: RunInfo, plots: dict[str, list[Plot]]) -> str:
    count = sum(r.verdict == Verdict.PASSED for r in results)
    inconclusive = sum(r.verdict not in (Verdict.PASSED, Verdict.FAILED) for r in results)
    headline = gate_word(results)
    lines = [
        f"# Deployment gate: {headline} — {count}/{len(results)} passed, {inconclusive} inconclusive",
        "",
        f"Run {run.started} · topology {', '.join(run.topologies)} · SUT profile `{run.profile}` · "
        f"wall time {run.wall_seconds:.0f} s",
        "",
        *[f"Reproduce: `{c}`  " for c in run.extra.get("reproduce", {}).values()],
        *([""] if run.extra.get("reproduce") else []),
        "| criterion | topology | verdict | key evidence | time |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.criterion} {_cell(r.title)} | {r.topology or '—'} | "
            f"{ICONS.get(r.verdict, '')} {r.verdict} | "
            f"{_cell(key_evidence(r))} | {r.duration:.1f} s |"
        )
    lines.append("")
    for r in results:
        lines += [f"## {r.criterion} — {r.title} ({r.topology or 'any'})", ""]
        if r.checklist:
            lines += [f"> {r.checklist}", ""]
        lines += [f"Verdict: {ICONS.get(r.verdict, '')} **{r.verdict}**", ""]
        command = run.extra.get("reproduce", {}).get(slug(r))
        if command:
            lines += [f"Reproduce locally: `{command}` (see docs/reproducing.md)", ""]
        for plot in plots.get(slug(r), []):
            lines += [f"![{plot.title}](plots/{plot.file})", ""]
        for test in r.tests:
            lines += _test_section(test)
    return "\n".join(lines).rstrip() + "\n"
