"""Where a LogikalClient notes the sessions it opens and closes, so that another process can close them."""

from __future__ import annotations

from typing import Protocol

__all__ = ["NoRegistry", "SessionRegistry"]


class SessionRegistry(Protocol):
    """Told after every login and logout; must survive the process (the reaper reads it after a crash)."""

    def opened(self, token: str) -> None: ...

    def closed(self, token: str) -> None: ...


class NoRegistry:
    """For clients whose sessions nobody needs to recover (tests, one-off tools)."""

    def opened(self, token: str) -> None:
        return None

    def closed(self, token: str) -> None:
        return None
