"""Benchmark: the whole gate on our middleware, built-in clock against the external warp, side by side.

Runs ``verify`` with the built-in profile (``CLOCK_SPEED`` honoured) and with ``ours-external-warp.toml``
(``examples/sut-profiles/``: our middleware started as a foreign build, libfaketime, every observation
declared) alternately on the same machine, so both see the same load, and prints per run the wall
time and the verdict counts, then the median wall time of each and their ratio (issue 9: "the wall time beside
the built-in-clock run, measured side by side"; issues 10 and 11: the built-in gate's median of 3).

    .venv/bin/python -m bench.bench_gate_wall [--order builtin,foreign,builtin]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from collections import Counter
from pathlib import Path

from bench.verify_run import REPO, run_verify

PROFILES = {"builtin": None, "foreign": REPO / "examples" / "sut-profiles" / "ours-external-warp.toml"}


def run_gate(kind: str, report: Path) -> tuple[float, Counter[str], list[str]]:
    """(wall seconds, verdict counts, failed or inconclusive criteria) of one ``verify``."""
    profile = PROFILES[kind]
    wall, evidence = run_verify([] if profile is None else ["--sut", str(profile)], report, timeout=3600)
    if evidence is None:
        return wall, Counter({"no evidence": 1}), []
    criteria = evidence["criteria"]
    verdicts = Counter(c["verdict"] for c in criteria)
    odd = [f"{c['criterion']} {c['verdict']}" for c in criteria if c["verdict"] != "passed"]
    return wall, verdicts, odd


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--order", default="builtin,foreign,builtin", help="comma-separated builtin|foreign")
    args = parser.parse_args()
    order = [kind.strip() for kind in args.order.split(",") if kind.strip()]
    unknown = sorted(set(order) - set(PROFILES))
    if unknown:
        parser.error(f"unknown gate kind(s) {unknown}; use builtin or foreign")
    walls: dict[str, list[float]] = {kind: [] for kind in PROFILES}
    with tempfile.TemporaryDirectory(prefix="gate-wall-") as tmp:
        for index, kind in enumerate(order, 1):
            print(f"[{index}/{len(order)}] verify ({kind}) ...", flush=True)
            wall, verdicts, odd = run_gate(kind, Path(tmp) / f"{index}-{kind}")
            walls[kind].append(wall)
            counts = ", ".join(f"{n} {verdict}" for verdict, n in sorted(verdicts.items()))
            print(f"    {wall:.0f} s wall; {counts}{'; ' + ', '.join(odd) if odd else ''}", flush=True)
    print("\ngate | runs | wall s (each) | median s")
    for kind, values in walls.items():
        if values:
            each = ", ".join(f"{v:.0f}" for v in values)
            print(f"{kind:7} | {len(values):4} | {each:13} | {statistics.median(values):.0f}")
    if walls["builtin"] and walls["foreign"]:
        ratio = statistics.median(walls["foreign"]) / statistics.median(walls["builtin"])
        print(f"external warp / built-in clock: {ratio:.2f}x wall time")


if __name__ == "__main__":
    main()
