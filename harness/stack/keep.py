"""Holding Stacks open after a scenario (``reproduce --keep``): say where everything is, wait for release."""

from __future__ import annotations

import json
import os
import re
import shlex
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from harness.stack.stack import Stack

__all__ = ["KEEP_FILE_ENV", "hold_stacks", "psql_command", "stack_directions", "stop_file"]

KEEP_FILE_ENV = "HARNESS_KEEP_FILE"


def psql_command(database_url: str) -> str:
    """A ``psql`` command line for a SQLAlchemy-style URL (``postgresql+psycopg://`` → ``postgresql://``)."""
    return "psql " + shlex.quote(re.sub(r"^postgresql\+\w+://", "postgresql://", database_url))


def stack_directions(stack: Stack) -> dict[str, Any]:
    """URLs, credentials, log paths and commands of a running Stack, for a person to poke at it."""
    described = stack.describe()
    return {
        **described,
        "psql": psql_command(stack.database_url),
        "log_files": {name: str(process.log_path) for name, process in stack.processes.items()},
        "fake_calls": f"curl -s {stack.fake_url}/_fake/calls/summary",
        "fake_sessions": f"curl -s {stack.fake_url}/_fake/sessions",
    }


def stop_file(keep_file: Path) -> Path:
    return keep_file.with_name(keep_file.name + ".stop")


def hold_stacks(stacks: Sequence[Stack], keep_file: Path, result: dict[str, Any]) -> None:
    """Write ``result`` and the Stacks' directions to ``keep_file``, then wait until its ``.stop`` file exists
    (written by ``reproduce --keep`` when the developer presses Ctrl-C)."""
    payload = {**result, "stacks": [stack_directions(s) for s in stacks if s.ready_at]}
    partial = keep_file.with_name(keep_file.name + ".part")
    partial.write_text(json.dumps(payload, indent=2, default=str), encoding="utf-8")
    partial.replace(keep_file)  # the reader never sees half a file
    released, parent = threading.Event(), os.getppid()
    while not stop_file(keep_file).exists() and os.getppid() == parent:
        released.wait(0.5)  # a person decides when (no deadline); an orphan does not wait for nobody
