"""`Backend`: the fake's data and business rules — logins, the per-token cursor and what each level may do."""

from __future__ import annotations

import re
import uuid
from typing import Any

from .clock import FakeClock
from .config import FakeConfig, elevation_count_for, parts_list_kb_for
from .dataset import Dataset
from .errors import (
    MSG_BAD_LOGIN,
    BadRequestError,
    ConflictError,
    NotFoundError,
    UnauthorizedError,
    WrongLevelError,
)
from .model import Elevation, Project
from .sessions import Level, Session, SessionTable
from .thumbnail import ThumbnailRequest

__all__ = ["Backend", "normalize_path", "thumbnail_request"]

_SLASHES = re.compile(r"/{2,}")
_THUMB_PARAMS = ("width", "height", "format", "view", "withdimensions", "withdescription")
_MAPPING = "The requested resource '{}' cannot be set, because it isn't valid in the current mapping."


def normalize_path(path: str) -> str:
    """Directory identifiers and URL paths: `//` collapsed (the real server tolerates it), outer `/` cut."""
    return _SLASHES.sub("/", path).strip("/")


def _flag(params: dict[str, str], name: str) -> bool:
    value = params[name].lower()
    if value not in ("true", "false"):
        raise BadRequestError(f"Query parameter '{name}' must be 'true' or 'false'.")
    return value == "true"


def thumbnail_request(params: dict[str, str]) -> ThumbnailRequest:
    """Validate the six required thumbnail query parameters (400 when one is missing or invalid)."""
    params = {name.lower(): value for name, value in params.items()}  # WCF matches query names case-blind
    missing = [name for name in _THUMB_PARAMS if name not in params]
    if missing:
        raise BadRequestError(f"Missing required query parameter(s): {', '.join(missing)}.")
    try:
        width, height = int(params["width"]), int(params["height"])
    except ValueError:
        raise BadRequestError("Query parameters 'width' and 'height' must be integers.") from None
    if not (1 <= width <= 4096 and 1 <= height <= 4096):
        raise BadRequestError("Query parameters 'width' and 'height' must be between 1 and 4096.")
    fmt, view = params["format"].upper(), params["view"].lower()
    if fmt not in ("PNG", "JPG", "EMF"):
        raise BadRequestError("Query parameter 'format' must be one of 'PNG', 'JPG', 'EMF'.")
    if fmt != "PNG":
        raise BadRequestError(f"The fake renders PNG thumbnails only, not {fmt}.")
    if view not in ("interior", "exterior"):
        raise BadRequestError("Query parameter 'view' must be 'Interior' or 'Exterior'.")
    return width, height, view, _flag(params, "withdimensions"), _flag(params, "withdescription")


def _identifier(body: Any, *, guid: bool) -> str:
    if not isinstance(body, dict) or not isinstance(body.get("identifier"), str):
        raise BadRequestError("The property 'identifier' is required.")
    value: str = body["identifier"]
    if guid:
        try:
            return str(uuid.UUID(value))
        except ValueError:
            raise BadRequestError(f"'{value}' is not a valid GUID.") from None
    return value


