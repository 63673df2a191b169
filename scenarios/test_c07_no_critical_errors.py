"""C07 — "✅ No critical errors in logs": no ERROR/CRITICAL record or Traceback in any log over the run."""

from __future__ import annotations

import pytest

from harness.observe.evidence import Evidence
from harness.runtime.polling import wait_for
from harness.scenario.views import SYNC_TYPES, error_lines, wait_first_syncs
from harness.stack import Stack

pytestmark = [pytest.mark.scenario, pytest.mark.criterion("C07")]

MIN_SIMULATED_MINUTES = 40  # longer than the shortest interval (elevations, 30 min): a second round has run


def test_no_error_or_traceback_in_any_log_over_the_run(shared_stack: Stack, evidence: Evidence) -> None:
    stack = shared_stack
    wait_first_syncs(stack, SYNC_TYPES, timeout=45)
    ready = stack.clock.now(stack.ready_at)
    wait_for(lambda: stack.clock.now() - ready >= MIN_SIMULATED_MINUTES * 60,
             timeout=stack.clock.real_seconds(MIN_SIMULATED_MINUTES * 60) + 10,
             description=f"{MIN_SIMULATED_MINUTES} simulated minutes of running")  # fmt: skip
    evidence.figure("simulated time observed", round((stack.clock.now() - ready) / 60), "min")
    logs = {**stack.middleware_logs(), "fake": stack.log_text("fake")}
    found = {name: error_lines(text) for name, text in logs.items()}
    for name, lines in found.items():
        evidence.figure(f"{name}: lines / ERROR+Traceback", f"{len(logs[name].splitlines())} / {len(lines)}",
                        bound="0 errors", ok=not lines)  # fmt: skip
        for line in lines[:5]:
            evidence.log_line(name, line)
    assert not any(found.values()), {name: lines[:3] for name, lines in found.items() if lines}
