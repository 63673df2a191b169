"""C11 — "✅ System stable and performant": Odoo read p95 while a sync runs stays under 500 ms."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import httpx
import pytest

from harness.observe.evidence import Evidence
from harness.runtime.polling import wait_for
from harness.scenario.odoo import odoo_client
from harness.scenario.views import sync_windows
from harness.stack import Stack

pytestmark = [pytest.mark.scenario, pytest.mark.criterion("C11")]

P95_BOUND_MS = 500.0
READERS = 3
READ_SECONDS = 6.0
PATHS = ("/api/v1/odoo/projects", "/api/v1/odoo/stats", "/api/v1/odoo/search?q=DOS")


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def test_odoo_reads_stay_fast_while_a_sync_runs(make_stack: Callable[..., Stack], evidence: Evidence) -> None:
    # Production Logikal latency (scaled down) keeps the first full sync busy while Odoo reads.
    stack = make_stack(fake_latency="production", fake_time_scale=0.02)
    stack.observer.disable_heavy_types()

    def syncing() -> bool:
        return any(w.status == "started" for w in sync_windows(stack))

    wait_for(syncing, timeout=60, interval=0.05, description="a sync in progress")
    latencies: list[float] = []
    errors: list[str] = []
    during: list[bool] = []
    stop = threading.Event()

    def read() -> None:
        with odoo_client(stack) as odoo:
            i = 0
            while not stop.is_set():
                path = PATHS[i % len(PATHS)]
                i += 1
                started = time.perf_counter()
                try:
                    response = odoo.get(path)
                except httpx.HTTPError as exc:  # a timeout or reset is a failed read, not a harness crash
                    errors.append(f"{path}: {type(exc).__name__}")
                    continue
                finally:
                    latencies.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    errors.append(f"{path}: {response.status_code}")

    threads = [threading.Thread(target=read, daemon=True) for _ in range(READERS)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + READ_SECONDS

    def window_over() -> bool:
        during.append(syncing())
        return time.monotonic() >= deadline

    wait_for(window_over, timeout=READ_SECONDS + 5, interval=0.5, description="the read window")
    stop.set()
    for thread in threads:
        thread.join(timeout=10)

    p95 = _p95(latencies) if latencies else float("inf")
    share = sum(during) / max(len(during), 1)
    evidence.figure("Odoo reads", len(latencies))
    evidence.figure("read p95", round(p95, 1), "ms", bound=f"< {P95_BOUND_MS:g} ms", ok=p95 < P95_BOUND_MS)
    evidence.figure("read max", round(max(latencies, default=0), 1), "ms")
    evidence.figure(
        "share of the window with a sync running", f"{100 * share:.0f} %", bound="≥ 50 %", ok=share >= 0.5
    )
    evidence.figure("failed reads", len(errors), bound="0", ok=not errors)
    assert not errors, errors[:5]
    assert share >= 0.5, f"a sync ran during only {100 * share:.0f} % of the read window"
    assert p95 < P95_BOUND_MS, f"p95 {p95:.0f} ms"
