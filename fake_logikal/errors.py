"""Typed errors of the fake Logikal API and the Logikal error body they render to."""

from __future__ import annotations

from typing import Any

__all__ = [
    "BadRequestError",
    "ConflictError",
    "FakeLogikalError",
    "LockedError",
    "NotFoundError",
    "RateLimitedError",
    "UnauthorizedError",
    "WrongLevelError",
    "error_body",
]

# Wording copied from the swagger's response descriptions: clients matching on text behave as in production.
MSG_BAD_REQUEST = "The request is in an invalid format or is missing required properties."
MSG_BAD_LOGIN = "Authentication failed. Invalid username or password."
MSG_BAD_SESSION = "Invalid session authentication identifier."
MSG_NOT_FOUND = "The requested resource could not be selected because it was not found."
MSG_LOCKED = (
    "The requested resource is locked, is in use by another user or the request cannot be performed "
    "due to the current resource state."
)
LEVEL_WORDING = {
    "directory": "This operation expects the session to be in a directory.",
    "project": "This operation expects the session to be in a project.",
    "phase": "This operation expects the session to be in a phase.",
    "elevation": "This operation expects the session to be in an elevation.",
}


def error_body(status: int, message: str, errors: list[str] | None = None) -> dict[str, Any]:
    """The `ErrorResponseSchema` body Logikal sends with every non-2xx answer."""
    return {"message": message, "code": status, "hints": [], "warnings": [], "errors": list(errors or [])}


class FakeLogikalError(Exception):
    """Base of every error the fake answers with a Logikal error body."""

    status = 500

    def __init__(self, message: str, errors: list[str] | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = list(errors or [])
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        return error_body(self.status, self.message, self.errors)


class BadRequestError(FakeLogikalError):
    status = 400

    def __init__(self, detail: str | None = None, message: str = MSG_BAD_REQUEST):
        super().__init__(message, [detail] if detail else [])


class UnauthorizedError(FakeLogikalError):
    status = 401

    def __init__(self, message: str = MSG_BAD_SESSION, detail: str | None = None):
        super().__init__(message, [detail] if detail else [])


class NotFoundError(FakeLogikalError):
    status = 404

    def __init__(self, identifier: str, message: str = MSG_NOT_FOUND):
        super().__init__(message, [f"The requested resource '{identifier}' could not be found."])


class WrongLevelError(FakeLogikalError):
    status = 405

    def __init__(self, expected_level: str):
        super().__init__(LEVEL_WORDING[expected_level])
        self.expected_level = expected_level


class ConflictError(FakeLogikalError):
    status = 409


class LockedError(ConflictError):
    def __init__(self, identifier: str = ""):
        detail = f"The requested resource '{identifier}' is in use by another user." if identifier else ""
        super().__init__(MSG_LOCKED, [detail] if detail else [])


class RateLimitedError(FakeLogikalError):
    status = 429

    def __init__(self, retry_after_s: float):
        super().__init__(
            "Too many requests.",
            [f"Retry after {retry_after_s:g} seconds."],
            {"Retry-After": f"{retry_after_s:g}"},
        )
