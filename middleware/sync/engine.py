"""SyncEngine: full/incremental sync per object type, force sync of one project, and parts-list parsing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from middleware.clock import Clock
from middleware.config import Settings
from middleware.db.models import Directory, Elevation, ObjectType, ParseStatus, Phase, Project, SyncTrigger
from middleware.db.session import session_scope
from middleware.errors import DirectoryNotFoundError, ProjectNotFoundError, ResourceLockedError
from middleware.locks import ProjectLock, project_lock_key
from middleware.logikal.client import LogikalClient
from middleware.logikal.errors import LogikalError, LogikalNotFoundError
from middleware.logikal.payloads import ProjectData
from middleware.logs import get_logger
from middleware.sync.content import ElevationContent
from middleware.sync.context import DirectoryRef, PartsTarget, ProjectRef, RunContext
from middleware.sync.results import SyncRunResult
from middleware.sync.runlog import RunLog, Tally
from middleware.sync.tree import TreeSync

__all__ = ["SyncEngine"]

log = get_logger(__name__)
Body = Callable[[RunContext], None]


class SyncEngine:
    """Every sync path; each run writes one sync_logs row and closes all its Logikal sessions."""

    def __init__(
        self,
        settings: Settings,
        session_factory: sessionmaker[Session],
        clock: Clock,
        lock: ProjectLock,
        *,
        client_factory: Callable[[], LogikalClient] | None = None,
    ) -> None:
        self._settings = settings
        self._factory = session_factory
        self._clock = clock
        self._lock = lock
        self._client_factory = client_factory or (lambda: LogikalClient.from_settings(settings))

    # ----------------------------------------------------------------- public API
    def sync_all(
        self,
        *,
        trigger: SyncTrigger = SyncTrigger.MANUAL,
        run_id: str | None = None,
        incremental: bool = True,
    ) -> SyncRunResult:
        """The whole cascade in one run; incremental skips projects whose changedDate and subtree settled."""

        def body(ctx: RunContext) -> None:
            tree = TreeSync(ctx)
            projects: list[ProjectRef] = []
            if not incremental:
                ctx.client.prewarm(self._settings.LOGIKAL_MAX_SESSIONS - 1)
            tree.discover_directories(lambda d: projects.extend(self._projects_of(ctx, tree, d)))
            with self._content(ctx, parse=True) as content:
                for project in projects:
                    if incremental and tree.is_settled(project):
                        ctx.tally.add("project.settled")
                        continue
                    self._project_unit(ctx, tree, content, project, force=not incremental)

        return self._execute("full" if not incremental else "incremental", trigger, None, run_id, body)

    def sync_object_type(
        self, object_type: ObjectType, *, trigger: SyncTrigger, run_id: str | None = None
    ) -> SyncRunResult:
        """One level over the whole non-excluded scope, taking each project's lock (locked ones are skipped
        and recorded): directory = tree walk; project = project lists; phase = phases of every project;
        elevation = elevations + thumbnails, pruned by changedDate; parts_list = changed or missing parts
        lists; sqlite_parser = parse the pending ones."""
        steps: dict[ObjectType, Body] = {
            ObjectType.DIRECTORY: lambda ctx: TreeSync(ctx).discover_directories(),
            ObjectType.PROJECT: self._sync_project_lists,
            ObjectType.PHASE: lambda ctx: self._sync_subtrees(ctx, elevations=False),
            ObjectType.ELEVATION: lambda ctx: self._sync_subtrees(ctx, elevations=True),
            ObjectType.PARTS_LIST: self._sync_parts_lists,
            ObjectType.SQLITE_PARSER: self._parse_pending,
        }
        return self._execute(object_type.value, trigger, None, run_id, steps[object_type])

    def sync_project(
        self,
        project_name: str,
        directory_path: str | None,
        *,
        trigger: SyncTrigger,
        run_id: str | None = None,
    ) -> SyncRunResult:
        """Force sync: project → phases → elevations → thumbnails → parts lists → parse, under the lock."""
        target = f"{directory_path.strip('/')}/{project_name}" if directory_path else project_name
        key = project_lock_key(project_name, directory_path)

        def body(ctx: RunContext) -> None:
            tree = TreeSync(ctx)
            ctx.client.prewarm(self._settings.LOGIKAL_MAX_SESSIONS - 1)
            listed: list[ProjectData] | None = None
            if directory_path:
                try:  # before any write: an unknown directory must leave no rows behind
                    listed = ctx.client.list_projects(directory_path.strip("/"))
                except LogikalNotFoundError:
                    raise DirectoryNotFoundError(directory_path) from None
                directory = tree.ensure_directory(directory_path)
            else:
                directory = self._home_of(project_name)
            names: list[str] = []

            def wanted(item: ProjectData) -> bool:
                names.append(item.name)
                return item.name == project_name

            refs = tree.sync_projects_of(directory, only=wanted, listed=listed)
            if not refs:
                shown = ", ".join(sorted(names)[:10]) or "none"
                raise ProjectNotFoundError(
                    f"project {project_name!r} not found in {directory.path!r} (available: {shown})"
                )
            with self._content(ctx, parse=True) as content:
                for project in refs:
                    self._project_unit(ctx, tree, content, project, force=True, locked=True)

        with ExitStack() as stack:
            try:
                stack.enter_context(self._lock.hold(key, self._settings.SYNC_LOCK_TIMEOUT_SECONDS))
            except ResourceLockedError as exc:
                run = self._run_log("project", trigger, target, run_id)
                run.start()
                run.finish(Tally(), fatal=exc, message="Resource locked")
                raise
            return self._execute("project", trigger, target, run_id, body)
        raise AssertionError("unreachable")  # pragma: no cover

    def parse_parts_list(self, elevation_id: int) -> None:
        """Parse one stored parts list (the sqlite_parser task); a failure is recorded on the elevation."""
        ctx = self._context(Tally())
        ElevationContent(ctx, parse=True, download=False).parse(elevation_id)

    # ----------------------------------------------------------------- runs
    def _context(self, tally: Tally) -> RunContext:
        return RunContext(self._settings, self._factory, self._clock, self._lock, tally, self._client_factory)

    def _execute(
        self, sync_type: str, trigger: SyncTrigger, target: str | None, run_id: str | None, body: Body
    ) -> SyncRunResult:
        run = self._run_log(sync_type, trigger, target, run_id)
        run.start()
        tally = Tally()
        ctx = self._context(tally)
        try:
            body(ctx)
        except LogikalError as exc:
            ctx.close()
            return run.finish(tally, fatal=exc)
        except BaseException as exc:
            ctx.close()
            run.finish(tally, fatal=exc)
            raise
        ctx.close()
        return run.finish(tally)

    def _run_log(
        self, sync_type: str, trigger: SyncTrigger, target: str | None, run_id: str | None
    ) -> RunLog:
        return RunLog(
            self._factory, self._clock, sync_type=sync_type, trigger=trigger, target=target, run_id=run_id
        )

    @contextmanager
    def _content(self, ctx: RunContext, *, parse: bool, download: bool = True) -> Iterator[ElevationContent]:
        content = ElevationContent(ctx, parse=parse, download=download)
        try:
            yield content
        finally:
            content.discard()
            content.close()

    def _home_of(self, project_name: str) -> DirectoryRef:
        with session_scope(self._factory) as session:
            row = session.execute(
                select(Directory.id, Directory.logikal_id)
                .join(Project, Project.directory_id == Directory.id)
                .where(Project.name == project_name)
            ).first()
        if row is None:
            raise ProjectNotFoundError(f"project {project_name!r} is unknown; give its directory path")
        return DirectoryRef(row[0], row[1])

    # ----------------------------------------------------------------- units of work
    def _projects_of(self, ctx: RunContext, tree: TreeSync, directory: DirectoryRef) -> list[ProjectRef]:
        try:
            projects = tree.sync_projects_of(directory)
        except LogikalError as exc:
            ctx.tally.item(failed=True)
            ctx.tally.error(f"projects of {directory.path}", exc)
            return []
        ctx.tally.item()
        return projects

    def _project_unit(
        self,
        ctx: RunContext,
        tree: TreeSync,
        content: ElevationContent,
        project: ProjectRef,
        *,
        force: bool,
        locked: bool = False,
        elevations: bool = True,
    ) -> None:
        """One project's subtree in one transaction, then its parts lists; a Logikal failure rolls it back."""
        try:
            with self._project_lock(project, locked):
                tree.sync_subtree(project, content if elevations else None, force=force)
                content.collect()
        except ResourceLockedError as exc:
            ctx.tally.add("project.locked")
            ctx.tally.error(f"project {project.name}", exc)
            return
        except LogikalError as exc:
            content.discard()
            ctx.tally.item(failed=True)
            ctx.tally.error(f"project {project.directory}/{project.name}", exc)
            return
        ctx.tally.item()

    @contextmanager
    def _project_lock(self, project: ProjectRef, already_held: bool) -> Iterator[None]:
        if already_held:
            yield
            return
        with self._lock.hold(project_lock_key(project.name, project.directory)):
            yield

    def _sync_project_lists(self, ctx: RunContext) -> None:
        tree = TreeSync(ctx)
        for directory in tree.directories():
            self._projects_of(ctx, tree, directory)

    def _fresh_projects(self, ctx: RunContext, tree: TreeSync) -> list[ProjectRef]:
        """Projects as Logikal lists them now, marked changed when their changedDate moved.

        An elevation edit bumps its project's changedDate; pruning against the database alone would hide
        it until the next project-type sync (the project interval, not the elevation interval). A
        directory whose listing fails falls back to what the database knows.
        """
        known = tree.projects_in_db()
        fresh: list[ProjectRef] = []
        for directory in tree.directories():
            try:
                fresh += tree.sync_projects_of(directory)
            except LogikalError as exc:
                ctx.tally.error(f"projects of {directory.path}", exc)
                fresh += [p for p in known if p.directory == directory.path]
        return fresh

    def _sync_subtrees(self, ctx: RunContext, *, elevations: bool) -> None:
        tree = TreeSync(ctx)
        projects = self._fresh_projects(ctx, tree) if elevations else tree.projects_in_db()
        with self._content(ctx, parse=False, download=False) as content:
            for project in projects:
                if elevations and tree.is_settled(project):
                    ctx.tally.add("project.settled")
                    continue
                self._project_unit(ctx, tree, content, project, force=False, elevations=elevations)

    def _sync_parts_lists(self, ctx: RunContext) -> None:
        tree = TreeSync(ctx)
        projects = {p.id: p for p in tree.projects_in_db()}
        with session_scope(self._factory) as session:
            rows = session.execute(
                select(
                    Elevation.id, Elevation.name, Elevation.logikal_id, Phase.logikal_id, Elevation.project_id
                )
                .join(Phase, Phase.id == Elevation.phase_id)
                .where(
                    or_(
                        ~Elevation.has_parts_data,
                        Elevation.parts_synced_at.is_(None),
                        Elevation.parts_synced_at < Elevation.last_sync_date,
                    )
                )
            ).all()
        with self._content(ctx, parse=False) as content:
            for project_id in sorted({r[4] for r in rows if r[4] in projects}):
                project = projects[project_id]
                try:
                    with self._project_lock(project, already_held=False):
                        for elevation_id, name, guid, phase, _ in (r for r in rows if r[4] == project_id):
                            content.submit(
                                PartsTarget(elevation_id, name, project.directory, project.guid, phase, guid)
                            )
                        content.collect()
                except ResourceLockedError as exc:
                    ctx.tally.add("project.locked")
                    ctx.tally.error(f"project {project.name}", exc)

    def _parse_pending(self, ctx: RunContext) -> None:
        with session_scope(self._factory) as session:
            pending = session.scalars(
                select(Elevation.id).where(
                    Elevation.has_parts_data, Elevation.parse_status == ParseStatus.PENDING.value
                )
            ).all()
        ElevationContent(ctx, parse=True, download=False).parse_all(pending)
