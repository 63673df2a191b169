"""Control-plane mutations: edit, add, delete, recycle, restore, move objects; they bump changedDate."""

from __future__ import annotations

import random
from typing import Any

from .dataset import Dataset
from .generate import make_elevation, new_guid
from .model import Directory, Elevation, Phase, Project
from .names import ZERO_GUID

__all__ = ["MutationError", "apply_mutation"]

ACTIONS = ("edit", "add", "delete", "recycle", "restore", "move")
KINDS = ("directory", "project", "phase", "elevation")
_PROJECT_FIELDS = {
    "name": "name",
    "jobNumber": "job_number",
    "offerNumber": "offer_number",
    "personInCharge": "person_in_charge",
    "estimated": "estimated",
    "isDeleted": "is_deleted",
}
_ELEVATION_FIELDS = {
    "name": "name",
    "amount": "amount",
    "width": "width",
    "height": "height",
    "userDescription": "user_description",
    "automaticDescription": "automatic_description",
    "modelDescription": "model_description",
    "isInRecycleBin": "is_in_recycle_bin",
    "partsListOmitsOwnRow": "omits_own_row",
}
_PHASE_FIELDS = {"name": "name", "description": "description"}


class MutationError(ValueError):
    """A mutation request that names nothing, or something that does not exist."""


def _bump(old: int, now: float) -> int:
    return max(int(now), old + 1)


