"""Variant: a session whose call failed is forgotten (struck from the session registry) without logging out
of Logikal, so not even the reaper of a recycled worker child closes it: C16 must fail."""

from __future__ import annotations

import sys

from middleware import cli
from middleware.logikal.client import LogikalClient
from middleware.logikal.sessions import Session


def give_back_without_logout(self: LogikalClient, session: Session | None, keep: bool) -> None:
    if session is not None and not keep:
        self._registry.closed(session.token)  # believed closed, but the DELETE /auth is never sent
    self._pool.give_back(session, keep)


def child_of_this_variant(command: str) -> list[str]:
    """`start` spawns worker and beat through this module too, so they carry the same patch."""
    return [sys.executable, "-m", "tests.sut_variants.sessions_left_open", command, "--supervised"]


LogikalClient._give_back = give_back_without_logout  # type: ignore[method-assign]
cli._child = child_of_this_variant

if __name__ == "__main__":
    sys.exit(cli.main(sys.argv[1:]))
