"""StackConfig: everything one Stack run can vary (topology, SUT profile, services, time warp, fake)."""

from __future__ import annotations

import os
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path

from harness.errors import HarnessError
from harness.stack.profile import SutProfile
from harness.stack.topology import Topology
from harness.stack.warp import WarpMode

__all__ = ["LANE_ENV", "StackConfig", "acquire_redis_db", "lane_of_env", "release_redis_db"]

# "i/n": this process is lane i of n parallel verify lanes (harness.commands.lanes). Stacks of every lane
# may share one Redis server (given services): each lane then draws its database numbers from its own share.
LANE_ENV = "HARNESS_LANE"
_REDIS_DATABASES = range(1, 16)  # Redis's default 16 databases; 0 is left to whoever else uses the server
_redis_db_lock = threading.Lock()
_redis_db_held: set[int] = set()
_redis_db_used: dict[int, int] = {}  # number -> when it was last handed out (least recently used goes next)


def lane_of_env(value: str | None) -> tuple[int, int]:
    """``HARNESS_LANE`` ("i/n") as (i, n); (0, 1) when unset or malformed."""
    index, _, count = (value or "").partition("/")
    if index.isdigit() and count.isdigit() and 0 <= int(index) < int(count):
        return int(index), int(count)
    return 0, 1


def acquire_redis_db() -> int:
    """A Redis database number no running Stack of this process holds, from this lane's share.

    Stacks sharing one Redis get their own number so queues never mix (a Stack flushes its database when it
    starts); release it with ``release_redis_db`` when the Stack closes."""
    index, count = lane_of_env(os.environ.get(LANE_ENV))
    with _redis_db_lock:
        share = [n for n in _REDIS_DATABASES if (n - 1) % count == index]
        free = [n for n in share if n not in _redis_db_held]
        if not free:
            raise HarnessError(
                f"more than {len(share)} Stacks at once share one Redis in this process ({LANE_ENV}={index}/"
                f"{count}); close some or give each its own Redis"
            )
        number = min(free, key=lambda n: _redis_db_used.get(n, -1))
        _redis_db_held.add(number)
        _redis_db_used[number] = max(_redis_db_used.values(), default=0) + 1
        return number


def release_redis_db(number: int) -> None:
    with _redis_db_lock:
        _redis_db_held.discard(number)


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
