"""LogikalClient: cursor-aware Logikal sessions (reused when possible, always closed) behind typed calls."""

from __future__ import annotations

import base64
import binascii
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any, TypeVar

import httpx

from middleware.config import Settings
from middleware.logikal.errors import (
    LogikalAuthError,
    LogikalConflictError,
    LogikalError,
    LogikalNotFoundError,
    LogikalPayloadError,
    LogikalWrongLevelError,
)
from middleware.logikal.navigation import FreshSessionNeeded, Navigator
from middleware.logikal.payloads import (
    DirectoryData,
    ElevationData,
    Listing,
    PhaseData,
    ProjectData,
    validate_list,
)
from middleware.logikal.registry import NoRegistry, SessionRegistry
from middleware.logikal.sessions import Location, Session, SessionPool
from middleware.logikal.transport import CallCounter, RetryPolicy, Transport
from middleware.logs import get_logger

__all__ = ["THUMBNAIL_PARAMS", "LogikalClient"]

log = get_logger(__name__)
T = TypeVar("T")

THUMBNAIL_PARAMS = {
    "width": "300", "height": "300", "format": "PNG", "view": "Interior",
    "withdimensions": "true", "withdescription": "false",
}  # fmt: skip
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
LOGOUT_TIMEOUT = 10.0
LOGOUT_ROUNDS = 3  # further rounds (each with the transport's own retries) for logouts that failed


