"""Pydantic models of the Logikal payloads we read; a malformed payload fails here with a clear message."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from middleware.logikal.errors import LogikalPayloadError

__all__ = [
    "DirectoryData",
    "ElevationData",
    "Listing",
    "PhaseData",
    "ProjectData",
    "RejectedItem",
    "SurfaceData",
    "epoch_to_datetime",
    "validate_list",
]

ZERO_GUID = "00000000-0000-0000-0000-000000000000"
NAME_MAX = 512
TEXT_MAX = 20_000
# epoch seconds up to year 2200; anything larger is a unit mix-up (milliseconds) or garbage
EPOCH_MAX = 7_258_118_400


def _guid(value: Any) -> str:
    """Lower-case bare GUID; Logikal's SQLite uses ``{UPPER}``, the REST API lower-case bare."""
    if not isinstance(value, str):
        raise ValueError("must be a GUID string")
    return str(uuid.UUID(value.strip().strip("{}")))


def _phase_guid(value: Any) -> str:
    """Phases may come without id: the default phase, i.e. the zero GUID (upstream behaviour)."""
    if value is None or value == "":
        return ZERO_GUID
    return _guid(value)


Guid = Annotated[str, BeforeValidator(_guid)]
PhaseGuid = Annotated[str, BeforeValidator(_phase_guid)]
Name = Annotated[str, Field(max_length=NAME_MAX)]
Text = Annotated[str, Field(max_length=TEXT_MAX)]
Epoch = Annotated[int, Field(ge=0, le=EPOCH_MAX)]


class _Payload(BaseModel):
    # strict types: "17" is not a number and 1 is not a bool; unknown fields are ignored (API evolves)
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True, populate_by_name=True)


class DirectoryData(_Payload):
    name: Name
    path: Annotated[str, Field(min_length=1, max_length=1024)]


class ProjectData(_Payload):
    id: Annotated[Guid, Field(strict=False)]
    name: Annotated[Name, Field(min_length=1)]
    created_date: Epoch = Field(alias="createdDate")
    changed_date: Epoch = Field(alias="changedDate")
    is_deleted: bool = Field(default=False, alias="isDeleted")
    job_number: Name | None = Field(default=None, alias="jobNumber")
    offer_number: Name | None = Field(default=None, alias="offerNumber")
    person_in_charge: Name | None = Field(default=None, alias="personInCharge")
    estimated: bool = False


class PhaseData(_Payload):
    id: Annotated[PhaseGuid, Field(strict=False)] = ZERO_GUID
    name: Name
    description: Text | None = None


class SurfaceData(_Payload):
    name: Name | None = None
    color_inside: Name | None = Field(default=None, alias="colorInside")
    color_outside: Name | None = Field(default=None, alias="colorOutside")


class ElevationData(_Payload):
    id: Annotated[Guid, Field(strict=False)]
    version_id: Annotated[Guid, Field(strict=False)] | None = Field(default=None, alias="versionId")
    name: Annotated[Name, Field(min_length=1)]
    amount: float | None = None
    is_in_recycle_bin: bool = Field(default=False, alias="isInRecycleBin")
    automatic_description: Text | None = Field(default=None, alias="automaticDescription")
    system_description: Text | None = Field(default=None, alias="systemDescription")
    model_description: Text | None = Field(default=None, alias="modelDescription")
    user_description: Text | None = Field(default=None, alias="userDescription")
    created_by_user: Name | None = Field(default=None, alias="createdByUser")
    created_date: Epoch = Field(alias="createdDate")
    changed_date: Epoch = Field(alias="changedDate")
    width: float | None = None
    height: float | None = None
    type: Name | None = None
    state: Name | None = None


P = TypeVar("P", bound=BaseModel)


def _describe(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where}: {first['msg']}{more}"


@dataclass(frozen=True)
class RejectedItem:
    """One record of a listing that failed validation: its position, its key if readable, and why."""

    index: int
    key: str | None  # GUID (or directory path) when the record still names one, so it is not deleted
    reason: str


class Listing(list[P]):
    """The valid items of a listing, in order; ``rejected`` names the records that were skipped."""

    def __init__(self, items: list[P], rejected: list[RejectedItem] | None = None) -> None:
        super().__init__(items)
        self.rejected: list[RejectedItem] = rejected or []


def _key_of(model: type[BaseModel], item: Any) -> str | None:
    if not isinstance(item, dict):
        return None
    if model is DirectoryData:
        path = item.get("path")
        return (path.strip("/") or None) if isinstance(path, str) else None
    value = item.get("id")
    if model is PhaseData and value in (None, ""):
        return ZERO_GUID
    try:
        return _guid(value)
    except ValueError:
        return None


def validate_list(model: type[P], data: Any, *, operation: str) -> Listing[P]:
    """Validate a ``data`` list item by item: malformed records are skipped and named in ``rejected``;
    a ``data`` that is not a list at all raises LogikalPayloadError."""
    if not isinstance(data, list):
        found = type(data).__name__
        raise LogikalPayloadError(
            f"malformed {model.__name__} payload: data is {found}, not a list", operation=operation
        )
    items: list[P] = []
    rejected: list[RejectedItem] = []
    for index, item in enumerate(data):
        try:
            items.append(model.model_validate(item))
        except ValidationError as exc:
            reason = f"{operation}: malformed {model.__name__} record: {_describe(exc)}"
            rejected.append(RejectedItem(index, _key_of(model, item), reason))
    return Listing(items, rejected)


def epoch_to_datetime(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)
