"""Refuses NUL characters in the path, query and JSON/form bodies before any handler (PostgreSQL cannot store
them), with the same 422 body as a validation error and no error record in the log."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from middleware.logs import get_logger

__all__ = ["MAX_GUARDED_BODY_BYTES", "InputGuard", "nul_location"]

MAX_GUARDED_BODY_BYTES = 1024 * 1024  # our JSON and form bodies are small; a larger one is left to FastAPI
_log = get_logger(__name__)


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def _form_has_nul(text: str) -> bool:
    return any("\x00" in k or "\x00" in v for k, v in parse_qsl(text, keep_blank_values=True))


def _body_has_nul(body: bytes, content_type: str) -> bool:
    if b"\x00" in body:
        return True
    if "json" in content_type and b"\\u0000" in body:
        try:
            return _has_nul(json.loads(body))
        except ValueError:
            return False  # not JSON: FastAPI answers 422 itself
    if "x-www-form-urlencoded" in content_type and b"%00" in body:
        return _form_has_nul(body.decode("latin-1"))
    return False


def nul_location(scope: Scope, body: bytes = b"") -> str | None:
    """Which part of the request carries a NUL character (path, query, body), or None."""
    if "\x00" in scope.get("path", ""):
        return "path"
    query = scope.get("query_string", b"").decode("latin-1")
    if "\x00" in query or ("%00" in query and _form_has_nul(query)):
        return "query"
    headers = dict(scope.get("headers", []))
    if body and _body_has_nul(body, headers.get(b"content-type", b"").decode("latin-1").lower()):
        return "body"
    return None


class InputGuard:
    """Pure ASGI middleware: buffers small bodies to look into them, then replays them to the app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        where = nul_location(scope)
        if where is not None:
            await self._refuse(scope, send, where)
            return
        if scope.get("method") not in {"POST", "PUT", "PATCH"}:
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            size += len(message.get("body", b""))
            if (
                message["type"] != "http.request"
                or not message.get("more_body")
                or size > MAX_GUARDED_BODY_BYTES
            ):
                break
        if size <= MAX_GUARDED_BODY_BYTES:
            body = b"".join(m.get("body", b"") for m in messages)
            if nul_location(scope, body) == "body":
                await self._refuse(scope, send, "body")
                return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    @staticmethod
    async def _refuse(scope: Scope, send: Send, where: str) -> None:
        _log.info("api.input_refused", reason="nul_character", part=where, method=scope.get("method"))
        message = f"{where}: NUL characters (\\u0000) are not allowed"
        payload = {
            "detail": {
                "code": "VALIDATION_ERROR",
                "message": message,
                "errors": [{"field": where, "message": "NUL characters (\\u0000) are not allowed"}],
            }
        }
        body = json.dumps(payload).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 422, "headers": headers})
        await send({"type": "http.response.body", "body": body})
