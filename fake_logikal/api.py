"""The thin HTTP layer of the Logikal API: a URL table of handlers that parse, call the backend and render."""

from __future__ import annotations

import base64
import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from .errors import BadRequestError, FakeLogikalError, NotFoundError, error_body
from .partslist import corrupt_parts_list

if TYPE_CHECKING:
    from .state import Backend

__all__ = ["API_BASE_PATH", "ApiRouter", "bearer_token", "json_response"]

API_BASE_PATH = "/MbioeService.svc/api/v3"
logger = logging.getLogger("fake_logikal")
CORRUPTION_KEY = "fake_logikal.parts_list_corruption"

Handler = Callable[["Backend", Request, dict[str, str]], Awaitable[Response]]


def json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return Response(body, status, headers, media_type="application/json; charset=utf-8")


def _ok(data: Any = None, *, with_data: bool = True) -> Response:
    return json_response(
        {"data": data, "hints": [], "warnings": []} if with_data else {"hints": [], "warnings": []}
    )


def bearer_token(scope: Scope) -> str | None:
    """The session token from `Authorization: Bearer <token>` (a bare token is accepted too)."""
    for name, value in scope["headers"]:
        if name == b"authorization":
            text = value.decode("latin-1").strip()
            return text[7:].strip() if text[:7].lower() == "bearer " else text or None
    return None


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw) if raw.strip() else None
    except ValueError:
        raise BadRequestError("The request body is not valid JSON.") from None


def _token(request: Request) -> str | None:
    return bearer_token(request.scope)


async def login(backend: Backend, request: Request, _: dict[str, str]) -> Response:
    return _ok(backend.login(await _json_body(request)))


async def logout(backend: Backend, request: Request, _: dict[str, str]) -> Response:
    backend.logout(_token(request))
    return _ok(with_data=False)


async def list_directories(backend: Backend, request: Request, _: dict[str, str]) -> Response:
    return _ok(backend.list_directories(_token(request)))


async def select_directory(backend: Backend, request: Request, _: dict[str, str]) -> Response:
    token = _token(request)
    backend.session(token)  # 401 before 400, as an authenticating server answers
    backend.select_directory(token, await _json_body(request))
    return _ok(with_data=False)


async def list_projects(backend: Backend, request: Request, _: dict[str, str]) -> Response:
    return _ok(backend.list_projects(_token(request)))


async def select_project(backend: Backend, request: Request, _: dict[str, str]) -> Response:
    backend.select_project(_token(request), await _json_body(request))
    return _ok(with_data=False)


async def selected_project(backend: Backend, request: Request, _: dict[str, str]) -> Response:
    return _ok(backend.selected_project(_token(request)))


async def list_phases(backend: Backend, request: Request, _: dict[str, str]) -> Response:
    return _ok(backend.list_phases(_token(request)))


async def select_phase(backend: Backend, request: Request, _: dict[str, str]) -> Response:
    backend.select_phase(_token(request), await _json_body(request))
    return _ok(with_data=False)


async def list_elevations(backend: Backend, request: Request, _: dict[str, str]) -> Response:
    return _ok(backend.list_elevations(_token(request)))


async def select_elevation(backend: Backend, request: Request, _: dict[str, str]) -> Response:
    backend.select_elevation(_token(request), await _json_body(request))
    return _ok(with_data=False)


def _png(data: bytes) -> Response:
    return Response(data, 200, media_type="application/octet-stream")


async def elevation_thumbnail(backend: Backend, request: Request, params: dict[str, str]) -> Response:
    return _png(backend.thumbnail(_token(request), params["id"], dict(request.query_params)))


async def selected_thumbnail(backend: Backend, request: Request, _: dict[str, str]) -> Response:
    return _png(backend.thumbnail(_token(request), None, dict(request.query_params)))


async def parts_list(backend: Backend, request: Request, _: dict[str, str]) -> Response:
    elevation_id = backend.parts_list_target(_token(request))
    dataset = backend.dataset
    try:
        data = await anyio.to_thread.run_sync(dataset.parts_list, elevation_id)
    except KeyError:  # deleted by a mutation while the file was being built
        raise NotFoundError(elevation_id) from None
    corruption = request.scope.get(CORRUPTION_KEY)
    if corruption:
        data = corrupt_parts_list(data, corruption)
    return _ok(base64.b64encode(data).decode("ascii"))


async def version(backend: Backend, request: Request, _: dict[str, str]) -> Response:
    return _ok(backend.version())


ROUTES: list[tuple[str, str, Handler]] = [
    ("POST", "/auth", login),
    ("DELETE", "/auth", logout),
    ("GET", "/directories", list_directories),
    ("POST", "/directories/select", select_directory),
    ("GET", "/projects", list_projects),
    ("POST", "/projects/select", select_project),
    ("GET", "/projects/selected", selected_project),
    ("GET", "/phases", list_phases),
    ("POST", "/phases/select", select_phase),
    ("GET", "/elevations", list_elevations),
    ("POST", "/elevations/select", select_elevation),
    ("GET", "/elevations/selected/thumbnail", selected_thumbnail),
    ("GET", "/elevations/selected/parts-list", parts_list),
    ("GET", "/elevations/{id}/thumbnail", elevation_thumbnail),
    ("GET", "/version", version),
]


class ApiRouter:
    """Dispatch on (method, path) with the backend's errors rendered as Logikal error bodies."""

    def __init__(self, backend_ref: Callable[[], Backend]):
        self._backend = backend_ref
        self._static: dict[tuple[str, str], Handler] = {}
        self._patterns: list[tuple[str, re.Pattern[str], Handler]] = []
        for method, path, handler in ROUTES:
            if "{" in path:
                regex = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path) + "$")
                self._patterns.append((method, regex, handler))
            else:
                self._static[(method, path)] = handler
        self._paths = {path for _, path in self._static}

    def resolve(self, method: str, path: str) -> tuple[Handler | None, dict[str, str], bool]:
        """(handler, path params, path exists) for an API path below the base path."""
        handler = self._static.get((method, path))
        if handler is not None:
            return handler, {}, True
        exists = path in self._paths
        for route_method, regex, pattern_handler in self._patterns:
            match = regex.match(path)
            if match:
                if route_method == method:
                    return pattern_handler, match.groupdict(), True
                exists = True
        return None, {}, exists

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler, params, exists = self.resolve(scope["method"], scope["path"])
        try:
            if handler is None:
                status = 405 if exists else 404
                text = "Method not allowed." if exists else "Endpoint not found."
                response = json_response(error_body(status, text), status)
            else:
                response = await handler(self._backend(), Request(scope, receive), params)
        except FakeLogikalError as error:
            response = json_response(error.body(), error.status, error.headers)
        except Exception as error:  # a bug in the fake: answer like a WCF fault, keep serving, leave a trace
            logger.exception("fake.handler_failed")
            response = json_response(error_body(500, f"Internal error in fake_logikal: {error!r}"), 500)
        await response(scope, receive, send)
