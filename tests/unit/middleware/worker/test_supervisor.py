"""The supervisor: starts children, restarts crashed ones with growing backoff, stops whole process groups."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil

from harness.runtime.polling import wait_for
from middleware.supervisor import ChildSpec, Supervisor

PY = sys.executable


@contextmanager
def running(supervisor: Supervisor) -> Iterator[Supervisor]:
    supervisor.start_all()
    thread = threading.Thread(target=supervisor.run, daemon=True)
    thread.start()
    try:
        yield supervisor
    finally:
        supervisor.request_stop()
        thread.join(timeout=30)
        assert not thread.is_alive()


def test_restarts_a_crashed_child_with_exponential_backoff(
    log_events: Callable[[], list[dict[str, Any]]],
) -> None:
    crash = ChildSpec("crashing", [PY, "-c", "raise SystemExit(3)"])
    supervisor = Supervisor([crash], backoff_initial=0.1, backoff_max=0.4, stable_after=60)
    with running(supervisor) as sup:
        wait_for(lambda: len(sup._children[0].history) >= 4, timeout=20, description="three restarts")
    events = log_events()
    restarts = [e for e in events if e.get("event_name") == "supervisor.child_restarting"]
    assert [e["restart_in_seconds"] for e in restarts[:3]] == [0.1, 0.2, 0.4]
    assert all(e["exit_code"] == 3 and e["child"] == "crashing" for e in restarts)
    assert "exited with code 3; restarting in 0.1 s" in restarts[0]["event"]
    assert any(str(e["event"]).startswith("Started crashing process (PID: ") for e in events)


def test_a_killed_child_is_restarted_under_a_new_pid() -> None:
    sleeper = ChildSpec("sleeper", [PY, "-c", "import time; time.sleep(120)"])
    supervisor = Supervisor([sleeper], backoff_initial=0.05)
    with running(supervisor) as sup:
        first = sup.pids()["sleeper"]
        assert first is not None
        psutil.Process(first).kill()
        second = wait_for(
            lambda: (pid := sup.pids()["sleeper"]) != first and pid, timeout=20, description="new PID"
        )
        assert psutil.Process(second).is_running()


def test_stop_ends_children_and_everything_they_started() -> None:
    code = "import subprocess, time; subprocess.Popen(['sleep', '120']); time.sleep(120)"
    supervisor = Supervisor([ChildSpec("parent", [PY, "-c", code])], stop_timeout=5)
    with running(supervisor) as sup:
        pid = sup.pids()["parent"]
        assert pid is not None
        grandchildren = wait_for(lambda: psutil.Process(pid).children(), timeout=20, description="grandchild")
    wait_for(lambda: not any(_alive(p) for p in grandchildren), timeout=10, description="grandchild gone")
    assert not psutil.pid_exists(pid)


def _alive(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_a_child_that_ignores_sigterm_is_killed_after_the_stop_timeout(tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    code = (
        "import pathlib, signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "pathlib.Path(sys.argv[1]).touch(); time.sleep(120)"
    )
    supervisor = Supervisor([ChildSpec("stubborn", [PY, "-c", code, str(ready)])], stop_timeout=0.5)
    supervisor.start_all()
    pid = supervisor.pids()["stubborn"]
    assert pid is not None
    wait_for(ready.exists, timeout=10, description="SIGTERM ignored")
    supervisor.stop_all()
    assert not psutil.pid_exists(pid)
