"""The capacity report: capacity.json (everything), capacity.md and capacity.html (for people)."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

__all__ = ["write_report"]

_MB = 1024 * 1024


def _fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "-"
    if unit == "bytes":
        return f"{value / _MB:.0f} MB"
    if isinstance(value, float):
        return f"{value:.1f}{unit}"
    return f"{value}{unit}"


def _with_unit(value: Any, unit: str) -> str:
    if unit == "bytes" or value is None:
        return _fmt(value, unit)
    return _fmt(value) + ("" if unit == "count" else f" {unit}")


def _threshold_rows(capacity: dict[str, Any]) -> list[list[str]]:
    return [
        [
            t["expression"],
            t["outcome"],
            _with_unit(t["value"], t["unit"]),
            _with_unit(t["limit"], t["unit"]),
            _fmt(t["worst_users"]),
        ]
        for t in capacity["thresholds"]
    ]


def _step_rows(capacity: dict[str, Any]) -> list[list[str]]:
    return [
        [
            str(s["users"]),
            _fmt(s["rps"]),
            _fmt(s["p50"]),
            _fmt(s["p95"]),
            _fmt(s["p99"]),
            _fmt(s["fail_rate"]),
            _fmt(s["peak_pss"], "bytes"),
            _fmt(s["cpu"]),
            _fmt(s.get("throttled")),
            _fmt(s.get("oom_kills")),
            _fmt(s["redis_memory"], "bytes"),
            _fmt(s["pg_connections"]),
            _fmt(s["queue_depth"]),
            _fmt(s["sync_lag_p95"]),
            f"{s['sync_runs']}/{s['backlog_runs']}",
        ]
        for s in capacity["steps"]
    ]


_STEP_HEAD = [
    "users",
    "req/s",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "fail %",
    "peak PSS",
    "CPU %",
    "throttled %",
    "OOM",
    "Redis",
    "PG conns",
    "queue",
    "lag p95 s",
    "runs/backlog",
]
_THRESHOLD_HEAD = ["threshold", "outcome", "worst value", "limit", "at users"]


def _md_table(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def _endpoint_rows(capacity: dict[str, Any]) -> list[list[str]]:
    rows = []
    for step in capacity["steps"]:
        for name, e in step["endpoints"].items():
            rows.append(
                [
                    str(step["users"]),
                    name,
                    _fmt(e["rps"]),
                    _fmt(e["p50"]),
                    _fmt(e["p95"]),
                    _fmt(e["p99"]),
                    _fmt(e["fail_rate"]),
                ]
            )
    return rows


_ENDPOINT_HEAD = ["users", "endpoint", "req/s", "p50 ms", "p95 ms", "p99 ms", "fail %"]


def _load_note(run: dict[str, Any]) -> str:
    load = run.get("loadavg_1m")
    if not load:
        return ""
    return f" · machine load average {load['start']:.1f} → {load['end']:.1f} on {load['cpus']} CPUs"


def _markdown(capacity: dict[str, Any]) -> str:
    run = capacity["run"]
    out = [
        f"# Capacity: {run['profile']} v{run['profile_version']} on {run['instance']}",
        "",
        f"**{capacity['verdict']}**",
        "",
        f"Status: **{capacity['status']}** · instance emulation: {run['emulation']}"
        f" · topology {run['topology']}"
        f" · {run['locust_workers']} locust worker(s) · dataset {run['dataset_size']} · latency production"
        f" x {run['time_scale']:g} · took {run['seconds']:.0f} s" + _load_note(run),
        "",
        *(f"> {note}" for note in run.get("emulation_notes", [])),
        "",
        "## Thresholds",
        _md_table(_THRESHOLD_HEAD, _threshold_rows(capacity)),
        "",
        "## Steps",
        _md_table(_STEP_HEAD, _step_rows(capacity)),
    ]
    if capacity.get("baseline"):
        base = capacity["baseline"]
        out += [
            "",
            f"## Baseline ({base['path']}, tolerance {100 * base['tolerance']:.0f} %)",
            _md_table(
                ["metric", "baseline", "now", "change", "regression"],
                [
                    [
                        c["metric"],
                        _fmt(c["baseline"]),
                        _fmt(c["current"]),
                        "-" if c["change"] is None else f"{100 * c['change']:+.1f} %",
                        "yes" if c["is_regression"] else "no",
                    ]
                    for c in base["comparisons"]
                ],
            ),
        ]
    out += ["", "## Per endpoint", _md_table(_ENDPOINT_HEAD, _endpoint_rows(capacity))]
    out += ["", "## Plots", *(f"![{name}]({name})" for name in capacity["plots"])]
    return "\n".join(out) + "\n"


def _html_table(head: list[str], rows: list[list[str]]) -> str:
    cells = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{cells}</tr>{body}</table>"


def _html(capacity: dict[str, Any]) -> str:
    run = capacity["run"]
    colour = {"passed": "#1a7f37", "failed": "#cf222e"}.get(capacity["status"], "#9a6700")
    parts = [
        "<!doctype html><meta charset='utf-8'><title>capacity</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto}table{border-collapse:collapse;"
        "font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}"
        "h1{font-size:22px}</style>",
        f"<h1>Capacity: {html.escape(run['profile'])} v{run['profile_version']}"
        f" on {html.escape(run['instance'])}</h1>",
        f"<p style='font-size:17px'><b>{html.escape(capacity['verdict'])}</b></p>",
        f"<p>Status: <b style='color:{colour}'>{capacity['status']}</b> · instance emulation: "
        f"{html.escape(run['emulation'])} · topology {run['topology']} · took {run['seconds']:.0f} s</p>",
        "<h2>Thresholds</h2>",
        _html_table(_THRESHOLD_HEAD, _threshold_rows(capacity)),
        "<h2>Steps</h2>",
        _html_table(_STEP_HEAD, _step_rows(capacity)),
    ]
    if capacity.get("baseline"):
        comparisons = capacity["baseline"]["comparisons"]
        rows = [
            [
                c["metric"],
                _fmt(c["baseline"]),
                _fmt(c["current"]),
                "-" if c["change"] is None else f"{100 * c['change']:+.1f} %",
                "yes" if c["is_regression"] else "no",
            ]
            for c in comparisons
        ]
        parts += [
            "<h2>Baseline</h2>",
            _html_table(["metric", "baseline", "now", "change", "regression"], rows),
        ]
    parts += [f"<h2>Plots</h2>{''.join(f'<p><img src={name!r}></p>' for name in capacity['plots'])}"]
    parts += ["<h2>Per endpoint</h2>", _html_table(_ENDPOINT_HEAD, _endpoint_rows(capacity))]
    return "\n".join(parts)


def write_report(capacity: dict[str, Any], report_dir: Path) -> list[Path]:
    report_dir.mkdir(parents=True, exist_ok=True)
    paths = [report_dir / "capacity.json", report_dir / "capacity.md", report_dir / "capacity.html"]
    paths[0].write_text(json.dumps(capacity, indent=1, default=str), encoding="utf-8")
    paths[1].write_text(_markdown(capacity), encoding="utf-8")
    paths[2].write_text(_html(capacity), encoding="utf-8")
    return paths
