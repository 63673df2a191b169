"""Typed shapes of the control plane's content truth (`GET /_fake/content`), for clients and checks."""

from __future__ import annotations

from typing import Any, TypedDict

__all__ = ["ContentTruth", "ElevationContentTruth", "ElevationRow", "GlassRow"]


class ElevationRow(TypedDict):
    """One row of a parts list's `Elevations` table (SQLite column names)."""

    ElevationID: str
    PhaseID: str
    Name: str
    Amount: float
    AutoDescription: str
    AutoDescriptionShort: str
    Width_Output: float
    Width_Unit: str
    Height_Output: float
    Height_Unit: str
    Weight_Output: float
    Weight_Unit: str
    Area_Output: float
    Area_Unit: str
    SystemCode: str
    SystemName: str
    SystemLongName: str
    ColorBase_Long: str
    Price: float


class GlassRow(TypedDict):
    """One row of a parts list's `Glass` table."""

    GlassID: str
    ElevationID: str
    Name: str
    Width: float
    Height: float
    Area: float
    UValue: float


class ElevationContentTruth(TypedDict):
    """What a correct parser reads from one elevation's parts list (`GET /_fake/content/{id}`)."""

    id: str
    name: str
    projectId: str
    phaseId: str
    revision: int
    changedDate: int
    isInRecycleBin: bool
    partsListSha256: str | None
    partsListSize: int | None
    hasOwnRow: bool
    ownRow: ElevationRow | None
    elevationRows: list[ElevationRow]
    glass: list[GlassRow]
    tableRows: dict[str, int]
    rowCount: int


class ContentTruth(TypedDict):
    """`GET /_fake/content`: the content truth of (some) elevations and where the dataset's traps are."""

    seed: int
    version: int
    traps: dict[str, Any]
    elevations: list[ElevationContentTruth]
