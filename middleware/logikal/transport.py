"""One Logikal HTTP call with timeouts, retries (5xx, 429, timeouts, connection errors) and typed errors."""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from middleware.logikal.errors import (
    LogikalAuthError,
    LogikalConflictError,
    LogikalConnectionError,
    LogikalError,
    LogikalNotFoundError,
    LogikalPayloadError,
    LogikalRateLimitedError,
    LogikalRequestError,
    LogikalServerError,
    LogikalTimeoutError,
    LogikalWrongLevelError,
)
from middleware.logs import get_logger

__all__ = ["CallCounter", "RetryPolicy", "Transport"]

log = get_logger(__name__)

RETRY_AFTER_MAX = 60.0


@dataclass
class RetryPolicy:
    """Exponential backoff with jitter; ``sleep`` and ``random`` are injected so tests never sleep."""

    max_retries: int = 3
    base_delay: float = 0.5
    max_delay: float = 30.0
    sleep: Callable[[float], object] = time.sleep
    random: Callable[[], float] = random.random

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(max(retry_after, 0.0), RETRY_AFTER_MAX)
        backoff = min(self.base_delay * 2.0**attempt, self.max_delay)
        return backoff * (0.5 + 0.5 * self.random())  # "equal jitter": spread retries of parallel sessions


@dataclass
class CallCounter:
    """Thread-safe counts of calls made and logins, for sync_logs and benchmarks."""

    calls: int = 0
    logins: int = 0
    logouts: int = 0
    retries: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, name: str) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + 1)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        return None  # the HTTP-date form: fall back to our own backoff rather than read the wall clock


def _error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return response.text[:200] or response.reason_phrase
    if isinstance(body, dict):
        parts = [str(body.get("message") or "")] + [str(e) for e in body.get("errors") or []]
        return " ".join(p for p in parts if p)[:500] or response.reason_phrase
    return response.reason_phrase


_BY_STATUS: dict[int, type[LogikalError]] = {
    401: LogikalAuthError,
    403: LogikalAuthError,
    404: LogikalNotFoundError,
    405: LogikalWrongLevelError,
    409: LogikalConflictError,
    429: LogikalRateLimitedError,
}


class Transport:
    """Sends one request, retrying what is worth retrying, and turns every failure into a LogikalError."""

    def __init__(self, http: httpx.Client, policy: RetryPolicy, counter: CallCounter) -> None:
        self._http = http
        self._policy = policy
        self._counter = counter

    def send(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
        timeout: float | None = None,
        retry: bool = True,
        repeatable: bool = True,
    ) -> httpx.Response:
        """Send with retries; ``repeatable=False`` (login) retries only failures before the request left,
        because a login the server answered but we never read would be a session nobody closes."""
        operation = f"{method} /{path}"
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        attempts = self._policy.max_retries + 1 if retry else 1
        for attempt in range(attempts):
            last = attempt == attempts - 1
            self._counter.add("calls")
            try:
                response = self._http.request(
                    method, path, json=body, params=params, headers=headers,
                    timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
                )  # fmt: skip
            except httpx.TimeoutException as exc:
                error: LogikalError = LogikalTimeoutError(
                    f"timed out ({type(exc).__name__})", operation=operation
                )
                retry_after = None
                if not repeatable and not isinstance(exc, httpx.ConnectTimeout):
                    raise error from None
            except httpx.TransportError as exc:
                error = LogikalConnectionError(f"{type(exc).__name__}: {exc}", operation=operation)
                retry_after = None
                if not repeatable and not isinstance(exc, httpx.ConnectError):
                    raise error from None
            else:
                status = response.status_code
                if status < 400:
                    return response
                kind = _BY_STATUS.get(status, LogikalServerError if status >= 500 else LogikalRequestError)
                error = kind(f"HTTP {status}: {_error_text(response)}", status=status, operation=operation)
                if not (status >= 500 or status == 429):
                    raise error
                retry_after = _retry_after(response)
            if last:
                raise error
            delay = self._policy.delay(attempt, retry_after)
            self._counter.add("retries")
            log.warning(
                "logikal.retry",
                operation=operation,
                attempt=attempt + 1,
                delay=round(delay, 3),
                error=str(error),
            )
            self._policy.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def data(response: httpx.Response, operation: str) -> Any:
        """The ``data`` member of a JSON envelope (a bare value is accepted, as the upstream clients do)."""
        try:
            body = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise LogikalPayloadError(f"response is not JSON ({exc})", operation=operation) from None
        if isinstance(body, dict):
            if "data" not in body:
                raise LogikalPayloadError("JSON envelope without 'data'", operation=operation)
            return body["data"]
        return body
