"""Process identities ("host/pid/start time") that outlive the process, and whether one is still alive."""

from __future__ import annotations

import os
import socket
from functools import cache

import psutil

__all__ = ["is_owner_alive", "process_owner"]

START_TOLERANCE_SECONDS = 1.0  # create_time is derived from clock ticks; a reused pid starts much later


@cache
def _owner_of(pid: int) -> str:
    started = psutil.Process(pid).create_time()
    return f"{socket.gethostname()}/{pid}/{started:.2f}"


def process_owner() -> str:
    """This process, as written on the rows it owns (cached per pid: a forked child gets its own)."""
    return _owner_of(os.getpid())


def is_owner_alive(owner: str) -> bool:
    """False only when we can tell: same host, and the pid is gone or now belongs to another process.

    An owner on another host counts as alive; its rows are closed by a reaper on that host (or when the
    scheduler's claim window lapses)."""
    host, _, rest = owner.partition("/")
    pid_text, _, started_text = rest.partition("/")
    if host != socket.gethostname():
        return True
    try:
        pid, started = int(pid_text), float(started_text)
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return False
        return abs(process.create_time() - started) < START_TOLERANCE_SECONDS
    except ValueError:
        return True  # not written by process_owner(): leave it alone
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return False
    except psutil.Error:
        return True
