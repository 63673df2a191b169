"""Latency profiles: `none`, or `production` (delays measured on the real server), drawn from the seed."""

from __future__ import annotations

import random

__all__ = ["PRODUCTION", "LatencyProfile", "operation_kind"]

# seconds, uniform ranges per kind of operation (upstream-facts §9)
PRODUCTION: dict[str, tuple[float, float]] = {
    "auth": (4.5, 9.0),
    "select": (0.1, 0.9),
    "list": (0.2, 0.5),
    "thumbnail": (0.03, 0.07),
    "parts_list": (1.0, 3.0),
    "other": (0.05, 0.2),
}


def operation_kind(method: str, api_path: str) -> str:
    """Kind of an API call (auth, select, list, thumbnail, parts_list, other) from method and path."""
    if api_path == "/auth":
        return "auth" if method == "POST" else "other"
    if api_path.endswith("/thumbnail"):
        return "thumbnail"
    if api_path.endswith("/parts-list"):
        return "parts_list"
    if api_path.endswith("/select"):
        return "select"
    if method == "GET" and api_path in ("/directories", "/projects", "/phases", "/elevations"):
        return "list"
    return "other"


class LatencyProfile:
    """Real seconds to wait before answering; `time_scale` 0.01 makes everything a hundred times faster."""

    def __init__(self, name: str, seed: int, time_scale: float = 1.0):
        if name not in ("none", "production"):
            raise ValueError(f"latency profile must be 'none' or 'production', not {name!r}")
        self.name = name
        self.time_scale = time_scale
        self._rng = random.Random(f"{seed}:latency")

    def delay(self, kind: str) -> float:
        if self.name == "none" or self.time_scale == 0:
            return 0.0
        low, high = PRODUCTION.get(kind, PRODUCTION["other"])
        return self._rng.uniform(low, high) * self.time_scale
