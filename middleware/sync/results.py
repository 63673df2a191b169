"""What a sync run reports: status, counts and the upstream-compatible force-sync figures."""

from __future__ import annotations

from dataclasses import dataclass, field

from middleware.db.models import SyncStatus

__all__ = ["SyncRunResult"]


@dataclass
class SyncRunResult:
    """The outcome of one sync run; mirrored in its sync_logs row."""

    run_id: str
    sync_type: str
    status: SyncStatus
    message: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    phases_synced: int = 0
    elevations_synced: int = 0
    parts_lists_synced: int = 0
    parts_lists_failed: int = 0
    failures: int = 0  # every failure the run recorded (parts lists, parses, skipped records, projects)
    duration_seconds: float = 0.0
    error: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.status is SyncStatus.COMPLETED
