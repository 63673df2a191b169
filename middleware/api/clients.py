"""Odoo API clients: admins create, list and delete them; clients log in for a JWT with permissions."""

from __future__ import annotations

from functools import cache

from fastapi import APIRouter, HTTPException, Request, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from middleware.api.admin_auth import client_address
from middleware.api.deps import CLIENT_TOKEN, CurrentAdmin, RuntimeDep, SessionDep
from middleware.api.runtime import ApiRuntime
from middleware.api.schemas import (
    ClientCreatedOut,
    ClientCreateIn,
    ClientInfo,
    ClientLoginIn,
    ClientOut,
    ClientTokenOut,
)
from middleware.api.security import encode_token, generate_secret, hash_password, verify_password
from middleware.api.throttle import throttled_login
from middleware.db.models import Client
from middleware.logs import get_logger

__all__ = ["admin_router", "auth_router"]

admin_router = APIRouter(prefix="/api/v1/admin/clients", tags=["clients"])
auth_router = APIRouter(prefix="/api/v1/client-auth", tags=["client-auth"])
_log = get_logger(__name__)


@cache
def _dummy_hash() -> str:
    """Verified when the client_id is unknown, so a wrong id costs as long as a wrong secret."""
    return hash_password("no-such-client")


def _out(row: Client) -> ClientOut:
    return ClientOut(
        client_id=row.client_id,
        name=row.name,
        description=row.description,
        permissions=list(row.permissions or []),
        rate_limit_per_hour=row.rate_limit_per_hour,
        is_active=row.is_active,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
    )


def _create(session: Session, body: ClientCreateIn, admin: str) -> ClientCreatedOut:
    if session.scalar(select(Client.id).where(Client.client_id == body.client_id)) is not None:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST,
            detail={"code": "CLIENT_ID_EXISTS", "message": f"Client '{body.client_id}' already exists"},
        )
    secret = generate_secret()
    session.add(
        Client(
            client_id=body.client_id,
            client_secret_hash=hash_password(secret),
            name=body.name,
            description=body.description,
            permissions=list(body.permissions),
            rate_limit_per_hour=body.rate_limit_per_hour,
            is_active=True,
        )
    )
    session.flush()
    _log.info("client.created", client_id=body.client_id, permissions=body.permissions, admin=admin)
    return ClientCreatedOut(
        client_id=body.client_id,
        client_secret=secret,
        name=body.name,
        description=body.description,
        permissions=list(body.permissions),
        rate_limit_per_hour=body.rate_limit_per_hour,
        message="Client created. Store the client_secret now: it is not shown again.",
    )


@admin_router.post("", status_code=status.HTTP_201_CREATED)
@admin_router.post("/", status_code=status.HTTP_201_CREATED, include_in_schema=False)
def create_client(body: ClientCreateIn, session: SessionDep, admin: CurrentAdmin) -> ClientCreatedOut:
    return _create(session, body, admin.username)


@admin_router.get("")
@admin_router.get("/", include_in_schema=False)
def list_clients(session: SessionDep, _admin: CurrentAdmin) -> list[ClientOut]:
    return [_out(row) for row in session.scalars(select(Client).order_by(Client.client_id))]


@admin_router.delete("/{client_id}")
def delete_client(client_id: str, session: SessionDep, admin: CurrentAdmin) -> dict[str, object]:
    row = session.scalar(select(Client).where(Client.client_id == client_id))
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"Client '{client_id}' not found")
    session.delete(row)
    _log.info("client.deleted", client_id=client_id, admin=admin.username)
    return {"success": True, "message": f"Client '{client_id}' deleted"}


@auth_router.post("/register", status_code=status.HTTP_201_CREATED)
def register(body: ClientCreateIn, session: SessionDep, admin: CurrentAdmin) -> ClientCreatedOut:
    """The upstream's registration URL, but only for admins (open registration minted any permission)."""
    return _create(session, body, admin.username)


@auth_router.post("/login")
def client_login(
    body: ClientLoginIn, request: Request, runtime: RuntimeDep, session: SessionDep
) -> ClientTokenOut:
    address = client_address(request)
    return throttled_login(
        runtime.limiter, "client", address, body.client_id, lambda: _client_token(body, runtime, session)
    )


def _client_token(body: ClientLoginIn, runtime: ApiRuntime, session: Session) -> ClientTokenOut:
    row = session.scalar(select(Client).where(Client.client_id == body.client_id))
    is_valid = verify_password(row.client_secret_hash if row else _dummy_hash(), body.client_secret)
    if row is None or not is_valid or not row.is_active:
        _log.warning("client.login_failed", client_id=body.client_id[:128])
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail={"code": "INVALID_CREDENTIALS", "message": "Invalid client credentials"},
            headers={"WWW-Authenticate": "Bearer"},
        )
    row.last_used_at = runtime.clock.now()
    permissions = list(row.permissions or [])
    expires_in = runtime.settings.CLIENT_TOKEN_EXPIRE_SECONDS
    claims = {
        "client_id": row.client_id,
        "name": row.name,
        "permissions": permissions,
        "rate_limit_per_hour": row.rate_limit_per_hour,
    }
    token = encode_token(
        claims,
        token_type=CLIENT_TOKEN,
        secret=runtime.jwt_secret,
        expires_in=expires_in,
        clock=runtime.token_clock,
    )
    info = ClientInfo(
        client_id=row.client_id,
        name=row.name,
        permissions=permissions,
        rate_limit_per_hour=row.rate_limit_per_hour,
    )
    return ClientTokenOut(access_token=token, expires_in=expires_in, client_info=info)
