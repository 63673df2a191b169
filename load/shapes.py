"""Load shapes as data: step ramp, spike and soak become a list of stages that a LoadTestShape walks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from load.errors import ProfileError

__all__ = ["SHAPE_KINDS", "Stage", "build_stages", "stage_at", "total_seconds"]

SHAPE_KINDS = ("step", "spike", "soak")


@dataclass(frozen=True)
class Stage:
    """Hold ``users`` for ``seconds``, reaching them at ``spawn_rate`` users per second."""

    users: int
    seconds: float
    spawn_rate: float
    label: str = ""


def _number(spec: Mapping[str, Any], key: str, default: float | None = None) -> float:
    value = spec.get(key, default)
    if not isinstance(value, int | float) or value < 0:
        raise ProfileError(f"shape: {key!r} must be a non-negative number, got {value!r}")
    return float(value)


def _step(spec: Mapping[str, Any], users: int | None) -> list[Stage]:
    start = int(_number(spec, "start_users", 1))
    step = max(1, int(_number(spec, "step_users", 1)))
    top = users if users is not None else int(_number(spec, "max_users"))
    seconds = _number(spec, "step_seconds", 30)
    rate = _number(spec, "spawn_rate", step)
    counts = list(range(max(1, start), top + 1, step)) or [top]
    if counts[-1] != top:
        counts.append(top)
    return [Stage(n, seconds, rate, f"step {i + 1}") for i, n in enumerate(counts)]


def _spike(spec: Mapping[str, Any], users: int | None) -> list[Stage]:
    base = int(_number(spec, "base_users", 1))
    peak = users if users is not None else int(_number(spec, "spike_users"))
    rate = _number(spec, "spawn_rate", max(1, peak))
    return [
        Stage(base, _number(spec, "base_seconds", 30), rate, "base"),
        Stage(peak, _number(spec, "spike_seconds", 30), rate, "spike"),
        Stage(base, _number(spec, "recover_seconds", 30), rate, "recovery"),
    ]


def _soak(spec: Mapping[str, Any], users: int | None) -> list[Stage]:
    count = users if users is not None else int(_number(spec, "users"))
    rate = _number(spec, "spawn_rate", max(1, count))
    return [Stage(count, _number(spec, "hold_seconds", 600), rate, "soak")]


def build_stages(
    spec: Mapping[str, Any], *, users: int | None = None, duration: float | None = None
) -> list[Stage]:
    """The stages of a ``[shape]`` table; ``users`` overrides the peak, ``duration`` rescales every stage."""
    kind = spec.get("kind", "step")
    builders = {"step": _step, "spike": _spike, "soak": _soak}
    if kind not in builders:
        raise ProfileError(f"shape: kind {kind!r} is not one of {', '.join(SHAPE_KINDS)}")
    stages = builders[kind](spec, users)
    if duration is not None:
        factor = duration / max(total_seconds(stages), 1e-9)
        stages = [replace(stage, seconds=stage.seconds * factor) for stage in stages]
    return stages


def total_seconds(stages: Sequence[Stage]) -> float:
    return sum(stage.seconds for stage in stages)


def stage_at(stages: Sequence[Stage], run_time: float) -> tuple[int, Stage] | None:
    """The stage (index, stage) running ``run_time`` seconds into the test; None once all are done."""
    elapsed = 0.0
    for index, stage in enumerate(stages):
        elapsed += stage.seconds
        if run_time < elapsed:
            return index, stage
    return None
