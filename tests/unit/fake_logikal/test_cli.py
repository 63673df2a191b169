"""The command line: arguments → FakeConfig, and a real process that prints its ready line."""

from __future__ import annotations

import subprocess
import sys
import time

import httpx
import pytest

from fake_logikal import API_BASE_PATH
from fake_logikal.cli import build_config, parse_args
from fake_logikal.config import PARTS_SIZES


def test_arguments_build_the_config() -> None:
    config = build_config(
        parse_args(
            [
                "--host",
                "0.0.0.0",
                "--seed",
                "3",
                "--size",
                "250",
                "--username",
                "u",
                "--password",
                "p",
                "--latency",
                "production",
                "--time-scale",
                "0.01",
                "--parts-list-kb",
                "700-1700",
                "--max-sessions",
                "4",
                "--session-idle-timeout",
                "600",
                "--directories-at-deeper-level",
                "reset",
                "--stepwise-directory-select",
                "--lenient-levels",
                "--parts-list-wal",
            ]
        )
    )
    assert (config.seed, config.size, config.username, config.password) == (3, 250, "u", "p")
    assert config.latency == "production"
    assert config.time_scale == 0.01
    assert config.parts_list_wal
    assert config.parts_list_kb == (700, 1700)
    assert config.max_sessions == 4
    assert config.session_idle_timeout_s == 600
    assert config.directories_at_deeper_level == "reset"
    assert not config.deep_directory_select
    assert not config.strict_levels
    assert config.restrict_control_to_loopback  # a non-loopback bind guards /_fake/*


def test_defaults_bind_loopback_with_admin_admin() -> None:
    config = build_config(parse_args([]))
    assert (config.username, config.password, config.size, config.latency) == (
        "admin",
        "admin",
        "small",
        "none",
    )
    assert not config.restrict_control_to_loopback
    assert config.parts_list_kb == PARTS_SIZES["default"]
    assert not config.missing_row_trap


def test_parts_size_preset_and_missing_row_trap() -> None:
    config = build_config(parse_args(["--parts-size", "production", "--missing-row-trap"]))
    assert config.parts_list_kb == PARTS_SIZES["production"] == (1024, 2355)
    assert config.parts_size == "production"
    assert config.missing_row_trap


def test_parts_size_and_parts_list_kb_exclude_each_other(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse_args(["--parts-size", "production", "--parts-list-kb", "16-32"])
    assert "not allowed with" in capsys.readouterr().err


def test_process_prints_a_ready_line_and_serves() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "fake_logikal", "--port", "0", "--seed", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("fake_logikal ready on http://127.0.0.1:"), line + process.stderr.read()
        url = line.split()[3]
        assert url.endswith(f"{API_BASE_PATH}/")
        assert "elevations=100" in line
        deadline = time.monotonic() + 10
        response = None
        while time.monotonic() < deadline:
            try:
                response = httpx.get(f"{url}version")
                break
            except httpx.TransportError:
                continue
        assert response is not None
        assert response.status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()
        if process.stderr:
            process.stderr.close()


def test_bad_size_exits_2() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "fake_logikal", "--size", "huge"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert "size" in result.stderr
