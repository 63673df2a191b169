"""Variant: what Logikal deletes is never removed (upstream-facts §7.18): vanished projects, phases and
elevations stay, `isDeleted` projects and recycled elevations are stored as live. C23 must fail."""

from __future__ import annotations

from typing import Any

from middleware.sync import specs, tree
from tests.sut_variants.entry import run_variant


def delete_nothing(*_args: Any, **_kwargs: Any) -> list[int]:
    return []


def _live(spec: specs.EntitySpec, flags: dict[str, Any]) -> None:
    to_row = spec.to_row
    object.__setattr__(spec, "to_row", lambda item, parent: {**to_row(item, parent), **flags})


tree.delete_missing = delete_nothing  # type: ignore[attr-defined]
_live(specs.PROJECT, {"is_deleted": False, "status": "active"})
_live(specs.ELEVATION, {"is_in_recycle_bin": False})

if __name__ == "__main__":
    run_variant("tests.sut_variants.deletions_ignored")