class LogikalClient:
    """Thread-safe client: at most ``max_sessions`` Logikal sessions at once, each closed with DELETE /auth.

    A session only goes down (root → directory → project → phase → elevation); a call that needs a place
    the idle sessions cannot reach gets a fresh session. Sideways selects (another phase/elevation at the
    same level) are tried once per level and remembered: a lenient server saves logins, a strict one costs
    one refused call.
    """

    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        *,
        timeout: float = 30.0,
        parts_list_timeout: float = 60.0,
        max_sessions: int = 4,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        registry: SessionRegistry | None = None,
    ) -> None:
        self._http = httpx.Client(
            base_url=base_url.rstrip("/") + "/",
            timeout=timeout,
            transport=transport,
            limits=httpx.Limits(max_connections=max_sessions * 2, max_keepalive_connections=max_sessions * 2),
        )
        self._credentials = {"username": username, "password": password, "erp": True}
        self._parts_list_timeout = parts_list_timeout
        self.counter = CallCounter()
        self._policy = retry or RetryPolicy()
        self._transport = Transport(self._http, self._policy, self.counter)
        self._pool = SessionPool(size=max_sessions)
        self._navigator = Navigator(self._transport)
        self._warmers: list[threading.Thread] = []
        self._registry: SessionRegistry = registry or NoRegistry()
        self._unclosed: list[str] = []  # tokens whose logout failed even after its retries

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> LogikalClient:
        if settings.LOGIKAL_API_BASE_URL is None:
            raise LogikalError("LOGIKAL_API_BASE_URL is not set")
        password = settings.LOGIKAL_AUTH_PASSWORD.get_secret_value() if settings.LOGIKAL_AUTH_PASSWORD else ""
        options: dict[str, Any] = {
            "timeout": settings.LOGIKAL_API_TIMEOUT,
            "parts_list_timeout": settings.LOGIKAL_PARTS_LIST_TIMEOUT,
            "max_sessions": settings.LOGIKAL_MAX_SESSIONS,
            "retry": RetryPolicy(max_retries=settings.LOGIKAL_MAX_RETRIES),
        }
        options.update(overrides)
        return cls(settings.LOGIKAL_API_BASE_URL, settings.LOGIKAL_AUTH_USERNAME or "", password, **options)

    # ----------------------------------------------------------------- public calls
    def list_directories(self, path: str | None = None) -> Listing[DirectoryData]:
        """Root directories (``path`` None) or the children of ``path``."""
        op = "GET /directories"
        return self._run(
            Location(path), lambda s: validate_list(DirectoryData, self._get(s, "directories"), operation=op)
        )

    def list_projects(self, directory: str) -> Listing[ProjectData]:
        op = "GET /projects"
        return self._run(
            Location(directory), lambda s: validate_list(ProjectData, self._get(s, "projects"), operation=op)
        )

    def list_phases(self, directory: str, project: str) -> Listing[PhaseData]:
        op = "GET /phases"
        return self._run(
            Location(directory, project),
            lambda s: validate_list(PhaseData, self._get(s, "phases"), operation=op),
        )

    def list_elevations(self, directory: str, project: str, phase: str) -> Listing[ElevationData]:
        op = "GET /elevations"
        where = Location(directory, project, phase)
        return self._run(
            where, lambda s: validate_list(ElevationData, self._get(s, "elevations"), operation=op)
        )

    def thumbnail(self, directory: str, project: str, phase: str, elevation: str) -> bytes:
        """The elevation's PNG (300x300 box, interior view), fetched at phase level."""
        return self._run(Location(directory, project, phase), lambda s: self._thumbnail(s, elevation))

    def thumbnails(
        self, directory: str, project: str, phase: str, elevations: list[str]
    ) -> dict[str, bytes | LogikalError]:
        """Several thumbnails on one phase-level session held for the batch; failures are returned per id."""

        def fetch(session: Session) -> dict[str, bytes | LogikalError]:
            found: dict[str, bytes | LogikalError] = {}
            for elevation in elevations:
                try:
                    found[elevation] = self._thumbnail(session, elevation)
                except (LogikalPayloadError, LogikalNotFoundError) as exc:
                    found[elevation] = exc
            return found

        return self._run(Location(directory, project, phase), fetch)

    def _thumbnail(self, session: Session, elevation: str) -> bytes:
        path = f"elevations/{elevation}/thumbnail"
        response = self._transport.send("GET", path, token=session.token, params=THUMBNAIL_PARAMS)
        if not response.content.startswith(PNG_SIGNATURE):
            raise LogikalPayloadError("thumbnail is not a PNG image", operation=f"GET /{path}")
        return response.content

    def parts_list(self, directory: str, project: str, phase: str, elevation: str) -> bytes:
        """The elevation's parts list: the SQLite file bytes (the API sends them base64 in ``data``)."""
        op = "GET /elevations/selected/parts-list"

        def fetch(session: Session) -> bytes:
            response = self._transport.send(
                "GET", "elevations/selected/parts-list", token=session.token, timeout=self._parts_list_timeout
            )
            data = self._transport.data(response, op)
            if not isinstance(data, str):
                raise LogikalPayloadError("parts list 'data' is not a base64 string", operation=op)
            try:
                return base64.b64decode(data, validate=True)
            except (binascii.Error, ValueError):
                raise LogikalPayloadError("parts list 'data' is not valid base64", operation=op) from None

        return self._run(Location(directory, project, phase, elevation), fetch)

    # ----------------------------------------------------------------- lifecycle
    def prewarm(self, count: int) -> None:
        """Log in up to ``count`` more sessions in the background (never beyond the cap): logins are the
        slowest Logikal call, and a strict server burns one session per parts list."""
        for _ in range(count):
            if not self._pool.reserve():
                return
            thread = threading.Thread(target=self._warm_one, name="logikal-prewarm", daemon=True)
            self._warmers.append(thread)
            thread.start()

    def _warm_one(self) -> None:
        try:
            session: Session | None = Session(self._login())
        except LogikalError as exc:
            log.warning("logikal.prewarm_failed", error=str(exc))
            session = None
        self._pool.give_back(session, keep=session is not None)

    def close(self) -> None:
        """Close every idle session (DELETE /auth) and the HTTP client."""
        for thread in self._warmers:
            thread.join()
        for session in self._pool.drain():
            self._logout(session)
        # A flaky Logikal can fail one logout through all its retries (C31: 10 % 5xx, one in about a
        # thousand); the session would hold a licence seat until Logikal's idle timeout. Try again, slower.
        for round_ in range(LOGOUT_ROUNDS):
            if not self._unclosed:
                break
            self._policy.sleep(self._policy.base_delay * 4**round_)
            self._unclosed = [token for token in self._unclosed if not self.close_session(token)]
        self._http.close()

    def __enter__(self) -> LogikalClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # ----------------------------------------------------------------- sessions
    def _run(self, where: Location, op: Callable[[Session], T]) -> T:
        """Lease a session that can reach ``where``, go there, call ``op``; re-login once on a 401."""
        target = where.path
        for _ in range(3):  # a refused sideways select costs one more lease, never more than two
            with self._lease(target) as session:
                try:
                    self._navigator.navigate(session, target)
                    return op(session)
                except FreshSessionNeeded:
                    continue
                except LogikalAuthError as exc:
                    if exc.status != 401:
                        raise
                    log.info("logikal.reauthenticate", level=len(target))
                    self._registry.closed(session.token)  # the server no longer knows it
                    session.token, session.cursor = self._login(), ()
                    self._navigator.navigate(session, target)
                    return op(session)
        raise LogikalError(f"could not reach {target} with a fresh session")  # pragma: no cover

    @contextmanager
    def _lease(self, target: tuple[str, ...]) -> Iterator[Session]:
        session, victim = self._pool.take(target, self._navigator.cost)
        if victim is not None:
            self._logout(victim)
        keep = False
        try:
            if session is None:
                session = Session(self._login())
            yield session
            keep = True
        except (LogikalNotFoundError, LogikalWrongLevelError, LogikalConflictError, LogikalPayloadError):
            keep = True  # the server refused one call; the session and its cursor are still good
            raise
        except FreshSessionNeeded:
            keep = True
            raise
        finally:
            self._give_back(session, keep)

    def _give_back(self, session: Session | None, keep: bool) -> None:
        if session is not None and not keep:
            self._logout(session)
        self._pool.give_back(session, keep)

    def _get(self, session: Session, path: str) -> Any:
        return self._transport.data(self._transport.send("GET", path, token=session.token), f"GET /{path}")

    def _login(self) -> str:
        self.counter.add("logins")
        response = self._transport.send("POST", "auth", body=self._credentials, repeatable=False)
        data = self._transport.data(response, "POST /auth")
        token = data.get("token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise LogikalPayloadError("login answer has no data.token", operation="POST /auth")
        self._registry.opened(token)
        return token

    def _logout(self, session: Session) -> None:
        if not self.close_session(session.token):
            self._unclosed.append(session.token)

    def close_session(self, token: str) -> bool:
        """DELETE /auth for ``token`` (also one another process opened); True when the server closed it or
        no longer knew it (then the registry forgets it; otherwise a reaper may try again later)."""
        try:
            # idempotent, so retried like a read: a flaky Logikal must not keep the session open
            self._transport.send("DELETE", "auth", token=token, timeout=LOGOUT_TIMEOUT)
            self.counter.add("logouts")
        except LogikalAuthError:
            pass  # the server refused the token: it is closed already
        except LogikalError as exc:
            log.warning("logikal.logout_failed", error=str(exc))
            return False
        self._registry.closed(token)
        return True
