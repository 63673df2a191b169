"""Moving a session's cursor: what a move costs, and doing it (learning which sideways moves are allowed)."""

from __future__ import annotations

from middleware.logikal.errors import LogikalConflictError, LogikalNotFoundError, LogikalWrongLevelError
from middleware.logikal.sessions import Level, Session, common_prefix
from middleware.logikal.transport import Transport
from middleware.logs import get_logger

__all__ = ["SELECT_PATH", "FreshSessionNeeded", "Navigator"]

log = get_logger(__name__)

SELECT_PATH = {
    Level.DIRECTORY: "directories/select",
    Level.PROJECT: "projects/select",
    Level.PHASE: "phases/select",
    Level.ELEVATION: "elevations/select",
}


class FreshSessionNeeded(Exception):
    """A sideways select was refused: this session cannot reach the target."""


class Navigator:
    """Selects on behalf of a client; remembers per (level, cursor depth) whether the server allows it."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport
        self._sideways: dict[tuple[Level, int], bool] = {}

    def cost(self, cursor: tuple[str, ...], target: tuple[str, ...]) -> int | None:
        """Selects needed to get from ``cursor`` to ``target`` on one session, or None when impossible.

        Going down is always possible; re-selecting a directory only at directory level; selecting another
        project/phase/elevation from the same depth or deeper ("sideways") only where the server allows it.
        """
        k = common_prefix(cursor, target)
        steps = len(target) - k
        if len(cursor) == k:
            return steps
        if len(target) == k:
            return None  # the target is above the cursor
        if k == 0:
            return steps if len(cursor) == Level.DIRECTORY else None
        allowed = self._sideways.get((Level(k + 1), len(cursor)))
        return None if allowed is False else steps + (allowed is None)  # prefer known-good moves

    def navigate(self, session: Session, target: tuple[str, ...]) -> None:
        k = common_prefix(session.cursor, target)
        if len(session.cursor) > k:
            level, key = Level(k + 1), (Level(k + 1), len(session.cursor))
            try:
                self.select(session, level, target[k])
            except (LogikalWrongLevelError, LogikalConflictError) as exc:
                locked = isinstance(exc, LogikalConflictError) and not exc.is_mapping_error
                if level is Level.DIRECTORY or (locked and self._sideways.get(key)):
                    raise  # a real refusal (or "locked by another user"), not a strict server
                self._sideways[key] = False
                log.info(
                    "logikal.sideways_refused", level=level.name.lower(), depth=key[1], status=exc.status
                )
                raise FreshSessionNeeded from None
            if level is not Level.DIRECTORY:
                self._sideways[key] = True
            k += 1
        for index in range(k, len(target)):
            self.select(session, Level(index + 1), target[index])

    def select(self, session: Session, level: Level, identifier: str) -> None:
        try:
            self._post(session, SELECT_PATH[level], identifier)
        except (LogikalNotFoundError, LogikalConflictError):
            if level is not Level.DIRECTORY or "/" not in identifier.strip("/"):
                raise
            # a server that only selects children: walk "A", "A/B", "A/B/C" from where we are
            parts = identifier.strip("/").split("/")
            for depth in range(1, len(parts) + 1):
                self._post(session, SELECT_PATH[level], "/".join(parts[:depth]))
        session.cursor = (*session.cursor[: level - 1], identifier)

    def _post(self, session: Session, path: str, identifier: str) -> None:
        self._transport.send("POST", path, token=session.token, body={"identifier": identifier})
