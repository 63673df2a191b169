"""Process identities: this process is alive, a finished one is dead, a reused pid is not its old owner, and
a wall-clock adjustment never makes a live process look dead."""

from __future__ import annotations

import socket
import subprocess
import sys

import psutil
import pytest

from middleware import owners
from middleware.owners import is_owner_alive, process_owner


def test_this_process_is_alive() -> None:
    owner = process_owner()
    assert owner.startswith(f"{socket.gethostname()}/")
    assert owner.split("/")[2].startswith("+"), "the start is counted from boot"
    assert is_owner_alive(owner)


def test_a_finished_process_is_dead() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.2)"])
    owner = owners._owner_of(child.pid)
    assert is_owner_alive(owner)
    child.wait()
    assert not is_owner_alive(owner)


def test_a_live_pid_with_another_start_time_is_a_reused_pid() -> None:
    me = psutil.Process()
    started = float(process_owner().split("/")[2].removeprefix("+"))
    assert not is_owner_alive(f"{socket.gethostname()}/{me.pid}/+{started - 3600:.2f}")
    assert not is_owner_alive(f"{socket.gethostname()}/{me.pid}/{me.create_time() - 3600:.2f}")


def test_a_wall_clock_adjustment_leaves_a_live_owner_alive(monkeypatch: pytest.MonkeyPatch) -> None:
    # psutil's create_time adds the start ticks to /proc/stat's btime, whole seconds recomputed from the
    # adjusted wall clock: the same process reads one second later after a small clock step.
    owner = process_owner()
    legacy = f"{socket.gethostname()}/{psutil.Process().pid}/{psutil.Process().create_time():.2f}"
    shifted = psutil.Process.create_time
    monkeypatch.setattr(psutil.Process, "create_time", lambda self: shifted(self) + 1.0)
    assert is_owner_alive(owner)
    assert is_owner_alive(legacy)  # owners written before the boot-relative form


def test_owners_on_other_hosts_or_unparsable_ones_count_as_alive() -> None:
    assert is_owner_alive("some-other-host/1/0.00")
    assert is_owner_alive(f"{socket.gethostname()}/not-a-pid/x")
    assert is_owner_alive(f"{socket.gethostname()}/1/+x")
