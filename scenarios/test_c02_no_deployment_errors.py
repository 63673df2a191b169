"""C02 — "✅ No deployment errors": no ERROR record and no Traceback in any process's start-up log."""

from __future__ import annotations

import pytest

from harness.observe.evidence import Evidence
from harness.runtime.polling import wait_for
from harness.scenario.views import error_lines, find_lines
from harness.stack import Stack

pytestmark = [pytest.mark.scenario, pytest.mark.criterion("C02")]

# Start-up is over when the worker says it is ready and beat has started (single: both in the app's log).
_STARTED = ("re:\\S+@\\S+ ready\\.", "beat: Starting")


def _startup_log(stack: Stack) -> dict[str, str]:
    """Each middleware log cut at the last start-up milestone it contains."""
    logs = stack.middleware_logs()
    cut = {}
    for name, text in logs.items():
        lines = text.splitlines()
        last = max(
            (i for i, line in enumerate(lines) for m in _STARTED if find_lines(line, m, stack.observer)),
            default=len(lines),
        )
        cut[name] = "\n".join(lines[: last + 1])
    return cut


def test_startup_logs_have_no_error_and_no_traceback(shared_stack: Stack, evidence: Evidence) -> None:
    stack = shared_stack
    wait_for(
        lambda: all(
            any(find_lines(t, m, stack.observer) for t in stack.middleware_logs().values()) for m in _STARTED
        ),
        timeout=60,
        description="worker ready and beat started",
    )
    startup = _startup_log(stack)
    found = {name: error_lines(text) for name, text in startup.items()}
    for name, text in startup.items():
        evidence.figure(f"{name}: start-up log lines", len(text.splitlines()))
        evidence.figure(f"{name}: ERROR/Traceback lines", len(found[name]), bound="0", ok=not found[name])
        for line in found[name][:5]:
            evidence.log_line(name, line)
    assert not any(found.values()), f"errors in start-up logs: {found}"
