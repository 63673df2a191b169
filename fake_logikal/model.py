"""The Logikal objects the fake holds and their API (swagger) and truth (state) renderings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .names import SYSTEMS, ZERO_GUID

__all__ = ["Directory", "Elevation", "Phase", "Project", "Surface"]


@dataclass
class Directory:
    name: str
    path: str
    parent: str | None

    def to_api(self) -> dict[str, Any]:
        return {"name": self.name, "path": self.path}

    def to_state(self) -> dict[str, Any]:
        return {**self.to_api(), "parent": self.parent}


@dataclass
class Project:
    id: str
    name: str
    directory: str
    created_date: int
    changed_date: int
    is_deleted: bool
    job_number: str
    offer_number: str
    person_in_charge: str
    estimated: bool

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "createdDate": self.created_date,
            "changedDate": self.changed_date,
            "isDeleted": self.is_deleted,
            "jobNumber": self.job_number,
            "offerNumber": self.offer_number,
            "personInCharge": self.person_in_charge,
            "estimated": self.estimated,
        }

    def to_state(self) -> dict[str, Any]:
        return {**self.to_api(), "directory": self.directory}


@dataclass
class Phase:
    id: str
    project_id: str
    name: str
    description: str

    def to_api(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "description": self.description}

    def to_state(self) -> dict[str, Any]:
        return {**self.to_api(), "projectId": self.project_id}


@dataclass
class Surface:
    name: str
    color_inside: str
    color_outside: str

    def to_api(self) -> dict[str, Any]:
        return {"name": self.name, "colorInside": self.color_inside, "colorOutside": self.color_outside}


@dataclass
class Elevation:
    id: str
    version_id: str
    project_id: str
    phase_id: str
    name: str
    amount: float
    is_in_recycle_bin: bool
    automatic_description: str
    system_index: int
    model_description: str
    user_description: str
    surface_of_base_element: Surface
    surface_of_insertions: Surface
    created_by_user: str
    created_date: int
    changed_date: int
    width: float
    height: float
    type: str = "Elevation"
    state: str = "Calculated"
    revision: int = 0
    # names of other Elevations rows the parts list holds before this elevation's own row
    extra_rows: tuple[str, ...] = field(default_factory=tuple)
    # the parts list lacks this elevation's own Elevations row (holds only `extra_rows`)
    omits_own_row: bool = False

    @property
    def system_description(self) -> str:
        return SYSTEMS[self.system_index][2]

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "versionId": self.version_id,
            "name": self.name,
            "amount": self.amount,
            "isInRecycleBin": self.is_in_recycle_bin,
            "automaticDescription": self.automatic_description,
            "systemDescription": self.system_description,
            "modelDescription": self.model_description,
            "userDescription": self.user_description,
            "surfaceOfBaseElement": self.surface_of_base_element.to_api(),
            "surfaceOfInsertions": self.surface_of_insertions.to_api(),
            "createdByUser": self.created_by_user,
            "createdDate": self.created_date,
            "changedDate": self.changed_date,
            "width": self.width,
            "height": self.height,
            "isElementPricelistElevation": False,
            "elementPricelistId": ZERO_GUID,
            "type": self.type,
            "state": self.state,
        }

    def to_state(self) -> dict[str, Any]:
        return {
            **self.to_api(),
            "projectId": self.project_id,
            "phaseId": self.phase_id,
            "revision": self.revision,
            "partsListExtraRows": list(self.extra_rows),
            "partsListOmitsOwnRow": self.omits_own_row,
        }
