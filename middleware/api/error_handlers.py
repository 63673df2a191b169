"""JSON error bodies: one readable message per error, never a traceback."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError, ProgrammingError

from middleware.config import ConfigError
from middleware.errors import (
    DirectoryNotFoundError,
    MiddlewareError,
    ProjectNotFoundError,
    ResourceLockedError,
)
from middleware.logs import get_logger

__all__ = ["install_error_handlers", "validation_message"]

_log = get_logger(__name__)


def _body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"detail": {"code": code, "message": message, **extra}}


def validation_message(errors: list[dict[str, Any]]) -> tuple[str, list[dict[str, str]]]:
    """'field: problem' for each pydantic error, without the body/query prefix of FastAPI's locations."""
    items = []
    for error in errors:
        location = [str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path")]
        field = ".".join(location) or "request"
        items.append({"field": field, "message": str(error.get("msg", "invalid value"))})
    return "; ".join(f"{i['field']}: {i['message']}" for i in items), items


async def _validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    message, items = validation_message(list(exc.errors()))
    return JSONResponse(
        _body("VALIDATION_ERROR", message, errors=items), status_code=status.HTTP_422_UNPROCESSABLE_CONTENT
    )


async def _middleware_error(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, ResourceLockedError):
        return JSONResponse(
            _body("RESOURCE_LOCKED", "Resource locked", details=exc.resource),
            status_code=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DirectoryNotFoundError):
        return JSONResponse(_body("DIRECTORY_NOT_FOUND", str(exc)), status_code=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, ProjectNotFoundError):
        return JSONResponse(_body("PROJECT_NOT_FOUND", str(exc)), status_code=status.HTTP_404_NOT_FOUND)
    _log.error("api.middleware_error", path=request.url.path, error=str(exc), error_type=type(exc).__name__)
    return JSONResponse(
        _body("MIDDLEWARE_ERROR", str(exc)), status_code=status.HTTP_500_INTERNAL_SERVER_ERROR
    )


async def _config_error(request: Request, exc: Exception) -> JSONResponse:
    _log.error("api.config_error", path=request.url.path, error=str(exc))
    return JSONResponse(_body("CONFIG_ERROR", str(exc)), status_code=status.HTTP_500_INTERNAL_SERVER_ERROR)


async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, OperationalError)
    reason = (str(exc.orig).strip().splitlines() or ["unknown"])[0] if exc.orig else "unknown"
    _log.error("api.database_unavailable", path=request.url.path, error=reason[:300])
    return JSONResponse(
        _body("DATABASE_UNAVAILABLE", "The database is unavailable; try again shortly"),
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
    )


async def _schema_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProgrammingError)
    if "does not exist" not in str(exc.orig):
        return await _unexpected(request, exc)
    _log.error("api.database_not_migrated", path=request.url.path)
    return JSONResponse(
        _body("DATABASE_NOT_MIGRATED", "The database schema is missing; run `python -m middleware migrate`"),
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    _log.exception("api.unhandled_error", path=request.url.path, error_type=type(exc).__name__)
    return JSONResponse(
        _body("INTERNAL_ERROR", "Internal server error"), status_code=status.HTTP_500_INTERNAL_SERVER_ERROR
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(MiddlewareError, _middleware_error)
    app.add_exception_handler(ConfigError, _config_error)
    app.add_exception_handler(OperationalError, _database_unavailable)
    app.add_exception_handler(ProgrammingError, _schema_problem)
    app.add_exception_handler(Exception, _unexpected)
