"""ManagedProcess with small Python children: readiness, stop, kill -9, restart, tree memory."""

from __future__ import annotations

import signal
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from harness.errors import ProcessExitedError, ReadinessTimeoutError
from harness.runtime.polling import wait_for
from harness.runtime.probes import CallableProbe, HttpProbe, LogLineProbe
from harness.runtime.process import ManagedProcess
from harness.runtime.services.host import free_port

READY_THEN_IDLE = "import time; print('ready', flush=True); time.sleep(120)"
IGNORES_SIGTERM = (
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('ready', flush=True); "
    "time.sleep(120)"
)
# A parent that starts a child holding ~64 MB, reports the child's pid, and idles.
PARENT_WITH_CHILD = textwrap.dedent(
    """
    import subprocess, sys, time
    child_code = "import time; block = bytearray(64 << 20); print('child ready', flush=True); time.sleep(120)"
    child = subprocess.Popen([sys.executable, "-c", child_code])
    print(f"child pid {child.pid}", flush=True)
    time.sleep(120)
    """
)


@pytest.fixture
def processes() -> Iterator[list[ManagedProcess]]:
    started: list[ManagedProcess] = []
    yield started
    for process in started:
        process.stop(timeout=2)


def _python(
    code: str, tmp_path: Path, processes: list[ManagedProcess], name: str = "child"
) -> ManagedProcess:
    process = ManagedProcess([sys.executable, "-c", code], name=name, log_path=tmp_path / f"{name}.log")
    processes.append(process)
    process.start()
    return process


def test_ready_by_log_line_then_stopped_with_sigterm(tmp_path: Path, processes: list[ManagedProcess]) -> None:
    process = _python(READY_THEN_IDLE, tmp_path, processes)
    process.wait_ready(LogLineProbe(r"^ready$"), timeout=10)
    assert process.is_running
    assert process.stop(timeout=5) == -signal.SIGTERM
    assert not process.is_running


def test_ready_by_http(tmp_path: Path, processes: list[ManagedProcess]) -> None:
    port = free_port()
    process = ManagedProcess(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        name="http.server",
        log_path=tmp_path / "http.log",
        cwd=tmp_path,
    )
    processes.append(process)
    process.start()
    process.wait_ready(HttpProbe(f"http://127.0.0.1:{port}/"), timeout=10)
    assert HttpProbe(f"http://127.0.0.1:{port}/", expect_status=404).description.startswith("HTTP 404")


def test_ready_by_callable(tmp_path: Path, processes: list[ManagedProcess]) -> None:
    marker = tmp_path / "marker"
    process = _python(
        f"import pathlib, time; pathlib.Path({str(marker)!r}).touch(); time.sleep(120)", tmp_path, processes
    )
    process.wait_ready(CallableProbe(marker.exists, "marker file"), timeout=10)


def test_exit_before_ready_reports_code_and_log(tmp_path: Path, processes: list[ManagedProcess]) -> None:
    process = _python("print('missing setting FOO', flush=True); raise SystemExit(3)", tmp_path, processes)
    with pytest.raises(ProcessExitedError, match=r"exited with code 3") as caught:
        process.wait_ready(LogLineProbe("never"), timeout=10)
    assert "missing setting FOO" in str(caught.value)


def test_readiness_timeout_shows_last_twenty_log_lines(
    tmp_path: Path, processes: list[ManagedProcess]
) -> None:
    code = "import time\nfor i in range(30): print(f'line {i}', flush=True)\ntime.sleep(120)"
    process = _python(code, tmp_path, processes)
    wait_for(lambda: "line 29" in process.log_text(), timeout=10, description="30 log lines")
    with pytest.raises(ReadinessTimeoutError) as caught:
        process.wait_ready(LogLineProbe("never"), timeout=0.2)
    message = str(caught.value)
    assert "line 10\n" in message
    assert "line 29" in message
    assert "line 9\n" not in message


def test_stop_escalates_to_sigkill(tmp_path: Path, processes: list[ManagedProcess]) -> None:
    process = _python(IGNORES_SIGTERM, tmp_path, processes)
    process.wait_ready(LogLineProbe(r"^ready$"), timeout=10)
    assert process.stop(timeout=0.3) == -signal.SIGKILL


def test_kill_takes_the_whole_tree(tmp_path: Path, processes: list[ManagedProcess]) -> None:
    process = _python(PARENT_WITH_CHILD, tmp_path, processes)
    process.wait_ready(LogLineProbe(r"child ready"), timeout=20)
    child_pid = _child_pid(process)
    process.kill()
    assert process.returncode == -signal.SIGKILL
    wait_for(lambda: not _alive(child_pid), timeout=5, description=f"child {child_pid} to be gone")


def test_stop_takes_the_whole_tree(tmp_path: Path, processes: list[ManagedProcess]) -> None:
    process = _python(PARENT_WITH_CHILD, tmp_path, processes)
    process.wait_ready(LogLineProbe(r"child ready"), timeout=20)
    child_pid = _child_pid(process)
    process.stop(timeout=5)
    assert not _alive(child_pid)


def test_restart_gives_a_new_pid_and_waits_for_a_fresh_ready_line(
    tmp_path: Path, processes: list[ManagedProcess]
) -> None:
    process = _python(
        "import time, os; print('ready', os.getpid(), flush=True); time.sleep(120)", tmp_path, processes
    )
    process.wait_ready(LogLineProbe(r"^ready"), timeout=10)
    first_pid = process.pid
    process.kill()
    process.restart()
    assert process.is_running
    assert process.pid != first_pid
    assert f"ready {process.pid}" in process.log_text()
    assert f"ready {first_pid}" in process.log_text()


def test_memory_sums_the_process_tree(tmp_path: Path, processes: list[ManagedProcess]) -> None:
    process = _python(PARENT_WITH_CHILD, tmp_path, processes)
    process.wait_ready(LogLineProbe(r"child ready"), timeout=20)
    sample = process.memory()
    assert sample.processes == 2
    assert sample.rss > 64 * 1024 * 1024
    assert 0 < sample.pss <= sample.rss


def test_memory_of_a_stopped_process_is_zero(tmp_path: Path, processes: list[ManagedProcess]) -> None:
    process = _python(READY_THEN_IDLE, tmp_path, processes)
    process.stop(timeout=5)
    assert process.memory().processes == 0


def test_context_manager_stops_the_process(tmp_path: Path) -> None:
    command = [sys.executable, "-c", READY_THEN_IDLE]
    with ManagedProcess(command, name="ctx", log_path=tmp_path / "ctx.log") as process:
        process.wait_ready(LogLineProbe("ready"), timeout=10)
        pid = process.pid
    assert pid is not None
    assert not _alive(pid)


def test_environment_overrides_reach_the_child(tmp_path: Path, processes: list[ManagedProcess]) -> None:
    process = ManagedProcess(
        [sys.executable, "-c", "import os; print('value=' + os.environ['HARNESS_TEST_VALUE'], flush=True)"],
        name="env",
        log_path=tmp_path / "env.log",
        env={"HARNESS_TEST_VALUE": "42"},
    )
    processes.append(process)
    process.start()
    wait_for(lambda: "value=42" in process.log_text(), timeout=10, description="the child's output")


def _child_pid(process: ManagedProcess) -> int:
    line = next(line for line in process.log_text().splitlines() if line.startswith("child pid "))
    return int(line.removeprefix("child pid "))


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