class _Mutator:
    def __init__(self, dataset: Dataset, now: float, rng: random.Random):
        self.ds, self.now, self.rng = dataset, now, rng

    def project(self, ref: str) -> Project:
        found = self.ds.projects.get(ref) or next(
            (p for p in self.ds.projects.values() if p.name == ref), None
        )
        if found is None:
            raise MutationError(f"no project {ref!r}")
        return found

    def targets(self, spec: dict[str, Any]) -> list[Any]:
        kind, ds = spec["kind"], self.ds
        ids = spec.get("ids") or ([spec["id"]] if "id" in spec else [])
        if kind == "directory":
            paths = spec.get("paths") or ([spec["path"]] if "path" in spec else [])
            pool: list[Any] = [ds.directories[p] for p in paths if p in ds.directories]
            if len(pool) != len(paths):
                raise MutationError(f"unknown directory in {paths}")
            return pool or self._pick(list(ds.directories.values()), spec)
        if kind == "project":
            named: list[Any] = [self.project(ref) for ref in ids + ([spec["name"]] if "name" in spec else [])]
            scope = [p for p in ds.projects.values() if spec.get("directory") in (None, p.directory)]
            return named or self._pick(scope, spec)
        project = self.project(spec["project"]) if "project" in spec else None
        if kind == "phase":
            scope_phases: list[Any] = [
                ph for p in ([project] if project else ds.projects.values()) for ph in ds.phases_of(p.id)
            ]
            named = [ph for ph in scope_phases if ph.id in ids or ph.name == spec.get("name")]
            if (ids or "name" in spec) and not named:
                raise MutationError("no such phase")
            return named or self._pick(scope_phases, spec)
        elevations: list[Any] = [
            e for e in ds.elevations.values() if project in (None, ds.projects[e.project_id])
        ]
        elevations = [e for e in elevations if spec.get("phase") in (None, e.phase_id)]
        named = [e for e in elevations if e.id in ids or e.name == spec.get("name")]
        if (ids or "name" in spec) and not named:
            raise MutationError("no such elevation")
        if "name" in spec and len(named) > 1:
            raise MutationError(f"elevation name {spec['name']!r} is ambiguous: give 'project' or 'id'")
        return named or self._pick(elevations, spec)

    def _pick(self, pool: list[Any], spec: dict[str, Any]) -> list[Any]:
        count = int(spec.get("count", 0))
        if count <= 0:
            raise MutationError("name a target (id, ids, name, path) or give a positive 'count'")
        return self.rng.sample(pool, min(count, len(pool)))

    def touch_project(self, project_id: str) -> None:
        project = self.ds.projects.get(project_id)
        if project is not None:
            project.changed_date = _bump(project.changed_date, self.now)

    def edit(self, target: Any, changes: dict[str, Any]) -> None:
        if isinstance(target, Directory):
            if "name" in changes:
                self.ds.rename_directory(target.path, str(changes["name"]))
            return
        fields = {Project: _PROJECT_FIELDS, Elevation: _ELEVATION_FIELDS, Phase: _PHASE_FIELDS}[type(target)]
        unknown = set(changes) - set(fields)
        if unknown:
            raise MutationError(f"cannot edit {sorted(unknown)} of a {type(target).__name__}")
        for key, value in changes.items():
            setattr(target, fields[key], value)
        if isinstance(target, Elevation):
            if target.omits_own_row and not target.extra_rows:  # a file must hold some Elevations row
                siblings = self.ds.elevations_of(target.project_id, target.phase_id)
                decoys = [e.name for e in siblings if e is not target][:2]
                target.extra_rows = tuple(decoys) or (f"{target.name} (kopie)",)
            target.revision += 1  # its parts list and thumbnail change with it
            target.version_id = new_guid(self.rng)
            target.changed_date = _bump(target.changed_date, self.now)
        if isinstance(target, Project):
            target.changed_date = _bump(target.changed_date, self.now)
        else:
            self.touch_project(target.project_id)
        self.ds.version += 1

    def add(self, spec: dict[str, Any]) -> list[Any]:
        kind, count = spec["kind"], max(int(spec.get("count", 1)), 1)
        made: list[Any] = []
        for i in range(count):
            suffix = f" {i + 1}" if count > 1 else ""
            if kind == "directory":
                parent = spec.get("directory")
                if parent is not None and parent not in self.ds.directories:
                    raise MutationError(f"no directory {parent!r}")
                name = spec.get("name", f"Nieuwe map {self.rng.randrange(1000, 9999)}") + suffix
                directory = Directory(name, f"{parent}/{name}" if parent else name, parent)
                self.ds.add_directory(directory)
                made.append(directory)
            elif kind == "project":
                parent = spec.get("directory") or self.rng.choice(list(self.ds.directories))
                if parent not in self.ds.directories:
                    raise MutationError(f"no directory {parent!r}")
                name = spec.get("name", f"DOS{self.rng.randrange(30000, 39999)}") + suffix
                now = int(self.now)
                project = Project(
                    new_guid(self.rng),
                    name,
                    parent,
                    now,
                    now,
                    False,
                    f"{self.rng.randrange(9999):010d}",
                    f"OFF{self.rng.randrange(10000, 99999)}",
                    "Nick ",
                    False,
                )
                self.ds.add_project(project)
                made.append(project)
            elif kind == "phase":
                project = (
                    self.project(spec["project"])
                    if "project" in spec
                    else self.rng.choice(list(self.ds.projects.values()))
                )
                phase = Phase(
                    new_guid(self.rng),
                    project.id,
                    spec.get("name", "Nieuwe fase") + suffix,
                    spec.get("description", ""),
                )
                self.ds.add_phase(phase)
                self.touch_project(project.id)
                made.append(phase)
            else:
                made.append(self._add_elevation(spec, suffix))
        return made

    def _add_elevation(self, spec: dict[str, Any], suffix: str) -> Elevation:
        if "project" in spec:
            project = self.project(spec["project"])
        else:
            project = self.rng.choice([p for p in self.ds.projects.values() if self.ds.phases_of(p.id)])
        phase_id = spec.get("phase") or (
            ZERO_GUID if "project" in spec else self.rng.choice(self.ds.phases_of(project.id)).id
        )
        if self.ds.phase(project.id, phase_id) is None:
            raise MutationError(f"no phase {phase_id!r} in project {project.name}")
        name = spec.get("name", f"N{self.rng.randrange(100, 999)}") + suffix
        elevation = make_elevation(self.rng, project, phase_id, name, recyclable=False)
        elevation.created_date = elevation.changed_date = int(self.now)
        self.ds.add_elevation(elevation)
        self.touch_project(project.id)
        return elevation

    def remove(self, target: Any) -> None:
        if not self._exists(target):  # already gone with an ancestor picked in the same request
            return
        if isinstance(target, Directory):
            self.ds.remove_directory(target.path)
        elif isinstance(target, Project):
            self.ds.remove_project(target.id)
        elif isinstance(target, Phase):
            self.ds.remove_phase(target.project_id, target.id)
            self.touch_project(target.project_id)
        else:
            self.ds.remove_elevation(target.id)
            self.touch_project(target.project_id)

    def _exists(self, target: Any) -> bool:
        if isinstance(target, Directory):
            return target.path in self.ds.directories
        if isinstance(target, Project):
            return target.id in self.ds.projects
        if isinstance(target, Phase):
            return self.ds.phase(target.project_id, target.id) is not None
        return bool(target.id in self.ds.elevations)

    def move(self, target: Any, spec: dict[str, Any]) -> None:
        """Project → directory `to`; elevation → phase `to` of its project; directory → parent `to`/root."""
        if "to" not in spec:
            raise MutationError("'move' needs 'to' (a directory path, or for an elevation a phase id)")
        to = spec["to"]
        if isinstance(target, Project):
            self.ds.move_project(target.id, str(to))
            target.changed_date = _bump(target.changed_date, self.now)
        elif isinstance(target, Elevation):
            self.ds.move_elevation(target.id, str(to))
            target.version_id = new_guid(self.rng)
            target.changed_date = _bump(target.changed_date, self.now)
            self.touch_project(target.project_id)
        elif isinstance(target, Directory):
            self.ds.relocate_directory(target.path, None if to in (None, "") else str(to))
        else:
            raise MutationError("phases cannot move; delete one and add another")

    def recycle(self, target: Any, flag: bool) -> None:
        if isinstance(target, Project):
            target.is_deleted = flag
            target.changed_date = _bump(target.changed_date, self.now)
        elif isinstance(target, Elevation):
            target.is_in_recycle_bin = flag
            target.changed_date = _bump(target.changed_date, self.now)
            self.touch_project(target.project_id)
        else:
            raise MutationError(
                "only projects (isDeleted) and elevations (isInRecycleBin) go to the recycle bin"
            )
        self.ds.version += 1


