"""Typed errors of the Logikal client: one base, one subclass per way a Logikal call can fail."""

from __future__ import annotations

from middleware.errors import MiddlewareError

__all__ = [
    "LogikalAuthError",
    "LogikalConflictError",
    "LogikalConnectionError",
    "LogikalError",
    "LogikalNotFoundError",
    "LogikalPayloadError",
    "LogikalRateLimitedError",
    "LogikalRequestError",
    "LogikalServerError",
    "LogikalTimeoutError",
    "LogikalWrongLevelError",
]


class LogikalError(MiddlewareError):
    """Base of every Logikal failure; ``status`` is the HTTP status when there was a response."""

    def __init__(self, message: str, *, status: int | None = None, operation: str = "") -> None:
        super().__init__(f"{operation}: {message}" if operation else message)
        self.status = status
        self.operation = operation


class LogikalAuthError(LogikalError):
    """401/403: bad credentials, an unknown or expired session, or no permission."""


class LogikalNotFoundError(LogikalError):
    """404: the selected directory, project, phase or elevation does not exist."""


class LogikalWrongLevelError(LogikalError):
    """405: the operation is not valid at the session's current level."""


class LogikalConflictError(LogikalError):
    """409: the resource is locked, or it "isn't valid in the current mapping" (backward select)."""

    @property
    def is_mapping_error(self) -> bool:
        return "current mapping" in str(self)


class LogikalRateLimitedError(LogikalError):
    """429 after every retry."""


class LogikalServerError(LogikalError):
    """5xx after every retry."""


class LogikalTimeoutError(LogikalError):
    """The call timed out after every retry."""


class LogikalConnectionError(LogikalError):
    """The server could not be reached (or dropped the connection) after every retry."""


class LogikalRequestError(LogikalError):
    """Any other 4xx (400 malformed request, 413, ...)."""


class LogikalPayloadError(LogikalError):
    """The response is not what the API promises: not JSON, no ``data``, wrong types, not base64/PNG."""
