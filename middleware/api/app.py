"""The FastAPI application factory (also the uvicorn factory: `middleware.api.app:create_app --factory`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI

from middleware.api import admin_auth, clients, force_sync, health, odoo, sync_intervals
from middleware.api.error_handlers import install_error_handlers
from middleware.api.input_guard import InputGuard
from middleware.api.runtime import ApiRuntime, build_runtime
from middleware.config import ProcessRole, Settings, load_settings
from middleware.db.session import session_scope
from middleware.logs import configure_logging, get_logger
from middleware.ui.pages import router as ui_router

__all__ = ["ERROR_DESCRIPTIONS", "ROUTERS", "ROUTER_ERRORS", "create_app"]

_log = get_logger(__name__)
ERROR_DESCRIPTIONS = {
    400: "Refused request (upstream error body)",
    401: "Not authenticated, or invalid credentials or token",
    403: "Missing permission or form token",
    404: "Not found",
    409: "Resource locked by another sync",
    422: "Invalid input (validation error, NUL characters)",
    429: "Rate limited; see Retry-After",
    503: "Database (or a checked dependency) unavailable",
}
_DB = (400, 422, 503)  # unparsable body, invalid input (validation, input guard), database down
# Each router and the error statuses its endpoints can answer (documented in the OpenAPI schema).
ROUTER_ERRORS: tuple[tuple[APIRouter, tuple[int, ...]], ...] = (
    (health.root_router, ()),
    (health.router, (422, 503)),
    (admin_auth.router, (401, 429, *_DB)),
    (clients.admin_router, (400, 401, 404, *_DB)),
    (clients.auth_router, (400, 401, 429, *_DB)),
    (sync_intervals.router, (400, 401, 404, *_DB)),
    (force_sync.router, (400, 401, 404, 409, *_DB)),
    (odoo.router, (401, 403, 404, 429, *_DB)),
    (odoo.thumbnail_router, (401, 403, 404, 429, *_DB)),
    (ui_router, ()),
)
ROUTERS: tuple[APIRouter, ...] = tuple(router for router, _ in ROUTER_ERRORS)


def _seed_admin(runtime: ApiRuntime) -> None:
    """Seed the admin at start-up; a database that is not ready yet must not stop the web process."""
    try:
        with session_scope(runtime.session_factory) as session:
            if not admin_auth.seed_admin(session, runtime.settings):
                _log.warning("admin.login_disabled", reason="ADMIN_PASSWORD is not set")
    except Exception as exc:  # retried lazily at the first admin login
        _log.warning("admin.seed_failed", error=(str(exc).splitlines() or [""])[0][:300])


def _secrets(settings: Settings) -> list[str]:
    values = [
        settings.SECRET_KEY,
        settings.JWT_SECRET_KEY,
        settings.ADMIN_PASSWORD,
        settings.LOGIKAL_AUTH_PASSWORD,
    ]
    return [v.get_secret_value() for v in values if v is not None]


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the web app; with no settings this is the composition root (environment + logging)."""
    if settings is None:
        settings = load_settings(ProcessRole.WEB)
        configure_logging(
            level=settings.LOG_LEVEL,
            json_format=settings.LOG_FORMAT == "json",
            process="web",
            secrets=_secrets(settings),
        )
    runtime = build_runtime(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        _seed_admin(runtime)
        _log.info("api.started", **{k: v for k, v in settings.safe_summary().items() if k in _SUMMARY_KEYS})
        try:
            yield
        finally:
            runtime.close()

    app = FastAPI(
        title="Logikal Middleware",
        version=settings.APP_VERSION,
        lifespan=lifespan,
        docs_url="/docs" if settings.DEBUG else None,
        redoc_url=None,
        openapi_url="/openapi.json" if settings.DEBUG else None,
    )
    app.state.runtime = runtime
    install_error_handlers(app)
    app.add_middleware(InputGuard)
    for router, errors in ROUTER_ERRORS:
        responses: dict[int | str, dict[str, Any]] = {
            code: {"description": ERROR_DESCRIPTIONS[code]} for code in errors
        }
        app.include_router(router, responses=responses)
    return app


_SUMMARY_KEYS = {
    "ENVIRONMENT",
    "APP_VERSION",
    "GIT_SHA",
    "BACKGROUND_SYNC_ENABLED",
    "REDIS_URL",
    "DATABASE_URL",
}
