"""Logging: secrets never reach a log line, whatever the route."""

from __future__ import annotations

import json
import logging

import pytest

from middleware.logs import SecretScrubber, configure_logging, get_logger


def test_scrubber_replaces_every_secret_occurrence() -> None:
    scrubber = SecretScrubber(["hunter22", "", "ab"])
    assert scrubber.scrub("pw=hunter22 again hunter22") == "pw=*** again ***"
    assert scrubber.scrub("ab stays: too short to be a secret") == "ab stays: too short to be a secret"


def test_structlog_and_stdlib_lines_are_scrubbed(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging(level="INFO", json_format=True, process="test", secrets=["s3cr3t-value"])
        get_logger("t").info("sync.started", password="s3cr3t-value")
        logging.getLogger("plain").warning("login with %s", "s3cr3t-value")
        lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    assert [line["event"] for line in lines] == ["sync.started", "login with ***"]
    assert lines[0]["password"] == "***"
    assert all("s3cr3t-value" not in json.dumps(line) for line in lines)


def test_verbatim_checklist_line_survives_json_rendering(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging(process="start")
        get_logger("startup").info("Starting FastAPI application...")
        out = capsys.readouterr().out
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    assert "Starting FastAPI application..." in out
