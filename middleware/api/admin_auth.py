"""Admin login (ADMIN_USERNAME / ADMIN_PASSWORD, seeded into admin_users as an argon2 hash) and verify."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from middleware.api.deps import ADMIN_TOKEN, CurrentAdmin, RuntimeDep, SessionDep
from middleware.api.runtime import ApiRuntime
from middleware.api.schemas import AdminLoginIn, AdminVerifyOut, TokenOut
from middleware.api.security import encode_token, hash_password, needs_rehash, verify_password
from middleware.api.throttle import throttled_login
from middleware.config import Settings
from middleware.db.models import AdminUser
from middleware.logs import get_logger

__all__ = [
    "ADMIN_PERMISSIONS",
    "authenticate_admin",
    "client_address",
    "issue_admin_token",
    "router",
    "seed_admin",
]

ADMIN_PERMISSIONS = ["admin:read", "admin:write"]
LOGIN_DISABLED = "Admin login is disabled: ADMIN_PASSWORD is not set"
router = APIRouter(prefix="/api/v1/admin", tags=["admin"])
_log = get_logger(__name__)


def seed_admin(session: Session, settings: Settings) -> bool:
    """Create or update the configured admin; False when ADMIN_PASSWORD is unset (admin login refused)."""
    if settings.ADMIN_PASSWORD is None:
        return False
    password = settings.ADMIN_PASSWORD.get_secret_value()
    row = session.scalar(select(AdminUser).where(AdminUser.username == settings.ADMIN_USERNAME))
    if row is None:
        session.add(AdminUser(username=settings.ADMIN_USERNAME, password_hash=hash_password(password)))
        _log.info("admin.seeded", username=settings.ADMIN_USERNAME)
    elif needs_rehash(row.password_hash) or not verify_password(row.password_hash, password):
        row.password_hash = hash_password(password)
        _log.info("admin.password_updated", username=settings.ADMIN_USERNAME)
    return True


def authenticate_admin(
    session: Session, runtime: ApiRuntime, username: str, password: str, address: str
) -> AdminUser:
    """The admin row for these credentials; 401 otherwise, 429 after too many failures from ``address``."""
    return throttled_login(
        runtime.limiter,
        "admin",
        address,
        username,
        lambda: _check_admin(session, runtime, username, password),
    )


def _check_admin(session: Session, runtime: ApiRuntime, username: str, password: str) -> AdminUser:
    if runtime.settings.ADMIN_PASSWORD is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail=LOGIN_DISABLED)
    row = None
    if username == runtime.settings.ADMIN_USERNAME:  # a renamed admin's old row no longer logs in
        row = session.scalar(select(AdminUser).where(AdminUser.username == username))
        if row is None:  # start-up seeding failed (e.g. the database was not migrated yet): seed now
            seed_admin(session, runtime.settings)
            row = session.scalar(select(AdminUser).where(AdminUser.username == username))
    if row is None or not verify_password(row.password_hash, password):
        _log.warning("admin.login_failed", username=username[:128])
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="Invalid username or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    row.last_login_at = runtime.clock.now()
    _log.info("admin.login", username=row.username)
    return row


def client_address(request: Request) -> str:
    """The peer address a login is throttled by (uvicorn's, which honours trusted proxy headers)."""
    return request.client.host if request.client is not None else "unknown"


def issue_admin_token(runtime: ApiRuntime, username: str) -> TokenOut:
    expires_in = int(runtime.settings.ADMIN_SESSION_EXPIRE_HOURS * 3600)
    token = encode_token(
        {"sub": username, "permissions": ADMIN_PERMISSIONS},
        token_type=ADMIN_TOKEN,
        secret=runtime.jwt_secret,
        expires_in=expires_in,
        clock=runtime.token_clock,
    )
    return TokenOut(access_token=token, expires_in=expires_in)


@router.post("/login")
def login(body: AdminLoginIn, request: Request, runtime: RuntimeDep, session: SessionDep) -> TokenOut:
    admin = authenticate_admin(session, runtime, body.username, body.password, client_address(request))
    return issue_admin_token(runtime, admin.username)


@router.get("/verify")
def verify(admin: CurrentAdmin) -> AdminVerifyOut:
    return AdminVerifyOut(authenticated=True, username=admin.username)
