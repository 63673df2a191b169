"""Topologies: which middleware processes a Stack runs (checklist Option 1 single, Option 2 multi)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["ProcessPlan", "Topology", "plan_for"]


class Topology(StrEnum):
    SINGLE = "single"  # Option 1: `start` migrates and supervises worker + beat next to the web server
    MULTI = "multi"  # Option 2: web (sync disabled), worker and beat as separate processes


@dataclass(frozen=True)
class ProcessPlan:
    """One process of a topology: its name in the Stack, its SUT role and how it takes part."""

    name: str
    role: str
    serves_http: bool = False
    background_sync: bool | None = None  # None: the Stack's setting; True/False: forced (Option 2 web)


_PLANS: dict[Topology, tuple[ProcessPlan, ...]] = {
    Topology.SINGLE: (ProcessPlan("app", "start", serves_http=True),),
    Topology.MULTI: (
        ProcessPlan("worker", "worker"),
        ProcessPlan("beat", "beat"),
        ProcessPlan("web", "web", serves_http=True, background_sync=False),
    ),
}


def plan_for(topology: Topology | str) -> tuple[ProcessPlan, ...]:
    """The long-running processes of ``topology``, in start order (multi runs ``migrate`` before them)."""
    return _PLANS[Topology(topology)]
