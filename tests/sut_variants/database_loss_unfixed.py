"""Variant: no redelivery when PostgreSQL goes away mid-run (issue 10): the run's row cannot be closed, the
task fails, its chain stops, and the rows it leaves started/queued claim their types for hours. The
PostgreSQL-crash chaos criterion (C30) must fail."""

from __future__ import annotations

import sys
from typing import Any

from middleware import cli
from middleware.worker import tasks


def give_up_at_once(task: Any, exc: Exception, log: Any) -> None:
    return None  # the caller records the failure, which needs the database that is gone


def child_of_this_variant(command: str) -> list[str]:
    """`start` spawns worker and beat through this module too, so they carry the same patches."""
    return [sys.executable, "-m", "tests.sut_variants.database_loss_unfixed", command, "--supervised"]


tasks._retry_while_database_unavailable = give_up_at_once
cli._child = child_of_this_variant

if __name__ == "__main__":
    sys.exit(cli.main(sys.argv[1:]))
