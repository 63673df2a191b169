"""Figures for the /ui pages: table counts, recent runs, failures and per-type run statistics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import Session

from middleware.db.models import (
    Client,
    Directory,
    Elevation,
    ElevationPartsList,
    ElevationThumbnail,
    ParseStatus,
    Phase,
    Project,
    SyncLog,
    SyncStatus,
)

__all__ = ["RunStats", "recent_failures", "recent_runs", "run_stats", "table_counts"]


@dataclass(frozen=True)
class RunStats:
    """Outcomes and durations of the recent runs of one sync type."""

    sync_type: str
    runs: int
    completed: int
    partial: int
    failed: int
    running: int
    average_seconds: float | None
    max_seconds: float | None
    last_started: datetime | None

    @property
    def finished(self) -> int:
        return self.completed + self.partial + self.failed

    @property
    def success_rate(self) -> float | None:
        return None if self.finished == 0 else 100.0 * (self.completed + self.partial) / self.finished

    @property
    def failure_rate(self) -> float | None:
        return None if self.finished == 0 else 100.0 * self.failed / self.finished


def table_counts(session: Session) -> dict[str, int]:
    def count(query: Select[int]) -> int:
        return int(session.scalar(query) or 0)

    failed_parses = (ParseStatus.FAILED.value, ParseStatus.VALIDATION_FAILED.value)
    return {
        "Directories": count(select(func.count(Directory.id))),
        "Projects": count(select(func.count(Project.id)).where(Project.is_deleted.is_(False))),
        "Phases": count(select(func.count(Phase.id))),
        "Elevations": count(select(func.count(Elevation.id)).where(Elevation.is_in_recycle_bin.is_(False))),
        "Parts lists": count(select(func.count(ElevationPartsList.elevation_id))),
        "Thumbnails": count(select(func.count(ElevationThumbnail.elevation_id))),
        "Parse failures": count(
            select(func.count(Elevation.id)).where(Elevation.parse_status.in_(failed_parses))
        ),
        "API clients": count(select(func.count(Client.id))),
    }


def recent_runs(session: Session, limit: int = 10) -> list[SyncLog]:
    return list(
        session.scalars(select(SyncLog).order_by(SyncLog.started_at.desc(), SyncLog.id.desc()).limit(limit))
    )


def recent_failures(session: Session, limit: int = 10) -> list[SyncLog]:
    query = (
        select(SyncLog)
        .where(SyncLog.status == SyncStatus.FAILED.value)
        .order_by(SyncLog.started_at.desc(), SyncLog.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def run_stats(session: Session, window: int = 500) -> list[RunStats]:
    """Per sync type over the last ``window`` runs: counts by outcome, mean and max duration."""
    recent = select(SyncLog).order_by(SyncLog.started_at.desc(), SyncLog.id.desc()).limit(window).subquery()

    def outcome(status: SyncStatus) -> ColumnElement[Any]:
        return func.sum(case((recent.c.status == status.value, 1), else_=0))

    query = (
        select(
            recent.c.sync_type,
            func.count(),
            outcome(SyncStatus.COMPLETED),
            outcome(SyncStatus.PARTIAL),
            outcome(SyncStatus.FAILED),
            func.avg(recent.c.duration_seconds),
            func.max(recent.c.duration_seconds),
            func.max(recent.c.started_at),
        )
        .group_by(recent.c.sync_type)
        .order_by(recent.c.sync_type)
    )
    stats = []
    for sync_type, runs, completed, partial, failed, average, maximum, last in session.execute(query):
        done = int(completed or 0) + int(partial or 0) + int(failed or 0)
        stats.append(
            RunStats(
                sync_type=sync_type,
                runs=int(runs),
                completed=int(completed or 0),
                partial=int(partial or 0),
                failed=int(failed or 0),
                running=int(runs) - done,
                average_seconds=float(average) if average is not None else None,
                max_seconds=float(maximum) if maximum is not None else None,
                last_started=last,
            )
        )
    return stats
