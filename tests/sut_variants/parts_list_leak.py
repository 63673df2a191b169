"""Variant: the worker keeps every parts list it downloads (upstream-facts §7.15: megabytes each): memory
grows by one parts list per download for the life of the process. C10 must fail.

``LEAK_FRACTION`` (default 1) keeps only that share of each parts list, so bench/bench_leak_threshold.py
can plant smaller leaks; ``LEAK_LEDGER`` names a file that gets one ``<unix time> <bytes kept>`` line per
download (on the build's virtual clock), so the planted rate is known from the variant itself, not from
the gate that is being measured."""

from __future__ import annotations

import os

from middleware.clock import clock_from_settings
from middleware.sync.content import ElevationContent
from tests.sut_variants.entry import run_variant

KEPT: list[bytes] = []
FRACTION = float(os.environ.get("LEAK_FRACTION", "1"))
LEDGER = os.environ.get("LEAK_LEDGER", "")
# Stamped on the build's own clock: virtual under CLOCK_SPEED; under libfaketime time.time() already is.
_ANCHOR = os.environ.get("CLOCK_ANCHOR")
CLOCK = clock_from_settings(float(os.environ.get("CLOCK_SPEED", "1")), float(_ANCHOR) if _ANCHOR else None)
_store_parts_list = ElevationContent.store_parts_list


def store_and_keep(self: ElevationContent, elevation_id: int, data: bytes) -> bool:
    kept = bytes(data[: int(len(data) * FRACTION)])  # a copy: "cached" for a later parse that never frees it
    KEPT.append(kept)
    if LEDGER:
        with open(LEDGER, "a", encoding="utf-8") as ledger:
            ledger.write(f"{CLOCK.time():.3f} {len(kept)}\n")
    return _store_parts_list(self, elevation_id, data)


ElevationContent.store_parts_list = store_and_keep  # type: ignore[method-assign]

if __name__ == "__main__":
    run_variant("tests.sut_variants.parts_list_leak")
