"""The /ui routes: login, dashboard, sync intervals (edit, enable/disable) and sync runs."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from sqlalchemy.orm import Session

from middleware.api.admin_auth import authenticate_admin, client_address, issue_admin_token
from middleware.api.config_records import (
    ConfigNotFoundError,
    config_item,
    list_configs,
    toggle_config,
    update_config,
)
from middleware.api.deps import RuntimeDep, SessionDep
from middleware.api.error_handlers import validation_message
from middleware.api.runtime import ApiRuntime
from middleware.api.schemas import SyncConfigUpdate
from middleware.ui import dashboard
from middleware.ui.session import (
    clear_session,
    csrf_nonce,
    csrf_token_for,
    is_csrf_valid,
    session_admin,
    set_csrf_cookie,
    set_session,
)

__all__ = ["router"]

router = APIRouter(prefix="/ui", include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).with_name("templates"))
EDITABLE = ("sync_interval_minutes", "priority", "batch_size", "max_retry_attempts", "retry_delay_minutes")


def _when(value: datetime | None, never: str = "Never") -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value is not None else never


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} s"


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} %"


templates.env.filters.update(when=_when, seconds=_seconds, percent=_percent)


def _render(
    request: Request, runtime: ApiRuntime, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    nonce, is_new = csrf_nonce(request)
    context = {**context, "csrf_token": csrf_token_for(runtime, nonce)}
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    if is_new:
        set_csrf_cookie(response, request, nonce)
    return response


def _to_login() -> RedirectResponse:
    return RedirectResponse("/ui/login", status_code=status.HTTP_303_SEE_OTHER)


async def _checked_form(request: Request, runtime: ApiRuntime) -> dict[str, str]:
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    if not is_csrf_valid(request, runtime, values.get("csrf_token")):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, detail="Invalid or missing form token; reload the page"
        )
    return values


@router.get("/login")
def login_page(request: Request, runtime: RuntimeDep) -> HTMLResponse:
    return _render(request, runtime, "login.html", {"error": None, "username": ""})


@router.post("/login")
async def login_submit(request: Request, runtime: RuntimeDep, session: SessionDep) -> Response:
    form = await _checked_form(request, runtime)
    username = form.get("username", "")
    try:
        admin = await run_in_threadpool(
            authenticate_admin, session, runtime, username, form.get("password", ""), client_address(request)
        )
    except HTTPException as exc:
        detail = exc.detail.get("message", "") if isinstance(exc.detail, dict) else str(exc.detail)
        context = {"error": detail, "username": username}
        page = _render(request, runtime, "login.html", context, status_code=exc.status_code)
        if exc.headers and "Retry-After" in exc.headers:
            page.headers["Retry-After"] = exc.headers["Retry-After"]
        return page
    token = issue_admin_token(runtime, admin.username)
    response = RedirectResponse("/ui", status_code=status.HTTP_303_SEE_OTHER)
    set_session(response, request, token.access_token, token.expires_in)
    return response


@router.post("/logout")
async def logout(request: Request, runtime: RuntimeDep) -> Response:
    await _checked_form(request, runtime)
    response = _to_login()
    clear_session(response)
    return response


@router.get("")
def dashboard_page(request: Request, runtime: RuntimeDep, session: SessionDep) -> Response:
    admin = session_admin(request, runtime)
    if admin is None:
        return _to_login()
    now = runtime.clock.now()
    context = {
        "admin": admin,
        "counts": dashboard.table_counts(session),
        "runs": dashboard.recent_runs(session),
        "failures": dashboard.recent_failures(session),
        "configs": [config_item(row, now) for row in list_configs(session)],
        "now": now,
    }
    return _render(request, runtime, "dashboard.html", context)


def _intervals(
    request: Request,
    runtime: ApiRuntime,
    session: Session,
    *,
    error: str | None,
    saved: str | None,
    code: int,
) -> Response:
    now = runtime.clock.now()
    context = {
        "admin": session_admin(request, runtime),
        "configs": [config_item(row, now) for row in list_configs(session)],
        "error": error,
        "saved": saved,
        "now": now,
    }
    return _render(request, runtime, "sync_intervals.html", context, status_code=code)


@router.get("/sync-intervals")
def intervals_page(request: Request, runtime: RuntimeDep, session: SessionDep) -> Response:
    if session_admin(request, runtime) is None:
        return _to_login()
    saved = request.query_params.get("saved")
    return _intervals(request, runtime, session, error=None, saved=saved, code=200)


def _edited(
    object_type: str, form: dict[str, str], request: Request, runtime: ApiRuntime, session: Session
) -> Response:
    values: dict[str, Any] = {}
    try:
        for name in EDITABLE:
            raw = form.get(name, "").strip()
            if raw:
                try:
                    values[name] = int(raw)
                except ValueError:
                    raise ValueError(f"{name}: '{raw[:20]}' is not a whole number") from None
        update_config(session, object_type, SyncConfigUpdate(**values))
    except ValidationError as exc:  # before ValueError: pydantic's error is one
        message, _items = validation_message([dict(e) for e in exc.errors()])
        return _intervals(request, runtime, session, error=message, saved=None, code=422)
    except ValueError as exc:
        return _intervals(request, runtime, session, error=str(exc), saved=None, code=422)
    except ConfigNotFoundError as exc:
        return _intervals(request, runtime, session, error=str(exc), saved=None, code=404)
    return RedirectResponse(f"/ui/sync-intervals?saved={object_type}", status_code=status.HTTP_303_SEE_OTHER)


def _toggled(object_type: str, request: Request, runtime: ApiRuntime, session: Session) -> Response:
    try:
        toggle_config(session, object_type)
    except ConfigNotFoundError as exc:
        return _intervals(request, runtime, session, error=str(exc), saved=None, code=404)
    return RedirectResponse(f"/ui/sync-intervals?saved={object_type}", status_code=status.HTTP_303_SEE_OTHER)


# The form handlers are async only to read the form; database work runs in the thread pool.
@router.post("/sync-intervals/{object_type}")
async def intervals_edit(
    object_type: str, request: Request, runtime: RuntimeDep, session: SessionDep
) -> Response:
    if session_admin(request, runtime) is None:
        return _to_login()
    form = await _checked_form(request, runtime)
    return await run_in_threadpool(_edited, object_type, form, request, runtime, session)


@router.post("/sync-intervals/{object_type}/toggle")
async def intervals_toggle(
    object_type: str, request: Request, runtime: RuntimeDep, session: SessionDep
) -> Response:
    if session_admin(request, runtime) is None:
        return _to_login()
    await _checked_form(request, runtime)
    return await run_in_threadpool(_toggled, object_type, request, runtime, session)


@router.get("/sync-runs")
def runs_page(request: Request, runtime: RuntimeDep, session: SessionDep) -> Response:
    admin = session_admin(request, runtime)
    if admin is None:
        return _to_login()
    context = {
        "admin": admin,
        "stats": dashboard.run_stats(session),
        "runs": dashboard.recent_runs(session, limit=50),
    }
    return _render(request, runtime, "sync_runs.html", context)
