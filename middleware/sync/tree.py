"""The Logikal tree walk: directories, projects, phases and elevations, written through the spec table."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, or_, select, update
from sqlalchemy.orm import Session

from middleware.db.models import Directory, Elevation, ElevationThumbnail, Phase, Project
from middleware.db.session import session_scope
from middleware.logikal.errors import LogikalError
from middleware.logikal.payloads import (
    DirectoryData,
    ElevationData,
    Listing,
    ProjectData,
    epoch_to_datetime,
)
from middleware.sync.content import ElevationContent
from middleware.sync.context import DirectoryRef, PartsTarget, ProjectRef, RunContext, is_excluded
from middleware.sync.specs import DIRECTORY, ELEVATION, PHASE, PROJECT, EntitySpec
from middleware.sync.upserts import UpsertResult, delete_missing, upsert_rows

__all__ = ["TreeSync"]

Known = tuple[datetime | None, bool, bool]


class TreeSync:
    """Each level: list in Logikal, upsert through its spec, delete what vanished from its parent scope."""

    def __init__(self, ctx: RunContext) -> None:
        self._ctx = ctx

    # ----------------------------------------------------------------- helpers
    def _write(self, session: Session, spec: EntitySpec, rows: list[dict[str, Any]]) -> UpsertResult:
        level = spec.object_type.value
        result = upsert_rows(
            session, spec.table, spec.key, rows, stamp=self._ctx.now(), stamp_columns=spec.stamp_columns
        )
        tally = self._ctx.tally
        tally.add(f"{level}.inserted", result.inserted)
        tally.add(f"{level}.updated", result.updated)
        tally.add(f"{level}.unchanged", result.unchanged)
        tally.add(f"{level}.seen", len(rows))
        return result

    def _delete(self, session: Session, spec: EntitySpec, scope: Any, keep: list[str]) -> None:
        deleted = delete_missing(session, spec.table, {spec.scope: scope}, spec.identity, keep)
        self._ctx.tally.add(f"{spec.object_type.value}.deleted", len(deleted))

    def _rejected(self, level: str, listing: list[Any]) -> tuple[list[str], bool]:
        """Record the listing's skipped records (counted, reported, the run becomes partial); the keys they
        still name (never deleted), and whether every one named its key (else nothing may be deleted)."""
        rejected = listing.rejected if isinstance(listing, Listing) else []
        for item in rejected:
            self._ctx.tally.add(f"{level}.malformed")
            where = f"{level} record #{item.index} ({item.key or 'no id'}) skipped"
            self._ctx.tally.error(where, item.reason)
        return [r.key for r in rejected if r.key], all(r.key for r in rejected)

    def excluded(self) -> set[str]:
        with session_scope(self._ctx.factory) as session:
            flagged = session.scalars(select(Directory.logikal_id).where(Directory.exclude_from_sync))
            return {*self._ctx.settings.SYNC_EXCLUDED_DIRECTORIES, *flagged}

    # ----------------------------------------------------------------- directories
    def discover_directories(self, on_directory: Callable[[DirectoryRef], None] | None = None) -> None:
        """Walk the tree from the roots (not into excluded subtrees); delete directories that vanished.

        ``on_directory`` runs while the walking session stands in each directory (listing its projects there
        costs no extra select)."""
        client, excluded = self._ctx.client, self.excluded()
        seen: list[str] = []
        skipped: list[str] = []
        can_delete = True
        frontier: list[tuple[str | None, int | None]] = [(None, None)]
        while frontier:
            path, parent_id = frontier.pop(0)
            children = client.list_directories(path)
            kept, named = self._rejected("directory", children)
            skipped += kept
            can_delete = can_delete and named
            if path is not None and parent_id is not None and on_directory is not None:
                on_directory(DirectoryRef(parent_id, path))
            with session_scope(self._ctx.factory) as session:
                result = self._write(session, DIRECTORY, DIRECTORY.rows(children, {"parent_id": parent_id}))
            for child in children:
                child_path = child.path.strip("/")
                seen.append(child_path)
                if not is_excluded(child_path, excluded):
                    frontier.append((child_path, result.ids[(child_path,)]))
        with session_scope(self._ctx.factory) as session:
            rows = session.execute(select(Directory.id, Directory.logikal_id)).all()
            gone = [i for i, p in rows if p not in set(seen) and not is_excluded(p, excluded)]
            if not can_delete:
                gone = []
            # a skipped record's subtree was not walked: it stays as it was
            gone = [i for i, p in rows if i in set(gone) and not is_excluded(p, set(skipped))]
            if gone:
                session.execute(delete(Directory).where(Directory.id.in_(gone)))
            self._ctx.tally.add("directory.deleted", len(gone))

    def ensure_directory(self, path: str) -> DirectoryRef:
        """The directory row of ``path`` and its ancestors (force sync may come before any discovery)."""
        parts, parent_id = path.strip("/").split("/"), None
        with session_scope(self._ctx.factory) as session:
            for depth in range(1, len(parts) + 1):
                prefix = "/".join(parts[:depth])
                item = DirectoryData(name=parts[depth - 1], path=prefix)
                existing = session.scalar(select(Directory.id).where(Directory.logikal_id == prefix))
                if existing is None:
                    result = self._write(session, DIRECTORY, DIRECTORY.rows([item], {"parent_id": parent_id}))
                    existing = result.ids[(prefix,)]
                parent_id = existing
        assert parent_id is not None
        return DirectoryRef(parent_id, path.strip("/"))

    def directories(self) -> list[DirectoryRef]:
        excluded = self.excluded()
        with session_scope(self._ctx.factory) as session:
            rows = session.execute(select(Directory.id, Directory.logikal_id).order_by(Directory.logikal_id))
            return [DirectoryRef(i, p) for i, p in rows if not is_excluded(p, excluded)]

    # ----------------------------------------------------------------- projects
    def sync_projects_of(
        self,
        directory: DirectoryRef,
        *,
        only: Callable[[ProjectData], bool] | None = None,
        listed: list[ProjectData] | None = None,
    ) -> list[ProjectRef]:
        """List the directory's projects (unless ``listed`` already), upsert them, delete vanished ones
        (unless ``only`` filters)."""
        if listed is None:
            listed = self._ctx.client.list_projects(directory.path)
        kept, can_delete = self._rejected("project", listed)
        chosen = [p for p in listed if only is None or only(p)]
        with session_scope(self._ctx.factory) as session:
            result = self._write(session, PROJECT, PROJECT.rows(chosen, {"directory_id": directory.id}))
            if only is None and can_delete:
                self._delete(session, PROJECT, directory.id, [p.id for p in listed] + kept)
        return [
            ProjectRef(result.ids[(p.id,)], p.id, p.name, directory.path, (p.id,) in result.written)
            for p in chosen
        ]

    def projects_in_db(self) -> list[ProjectRef]:
        refs = {d.id: d.path for d in self.directories()}
        with session_scope(self._ctx.factory) as session:
            rows = session.execute(select(Project.id, Project.logikal_id, Project.name, Project.directory_id))
            return [ProjectRef(i, g, n, refs[d], False) for i, g, n, d in rows if d in refs]

    def is_settled(self, project: ProjectRef) -> bool:
        """Unchanged in the listing, every phase listed since, no thumbnail or parts list missing."""
        if project.changed:
            return False
        with session_scope(self._ctx.factory) as session:
            changed_at = select(Project.last_sync_date).where(Project.id == project.id).scalar_subquery()
            stale_phase = exists().where(
                Phase.project_id == project.id, or_(Phase.synced_at.is_(None), Phase.synced_at < changed_at)
            )
            no_thumb = ~exists().where(ElevationThumbnail.elevation_id == Elevation.id)
            incomplete = exists().where(
                Elevation.project_id == project.id, or_(~Elevation.has_parts_data, no_thumb)
            )
            # no phase at all: its subtree never committed (Logikal gives every project a default phase)
            no_phase = ~exists().where(Phase.project_id == project.id)
            return not session.scalar(select(or_(stale_phase, incomplete, no_phase)))

    # ----------------------------------------------------------------- phases and elevations
    def sync_subtree(self, project: ProjectRef, content: ElevationContent | None, *, force: bool) -> None:
        """Phases (and with ``content`` elevations + thumbnails) of one project in ONE transaction.

        Each phase is fetched by its own worker (listing, then the thumbnails it needs, then its parts-list
        downloads are queued on ``content``); rows are written here, and the caller stores the parts lists
        after this transaction committed.
        """
        ctx, where = self._ctx, (project.directory, project.guid)
        with session_scope(ctx.factory) as session:
            phases = ctx.client.list_phases(*where)
            kept_phases, can_delete = self._rejected("phase", phases)
            phase_rows = self._write(session, PHASE, PHASE.rows(phases, {"project_id": project.id}))
            if can_delete:
                self._delete(session, PHASE, project.id, [p.id for p in phases] + kept_phases)
            if content is None:
                return
            known = self._known_elevations(session, project.id)
            seen: list[str] = []
            workers = max(1, min(len(phases), ctx.settings.LOGIKAL_MAX_SESSIONS))
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="phase") as pool:
                fetches = [
                    pool.submit(self._fetch_phase, (*where, p.id), known, content, force) for p in phases
                ]
                for phase, fetch in zip(phases, fetches, strict=True):
                    elevations, thumbnails = fetch.result()
                    kept, named = self._rejected("elevation", elevations)
                    seen.extend(kept)
                    can_delete = can_delete and named
                    phase_id = phase_rows.ids[(phase.id, project.id)]
                    parent = {"phase_id": phase_id, "project_id": project.id}
                    result = self._write(session, ELEVATION, ELEVATION.rows(elevations, parent))
                    for guid, data in thumbnails.items():
                        if isinstance(data, LogikalError):
                            ctx.tally.add("thumbnail.failed")
                            ctx.tally.error(f"thumbnail {guid}", data)
                        else:
                            content.store_thumbnail(session, result.ids[(guid,)], data)
                    seen.extend(item.id for item in elevations)
                    self._mark_listed(session, phase_id, project.id)
            if can_delete:  # a skipped phase (or an elevation without id) may hold rows we cannot place
                self._delete(session, ELEVATION, project.id, seen)

    def _fetch_phase(
        self, where: tuple[str, str, str], known: dict[str, Known], content: ElevationContent, force: bool
    ) -> tuple[list[ElevationData], dict[str, bytes | LogikalError]]:
        """A worker: list the phase's elevations, fetch the thumbnails they need, queue their parts lists."""
        client = self._ctx.client
        elevations = client.list_elevations(*where)
        thumbs: list[str] = []
        parts: list[PartsTarget] = []
        for item in elevations:
            before = known.get(item.id)
            changed = force or before is None or before[0] != epoch_to_datetime(item.changed_date)
            if changed or not before or not before[2]:
                thumbs.append(item.id)
            if changed or not before or not before[1]:
                parts.append(PartsTarget(None, item.name, *where, item.id))
        found: dict[str, bytes | LogikalError] = {}
        if thumbs:
            try:
                found = client.thumbnails(*where, thumbs)
            except LogikalError as exc:
                found = dict.fromkeys(thumbs, exc)
        # queued after the thumbnails: one download may then take this phase-level session
        for target in parts:
            content.submit(target)
        return elevations, found

    @staticmethod
    def _known_elevations(session: Session, project_id: int) -> dict[str, Known]:
        """Per elevation GUID of the project: stored changedDate, has a parts list, has a thumbnail."""
        rows = session.execute(
            select(
                Elevation.logikal_id,
                Elevation.last_update_date,
                Elevation.has_parts_data,
                exists().where(ElevationThumbnail.elevation_id == Elevation.id),
            ).where(Elevation.project_id == project_id)
        )
        return {guid: (changed, has_parts, thumb) for guid, changed, has_parts, thumb in rows}

    def _mark_listed(self, session: Session, phase_id: int, project_id: int) -> None:
        """Phase.synced_at: elevations listed after the project row last changed (written only if behind)."""
        changed_at = select(Project.last_sync_date).where(Project.id == project_id).scalar_subquery()
        session.execute(
            update(Phase)
            .where(Phase.id == phase_id, or_(Phase.synced_at.is_(None), Phase.synced_at < changed_at))
            .values(synced_at=self._ctx.now())
        )
