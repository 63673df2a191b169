"""Annotated FastAPI dependencies: runtime, settings, clock, DB session, the current admin and client."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.orm import Session

from middleware.api.runtime import ApiRuntime
from middleware.api.security import InvalidTokenError, decode_token
from middleware.api.throttle import Limit, too_many_requests
from middleware.clock import Clock
from middleware.config import Settings
from middleware.db.models import Client
from middleware.db.session import session_scope

__all__ = [
    "ADMIN_TOKEN",
    "CLIENT_TOKEN",
    "AdminPrincipal",
    "ClientPrincipal",
    "ClockDep",
    "CurrentAdmin",
    "CurrentClient",
    "OptionalAdmin",
    "RuntimeDep",
    "SessionDep",
    "SettingsDep",
    "check_permissions",
    "get_runtime",
]

ADMIN_TOKEN = "admin"  # noqa: S105 - the JWT "type" claim, not a secret
CLIENT_TOKEN = "client"  # noqa: S105 - the JWT "type" claim, not a secret
_bearer = HTTPBearer(auto_error=False)
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def get_runtime(request: Request) -> ApiRuntime:
    runtime: ApiRuntime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[ApiRuntime, Depends(get_runtime)]


def _settings(runtime: RuntimeDep) -> Settings:
    return runtime.settings


def _clock(runtime: RuntimeDep) -> Clock:
    return runtime.clock


def _session(runtime: RuntimeDep) -> Iterator[Session]:
    with session_scope(runtime.session_factory) as session:
        yield session


SettingsDep = Annotated[Settings, Depends(_settings)]
ClockDep = Annotated[Clock, Depends(_clock)]
# scope="function": commit before the response is sent, so a client that reads right after a write (a
# browser following the redirect of a form post) sees it, and a failed commit is an error, never a 200.
SessionDep = Annotated[Session, Depends(_session, scope="function")]


@dataclass(frozen=True)
class AdminPrincipal:
    username: str


@dataclass(frozen=True)
class ClientPrincipal:
    client_id: str
    name: str
    permissions: tuple[str, ...]
    rate_limit_per_hour: int


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=message, headers={"WWW-Authenticate": "Bearer"})


def _verified_claims(runtime: RuntimeDep, credentials: BearerDep, token_type: str) -> dict[str, Any]:
    """The claims of a valid bearer token of ``token_type``; 401 otherwise."""
    if credentials is None:
        raise _unauthorized("Not authenticated")
    try:
        return decode_token(
            credentials.credentials,
            token_type=token_type,
            secret=runtime.jwt_secret,
            clock=runtime.token_clock,
        )
    except InvalidTokenError:
        raise _unauthorized("Invalid authentication token") from None


def _current_admin(runtime: RuntimeDep, credentials: BearerDep) -> AdminPrincipal:
    claims = _verified_claims(runtime, credentials, ADMIN_TOKEN)
    return AdminPrincipal(username=str(claims.get("sub", "")))


CurrentAdmin = Annotated[AdminPrincipal, Depends(_current_admin)]


def _admin_if_any(runtime: RuntimeDep, credentials: BearerDep) -> AdminPrincipal | None:
    """The admin behind a valid admin token, or None (no token or an invalid one: never a 401)."""
    if credentials is None:
        return None
    try:
        return _current_admin(runtime, credentials)
    except HTTPException:
        return None


OptionalAdmin = Annotated[AdminPrincipal | None, Depends(_admin_if_any)]


def _current_client(runtime: RuntimeDep, session: SessionDep, credentials: BearerDep) -> ClientPrincipal:
    """The client behind the bearer token; the row is re-read so deactivation takes effect at once."""
    claims = _verified_claims(runtime, credentials, CLIENT_TOKEN)
    row = session.scalar(select(Client).where(Client.client_id == str(claims.get("client_id"))))
    if row is None or not row.is_active:
        raise _unauthorized("Invalid authentication token")
    hourly = Limit(row.rate_limit_per_hour, 3600)  # the stored limit, read per request (admins may change it)
    wait = runtime.limiter.hit(f"client:{row.client_id}", hourly)
    if wait is not None:
        raise too_many_requests(wait, f"Rate limit of {row.rate_limit_per_hour} requests per hour exceeded")
    return ClientPrincipal(row.client_id, row.name, tuple(row.permissions or ()), row.rate_limit_per_hour)


CurrentClient = Annotated[ClientPrincipal, Depends(_current_client)]


def check_permissions(client: ClientPrincipal, permissions: tuple[str, ...]) -> ClientPrincipal:
    """``client`` if it holds every one of ``permissions``; 403 naming the first one missing otherwise."""
    for permission in permissions:
        if permission not in client.permissions:
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail=f"Permission '{permission}' required")
    return client
