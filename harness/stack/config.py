"""StackConfig: everything one Stack run can vary (topology, SUT profile, services, time warp, fake)."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path

from harness.stack.profile import SutProfile
from harness.stack.topology import Topology
from harness.stack.warp import WarpMode

__all__ = ["StackConfig", "next_redis_db"]

_redis_db_lock = threading.Lock()
_redis_db_next = [1]


def next_redis_db() -> int:
    # Stacks sharing one Redis get their own database number so queues never mix.
    with _redis_db_lock:
        number = _redis_db_next[0]
        _redis_db_next[0] = number % 15 + 1
        return number


@dataclass
class StackConfig:
    """Everything a Stack run can vary; time values of the middleware are virtual seconds."""

    topology: Topology = Topology.SINGLE
    profile: SutProfile | None = None
    services: str | None = None
    background_sync: bool = True
    sync_interval_seconds: float = 60.0
    clock_speed: float = 1.0
    warp: WarpMode | None = None  # None: external unless the SUT profile honours CLOCK_SPEED
    fake_seed: int = 1
    fake_size: str = "small"
    fake_latency: str = "none"
    fake_args: tuple[str, ...] = ()
    fake_time_scale: float | None = None  # the fake's latency scale in real time (as with CLOCK_SPEED)
    settings: dict[str, str] = field(default_factory=dict)
    extra_env: dict[str, str] = field(default_factory=dict)
    run_dir: Path | None = None
    memory_interval: float = 0.5
    ready_timeout: float = 90.0
    logikal_username: str = "harness"
    logikal_password: str = field(default_factory=lambda: secrets.token_urlsafe(12))
