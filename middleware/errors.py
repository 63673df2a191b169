"""The middleware's exception hierarchy: one base, typed subclasses."""

from __future__ import annotations

__all__ = ["DirectoryNotFoundError", "MiddlewareError", "ProjectNotFoundError", "ResourceLockedError"]


class MiddlewareError(Exception):
    """Base of every error the middleware raises on purpose."""


class ResourceLockedError(MiddlewareError):
    """Another sync holds the lock of this resource (HTTP 409 RESOURCE_LOCKED)."""

    def __init__(self, resource: str) -> None:
        super().__init__(f"Resource locked: {resource}")
        self.resource = resource


class ProjectNotFoundError(MiddlewareError):
    """The project (by name, in the given directory) does not exist in Logikal."""


class DirectoryNotFoundError(MiddlewareError):
    """The directory path does not exist in Logikal (a force sync of it writes nothing; HTTP 404)."""

    def __init__(self, path: str) -> None:
        super().__init__(f"directory {path[:200]!r} not found in Logikal")
        self.path = path