def _describe(action: str, target: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"action": action, "kind": type(target).__name__.lower(), "name": target.name}
    if isinstance(target, Directory):
        item["path"] = target.path
    else:
        item["id"] = target.id
    if isinstance(target, Phase):
        item["projectId"] = target.project_id
    if isinstance(target, Project | Elevation):
        item["changedDate"] = target.changed_date
    return item


def apply_mutation(
    dataset: Dataset, spec: dict[str, Any], now: float, rng: random.Random
) -> list[dict[str, Any]]:
    """Apply one mutation spec (see README) and describe the objects it touched."""
    action, kind = spec.get("action"), spec.get("kind")
    if action not in ACTIONS or kind not in KINDS:
        raise MutationError(f"'action' must be one of {ACTIONS} and 'kind' one of {KINDS}")
    mutator = _Mutator(dataset, now, rng)
    if action == "add":
        return [_describe(action, t) for t in mutator.add(spec)]
    targets = mutator.targets(spec)
    results = []
    for target in targets:
        if action == "edit":
            mutator.edit(target, dict(spec.get("changes") or {}))
        elif action == "delete":
            mutator.remove(target)
        elif action == "move":
            mutator.move(target, spec)
        else:
            mutator.recycle(target, action == "recycle")
        results.append(_describe(action, target))
    return results
