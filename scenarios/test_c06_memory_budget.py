"""C06 — "✅ Memory usage under 80%": total PSS < 80 % of the budget (default 1 GB; 512 MB reported)."""

from __future__ import annotations

import os

import pytest

from harness.observe.evidence import Evidence
from harness.runtime.polling import wait_for
from harness.scenario.views import SYNC_TYPES, memory_series, wait_first_syncs
from harness.stack import Stack

pytestmark = [pytest.mark.scenario, pytest.mark.criterion("C06")]


def test_peak_pss_stays_under_80_percent_of_the_budget(shared_stack: Stack, evidence: Evidence) -> None:
    stack = shared_stack
    budget_mb = float(os.environ.get("HARNESS_MEMORY_BUDGET_MB", "1024"))
    # The first scheduled sync (all types, parts lists included) is the heaviest moment of a run.
    wait_first_syncs(stack, [*SYNC_TYPES, *stack.observer.spec.heavy_types[:1]], timeout=60)
    wait_for(lambda: len(stack.sampler.totals()) >= 10, timeout=30, description="10 memory samples")
    peak_mb = stack.sampler.peak_pss() / 1e6
    rss_mb = max((rss for _r, _v, rss, _p in stack.sampler.totals()), default=0) / 1e6
    limit_mb = 0.8 * budget_mb
    evidence.figure("peak PSS (all middleware processes)", round(peak_mb, 1), "MB",
                    bound=f"< {limit_mb:g} MB (80 % of {budget_mb:g})", ok=peak_mb < limit_mb)  # fmt: skip
    evidence.figure("peak PSS vs 512 MB instance", f"{100 * peak_mb / 512:.0f} %", bound="< 80 % (reported)",
                    ok=peak_mb < 0.8 * 512)  # fmt: skip
    evidence.figure("peak RSS (double-counts shared pages)", round(rss_mb, 1), "MB")
    for name, sample in stack.memory().items():
        evidence.figure(f"{name} now: PSS / processes", f"{sample.pss / 1e6:.0f} MB / {sample.processes}")
    evidence.figure("samples", len(stack.sampler.totals()))
    evidence.series.update(memory_series(stack))
    assert peak_mb < limit_mb, f"peak PSS {peak_mb:.0f} MB ≥ {limit_mb:.0f} MB"
