"""Content check: the parts-list content a build parsed, per elevation, against the fake's content truth.

Observed rows are plain dicts, one per elevation, with these fixed column names (the upstream's and our
middleware's `elevations` columns; the Odoo API's elevation items use the same names). A key that is absent
means "this build does not expose it" and is not compared; a key present with None is compared.

| column | meaning |
|---|---|
| `logikal_id` (required) | elevation GUID; case and braces do not matter |
| `parse_status` | `success` / `failed` / `pending` (anything else counts as not parsed yet) |
| `parts_sha256` | sha256 of the parts-list file the content was parsed from (`elevations.parts_file_hash`) |
| `auto_description`, `auto_description_short` | text of the Elevations row |
| `system_code`, `system_name`, `system_long_name`, `color_base_long` | text of the Elevations row |
| `width_out`, `height_out`, `weight_out`, `area_output` | numbers of the Elevations row |
| `width_unit`, `height_unit`, `weight_unit`, `area_unit` | text of the Elevations row |
| `parts_count` | rows over all tables of the file |
| `glass` | list of `{"glass_id": str, "name": str | None}` (or of glass-id strings) from the Glass table |

The truth is the `elevations` list of the fake's `GET /_fake/content` (`fake_logikal.ElevationContentTruth`):
`id`, `name`, `hasOwnRow`, `ownRow` and `elevationRows` (SQLite column names), `glass`, `rowCount`, and
`partsListSha256` when asked for with `parts=all`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from harness.checks.ids import guid_key

__all__ = [
    "VALUE_COLUMNS",
    "ContentMismatch",
    "ContentReport",
    "MismatchKind",
    "compare_content",
]

# observed column -> Elevations column of the parts list
VALUE_COLUMNS = {
    "auto_description": "AutoDescription",
    "auto_description_short": "AutoDescriptionShort",
    "width_out": "Width_Output",
    "width_unit": "Width_Unit",
    "height_out": "Height_Output",
    "height_unit": "Height_Unit",
    "weight_out": "Weight_Output",
    "weight_unit": "Weight_Unit",
    "area_output": "Area_Output",
    "area_unit": "Area_Unit",
    "system_code": "SystemCode",
    "system_name": "SystemName",
    "system_long_name": "SystemLongName",
    "color_base_long": "ColorBase_Long",
}
_PARSED, _FAILED = "success", "failed"


class MismatchKind(StrEnum):
    VALUES = "values"  # content differs from the elevation's own row
    OTHER_ROW = "other_row"  # content equals another Elevations row of the file (prefix match, first row)
    PARSED_WITHOUT_ROW = "parsed_without_row"  # the file lacks the elevation's row, yet content was stored
    PARSE_FAILED = "parse_failed"  # the file holds the row, yet the build recorded a failed parse
    UNPARSED = "unparsed"  # not parsed yet (only with require_parsed=True)


@dataclass(frozen=True)
class ContentMismatch:
    logikal_id: str
    name: str
    kind: MismatchKind
    differences: tuple[tuple[str, Any, Any], ...] = ()  # (column, expected, observed)
    taken_from: str | None = None  # name of the Elevations row the observed values equal

    def __str__(self) -> str:
        text = f"{self.name} ({self.logikal_id}): {self.kind.value}"
        if self.taken_from is not None:
            text += f" (values of row {self.taken_from!r})"
        if self.differences:
            text += "; " + ", ".join(f"{c} expected {e!r} got {o!r}" for c, e, o in self.differences[:4])
        return text


@dataclass
class ContentReport:
    """Per-elevation content mismatches; the other lists say what was not compared, and why."""

    checked: int = 0
    mismatches: list[ContentMismatch] = field(default_factory=list)
    unparsed: list[str] = field(default_factory=list)  # not parsed yet
    stale: list[str] = field(default_factory=list)  # parsed from another revision of the file
    missing: list[str] = field(default_factory=list)  # in the truth, no observed row
    extra: list[str] = field(default_factory=list)  # observed, not in the truth

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def summary(self, limit: int = 3) -> str:
        head = f"{self.checked} elevations compared"
        if self.ok:
            return f"{head}, content equals the fake's truth"
        examples = "; ".join(str(m) for m in self.mismatches[:limit])
        return f"{head}, {len(self.mismatches)} mismatched (e.g. {examples})"


def _same(expected: Any, observed: Any, tolerance: float) -> bool:
    if isinstance(expected, int | float) and isinstance(observed, int | float):
        return math.isclose(float(expected), float(observed), rel_tol=1e-9, abs_tol=tolerance)
    if expected is None or observed is None:
        return expected is observed
    return str(expected) == str(observed)


def _value_differences(row: Mapping[str, Any], source: Mapping[str, Any], tolerance: float) -> list[Any]:
    return [
        (column, source.get(sqlite), row[column])
        for column, sqlite in VALUE_COLUMNS.items()
        if column in row and not _same(source.get(sqlite), row[column], tolerance)
    ]


def _glass(items: Iterable[Any], id_key: str, name_key: str) -> dict[str, str | None] | set[str]:
    entries = list(items)
    if all(isinstance(item, Mapping) for item in entries):
        return {guid_key(item.get(id_key)): item.get(name_key) for item in entries}
    return {guid_key(item) for item in entries}


def _glass_difference(row: Mapping[str, Any], truth: Mapping[str, Any]) -> list[Any]:
    if "glass" not in row:
        return []
    observed = _glass(row["glass"] or [], "glass_id", "name")
    expected = _glass(truth.get("glass", []), "GlassID", "Name")
    if isinstance(observed, set) and isinstance(expected, dict):
        expected = set(expected)
    return [] if observed == expected else [("glass", expected, observed)]


def _taken_from(row: Mapping[str, Any], truth: Mapping[str, Any], tolerance: float) -> str | None:
    """The name of another Elevations row whose values the observed row carries (the §7.8 defect)."""
    if not any(row.get(column) is not None for column in VALUE_COLUMNS if column in row):
        return None
    for other in truth.get("elevationRows", []):
        if other != truth.get("ownRow") and not _value_differences(row, other, tolerance):
            return str(other.get("Name"))
    return None


def _has_content(row: Mapping[str, Any]) -> bool:
    return any(row.get(column) is not None for column in (*VALUE_COLUMNS, "parts_count"))


def _check_one(
    row: Mapping[str, Any], truth: Mapping[str, Any], tolerance: float, require_parsed: bool
) -> ContentMismatch | str | None:
    """A mismatch, "unparsed", or None when the row agrees with the truth."""
    status = row.get("parse_status", _PARSED if _has_content(row) else None)
    ident, name = guid_key(truth["id"]), str(truth.get("name", ""))
    if not truth.get("hasOwnRow", True):
        if status == _PARSED:
            taken = _taken_from(row, truth, tolerance)
            return ContentMismatch(ident, name, MismatchKind.PARSED_WITHOUT_ROW, taken_from=taken)
        return None if status == _FAILED else _unparsed(ident, name, require_parsed)
    if status == _FAILED:
        return ContentMismatch(ident, name, MismatchKind.PARSE_FAILED)
    if status != _PARSED:
        return _unparsed(ident, name, require_parsed)
    differences = _value_differences(row, truth.get("ownRow") or {}, tolerance)
    if "parts_count" in row and row["parts_count"] != truth.get("rowCount"):
        differences.append(("parts_count", truth.get("rowCount"), row["parts_count"]))
    differences += _glass_difference(row, truth)
    if not differences:
        return None
    taken = _taken_from(row, truth, tolerance)
    kind = MismatchKind.VALUES if taken is None else MismatchKind.OTHER_ROW
    return ContentMismatch(ident, name, kind, tuple(differences), taken)


def _unparsed(ident: str, name: str, require_parsed: bool) -> ContentMismatch | str:
    return ContentMismatch(ident, name, MismatchKind.UNPARSED) if require_parsed else "unparsed"


def compare_content(
    observed: Iterable[Mapping[str, Any]],
    truth: Iterable[Mapping[str, Any]],
    *,
    float_tolerance: float = 1e-6,
    require_parsed: bool = False,
) -> ContentReport:
    """Compare every elevation of the truth with its observed row (columns: see the module docstring)."""
    rows = {guid_key(row["logikal_id"]): row for row in observed}
    report = ContentReport()
    known: set[str] = set()
    for item in truth:
        ident = guid_key(item["id"])
        known.add(ident)
        row = rows.get(ident)
        if row is None:
            report.missing.append(ident)
            continue
        expected_sha, observed_sha = item.get("partsListSha256"), row.get("parts_sha256")
        if expected_sha and observed_sha and str(expected_sha).lower() != str(observed_sha).lower():
            report.stale.append(ident)
            continue
        report.checked += 1
        outcome = _check_one(row, item, float_tolerance, require_parsed)
        if isinstance(outcome, ContentMismatch):
            report.mismatches.append(outcome)
        elif outcome == "unparsed":
            report.unparsed.append(ident)
    report.extra = sorted(set(rows) - known)
    return report
