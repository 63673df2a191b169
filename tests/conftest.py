"""Fixtures shared by every test layer."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from middleware.logs import configure_logging


@pytest.fixture
def log_events(caplog: pytest.LogCaptureFixture) -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """Route logging through the middleware's configuration; call the result to read the event dicts."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    configure_logging(level="INFO", json_format=True, process="test")
    caplog.set_level(logging.INFO)

    def read() -> list[dict[str, Any]]:
        return [r.msg for r in caplog.records if isinstance(r.msg, dict)]

    try:
        yield read
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
