"""Variant: the worker keeps every parts list it downloads (upstream-facts §7.15: megabytes each): memory
grows by one parts list per download for the life of the process. C10 must fail."""

from __future__ import annotations

from middleware.sync.content import ElevationContent
from tests.sut_variants.entry import run_variant

KEPT: list[bytes] = []
_store_parts_list = ElevationContent.store_parts_list


def store_and_keep(self: ElevationContent, elevation_id: int, data: bytes) -> bool:
    KEPT.append(data)  # "cached" for a later parse that never releases it
    return _store_parts_list(self, elevation_id, data)


ElevationContent.store_parts_list = store_and_keep  # type: ignore[method-assign]

if __name__ == "__main__":
    run_variant("tests.sut_variants.parts_list_leak")
