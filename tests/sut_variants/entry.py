"""The entry point every patching variant ends with: its children run through the same variant module."""

from __future__ import annotations

import sys
from typing import NoReturn

from middleware import cli


def run_variant(module: str) -> NoReturn:
    """Run the CLI; `start` spawns migrate, worker and beat through ``module``, so they carry its patch."""
    cli._child = lambda command: [sys.executable, "-m", module, command, "--supervised"]
    sys.exit(cli.main(sys.argv[1:]))
