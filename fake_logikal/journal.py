"""The call journal: one bounded record per API call, for tests and scenarios to assert on what happened."""

from __future__ import annotations

import fnmatch
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["CallRecord", "Journal"]


@dataclass
class CallRecord:
    seq: int
    method: str
    path: str  # API path below the base path, `//` collapsed, e.g. "/elevations/selected/parts-list"
    query: str
    status: int  # 0 when no response was sent (connection reset, hang)
    token: str | None
    level: str | None  # cursor level when the call arrived; None without a valid session
    start: float  # fake-clock epoch seconds
    duration_ms: float
    fault: str | None  # "<rule id>:<effect>" when a fault rule was applied

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class Journal:
    def __init__(self, max_size: int = 10_000):
        self._records: deque[CallRecord] = deque(maxlen=max_size)
        self._seq = 0

    def next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def append(self, record: CallRecord) -> None:
        self._records.append(record)

    def clear(self) -> None:
        self._records.clear()

    @property
    def total(self) -> int:
        return self._seq

    def query(
        self,
        *,
        since: int = 0,
        method: str | None = None,
        path: str | None = None,
        token: str | None = None,
        limit: int | None = None,
    ) -> list[CallRecord]:
        """Records with seq > `since`, optionally filtered by method, path glob and token; oldest first."""
        found = [
            r
            for r in self._records
            if r.seq > since
            and (method is None or r.method == method.upper())
            and (path is None or fnmatch.fnmatchcase(r.path, path))
            and (token is None or r.token == token)
        ]
        return found[-limit:] if limit else found

    def summary(self) -> dict[str, Any]:
        """Counts per operation ("POST /auth") and status over the records kept, for quick assertions."""
        operations: dict[str, dict[str, Any]] = {}
        for record in self._records:
            entry = operations.setdefault(f"{record.method} {record.path}", {"count": 0, "statuses": {}})
            entry["count"] += 1
            entry["statuses"][str(record.status)] = entry["statuses"].get(str(record.status), 0) + 1
        return {"total": self._seq, "kept": len(self._records), "operations": operations}
