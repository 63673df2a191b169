"""C12 — "Adjust intervals via Admin UI": an interval changed via the admin API or /ui applies next tick.

Parts lists are switched off here: a long parts download on the one worker slot would delay every tick.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from harness.observe.admin_ui import AdminUi
from harness.observe.evidence import Evidence
from harness.runtime.polling import wait_for
from harness.scenario.views import sync_configs, sync_windows, timeline, wait_first_syncs, wait_idle
from harness.stack import Stack

pytestmark = [pytest.mark.scenario, pytest.mark.criterion("C12")]

SPEED = 600.0


def _next_start(stack: Stack, sync_type: str, after: float, timeout: float) -> float:
    def found() -> float:
        starts = [w.start for w in sync_windows(stack) if w.sync_type == sync_type and w.start > after]
        return min(starts, default=0.0)

    return wait_for(found, timeout=timeout, interval=0.2, description=f"a {sync_type} run after the change")


def test_interval_changes_through_api_and_ui_apply_on_the_next_tick(
    make_stack: Callable[..., Stack], evidence: Evidence
) -> None:
    stack = make_stack(clock_speed=SPEED)
    beat = stack.config.sync_interval_seconds
    stack.observer.disable_heavy_types()
    wait_first_syncs(stack, ["project", "phase"], timeout=60)
    wait_idle(stack)
    # Seeded intervals: project 120 min, phase 60 min — without a change neither runs again for an hour.
    real_beat = stack.clock.real_seconds(beat)

    changed_api = stack.clock.now()
    stack.observer.set_interval("project", 1)
    stored = sync_configs(stack)["project"]["interval_seconds"]
    assert stored == 60, f"the project interval reads {stored}s after setting 1 minute"
    api_start = _next_start(stack, "project", changed_api, timeout=real_beat * 3 + 30)
    api_delay = api_start - changed_api
    evidence.figure("admin API: project 120 → 1 min; next run after", round(api_delay), "s (virtual)",
                    bound=f"≤ {2 * beat:g} s", ok=api_delay <= 2 * beat)  # fmt: skip

    with AdminUi.of(stack) as ui:
        changed_ui = stack.clock.now()
        response = ui.edit_interval("phase", 1)
        assert response.status_code == 303, response.text[:300]
        shown = ui.sync_intervals()["phase"]["interval"]
    ui_start = _next_start(stack, "phase", changed_ui, timeout=real_beat * 3 + 30)
    ui_delay = ui_start - changed_ui
    evidence.figure("/ui: phase 60 → 1 min; next run after", round(ui_delay), "s (virtual)",
                    bound=f"≤ {2 * beat:g} s", ok=ui_delay <= 2 * beat)  # fmt: skip
    evidence.figure("/ui shows the phase interval", shown, bound="1")
    evidence.add_timeline(timeline(sync_windows(stack), changed_api))
    assert shown == "1"
    assert api_delay <= 2 * beat, f"project interval change applied {api_delay:.0f}s later (> 2 beats)"
    assert ui_delay <= 2 * beat, f"phase interval change (/ui) applied {ui_delay:.0f}s later (> 2 beats)"
