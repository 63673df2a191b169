"""Benchmark: the smallest memory leak C10 detects, in MB per simulated hour (issue 11).

Plants leaks of decreasing size with the ``parts_list_leak`` variant (``LEAK_FRACTION`` keeps that share of
every downloaded parts list), runs ``verify --only C10`` on each, and prints the planted rate (from the
variant's own ledger: bytes kept against its virtual clock), the PSS slope the gate measured, and its verdict.
Fraction 0 is the control: the same build leaking nothing. Each run is one C10 (about 1.5 min real).

    .venv/bin/python -m bench.bench_leak_threshold [--fractions 1,0.5,0.375,0.25,0]
"""

from __future__ import annotations

import argparse
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.verify_run import run_verify
from harness.observe.trend import least_squares_slope
from harness.scenario.warp_run import WARMUP_FRACTION, WARMUP_HOURS

VARIANT = "tests.sut_variants.parts_list_leak"
PROFILE = """extends = "default"
name = "parts-list-leak-{tag}"

[commands]
start = ["{{python}}", "-m", "{module}", "start"]
migrate = ["{{python}}", "-m", "{module}", "migrate"]
web = ["{{python}}", "-m", "{module}", "web"]
worker = ["{{python}}", "-m", "{module}", "worker"]
beat = ["{{python}}", "-m", "{module}", "beat"]

[env]
LEAK_FRACTION = "{fraction}"
LEAK_LEDGER = "{ledger}"
"""


@dataclass
class Point:
    fraction: float
    planted: float  # MB per simulated hour, from the ledger
    slope: float | None  # MB per simulated hour, as the gate measured it
    verdict: str
    seconds: float


def planted_rate(
    ledger: Path, warmup_fraction: float = WARMUP_FRACTION, warmup_hours: float = WARMUP_HOURS
) -> float:
    """MB kept per simulated hour over the window C10 judges: the least-squares slope of the bytes kept so
    far against virtual time, after the same warm-up (the larger of ``warmup_fraction`` of the run and
    ``warmup_hours``), so the first full sync's burst of downloads does not count (0 if nothing was kept)."""
    if not ledger.exists():
        return 0.0
    rows = [line.split() for line in ledger.read_text(encoding="utf-8").splitlines() if line.strip()]
    if len(rows) < 2:
        return 0.0
    first, last = float(rows[0][0]), float(rows[-1][0])
    settled = first + max(warmup_fraction * (last - first), warmup_hours * 3600)
    points, kept = [], 0
    for stamp, size in rows:
        kept += int(size)
        if float(stamp) >= settled:
            points.append((float(stamp) / 3600, float(kept)))
    return least_squares_slope(points) / 1e6


def measure(fraction: float, work: Path) -> Point:
    tag = f"{fraction:g}".replace(".", "_")
    ledger = work / f"ledger-{tag}.txt"
    profile = work / f"leak-{tag}.toml"
    text = PROFILE.format(tag=tag, module=VARIANT, fraction=fraction, ledger=ledger)
    profile.write_text(text, encoding="utf-8")
    report = work / f"report-{tag}"
    seconds, data = run_verify(
        ["--sut", str(profile), "--only", "C10", "--services", "local"], report, timeout=900
    )
    slope, verdict = None, "no evidence"
    for criterion in data["criteria"] if data else []:
        if criterion["criterion"] != "C10":
            continue
        verdict = criterion["verdict"]
        for test in criterion["tests"]:
            for figure in test["figures"]:
                if figure["name"] == "PSS slope":
                    slope = float(figure["value"])
    return Point(fraction, planted_rate(ledger), slope, verdict, seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fractions", default="1,0.5,0.375,0.25,0")
    args = parser.parse_args()
    fractions = [float(f) for f in args.fractions.split(",")]
    points = []
    with tempfile.TemporaryDirectory(prefix="leak-threshold-") as tmp:
        for index, fraction in enumerate(fractions, 1):
            print(f"[{index}/{len(fractions)}] C10 with LEAK_FRACTION={fraction:g} ...", flush=True)
            point = measure(fraction, Path(tmp))
            points.append(point)
            slope = "n/a" if point.slope is None else f"{point.slope:.2f}"
            print(f"    planted {point.planted:.2f} MB/h, measured slope {slope} MB/h, C10 {point.verdict}, "
                  f"{point.seconds:.0f} s", flush=True)  # fmt: skip
    print("\nfraction | planted MB per simulated h | PSS slope MB per simulated h | C10")
    for p in points:
        slope = "n/a" if p.slope is None else f"{p.slope:.2f}"
        print(f"{p.fraction:8g} | {p.planted:26.2f} | {slope:28} | {p.verdict}")
    caught = [p.planted for p in points if p.verdict == "failed" and p.planted > 0]
    missed = [p.planted for p in points if p.verdict == "passed" and p.planted > 0]
    if caught:
        print(f"smallest planted leak C10 failed: {min(caught):.2f} MB/h")
    else:
        print("C10 failed no planted leak")
    if missed:
        print(f"largest planted leak C10 passed: {max(missed):.2f} MB/h")


if __name__ == "__main__":
    main()
