"""wait_for polls until a value is truthy and fails with the last observed value."""

from __future__ import annotations

import itertools

import pytest

from harness.errors import WaitTimeoutError
from harness.runtime.polling import wait_for


def test_returns_the_first_truthy_value() -> None:
    values = iter([0, None, "", "done"])
    assert wait_for(lambda: next(values), timeout=5, interval=0) == "done"


def test_timeout_names_the_condition_and_last_value() -> None:
    pending = itertools.count(3, -0)  # a queue that never drains: always 3 left

    with pytest.raises(WaitTimeoutError, match=r"waiting for queue to drain; last observed: False"):
        wait_for(lambda: next(pending) == 0, timeout=0.05, interval=0.01, description="queue to drain")


def test_ignored_exceptions_count_as_not_yet() -> None:
    attempts = iter([ConnectionError("refused"), ConnectionError("refused"), None])

    def connect() -> str:
        error = next(attempts)
        if error is not None:
            raise error
        return "connected"

    assert wait_for(connect, timeout=5, interval=0, ignore=(ConnectionError,)) == "connected"


def test_ignored_exception_is_reported_on_timeout() -> None:
    def refuse() -> bool:
        raise ConnectionError("connection refused")

    with pytest.raises(WaitTimeoutError, match="ConnectionError: connection refused"):
        wait_for(refuse, timeout=0.05, interval=0.01, ignore=(ConnectionError,))


def test_other_exceptions_propagate() -> None:
    def broken() -> bool:
        raise ValueError("bug")

    with pytest.raises(ValueError, match="bug"):
        wait_for(broken, timeout=5)
