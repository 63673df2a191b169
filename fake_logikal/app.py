"""`FakeApp`: the ASGI application: path normalising, fault effects, latency and the call journal."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import socket
import struct
import time
from typing import Any

import httpx
from starlette.types import Message, Receive, Scope, Send

from .api import API_BASE_PATH, CORRUPTION_KEY, ApiRouter, bearer_token, json_response
from .clock import FakeClock
from .config import FakeConfig
from .control import build_control_router
from .errors import MSG_BAD_SESSION, LockedError, RateLimitedError, error_body
from .faults import Effect, FaultRule, FaultSet
from .journal import CallRecord, Journal
from .latency import LatencyProfile, operation_kind
from .state import Backend, normalize_path

__all__ = ["FakeApp", "create_app", "quiet_fault_noise"]

_STATUS_MESSAGES = {
    400: "The request is in an invalid format or is missing required properties.",
    401: MSG_BAD_SESSION,
    403: "The request cannot be performed as the user is missing the required permission.",
    404: "The requested resource could not be selected because it was not found.",
    409: LockedError().message,
}


def _is_loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class FakeApp:
    """One fake Logikal server. Attributes are the moving parts tests may drive directly in-process."""

    def __init__(self, config: FakeConfig):
        self.config = config
        self.clock = FakeClock(offset=config.clock_offset, speed=config.clock_speed)
        self.backend = Backend(config, self.clock)
        self.faults = FaultSet()
        self.journal = Journal(config.journal_size)
        self.latency = LatencyProfile(config.latency, config.seed, config.time_scale)
        self._api = ApiRouter(lambda: self.backend)
        self._control = build_control_router(self)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path = "/" + normalize_path(scope["path"])
        if path == "/_fake" or path.startswith("/_fake/"):
            client = scope.get("client")
            if self.config.restrict_control_to_loopback and not _is_loopback(client[0] if client else None):
                await json_response({"detail": "The control plane answers loopback clients only."}, 403)(
                    scope, receive, send
                )
                return
            await self._control({**scope, "path": path}, receive, send)
            return
        if path == API_BASE_PATH or path.startswith(API_BASE_PATH + "/"):
            await self._serve_api({**scope, "path": path[len(API_BASE_PATH) :] or "/"}, receive, send)
            return
        await json_response(error_body(404, "Endpoint not found."), 404)(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _serve_api(self, scope: Scope, receive: Receive, send: Send) -> None:
        started, start_fake = time.perf_counter(), self.clock.now()
        method, path = scope["method"], scope["path"]
        token = bearer_token(scope)
        session = self.backend.sessions.peek(token)
        level = session.level.label if session else None
        rule = self.faults.pick(method, path, token, level, start_fake) if self.faults.rules else None
        status = [0]
        is_login = method == "POST" and path == "/auth"

        async def recording_send(message: Message) -> None:
            nonlocal token
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            elif is_login and status[0] == 200 and message.get("body"):
                token = _issued_token(message["body"])  # the journal ties a login to the session it opened
            await send(message)

        try:
            delay = self.latency.delay(operation_kind(method, path)) + (rule.delay() if rule else 0.0)
            if delay > 0:
                await asyncio.sleep(delay)
            if rule is None or not await self._apply(rule, scope, receive, send, recording_send, token):
                await self._api(scope, receive, recording_send)
        finally:
            self.journal.append(
                CallRecord(
                    seq=self.journal.next_seq(),
                    method=method,
                    path=path,
                    query=scope.get("query_string", b"").decode("latin-1"),
                    status=status[0],
                    token=token,
                    level=level,
                    start=start_fake,
                    duration_ms=round((time.perf_counter() - started) * 1000, 3),
                    fault=f"{rule.id}:{rule.effect.value}" if rule else None,
                )
            )

    async def _apply(
        self, rule: FaultRule, scope: Scope, receive: Receive, raw_send: Send, send: Send, token: str | None
    ) -> bool:
        """Carry out a fault's effect; False when the normal handler must still answer."""
        effect = rule.effect
        if effect is Effect.LATENCY:
            return False
        if effect in (Effect.INVALID_SQLITE, Effect.TRUNCATED_SQLITE):
            scope[CORRUPTION_KEY] = "invalid" if effect is Effect.INVALID_SQLITE else "truncated"
            return False
        if effect is Effect.HANG:
            await self._hang(receive, raw_send, rule.hang_s)
            return True
        if effect is Effect.RESET:
            self._reset(raw_send)
            return True
        if effect in (Effect.TRUNCATED, Effect.MALFORMED_JSON):
            await self._mangle(effect, scope, receive, raw_send, send)
            return True
        if effect is Effect.SESSION_EXPIRED:
            if token:
                self.backend.sessions.close(token, self.clock.now(), "expired")
            headers: dict[str, str] = {}
            body, status = error_body(401, MSG_BAD_SESSION, ["The session has expired."]), 401
        elif effect is Effect.LOCKED:
            locked = LockedError(await _identifier_in_body(receive))
            body, status, headers = locked.body(), 409, locked.headers
        elif effect is Effect.RATE_LIMIT:
            limited = RateLimitedError(rule.retry_after_s)
            body, status, headers = limited.body(), 429, limited.headers
        else:
            message = rule.message or _STATUS_MESSAGES.get(rule.status, "Fault injected by fake_logikal.")
            body, status, headers = (
                error_body(rule.status, message, rule.errors),
                rule.status,
                {"X-Fake-Fault": rule.id},
            )
        await json_response(body, status, headers)(scope, receive, send)
        return True

    async def _hang(self, receive: Receive, raw_send: Send, limit: float | None) -> None:
        async def until_disconnect() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass

        try:
            await asyncio.wait_for(until_disconnect(), limit if limit is not None else self.config.max_hang_s)
        except TimeoutError:
            transport = self._transport(raw_send)
            if transport is None:  # in-process there is no client timeout: raise the one a client would see
                raise httpx.ReadTimeout("fake_logikal hang fault: no answer within the hang limit") from None
            transport.close()

    @staticmethod
    def _transport(raw_send: Send) -> Any:
        # uvicorn's `send` is a bound method of its request cycle, which holds the asyncio transport.
        return getattr(getattr(raw_send, "__self__", None), "transport", None)

    def _reset(self, raw_send: Send) -> None:
        transport = self._transport(raw_send)
        if transport is None:  # in-process (httpx.ASGITransport): the client sees the same exception type
            raise httpx.ReadError("[Errno 104] Connection reset by peer (fake_logikal fault)")
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()

    async def _mangle(
        self, effect: Effect, scope: Scope, receive: Receive, raw_send: Send, send: Send
    ) -> None:
        captured: list[Message] = []

        async def capture(message: Message) -> None:
            captured.append(message)

        await self._api(scope, receive, capture)
        start = captured[0]
        body = b"".join(m.get("body", b"") for m in captured[1:])
        if effect is Effect.MALFORMED_JSON:
            bad = b'{"data": ' + body[: len(body) // 2] + b"\r\n<!-- WCF: unexpected end of stream -->"
            headers = [(k, v) for k, v in start["headers"] if k != b"content-length"]
            headers.append((b"content-length", str(len(bad)).encode()))
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": bad})
            return
        await send(start)
        transport = self._transport(raw_send)
        await send(
            {"type": "http.response.body", "body": body[: len(body) // 2], "more_body": transport is not None}
        )
        if transport is not None:
            await asyncio.sleep(0.01)  # let the partial body reach the socket before the close
            transport.close()


def _issued_token(body: bytes) -> str | None:
    try:
        return str(json.loads(body)["data"]["token"])
    except (ValueError, KeyError, TypeError):
        return None


async def _identifier_in_body(receive: Receive) -> str:
    """The `identifier` of a select body, for the 409 detail ("'<id>' is in use by another user")."""
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if message["type"] != "http.request" or not message.get("more_body"):
            break
    try:
        value = json.loads(b"".join(chunks) or b"null")
    except ValueError:
        return ""
    return str(value.get("identifier", "")) if isinstance(value, dict) else ""


class _DropFaultNoise(logging.Filter):
    """uvicorn reports the reset/truncated/hang faults as app errors; they are the fake doing its job."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("ASGI callable returned without")


def quiet_fault_noise() -> None:
    """Drop uvicorn's "ASGI callable returned without ..." lines that injected faults cause on purpose."""
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _DropFaultNoise) for f in logger.filters):
        logger.addFilter(_DropFaultNoise())


def create_app(config: FakeConfig | None = None) -> FakeApp:
    """The ASGI app of a fake Logikal server (API at `/MbioeService.svc/api/v3/`, control plane `/_fake/`)."""
    return FakeApp(config or FakeConfig())
