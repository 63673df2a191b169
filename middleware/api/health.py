"""Health endpoints (no auth): liveness, readiness and a detailed check of database, Redis and workers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import create_engine, pool, text

from middleware.api.deps import OptionalAdmin, RuntimeDep
from middleware.config import Settings
from middleware.timed_redis import timed_client

__all__ = ["PUBLIC_CHECK_FIELDS", "public_checks", "root_router", "router"]

router = APIRouter(prefix="/api/v1/health", tags=["health"])
root_router = APIRouter(tags=["health"])
# What anyone may read of a check; error texts (hostnames, database messages) and worker names are for admins.
PUBLIC_CHECK_FIELDS = frozenset({"status", "latency_ms", "expected", "enabled"})


def public_checks(checks: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The checks without error texts and worker hostnames (``live`` becomes ``live_count``)."""
    shown: dict[str, dict[str, Any]] = {}
    for name, check in checks.items():
        shown[name] = {k: v for k, v in check.items() if k in PUBLIC_CHECK_FIELDS}
        if isinstance(check.get("live"), list):
            shown[name]["live_count"] = len(check["live"])
    return shown


def _identity(settings: Settings) -> dict[str, Any]:
    return {
        "version": settings.APP_VERSION,
        "git_sha": settings.GIT_SHA,
        "environment": settings.ENVIRONMENT.value,
    }


def _check_database(database_url: str, timeout: float) -> None:
    # A private, pool-less engine: the check must not wait behind a busy pool and must time out on its own.
    engine = create_engine(
        database_url,
        poolclass=pool.NullPool,
        connect_args={"connect_timeout": max(1, round(timeout)), "options": "-c statement_timeout=2000"},
    )
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    finally:
        engine.dispose()


def _check_redis(redis_url: str, timeout: float) -> None:
    with timed_client(redis_url, timeout) as client:
        client.ping()


def _live_workers(redis_url: str, timeout: float) -> list[str]:
    from middleware.worker.presence import live_workers

    return live_workers(redis_url, timeout)


async def _timed(check: Callable[[], Any], limit: float) -> dict[str, Any]:
    """Run a blocking check in a thread, bounded by ``limit`` seconds; report status and latency."""
    started = time.perf_counter()
    try:
        value = await asyncio.wait_for(asyncio.to_thread(check), timeout=limit)
    except TimeoutError:
        return {"status": "unhealthy", "error": f"no answer within {limit:g} s"}
    except Exception as exc:  # the report names the failure; it must never become a 500
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return {"status": "unhealthy", "error": f"{type(exc).__name__}: {first_line[:300]}"}
    result: dict[str, Any] = {
        "status": "healthy",
        "latency_ms": round((time.perf_counter() - started) * 1000, 1),
    }
    if value is not None:
        result["value"] = value
    return result


def _basic(request: Request) -> dict[str, Any]:
    runtime = request.app.state.runtime
    return {"status": "healthy", **_identity(runtime.settings), "timestamp": runtime.clock.now().isoformat()}


@root_router.get("/")
def root(request: Request) -> dict[str, Any]:
    return {
        "message": "Logikal Middleware is running!",
        "version": request.app.state.runtime.settings.APP_VERSION,
    }


@root_router.get("/health")
def root_health(request: Request) -> dict[str, Any]:
    return _basic(request)


@router.get("")
@router.get("/", include_in_schema=False)
def health(request: Request) -> dict[str, Any]:
    """The checklist's URL: 200 {"status": "healthy"} without a redirect."""
    return _basic(request)


@router.get("/live")
def live(runtime: RuntimeDep) -> dict[str, Any]:
    return {"status": "alive", "timestamp": runtime.clock.now().isoformat()}


async def _database_and_redis(settings: Settings) -> dict[str, Any]:
    """Both checks at once, so the slowest bounds the answer (not their sum)."""
    database_url, redis_url = str(settings.DATABASE_URL), settings.REDIS_URL
    timeout = settings.HEALTH_CHECK_TIMEOUT_SECONDS
    database = _timed(lambda: _check_database(database_url, timeout), timeout)
    if redis_url is None:
        return {"database": await database, "redis": {"status": "not_configured"}}
    db_result, redis_result = await asyncio.gather(
        database, _timed(lambda: _check_redis(redis_url, timeout), timeout)
    )
    return {"database": db_result, "redis": redis_result}


async def _workers(settings: Settings, redis_status: str) -> dict[str, Any]:
    redis_url = settings.REDIS_URL
    if not settings.BACKGROUND_SYNC_ENABLED and redis_url is None:
        return {"status": "not_expected", "expected": False}
    if redis_url is None:
        return {"status": "unknown", "expected": True, "error": "REDIS_URL is not set"}
    if redis_status != "healthy":
        return {"status": "unknown", "expected": True, "error": "Redis is unreachable"}
    timeout = settings.HEALTH_CHECK_TIMEOUT_SECONDS
    workers = await _timed(lambda: _live_workers(redis_url, timeout), timeout)
    names = workers.pop("value", None) or []
    if workers["status"] == "healthy" and not names:
        workers = {"status": "unhealthy", "error": "no live Celery worker"}
    return {**workers, "expected": True, "live": names}


@router.get("/ready")
async def ready(runtime: RuntimeDep, admin: OptionalAdmin) -> JSONResponse:
    checks = await _database_and_redis(runtime.settings)
    is_ready = all(c["status"] in {"healthy", "not_configured"} for c in checks.values())
    shown = checks if admin is not None else public_checks(checks)
    body = {"status": "ready" if is_ready else "not_ready", "checks": shown, **_identity(runtime.settings)}
    return JSONResponse(body, status_code=200 if is_ready else 503)


@router.get("/detailed")
async def detailed(runtime: RuntimeDep, admin: OptionalAdmin) -> JSONResponse:
    """healthy; degraded (Redis down, or no live worker where one is expected; 200); unhealthy (503).
    Error texts and worker names only with an admin token."""
    settings = runtime.settings
    checks = await _database_and_redis(settings)
    checks["workers"] = await _workers(settings, checks["redis"]["status"])
    checks["background_sync"] = {"enabled": settings.BACKGROUND_SYNC_ENABLED}
    if checks["database"]["status"] != "healthy":
        overall, code = "unhealthy", 503
    elif any(checks[name]["status"] in {"unhealthy", "unknown"} for name in ("redis", "workers")):
        overall, code = "degraded", 200
    else:
        overall, code = "healthy", 200
    body = {
        "status": overall,
        "checks": checks if admin is not None else public_checks(checks),
        "timestamp": runtime.clock.now().isoformat(),
        **_identity(settings),
    }
    return JSONResponse(body, status_code=code)
