"""C19 — "🚀 Option 2: Multi-Container": web, worker and beat as separate processes pass C01, C04 and C05."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from harness.observe.evidence import Evidence
from harness.stack import Stack
from harness.stack.topology import Topology
from scenarios.test_c01_deployed import (
    test_every_process_runs_and_health_answers_200_healthy_without_redirect as check_deployed,
)
from scenarios.test_c04_worker_and_beat import (
    test_worker_and_beat_run_and_the_worker_consumes_every_queue as check_worker_and_beat,
)
from scenarios.test_c05_first_scheduled_sync import (
    test_first_scheduled_sync_completes_within_two_beats_and_matches_the_fake as check_first_sync,
)

pytestmark = [pytest.mark.scenario, pytest.mark.criterion("C19")]


def test_option_2_passes_deployed_worker_and_beat_and_first_sync(
    make_stack: Callable[..., Stack], evidence: Evidence
) -> None:
    stack = make_stack(topology=Topology.MULTI)
    evidence.note(
        "Option 2: web (BACKGROUND_SYNC_ENABLED=false), worker and beat started as separate processes"
    )
    check_deployed(stack, evidence)
    check_worker_and_beat(stack, evidence)
    check_first_sync(stack, evidence)
