"""What a parts list says (its Elevations and Glass rows, table sizes), computed without building the file."""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .model import Elevation
from .names import COLORS, SYSTEMS

__all__ = [
    "ELEVATION_COLUMNS",
    "FIXED_TABLE_ROWS",
    "GLASS_COLUMNS",
    "PartsListContent",
    "db_guid",
    "detail_rows",
    "parts_list_content",
]

ELEVATION_COLUMNS = (
    "ElevationID",
    "PhaseID",
    "Name",
    "Amount",
    "AutoDescription",
    "AutoDescriptionShort",
    "Width_Output",
    "Width_Unit",
    "Height_Output",
    "Height_Unit",
    "Weight_Output",
    "Weight_Unit",
    "Area_Output",
    "Area_Unit",
    "SystemCode",
    "SystemName",
    "SystemLongName",
    "ColorBase_Long",
    "Price",
)
GLASS_COLUMNS = ("GlassID", "ElevationID", "Name", "Width", "Height", "Area", "UValue")
# rows of the tables whose size does not depend on the elevation (Elevations, Glass, CalcDetailItems do)
FIXED_TABLE_ROWS = {
    "Projects": 1,
    "Phases": 1,
    "Articles": 32,
    "Profiles": 21,
    "Insertions": 4,
    "LabourTimes": 27,
    "LabourCosts": 21,
    "CalcItemNames": 8,
    "MountingLines": 4,
    "UValue": 22,
    "Colors": 6,
    "ElevationCE": 20,
    "Suppliers": 6,
    "Manufacturers": 3,
}
# measured (linear fit over 30 files): ~78.8 KB without CalcDetailItems, ~146.4 bytes per row of it
_BASE_BYTES = 78_800
_DETAIL_ROW_BYTES = 146
_MIN_DETAIL_ROWS = 140


def detail_rows(target_bytes: int) -> int:
    """CalcDetailItems rows that make a file of about `target_bytes` (a function of the size only)."""
    return max(_MIN_DETAIL_ROWS, (target_bytes - _BASE_BYTES) // _DETAIL_ROW_BYTES)


def db_guid(rng: random.Random) -> str:
    return "{" + str(uuid.UUID(int=rng.getrandbits(128), version=4)).upper() + "}"


def _braced(guid: str) -> str:
    return "{" + guid.upper() + "}"


def _other_index(rng: random.Random, own: int, count: int) -> int:
    return (own + 1 + rng.randrange(count - 1)) % count


def _elevation_row(elevation: Elevation, name: str, rng: random.Random, *, own: bool) -> tuple[Any, ...]:
    """One Elevations row: the elevation's own values, or another elevation's (other system, colour, size)."""
    if own:
        system, colour = elevation.system_index, elevation.surface_of_base_element.name
        width, height, element_id = elevation.width, elevation.height, _braced(elevation.id)
    else:
        system = _other_index(rng, elevation.system_index, len(SYSTEMS))
        code, label = COLORS[rng.randrange(len(COLORS))]
        colour = f"{code} {label}"
        if colour == elevation.surface_of_base_element.name:
            code, label = COLORS[_other_index(rng, COLORS.index((code, label)), len(COLORS))]
            colour = f"{code} {label}"
        width, height = round(rng.uniform(500, 4000), 1), round(rng.uniform(400, 3000), 1)
        element_id = db_guid(rng)
    code, short, long_name, _ = SYSTEMS[system]
    area = round(width * height / 1e6, 3)
    return (
        element_id,
        _braced(elevation.phase_id),
        name,
        elevation.amount,
        f"{elevation.model_description}, {short}",
        short,
        width,
        "mm",
        height,
        "mm",
        round(area * 28.5, 2),
        "kg",
        area,
        "m²",
        code,
        short,
        long_name,
        colour,
        round(area * 410.0, 2),
    )


@dataclass(frozen=True)
class PartsListContent:
    """The rows a parser reads from one elevation's parts list, in the order the file holds them."""

    elevation_rows: tuple[tuple[Any, ...], ...]
    own_row: int | None  # index into elevation_rows, None when the file lacks the elevation's row
    glass_rows: tuple[tuple[Any, ...], ...]
    table_rows: Mapping[str, int]

    @property
    def row_count(self) -> int:
        """Rows over all tables: what the upstream (and our middleware) store as `parts_count`."""
        return sum(self.table_rows.values())

    def to_truth(self) -> dict[str, Any]:
        rows = [dict(zip(ELEVATION_COLUMNS, row, strict=True)) for row in self.elevation_rows]
        return {
            "hasOwnRow": self.own_row is not None,
            "ownRow": None if self.own_row is None else rows[self.own_row],
            "elevationRows": rows,
            "glass": [dict(zip(GLASS_COLUMNS, row, strict=True)) for row in self.glass_rows],
            "tableRows": dict(self.table_rows),
            "rowCount": self.row_count,
        }


def parts_list_content(seed: int, elevation: Elevation, target_bytes: int) -> PartsListContent:
    """The Elevations/Glass rows of an elevation's parts list; same seed, elevation, revision → same rows."""
    rng = random.Random(f"{seed}:parts:{elevation.id}:{elevation.revision}")
    rows = [_elevation_row(elevation, name, rng, own=False) for name in elevation.extra_rows]
    own_row = None
    if not elevation.omits_own_row:
        own_row = len(rows)
        rows.append(_elevation_row(elevation, elevation.name, rng, own=True))
    glass_area = elevation.width * elevation.height / 1e6 * 0.8
    glass = tuple(
        (
            db_guid(rng),
            _braced(elevation.id),
            name,
            elevation.width - 120,
            elevation.height - 120,
            round(glass_area / 2, 3),
            uvalue,
        )
        for name, uvalue in (
            ("HR++ 4-16-4 Argon", 1.1),
            (rng.choice(["Triple 4-12-4-12-4", "Gelaagd 33.1-15-4"]), 0.7),
        )
    )
    tables = {
        **FIXED_TABLE_ROWS,
        "Elevations": len(rows),
        "Glass": len(glass),
        "CalcDetailItems": detail_rows(target_bytes),
    }
    return PartsListContent(tuple(rows), own_row, glass, tables)
