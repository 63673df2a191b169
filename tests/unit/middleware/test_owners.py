"""Process identities: this process is alive, a finished one is dead, a reused pid is not its old owner."""

from __future__ import annotations

import socket
import subprocess
import sys

import psutil

from middleware.owners import is_owner_alive, process_owner


def test_this_process_is_alive() -> None:
    owner = process_owner()
    assert owner.startswith(f"{socket.gethostname()}/")
    assert is_owner_alive(owner)


def test_a_finished_process_is_dead() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    started = psutil.Process(child.pid).create_time()
    child.wait()
    assert not is_owner_alive(f"{socket.gethostname()}/{child.pid}/{started:.2f}")


def test_a_live_pid_with_another_start_time_is_a_reused_pid() -> None:
    me = psutil.Process()
    assert not is_owner_alive(f"{socket.gethostname()}/{me.pid}/{me.create_time() - 3600:.2f}")


def test_owners_on_other_hosts_or_unparsable_ones_count_as_alive() -> None:
    assert is_owner_alive("some-other-host/1/0.00")
    assert is_owner_alive(f"{socket.gethostname()}/not-a-pid/x")
