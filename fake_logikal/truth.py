"""The truth dumps of the control plane: the whole tree (`/_fake/state`), parts-list content, the traps."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal

from .names import ZERO_GUID

if TYPE_CHECKING:
    from .dataset import Dataset

__all__ = ["PartsDigestMode", "content_of", "elevation_content", "state_of", "traps_of"]

PartsDigestMode = Literal["all", "cached", "none"]


def _digest(dataset: Dataset, elevation_id: str, parts: PartsDigestMode) -> tuple[str | None, int | None]:
    digest = None if parts == "none" else dataset.parts_list_digest(elevation_id, compute=parts == "all")
    return digest if digest else (None, None)


def state_of(dataset: Dataset, parts: PartsDigestMode = "all") -> dict[str, Any]:
    """Every object, as the API renders it plus its parent links (`GET /_fake/state`)."""
    elevations = []
    for elevation in dataset.elevations.values():
        item = elevation.to_state()
        item["partsListSha256"], item["partsListSize"] = _digest(dataset, elevation.id, parts)
        elevations.append(item)
    return {
        "seed": dataset.seed,
        "size": dataset.size,
        "version": dataset.version,
        "counts": {
            "directories": len(dataset.directories),
            "projects": len(dataset.projects),
            "phases": sum(len(p) for p in dataset.phases.values()),
            "elevations": len(dataset.elevations),
        },
        "traps": traps_of(dataset),
        "directories": [d.to_state() for d in dataset.directories.values()],
        "projects": [p.to_state() for p in dataset.projects.values()],
        "phases": [p.to_state() for phases in dataset.phases.values() for p in phases],
        "elevations": elevations,
    }


def elevation_content(dataset: Dataset, elevation_id: str, parts: PartsDigestMode = "none") -> dict[str, Any]:
    """What a correct parser reads from one elevation's parts list (see README, "Content truth")."""
    elevation = dataset.elevations[elevation_id]
    sha256, size = _digest(dataset, elevation_id, parts)
    return {
        "id": elevation.id,
        "name": elevation.name,
        "projectId": elevation.project_id,
        "phaseId": elevation.phase_id,
        "revision": elevation.revision,
        "changedDate": elevation.changed_date,
        "isInRecycleBin": elevation.is_in_recycle_bin,
        "partsListSha256": sha256,
        "partsListSize": size,
        **dataset.content(elevation_id).to_truth(),
    }


def content_of(
    dataset: Dataset, ids: Iterable[str] | None = None, parts: PartsDigestMode = "none"
) -> dict[str, Any]:
    """Content truth of the given elevations (all when `ids` is None); unknown ids raise KeyError."""
    wanted = list(dataset.elevations) if ids is None else list(ids)
    return {
        "seed": dataset.seed,
        "version": dataset.version,
        "traps": traps_of(dataset),
        "elevations": [elevation_content(dataset, elevation_id, parts) for elevation_id in wanted],
    }


def traps_of(dataset: Dataset) -> dict[str, Any]:
    """Where the dataset's parser and identity traps are, so scenarios can aim at them."""
    prefix = [e for e in dataset.elevations.values() if e.extra_rows and not e.omits_own_row]
    shared_phase: dict[tuple[str, str], list[str]] = {}
    for elevation in dataset.elevations.values():
        if elevation.name == "P1" or (elevation.name.startswith("P1") and elevation.name[2:].isdigit()):
            shared_phase.setdefault((elevation.project_id, elevation.phase_id), []).append(elevation.name)
    zero_guid_projects = sorted(
        {e.project_id for e in dataset.elevations.values() if e.phase_id == ZERO_GUID}
    )
    return {
        "prefixRowElevations": [e.id for e in prefix],
        "prefixNamePhases": [
            {"projectId": project_id, "phaseId": phase_id, "names": sorted(names)}
            for (project_id, phase_id), names in shared_phase.items()
            if "P1" in names and len(names) > 1
        ],
        "missingRowElevations": [e.id for e in dataset.elevations.values() if e.omits_own_row],
        "zeroGuidPhaseProjects": zero_guid_projects,
    }
