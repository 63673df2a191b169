"""Password hashing (argon2) and the admin/client JWTs (HS256 with JWT_SECRET_KEY), timed by the Clock."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from middleware.clock import Clock

__all__ = [
    "ALGORITHM",
    "InvalidTokenError",
    "decode_token",
    "encode_token",
    "form_token",
    "generate_secret",
    "hash_password",
    "is_form_token_valid",
    "needs_rehash",
    "verify_password",
]

ALGORITHM = "HS256"
# OWASP's argon2id baseline (19 MiB, t=2, p=1) rather than the library default (64 MiB): every login
# allocates memory_cost, and the web process has a small memory budget (issue 5, bench-memory).
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


class InvalidTokenError(Exception):
    """The token is malformed, badly signed, expired or of the wrong type."""


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when ``password`` matches; a corrupt hash counts as a mismatch, never an error."""
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return _HASHER.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def generate_secret() -> str:
    """A client secret shown once (32 URL-safe characters, like the upstream's)."""
    return secrets.token_urlsafe(24)


def encode_token(
    claims: dict[str, Any], *, token_type: str, secret: str, expires_in: float, clock: Clock
) -> str:
    """Sign ``claims`` plus ``type``, ``iat`` and ``exp`` taken from ``clock`` (which may run warped)."""
    issued = int(clock.time())
    payload = {**claims, "type": token_type, "iat": issued, "exp": issued + int(expires_in)}
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


def decode_token(token: str, *, token_type: str, secret: str, clock: Clock) -> dict[str, Any]:
    """Verify signature, type and expiry (against ``clock``, not the wall clock); raise InvalidTokenError."""
    try:
        payload: dict[str, Any] = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            options={"verify_exp": False, "verify_iat": False, "require": ["exp", "type"]},
        )
    except jwt.PyJWTError as exc:
        raise InvalidTokenError(str(exc)) from None
    if payload.get("type") != token_type:
        raise InvalidTokenError(f"expected a {token_type} token")
    exp = payload.get("exp")
    if not isinstance(exp, int | float) or exp <= clock.time():
        raise InvalidTokenError("token expired")
    return payload


def form_token(secret: str, nonce: str) -> str:
    """The CSRF form token bound to the browser's nonce cookie (HMAC, so a page cannot guess it)."""
    return hmac.new(secret.encode(), f"csrf:{nonce}".encode(), hashlib.sha256).hexdigest()


def is_form_token_valid(secret: str, nonce: str | None, token: str | None) -> bool:
    if not nonce or not token:
        return False
    return hmac.compare_digest(form_token(secret, nonce), token)
