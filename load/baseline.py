"""Compare capacity.json with an earlier one; a change beyond the tolerance in the bad direction fails."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["COMPARED", "Comparison", "compare_with_baseline"]

# key in capacity.json "summary" → True when higher is better
COMPARED: dict[str, bool] = {
    "max_users_within_thresholds": True,
    "peak_rps": True,
    "p95_at_checked_load_ms": False,
    "peak_pss_bytes": False,
    "mean_cpu_percent": False,
}


@dataclass(frozen=True)
class Comparison:
    metric: str
    baseline: float | None
    current: float | None
    change: float | None  # relative, + = higher now
    is_regression: bool

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))


def compare_with_baseline(
    current: Mapping[str, Any], baseline: Mapping[str, Any], tolerance: float
) -> list[Comparison]:
    """One Comparison per metric both summaries hold; ``tolerance`` is relative (0.1 = 10 %)."""
    rows = []
    for metric, higher_is_better in COMPARED.items():
        old, new = baseline.get(metric), current.get(metric)
        if not isinstance(old, int | float) or not isinstance(new, int | float):
            rows.append(Comparison(metric, _num(old), _num(new), None, False))
            continue
        change = (new - old) / abs(old) if old else (0.0 if new == old else float("inf"))
        worse = -change if higher_is_better else change
        rows.append(Comparison(metric, float(old), float(new), change, worse > tolerance))
    return rows


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None
