"""The /ui browser session: an admin JWT in a SameSite=strict cookie and a CSRF form token per browser."""

from __future__ import annotations

import secrets

from fastapi import Request, Response

from middleware.api.deps import ADMIN_TOKEN
from middleware.api.runtime import ApiRuntime
from middleware.api.security import InvalidTokenError, decode_token, form_token, is_form_token_valid

__all__ = [
    "CSRF_COOKIE",
    "SESSION_COOKIE",
    "clear_session",
    "csrf_nonce",
    "csrf_token_for",
    "is_csrf_valid",
    "session_admin",
    "set_csrf_cookie",
    "set_session",
]

SESSION_COOKIE = "mw_admin_session"
CSRF_COOKIE = "mw_csrf"


def _is_https(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"


def session_admin(request: Request, runtime: ApiRuntime) -> str | None:
    """The admin username of a valid session cookie, else None."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        claims = decode_token(
            token, token_type=ADMIN_TOKEN, secret=runtime.jwt_secret, clock=runtime.token_clock
        )
    except InvalidTokenError:
        return None
    return str(claims.get("sub") or "") or None


def set_session(response: Response, request: Request, token: str, max_age: int) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        secure=_is_https(request),
        path="/ui",
    )


def clear_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/ui", httponly=True, samesite="strict")


def csrf_nonce(request: Request) -> tuple[str, bool]:
    """The browser's CSRF nonce and whether it is new (then the response must set the cookie)."""
    nonce = request.cookies.get(CSRF_COOKIE)
    if nonce and 16 <= len(nonce) <= 128:
        return nonce, False
    return secrets.token_urlsafe(24), True


def set_csrf_cookie(response: Response, request: Request, nonce: str) -> None:
    response.set_cookie(
        CSRF_COOKIE, nonce, httponly=True, samesite="strict", secure=_is_https(request), path="/ui"
    )


def csrf_token_for(runtime: ApiRuntime, nonce: str) -> str:
    return form_token(runtime.form_secret, nonce)


def is_csrf_valid(request: Request, runtime: ApiRuntime, submitted: str | None) -> bool:
    return is_form_token_valid(runtime.form_secret, request.cookies.get(CSRF_COOKIE), submitted)
