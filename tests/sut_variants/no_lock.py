"""Variant: the per-project lock does nothing (upstream-facts §7.16), two worker slots: C15 must fail."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from middleware import cli
from middleware.locks import ProjectLock


@contextmanager
def hold_nothing(self: ProjectLock, key: str, wait_seconds: float = 0) -> Iterator[None]:
    yield


ProjectLock.hold = hold_nothing  # type: ignore[method-assign,assignment]
ProjectLock.is_locked = lambda self, key: False  # type: ignore[method-assign]

if __name__ == "__main__":
    sys.exit(cli.main(sys.argv[1:]))
