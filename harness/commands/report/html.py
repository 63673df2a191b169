"""report.html: one self-contained page (inline CSS, plots as data URIs), readable at a glance."""

from __future__ import annotations

from html import escape

from harness.commands.report.markdown import ICONS, key_evidence
from harness.commands.report.model import Plot, RunInfo, gate_word, passed, slug
from harness.observe.evidence import CriterionResult, Evidence, Verdict

__all__ = ["render_html"]

_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}
h1{font-size:1.6em}.banner{padding:.6em 1em;border-radius:6px;color:#fff;font-weight:600}
.ok{background:#1a7f37}.bad{background:#cf222e}table{border-collapse:collapse;width:100%;margin:.5em 0 1em}
td,th{border:1px solid #d0d7de;padding:.3em .5em;text-align:left;vertical-align:top}th{background:#f6f8fa}
.v-passed{color:#1a7f37;font-weight:600}.v-failed{color:#cf222e;font-weight:600}.v-inconclusive,.v-error{color:#9a6700;font-weight:600}
.v-skipped,.v-not\\ run{color:#9a6700;font-weight:600}
pre{background:#f6f8fa;padding:.6em;overflow:auto;font-size:12px;max-height:24em}
blockquote{color:#57606a;border-left:3px solid #d0d7de;margin:0;padding-left:.8em}
section{border-top:1px solid #d0d7de;margin-top:1.5em}img{max-width:100%}
"""


def _verdict(verdict: str) -> str:
    return f'<span class="v-{escape(verdict)}">{ICONS.get(verdict, "")} {escape(verdict)}</span>'


def _test(test: Evidence) -> str:
    parts = [f"<h4>{escape(test.test or 'test')} — {_verdict(test.outcome)} in {test.duration:.1f} s</h4>"]
    if test.figures:
        rows = "".join(
            f"<tr><td>{escape(f.name)}</td><td>{escape(f'{f.value} {f.unit}'.strip())}</td>"
            f"<td>{escape(f.bound)}</td><td>{'' if f.ok is None else ('✅' if f.ok else '❌')}</td></tr>"
            for f in test.figures
        )
        parts.append(f"<table><tr><th>figure</th><th>value</th><th>bound</th><th>ok</th></tr>{rows}</table>")
    if test.timings:
        parts.append(
            "<p>Timings: " + escape(", ".join(f"{t['name']} {t['seconds']} s" for t in test.timings))
        )
    if test.log_lines:
        text = "\n".join(f"[{e['process']}] {e['line']}" for e in test.log_lines[:20])
        parts.append(f"<pre>{escape(text)}</pre>")
    if test.notes:
        parts.append("<ul>" + "".join(f"<li>{escape(n)}</li>" for n in test.notes) + "</ul>")
    if test.failure:
        parts.append(f"<p>Failure:</p><pre>{escape(test.failure.strip()[-3000:])}</pre>")
    return "\n".join(parts)


def render_html(results: list[CriterionResult], run: RunInfo, plots: dict[str, list[Plot]]) -> str:
    ok = passed(results)
    count = sum(r.verdict == Verdict.PASSED for r in results)
    rows = "".join(
        f'<tr><td><a href="#{slug(r)}">{r.criterion}</a> {escape(r.title)}</td>'
        f"<td>{escape(r.topology or '—')}</td>"
        f"<td>{_verdict(r.verdict)}</td><td>{escape(key_evidence(r))}</td><td>{r.duration:.1f} s</td></tr>"
        for r in results
    )
    sections = []
    for r in results:
        heading = f"{r.criterion} — {escape(r.title)} ({escape(r.topology or 'any')})"
        body = [f'<section id="{slug(r)}"><h2>{heading}</h2>']
        if r.checklist:
            body.append(f"<blockquote>{escape(r.checklist)}</blockquote>")
        body.append(f"<p>Verdict: {_verdict(r.verdict)}</p>")
        command = run.extra.get("reproduce", {}).get(slug(r))
        if command:
            body.append(f"<p>Reproduce locally: <code>{escape(command)}</code> (docs/reproducing.md)</p>")
        for plot in plots.get(slug(r), []):
            body.append(f'<figure><img alt="{escape(plot.title)}" src="{plot.data_uri}">'
                        f"<figcaption>{escape(plot.title)}</figcaption></figure>")  # fmt: skip
        body += [_test(t) for t in r.tests]
        body.append("</section>")
        sections.append("\n".join(body))
    title = f"Deployment gate: {gate_word(results)} — {count}/{len(results)} criteria passed"
    commands = run.extra.get("reproduce", {}).values()
    reproduce = "".join(f"<p>Reproduce: <code>{escape(c)}</code></p>" for c in commands)
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{escape(title)}</title>"
        f"<style>{_CSS}</style></head><body>"
        "<h1>Logikal middleware deployment gate</h1>"
        f"<p class='banner {'ok' if ok else 'bad'}'>{escape(title)}</p>"
        f"<p>Run {escape(run.started)} · topology {escape(', '.join(run.topologies))} · SUT profile "
        f"<code>{escape(run.profile)}</code> · wall time {run.wall_seconds:.0f} s</p>{reproduce}"
        "<table><tr><th>criterion</th><th>topology</th><th>verdict</th><th>key evidence</th>"
        "<th>time</th></tr>"
        f"{rows}</table>{''.join(sections)}</body></html>\n"
    )
