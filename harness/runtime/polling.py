"""Poll a condition with a deadline instead of sleeping; fail with the last observed value."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from harness.errors import WaitTimeoutError

__all__ = ["wait_for"]

T = TypeVar("T")


def wait_for(
    predicate: Callable[[], T],
    *,
    timeout: float,
    interval: float = 0.05,
    description: str = "condition",
    ignore: tuple[type[BaseException], ...] = (),
) -> T:
    """Call ``predicate`` until it returns a truthy value and return that value.

    Exceptions of the types in ``ignore`` count as "not yet" and are reported as the last observed value.
    Raises ``WaitTimeoutError`` naming ``description`` and the last value when ``timeout`` seconds pass.
    """
    deadline = time.monotonic() + timeout
    last: object = "<never evaluated>"
    while True:
        try:
            value = predicate()
        except ignore as exc:
            last = f"{type(exc).__name__}: {exc}"
        else:
            if value:
                return value
            last = value
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise WaitTimeoutError(
                f"timed out after {timeout:g}s waiting for {description}; last observed: {last!r}"
            )
        time.sleep(min(interval, remaining))
