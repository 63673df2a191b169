"""What decides a Stack run: its inputs as evidence records them, and the StackConfig they pin on a re-run.

A record is ``{"role", "index", "inputs", "tape"}``: ``inputs`` holds the SUT profile (spec, file, sha256),
topology, the fake's seed/size/latency/time scale/arguments, the clock's anchor, speed and warp mode, the sync
interval, settings and background sync. Secrets (passwords, keys) are never recorded. The clock anchor is
recorded but not pinned: tape times are relative to readiness, so a re-run starts its own timeline.
"""

from __future__ import annotations

import hashlib
import re
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.stack.profile import SutProfile
from harness.stack.topology import Topology
from harness.stack.warp import WarpMode

if TYPE_CHECKING:
    from harness.stack.stack import Stack

__all__ = ["PINNED", "pinned_overrides", "profile_record", "recorded_inputs", "stack_record"]

# Inputs a re-run pins (StackConfig field names); everything else in a record is for people to read.
PINNED = (
    "fake_seed", "fake_size", "fake_latency", "fake_args", "fake_time_scale", "clock_speed", "warp",
    "sync_interval_seconds", "settings", "background_sync",
)  # fmt: skip
_SECRET = re.compile(r"PASSWORD|SECRET|TOKEN|KEY", re.IGNORECASE)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def profile_record(profile: SutProfile) -> dict[str, Any]:
    """The profile's name, the spec that loads it again (file path or built-in name) and its file's sha256."""
    if profile.source is not None:
        path = Path(profile.source).resolve()
        digest = _sha256(path.read_bytes()) if path.is_file() else ""
        return {"name": profile.name, "spec": str(path), "file": str(path), "sha256": digest}
    resource = resources.files("harness.profiles").joinpath(f"{profile.name}.toml")
    digest = _sha256(resource.read_bytes()) if resource.is_file() else ""
    return {"name": profile.name, "spec": profile.name, "file": f"builtin:{profile.name}", "sha256": digest}


def _public(values: dict[str, str]) -> dict[str, str]:
    return {k: ("<redacted>" if _SECRET.search(k) else v) for k, v in values.items()}


def recorded_inputs(stack: Stack) -> dict[str, Any]:
    """Everything of ``stack`` that decides its run (JSON-able)."""
    config = stack.config
    return {
        "profile": profile_record(stack.profile),
        "topology": stack.topology.value,
        "fake_seed": config.fake_seed,
        "fake_size": config.fake_size,
        "fake_latency": config.fake_latency,
        "fake_time_scale": config.fake_time_scale,
        "fake_args": list(config.fake_args),
        "clock_anchor": stack.clock.anchor,
        "clock_speed": stack.clock.speed,
        "warp": stack.warp.value,
        "sync_interval_seconds": config.sync_interval_seconds,
        "settings": _public(dict(config.settings)),
        "extra_env": _public(dict(config.extra_env)),
        "background_sync": config.background_sync,
        "services": stack.provider.mode if stack.ready_at else config.services,
        "ready_after_seconds": round(stack.ready_at - stack.started_at, 3) if stack.ready_at else None,
    }


def stack_record(stack: Stack, role: str, index: int = 0) -> dict[str, Any]:
    """One Stack as evidence keeps it: who made it, its inputs and its tape so far."""
    return {"role": role, "index": index, "inputs": recorded_inputs(stack), "tape": stack.tape.to_json()}


def pinned_overrides(inputs: dict[str, Any], *, speed: float | None = None) -> dict[str, Any]:
    """StackConfig keyword arguments that rebuild the recorded run (``speed`` replaces its clock speed)."""
    overrides: dict[str, Any] = {name: inputs[name] for name in PINNED if name in inputs}
    if "fake_args" in overrides:
        overrides["fake_args"] = tuple(overrides["fake_args"])
    if "warp" in overrides:
        overrides["warp"] = WarpMode(overrides["warp"])
    if "topology" in inputs:
        overrides["topology"] = Topology(inputs["topology"])
    if any(v == "<redacted>" for v in overrides.get("settings", {}).values()):
        overrides["settings"] = {k: v for k, v in overrides["settings"].items() if v != "<redacted>"}
    if speed is not None:
        overrides["clock_speed"] = speed
    return overrides
