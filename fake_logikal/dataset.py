"""`Dataset`: the seeded Logikal tree, its indexes, and lazily built, cached parts lists and thumbnails."""

from __future__ import annotations

import hashlib
import random
import threading
from collections import OrderedDict
from typing import Any

from .config import elevation_count_for
from .content import PartsListContent, parts_list_content
from .generate import generate_tree
from .model import Directory, Elevation, Phase, Project
from .names import ZERO_GUID
from .partslist import build_parts_list
from .thumbnail import ThumbnailRequest, render_thumbnail
from .truth import PartsDigestMode, state_of

__all__ = ["Dataset", "PartsDigestMode"]

_PARTS_CACHE_BYTES = 64 * 1024 * 1024
_THUMB_CACHE_ITEMS = 4096


class Dataset:
    """The truth the fake serves. Same seed and size → identical objects and identical bytes."""

    def __init__(
        self,
        seed: int = 1,
        size: str | int = "small",
        parts_list_kb: tuple[int, int] = (100, 400),
        *,
        parts_list_wal: bool = False,
        missing_row_trap: bool = False,
    ):
        self.seed = seed
        self.size = size
        self.parts_list_kb = parts_list_kb
        self.parts_list_wal = parts_list_wal
        self.missing_row_trap = missing_row_trap
        self.version = 0  # bumped by every mutation; list caches key on it
        self.directories: dict[str, Directory] = {}
        self.projects: dict[str, Project] = {}
        self.phases: dict[str, list[Phase]] = {}
        self.elevations: dict[str, Elevation] = {}
        self._children: dict[str | None, list[str]] = {}
        self._dir_projects: dict[str, list[str]] = {}
        self._phase_elevations: dict[tuple[str, str], list[str]] = {}
        self._lock = threading.Lock()
        self._parts: OrderedDict[tuple[str, int], bytes] = OrderedDict()
        self._parts_bytes = 0
        self._digests: dict[tuple[str, int], tuple[str, int]] = {}
        self._thumbs: OrderedDict[tuple[str, int, ThumbnailRequest], bytes] = OrderedDict()
        directories, projects, phases, elevations = generate_tree(
            seed, elevation_count_for(size), missing_row_trap=missing_row_trap
        )
        for directory in directories:
            self.add_directory(directory)
        for project in projects:
            self.add_project(project, with_default_phase=False)
        for phase in phases:
            self.add_phase(phase)
        for elevation in elevations:
            self.add_elevation(elevation)
        self.version = 0

    # --- navigation ---------------------------------------------------------------------------------------
    def children(self, path: str | None) -> list[Directory]:
        return [self.directories[p] for p in self._children.get(path, [])]

    def projects_in(self, path: str | None) -> list[Project]:
        return [self.projects[i] for i in self._dir_projects.get(path, [])] if path else []

    def phases_of(self, project_id: str) -> list[Phase]:
        return self.phases.get(project_id, [])

    def phase(self, project_id: str, phase_id: str) -> Phase | None:
        return next((p for p in self.phases.get(project_id, []) if p.id == phase_id), None)

    def elevations_of(self, project_id: str, phase_id: str) -> list[Elevation]:
        return [self.elevations[i] for i in self._phase_elevations.get((project_id, phase_id), [])]

    # --- structural edits (used by generation and mutations) -----------------------------------------------
    def add_directory(self, directory: Directory) -> None:
        self.directories[directory.path] = directory
        self._children.setdefault(directory.parent, []).append(directory.path)
        self.version += 1

    def add_project(self, project: Project, *, with_default_phase: bool = True) -> None:
        self.projects[project.id] = project
        self._dir_projects.setdefault(project.directory, []).append(project.id)
        self.phases.setdefault(project.id, [])
        if with_default_phase:
            self.add_phase(Phase(ZERO_GUID, project.id, "Posities zonder levering", ""))
        self.version += 1

    def add_phase(self, phase: Phase) -> None:
        self.phases.setdefault(phase.project_id, []).append(phase)
        self._phase_elevations.setdefault((phase.project_id, phase.id), [])
        self.version += 1

    def add_elevation(self, elevation: Elevation) -> None:
        self.elevations[elevation.id] = elevation
        self._phase_elevations.setdefault((elevation.project_id, elevation.phase_id), []).append(elevation.id)
        self.version += 1

    def remove_elevation(self, elevation_id: str) -> None:
        elevation = self.elevations.pop(elevation_id)
        self._phase_elevations[(elevation.project_id, elevation.phase_id)].remove(elevation_id)
        self.version += 1

    def remove_phase(self, project_id: str, phase_id: str) -> None:
        for elevation in self.elevations_of(project_id, phase_id):
            self.remove_elevation(elevation.id)
        self.phases[project_id] = [p for p in self.phases[project_id] if p.id != phase_id]
        self._phase_elevations.pop((project_id, phase_id), None)
        self.version += 1

    def remove_project(self, project_id: str) -> None:
        for phase in list(self.phases.get(project_id, [])):
            self.remove_phase(project_id, phase.id)
        project = self.projects.pop(project_id)
        self.phases.pop(project_id, None)
        self._dir_projects[project.directory].remove(project_id)
        self.version += 1

    def remove_directory(self, path: str) -> None:
        for child in list(self._children.get(path, [])):
            self.remove_directory(child)
        for project_id in list(self._dir_projects.get(path, [])):
            self.remove_project(project_id)
        directory = self.directories.pop(path)
        self._children[directory.parent].remove(path)
        self._children.pop(path, None)
        self._dir_projects.pop(path, None)
        self.version += 1

    def rename_directory(self, path: str, name: str) -> str:
        """Rename a directory; its path and every descendant's path (and their projects) follow."""
        return self.relocate_directory(path, self.directories[path].parent, name)

    def relocate_directory(self, path: str, parent: str | None, name: str | None = None) -> str:
        """Move a directory under `parent` (None: a root), maybe renamed; its subtree and projects follow."""
        old = self.directories[path]
        name = old.name if name is None else name
        if "/" in name or not name:
            raise ValueError("a directory name must be non-empty and contain no '/'")
        if parent is not None and parent not in self.directories:
            raise ValueError(f"no directory {parent!r}")
        if parent is not None and (parent == path or parent.startswith(path + "/")):
            raise ValueError(f"cannot move {path!r} into its own subtree")
        new_path = f"{parent}/{name}" if parent else name
        if new_path != path and new_path in self.directories:
            raise ValueError(f"directory {new_path!r} exists")

        def moved(p: str | None) -> str | None:
            if p is not None and (p == path or p.startswith(path + "/")):
                return new_path + p[len(path) :]
            return p

        directories = list(self.directories.values())
        for directory in directories:
            directory.path, directory.parent = moved(directory.path) or "", moved(directory.parent)
        old.name, old.parent = name, parent
        for project in self.projects.values():
            project.directory = moved(project.directory) or ""
        self.directories = {d.path: d for d in directories}
        self._children = {}
        for directory in directories:
            self._children.setdefault(directory.parent, []).append(directory.path)
        self._reindex_projects()
        self.version += 1
        return new_path

    def move_project(self, project_id: str, directory: str) -> None:
        if directory not in self.directories:
            raise ValueError(f"no directory {directory!r}")
        self.projects[project_id].directory = directory
        self._reindex_projects()
        self.version += 1

    def move_elevation(self, elevation_id: str, phase_id: str) -> None:
        """Move an elevation to another phase of its project (its parts list changes: a new revision)."""
        elevation = self.elevations[elevation_id]
        if self.phase(elevation.project_id, phase_id) is None:
            raise ValueError(f"no phase {phase_id!r} in the elevation's project")
        self._phase_elevations[(elevation.project_id, elevation.phase_id)].remove(elevation_id)
        elevation.phase_id = phase_id
        elevation.revision += 1
        self._phase_elevations.setdefault((elevation.project_id, phase_id), []).append(elevation_id)
        self.version += 1

    def _reindex_projects(self) -> None:
        self._dir_projects = {}
        for project in self.projects.values():
            self._dir_projects.setdefault(project.directory, []).append(project.id)

    # --- bytes ---------------------------------------------------------------------------------------------
    def parts_list_target_bytes(self, elevation: Elevation) -> int:
        low, high = self.parts_list_kb
        return random.Random(f"{self.seed}:size:{elevation.id}").randint(low, high) * 1024

    def parts_list(self, elevation_id: str) -> bytes:
        """SQLite bytes of the elevation's parts list (thread-safe; cached in a bounded LRU)."""
        key = (elevation_id, self.elevations[elevation_id].revision)
        with self._lock:
            cached = self._parts.get(key)
            if cached is not None:
                self._parts.move_to_end(key)
                return cached
        data = self._build_parts_list(elevation_id)
        with self._lock:
            if key not in self._parts:
                self._parts[key] = data
                self._parts_bytes += len(data)
            while self._parts_bytes > _PARTS_CACHE_BYTES and len(self._parts) > 1:
                _, old = self._parts.popitem(last=False)
                self._parts_bytes -= len(old)
        return data

    def _build_parts_list(self, elevation_id: str) -> bytes:
        elevation = self.elevations[elevation_id]
        phase = self.phase(elevation.project_id, elevation.phase_id)
        assert phase is not None
        data = build_parts_list(
            self.seed,
            elevation,
            self.projects[elevation.project_id],
            phase,
            self.parts_list_target_bytes(elevation),
        )
        if self.parts_list_wal:  # file format read/write versions 2 = WAL, as Logikal's files are
            data = data[:18] + b"\x02\x02" + data[20:]
        with self._lock:
            self._digests[(elevation_id, elevation.revision)] = (hashlib.sha256(data).hexdigest(), len(data))
        return data

    def parts_list_digest(self, elevation_id: str, *, compute: bool = True) -> tuple[str, int] | None:
        """(sha256 hex, size) of the bytes `parts_list` serves; None if not yet computed and not `compute`."""
        key = (elevation_id, self.elevations[elevation_id].revision)
        digest = self._digests.get(key)
        if digest is None and compute:
            # digest only: filling the byte cache here would waste memory
            self._build_parts_list(elevation_id)
            digest = self._digests[key]
        return digest

    def thumbnail(self, elevation_id: str, request: ThumbnailRequest) -> bytes:
        elevation = self.elevations[elevation_id]
        key = (elevation_id, elevation.revision, request)
        with self._lock:
            cached = self._thumbs.get(key)
        if cached is None:
            cached = render_thumbnail(self.seed, elevation, request)
            with self._lock:
                self._thumbs[key] = cached
                while len(self._thumbs) > _THUMB_CACHE_ITEMS:
                    self._thumbs.popitem(last=False)
        return cached

    def content(self, elevation_id: str) -> PartsListContent:
        """What the elevation's parts list says (rows and table sizes), without building its bytes."""
        elevation = self.elevations[elevation_id]
        return parts_list_content(self.seed, elevation, self.parts_list_target_bytes(elevation))

    # --- truth ---
    def to_state(self, parts: PartsDigestMode = "all") -> dict[str, Any]:
        return state_of(self, parts)
