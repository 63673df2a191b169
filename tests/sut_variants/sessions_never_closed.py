"""Variant: Logikal sessions are never closed (upstream-facts §7.17, no `DELETE /auth` at all: 21 orphan
sessions per force sync of a 17-elevation project). C16 must fail ("sessions left open")."""

from __future__ import annotations

from middleware.logikal.client import LogikalClient
from tests.sut_variants.entry import run_variant


def forget_session(self: LogikalClient, token: str) -> bool:
    return True  # as if logged out; the server keeps the session


LogikalClient.close_session = forget_session  # type: ignore[method-assign]

if __name__ == "__main__":
    run_variant("tests.sut_variants.sessions_never_closed")
