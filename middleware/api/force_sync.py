"""Force sync of one project (202 + run id, or ?wait=true for the upstream body) and the sync-run read API."""

from __future__ import annotations

import asyncio
from concurrent.futures import Future
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, status
from fastapi.responses import JSONResponse
from sqlalchemy import select

from middleware.api.deps import CurrentAdmin, RuntimeDep, SessionDep
from middleware.api.runtime import ApiRuntime
from middleware.api.schemas import ForceSyncAccepted, ForceSyncResult, SyncRunOut
from middleware.api.sync_launcher import RESOURCE_LOCKED, LaunchMode
from middleware.db.models import SyncLog, SyncStatus
from middleware.errors import DirectoryNotFoundError, ResourceLockedError
from middleware.sync.results import SyncRunResult

__all__ = ["router", "upstream_body"]

router = APIRouter(prefix="/api/v1/sync", tags=["sync"])
POLL_SECONDS = 0.25
FINAL = {s.value for s in SyncStatus} - {SyncStatus.QUEUED.value, SyncStatus.STARTED.value}


def _locked(resource: str) -> HTTPException:
    detail = {"code": "RESOURCE_LOCKED", "message": RESOURCE_LOCKED, "details": f"{resource} is being synced"}
    return HTTPException(status.HTTP_409_CONFLICT, detail=detail)


def _failed(details: str) -> HTTPException:
    detail = {"code": "FORCE_SYNC_PROJECT_FAILED", "message": "Force sync project failed", "details": details}
    return HTTPException(status.HTTP_400_BAD_REQUEST, detail=detail)


def _figure(counts: dict[str, Any], *names: str) -> int:
    for name in names:
        value = counts.get(name)
        if isinstance(value, int | float):
            return int(value)
    return 0


def _result_from_row(row: SyncLog) -> SyncRunResult:
    counts = dict(row.counts or {})
    return SyncRunResult(
        run_id=row.run_id,
        sync_type=row.sync_type,
        status=SyncStatus(row.status),
        message=row.message or "",
        phases_synced=_figure(counts, "phases_synced", "phase.seen"),
        elevations_synced=_figure(counts, "elevations_synced", "elevation.seen"),
        parts_lists_synced=_figure(counts, "parts_lists_synced", "parts_list.fetched"),
        parts_lists_failed=_figure(counts, "parts_lists_failed", "parts_list.failed"),
        failures=_figure(counts, "errors"),
        duration_seconds=row.duration_seconds or 0.0,
        error=row.error_details,
    )


def upstream_body(result: SyncRunResult, project_name: str, directory_path: str | None) -> ForceSyncResult:
    """The upstream's 200 body for a finished run; HTTPException 409 (lock) or 400 for a failed one."""
    if result.status in (SyncStatus.FAILED, SyncStatus.ABANDONED):
        text = f"{result.message} {result.error or ''}"
        if RESOURCE_LOCKED in text:
            raise _locked(project_name)
        raise _failed(result.error or result.message or "sync failed")
    message = f'Project "{project_name}" fully synced from Logikal'
    failures = max(result.failures, result.parts_lists_failed)
    if result.status is SyncStatus.PARTIAL:
        message = f'Project "{project_name}" synced from Logikal with {failures} failures'
    return ForceSyncResult(
        success=True,
        message=message,
        project_id=project_name,
        directory_id=directory_path,
        run_id=result.run_id,
        phases_synced=result.phases_synced,
        elevations_synced=result.elevations_synced,
        parts_lists_synced=result.parts_lists_synced,
        parts_lists_failed=result.parts_lists_failed,
        failures=failures,
        duration_seconds=round(result.duration_seconds, 3),
    )


async def _wait_in_process(future: Future[SyncRunResult], limit: float, project: str) -> SyncRunResult:
    try:
        return await asyncio.wait_for(asyncio.wrap_future(future), timeout=limit)
    except ResourceLockedError:
        raise _locked(project) from None
    except DirectoryNotFoundError as exc:
        detail = {"code": "DIRECTORY_NOT_FOUND", "message": str(exc)}
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=detail) from None
    except TimeoutError:
        raise _failed(f"no result within {limit:g} s") from None
    except Exception as exc:  # the engine's error becomes the upstream's 400 body
        raise _failed(f"{type(exc).__name__}: {exc}") from None


async def _wait_for_row(runtime: ApiRuntime, run_id: str, limit: float) -> SyncRunResult:
    def read() -> SyncLog | None:
        with runtime.session_factory() as session:
            return session.scalar(select(SyncLog).where(SyncLog.run_id == run_id))

    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while True:
        row = await asyncio.to_thread(read)
        if row is not None and row.status in FINAL:
            return _result_from_row(row)
        if loop.time() >= deadline:
            raise _failed(f"no result within {limit:g} s (run {run_id})")
        await asyncio.sleep(POLL_SECONDS)


@router.post("/force/project/{project_name}", status_code=status.HTTP_202_ACCEPTED, response_model=None)
async def force_sync_project(
    project_name: Annotated[str, Path(min_length=1, max_length=512)],
    runtime: RuntimeDep,
    _admin: CurrentAdmin,
    directory_id: Annotated[str | None, Query(max_length=1024)] = None,
    wait: bool = False,
) -> ForceSyncAccepted | JSONResponse:
    launcher = runtime.launcher
    if directory_id is not None and await asyncio.to_thread(launcher.directory_exists, directory_id) is False:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            detail={"code": "DIRECTORY_NOT_FOUND", "message": f"Directory {directory_id[:200]!r} not found"},
        )
    if await asyncio.to_thread(launcher.is_locked, project_name, directory_id):
        raise _locked(project_name)
    run_id = await asyncio.to_thread(launcher.create_run, project_name, directory_id)
    mode = await asyncio.to_thread(launcher.start, run_id, project_name, directory_id)
    if not wait:
        return ForceSyncAccepted(run_id=run_id, status_url=f"/api/v1/sync/runs/{run_id}", mode=mode.value)
    timeout = runtime.settings.SYNC_TASK_TIME_LIMIT
    future = launcher.future(run_id) if mode is LaunchMode.IN_PROCESS else None
    if future is not None:
        result = await _wait_in_process(future, timeout, project_name)
    else:
        result = await _wait_for_row(runtime, run_id, timeout)
    body = upstream_body(result, project_name, directory_id)
    return JSONResponse(body.model_dump(mode="json"), status_code=status.HTTP_200_OK)


@router.get("/runs")
def list_runs(
    session: SessionDep,
    _admin: CurrentAdmin,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    sync_type: Annotated[str | None, Query(max_length=64)] = None,
    run_status: Annotated[str | None, Query(alias="status", max_length=32)] = None,
) -> list[SyncRunOut]:
    """Most recent runs first, optionally of one sync type and/or status."""
    query = select(SyncLog).order_by(SyncLog.started_at.desc(), SyncLog.id.desc()).limit(limit)
    if sync_type is not None:
        query = query.where(SyncLog.sync_type == sync_type)
    if run_status is not None:
        query = query.where(SyncLog.status == run_status)
    rows = session.scalars(query)
    return [SyncRunOut.model_validate(row) for row in rows]


@router.get("/runs/{run_id}")
def get_run(run_id: str, session: SessionDep, _admin: CurrentAdmin) -> SyncRunOut:
    row = session.scalar(select(SyncLog).where(SyncLog.run_id == run_id))
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"Sync run '{run_id}' not found")
    return SyncRunOut.model_validate(row)
