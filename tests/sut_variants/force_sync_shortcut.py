"""Variant: force sync skips a project's phases and elevations when a sync completed less than an hour ago
(upstream-facts §7.3, the force path's 1-hour staleness shortcut): C24 must fail."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from middleware.db.models import SyncLog
from middleware.db.session import session_scope
from middleware.sync.context import ProjectRef
from middleware.sync.tree import TreeSync
from tests.sut_variants.entry import run_variant

STALENESS = timedelta(hours=1)
_sync_subtree = TreeSync.sync_subtree


def _synced_recently(tree: TreeSync) -> bool:
    ctx = tree._ctx
    with session_scope(ctx.factory) as session:
        last = session.scalar(
            select(func.max(SyncLog.completed_at)).where(
                SyncLog.status == "completed", SyncLog.sync_type.in_(("project", "phase", "elevation"))
            )
        )
    return last is not None and ctx.now() - last < STALENESS


def sync_subtree_unless_fresh(self: TreeSync, project: ProjectRef, content: Any, *, force: bool) -> None:
    if force and _synced_recently(self):
        self._ctx.tally.add("project.fresh_enough")  # "synced less than an hour ago": nothing fetched
        return
    _sync_subtree(self, project, content, force=force)


TreeSync.sync_subtree = sync_subtree_unless_fresh  # type: ignore[method-assign]

if __name__ == "__main__":
    run_variant("tests.sut_variants.force_sync_shortcut")
