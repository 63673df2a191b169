"""Unit tests of password hashing, JWTs timed by an injected clock, and CSRF form tokens."""

from __future__ import annotations

import jwt
import pytest

from middleware.api.security import (
    InvalidTokenError,
    decode_token,
    encode_token,
    form_token,
    generate_secret,
    hash_password,
    is_form_token_valid,
    verify_password,
)
from middleware.clock import ManualClock

SECRET = "unit-test-jwt-secret-of-enough-length"


def test_password_hash_verifies_only_the_right_password() -> None:
    stored = hash_password("s3cret-pass")
    assert stored.startswith("$argon2")
    assert verify_password(stored, "s3cret-pass")
    assert not verify_password(stored, "wrong")


def test_corrupt_hash_is_a_mismatch_not_an_error() -> None:
    assert not verify_password("not-a-hash", "anything")


def test_generated_secrets_are_long_and_distinct() -> None:
    first, second = generate_secret(), generate_secret()
    assert len(first) == 32
    assert first != second


def test_token_round_trips_claims_and_type() -> None:
    clock = ManualClock(current=1_700_000_000)
    token = encode_token({"sub": "admin"}, token_type="admin", secret=SECRET, expires_in=60, clock=clock)
    claims = decode_token(token, token_type="admin", secret=SECRET, clock=clock)
    assert claims["sub"] == "admin"
    assert claims["exp"] == 1_700_000_060


def test_token_expires_by_the_injected_clock() -> None:
    clock = ManualClock(current=1_700_000_000)
    token = encode_token({"sub": "admin"}, token_type="admin", secret=SECRET, expires_in=60, clock=clock)
    clock.advance(61)
    with pytest.raises(InvalidTokenError, match="expired"):
        decode_token(token, token_type="admin", secret=SECRET, clock=clock)


def test_client_token_is_refused_where_an_admin_token_is_required() -> None:
    clock = ManualClock()
    token = encode_token(
        {"client_id": "odoo"}, token_type="client", secret=SECRET, expires_in=60, clock=clock
    )
    with pytest.raises(InvalidTokenError, match="admin"):
        decode_token(token, token_type="admin", secret=SECRET, clock=clock)


def test_token_signed_with_another_key_is_refused() -> None:
    clock = ManualClock()
    forged = jwt.encode({"sub": "admin", "type": "admin", "exp": clock.time() + 60}, "other-key-" * 4)
    with pytest.raises(InvalidTokenError):
        decode_token(forged, token_type="admin", secret=SECRET, clock=clock)


def test_form_token_is_bound_to_the_nonce() -> None:
    token = form_token(SECRET, "nonce-aaaaaaaaaaaaaaaa")
    assert is_form_token_valid(SECRET, "nonce-aaaaaaaaaaaaaaaa", token)
    assert not is_form_token_valid(SECRET, "nonce-bbbbbbbbbbbbbbbb", token)
    assert not is_form_token_valid(SECRET, None, token)
    assert not is_form_token_valid(SECRET, "nonce-aaaaaaaaaaaaaaaa", None)