class Backend:
    """State and rules of one fake Logikal server (moto's "backend"); the HTTP layer parses and renders."""

    def __init__(self, config: FakeConfig, clock: FakeClock):
        self.config = config
        self.clock = clock
        self.generation = 0
        self.dataset = self._new_dataset()
        self.sessions = SessionTable(config.seed, 0, config.max_sessions, config.session_idle_timeout_s)

    def _new_dataset(self) -> Dataset:
        config = self.config
        return Dataset(
            config.seed,
            config.size,
            config.parts_list_kb,
            parts_list_wal=config.parts_list_wal,
            missing_row_trap=config.missing_row_trap,
        )

    def reset(
        self,
        seed: int | None = None,
        size: str | int | None = None,
        *,
        parts_size: str | list[int] | tuple[int, int] | None = None,
        missing_row_trap: bool | None = None,
    ) -> None:
        """Fresh dataset (optionally another seed/size/parts size/trap); sessions are dropped, limits kept."""
        if size is not None:
            elevation_count_for(size)  # refuse a bad value before touching anything
        kb = None if parts_size is None else parts_list_kb_for(parts_size)
        if kb is not None and not 8 <= kb[0] <= kb[1]:
            raise ValueError("parts_list_kb must be (low, high) with 8 <= low <= high")
        if missing_row_trap is not None and not isinstance(missing_row_trap, bool):
            raise ValueError("missing_row_trap must be true or false")
        if size is not None:
            self.config.size = size
        if seed is not None:
            self.config.seed = int(seed)
        if kb is not None:
            self.config.parts_list_kb = kb
        if missing_row_trap is not None:
            self.config.missing_row_trap = missing_row_trap
        self.generation += 1
        self.dataset = self._new_dataset()
        limits = (self.sessions.max_sessions, self.sessions.idle_timeout_s)
        self.sessions = SessionTable(self.config.seed, self.generation, *limits)

    # --- auth ---
    def login(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise BadRequestError("The body must be a LoginData object.")
        username, password, erp = body.get("username"), body.get("password"), body.get("erp", False)
        if not isinstance(username, str) or not isinstance(password, str) or not isinstance(erp, bool):
            raise BadRequestError(
                "'username' and 'password' (strings) are required; 'erp' must be a boolean."
            )
        if (username, password) != (self.config.username, self.config.password):
            raise UnauthorizedError(MSG_BAD_LOGIN)
        session = self.sessions.open(username, self.clock.now())
        return {"username": username, "token": session.token}

    def logout(self, token: str | None) -> None:
        session = self.sessions.use(token, self.clock.now())
        self.sessions.close(session.token, self.clock.now(), "logout")

    def session(self, token: str | None) -> Session:
        return self.sessions.use(token, self.clock.now())

    def _require(self, session: Session, level: Level) -> None:
        ok = session.level == level if self.config.strict_levels else session.level >= level
        if not ok:
            raise WrongLevelError(level.label)

    # --- directories -------------------------------------------------------------------------------------
    def list_directories(self, token: str | None) -> list[dict[str, Any]]:
        session = self.session(token)
        if session.level > Level.DIRECTORY:
            if self.config.directories_at_deeper_level != "reset":
                raise WrongLevelError("directory")
            session.project_id = session.phase_id = session.elevation_id = None
        return [d.to_api() for d in self.dataset.children(session.directory)]

    def select_directory(self, token: str | None, body: Any) -> None:
        session = self.session(token)
        raw = _identifier(body, guid=False)
        path = normalize_path(raw)
        if session.level > Level.DIRECTORY:
            raise ConflictError(
                "The request cannot be performed due to the current resource state.", [_MAPPING.format(raw)]
            )
        if path not in self.dataset.directories:
            raise NotFoundError(raw)
        if not self.config.deep_directory_select and not self._one_hop(session.directory, path):
            raise ConflictError(
                "The request cannot be performed due to the current resource state.", [_MAPPING.format(raw)]
            )
        session.directory = path

    def _one_hop(self, current: str | None, path: str) -> bool:
        parent = self.dataset.directories[path].parent
        if parent is None or parent == current:
            return True
        return current is not None and (current == path or current.startswith(path + "/"))

    # --- projects ----------------------------------------------------------------------------------------
    def _visible_projects(self, session: Session) -> list[Project]:
        projects = self.dataset.projects_in(session.directory)
        return projects if self.config.list_deleted_projects else [p for p in projects if not p.is_deleted]

    def list_projects(self, token: str | None) -> list[dict[str, Any]]:
        session = self.session(token)
        if session.level > Level.DIRECTORY or (
            session.level == Level.ROOT and self.config.root_projects == "405"
        ):
            raise WrongLevelError("directory")
        return [p.to_api() for p in self._visible_projects(session)]

    def select_project(self, token: str | None, body: Any) -> None:
        session = self.session(token)
        if session.level > Level.DIRECTORY:
            raise WrongLevelError("directory")
        project_id = _identifier(body, guid=True)
        if project_id not in {p.id for p in self._visible_projects(session)}:
            raise NotFoundError(project_id)
        session.project_id = project_id

    def _project(self, session: Session) -> Project:
        project = self.dataset.projects.get(session.project_id or "")
        if project is None:
            raise NotFoundError(session.project_id or "")
        return project

    def selected_project(self, token: str | None) -> dict[str, Any]:
        session = self.session(token)
        self._require(session, Level.PROJECT)
        return self._project(session).to_api()

    # --- phases --------------------------------------------------------------------------------------------
    def list_phases(self, token: str | None) -> list[dict[str, Any]]:
        session = self.session(token)
        self._require(session, Level.PROJECT)
        return [p.to_api() for p in self.dataset.phases_of(self._project(session).id)]

    def select_phase(self, token: str | None, body: Any) -> None:
        session = self.session(token)
        self._require(session, Level.PROJECT)
        phase_id = _identifier(body, guid=True)
        if self.dataset.phase(self._project(session).id, phase_id) is None:
            raise NotFoundError(phase_id)
        session.phase_id, session.elevation_id = phase_id, None

    # --- elevations ---
    def _phase_elevations(self, session: Session) -> list[Elevation]:
        project = self._project(session)
        if self.dataset.phase(project.id, session.phase_id or "") is None:
            raise NotFoundError(session.phase_id or "")
        elevations = self.dataset.elevations_of(project.id, session.phase_id or "")
        if self.config.list_recycled_elevations:
            return elevations
        return [e for e in elevations if not e.is_in_recycle_bin]

    def list_elevations(self, token: str | None) -> list[dict[str, Any]]:
        session = self.session(token)
        self._require(session, Level.PHASE)
        return [e.to_api() for e in self._phase_elevations(session)]

    def _elevation_in_phase(self, session: Session, elevation_id: str) -> str:
        try:
            wanted = str(uuid.UUID(elevation_id))
        except ValueError:
            raise BadRequestError(f"'{elevation_id}' is not a valid GUID.") from None
        if wanted not in {e.id for e in self._phase_elevations(session)}:
            raise NotFoundError(elevation_id)
        return wanted

    def select_elevation(self, token: str | None, body: Any) -> None:
        session = self.session(token)
        self._require(session, Level.PHASE)
        session.elevation_id = self._elevation_in_phase(session, _identifier(body, guid=True))

    def _selected_elevation(self, token: str | None) -> str:
        session = self.session(token)
        self._require(session, Level.ELEVATION)
        elevation_id = session.elevation_id or ""
        if elevation_id not in self.dataset.elevations:
            raise NotFoundError(elevation_id)
        return elevation_id

    def thumbnail(self, token: str | None, elevation_id: str | None, params: dict[str, str]) -> bytes:
        """Thumbnail of an elevation in the selected phase (`elevation_id`) or of the selected elevation."""
        if elevation_id is None:
            target = self._selected_elevation(token)
        else:
            session = self.session(token)
            self._require(session, Level.PHASE)
            target = self._elevation_in_phase(session, elevation_id)
        return self.dataset.thumbnail(target, thumbnail_request(params))

    def parts_list_target(self, token: str | None) -> str:
        """Id of the selected elevation whose parts list to send (the bytes are built off the event loop)."""
        return self._selected_elevation(token)

    def version(self) -> dict[str, Any]:
        return {
            "componentVersions": [
                {
                    "name": "MBIOE Service",
                    "version": "12.2.6.59",
                    "description": "REST Service (fake_logikal)",
                },
                {"name": "Logikal", "version": "12.2.6", "description": "Orgadata Logikal"},
            ]
        }
