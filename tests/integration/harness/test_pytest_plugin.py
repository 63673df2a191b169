"""The pytest plugin in a child pytest session: fixtures work, and nothing outlives the session."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from harness.runtime.polling import wait_for

pytestmark = pytest.mark.integration

INNER_TEST = """
import json, os, pathlib, time

import psutil

from harness.runtime.services import ServiceKind


def test_records_its_servers(service_provider, redis_url, clean_database_url):
    pids = []
    for kind in ServiceKind:
        leader = psutil.Process(service_provider.process(kind).pid)
        pids += [leader.pid, *(child.pid for child in leader.children(recursive=True))]
    record = {"pids": pids, "dir": str(service_provider.base_dir)}
    pathlib.Path(os.environ["HARNESS_TEST_RECORD"]).write_text(json.dumps(record))
    if os.environ["HARNESS_TEST_ENDING"] == "fail":
        raise AssertionError("failing on purpose")
    time.sleep(120)  # the outer test interrupts this session with SIGINT (Ctrl-C) or SIGTERM
"""


def _inner_session(tmp_path: Path, ending: str, path: str | None = None) -> subprocess.Popen[str]:
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (tmp_path / "test_inner.py").write_text(INNER_TEST, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HARNESS_", "PYTEST_"))}
    env.update(HARNESS_TEST_RECORD=str(tmp_path / "record.json"), HARNESS_TEST_ENDING=ending)
    if path is not None:
        env["PATH"] = path
        env["DOCKER_HOST"] = "unix:///nonexistent/docker.sock"  # no engine answers there
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:randomly",
        "-p",
        "no:cacheprovider",
        "-c",
        str(tmp_path / "pytest.ini"),
        "--rootdir",
        str(tmp_path),
        str(tmp_path / "test_inner.py"),
    ]
    return subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _read_record(tmp_path: Path) -> dict[str, object]:
    record = tmp_path / "record.json"
    wait_for(record.exists, timeout=60, description="the inner test to record its servers")
    loaded = wait_for(lambda: json.loads(record.read_text() or "null"), timeout=5, ignore=(ValueError,))
    assert isinstance(loaded, dict)
    return loaded


def _assert_nothing_left(record: dict[str, object]) -> None:
    pids = record["pids"]
    assert isinstance(pids, list)
    assert len(pids) >= 2
    assert [pid for pid in pids if _alive(pid)] == []
    assert not Path(str(record["dir"])).exists()


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_failing_test_leaves_no_server_and_no_directory(tmp_path: Path) -> None:
    with _inner_session(tmp_path, "fail") as inner:
        output, _ = inner.communicate(timeout=120)
    assert inner.returncode == 1, output
    assert "failing on purpose" in output
    _assert_nothing_left(_read_record(tmp_path))


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_session_leaves_no_server_and_no_directory(tmp_path: Path, sig: signal.Signals) -> None:
    with _inner_session(tmp_path, "hang") as inner:
        try:
            record = _read_record(tmp_path)
            inner.send_signal(sig)
            output, _ = inner.communicate(timeout=60)
        finally:
            if inner.poll() is None:
                inner.kill()
                inner.communicate()
    assert inner.returncode == 2, output  # pytest's "interrupted"
    _assert_nothing_left(record)


def test_missing_services_fail_the_test_with_one_readable_line(tmp_path: Path) -> None:
    with _inner_session(tmp_path, "fail", path="") as inner:
        output, _ = inner.communicate(timeout=120)
    assert inner.returncode == 1, output
    error_lines = [line for line in output.splitlines() if "services unavailable" in line]
    assert error_lines, output
    assert "HARNESS_REDIS_URL" in error_lines[0]
    assert "Traceback" not in output
    assert not (tmp_path / "record.json").exists()
