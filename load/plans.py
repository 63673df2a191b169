"""Instance plans to emulate: memory and vCPU of the hosting provider's published App Platform sizes."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PLANS", "InstancePlan", "plan_named"]

_MB = 1024 * 1024


@dataclass(frozen=True)
class InstancePlan:
    """One instance size: what the SUT's process tree may use (``memory_bytes`` 0 = no limit)."""

    name: str
    memory_bytes: int
    vcpu: float
    monthly_usd: float = 0.0

    @property
    def is_limited(self) -> bool:
        return self.memory_bytes > 0

    @property
    def memory_mb(self) -> float:
        return self.memory_bytes / _MB

    def describe(self) -> str:
        if not self.is_limited:
            return "none (no limits)"
        return f"{self.name} ({self.memory_mb:.0f} MB, {self.vcpu:g} vCPU, ${self.monthly_usd:g}/month)"


# The checklist names basic-xxs (512 MB, 1 vCPU, $5) and basic-xs (1 GB, 1 vCPU, $12); basic-s and basic-m
# are the next published App Platform sizes.
PLANS: dict[str, InstancePlan] = {
    plan.name: plan
    for plan in (
        InstancePlan("basic-xxs", 512 * _MB, 1.0, 5),
        InstancePlan("basic-xs", 1024 * _MB, 1.0, 12),
        InstancePlan("basic-s", 2048 * _MB, 1.0, 25),
        InstancePlan("basic-m", 4096 * _MB, 2.0, 50),
        InstancePlan("none", 0, 0.0),
    )
}


def plan_named(name: str) -> InstancePlan:
    try:
        return PLANS[name]
    except KeyError:
        raise ValueError(f"unknown instance plan {name!r}; known: {', '.join(PLANS)}") from None
