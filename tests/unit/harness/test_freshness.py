"""The freshness bound: interval + beat, plus the runs a change had to wait for (C09, C23)."""

from __future__ import annotations

from harness.observe.freshness import convergence_bound
from harness.observe.invariants import SyncWindow


def _run(sync_type: str, start: float, end: float | None) -> SyncWindow:
    return SyncWindow(f"{sync_type}-{start:g}", sync_type, "scheduled", None, "completed", start, end, start)


def test_without_a_following_run_the_bound_is_the_schedule_plus_the_run_going_at_the_change() -> None:
    windows = [_run("elevation", 0, 400)]
    assert convergence_bound(windows, "elevation", 2100, since=100) == 2100 + 300


def test_the_chain_before_the_next_run_and_its_own_length_are_added() -> None:
    windows = [
        _run("elevation", 0, 400),  # going at the change: 300 s left
        _run("phase", 1900, 2000),  # the chain before the next elevation run: 100 s
        _run("elevation", 2000, 2600),  # the run that brings the change: 600 s
        _run("elevation", 5000, 5100),  # later runs do not count
    ]
    assert convergence_bound(windows, "elevation", 2100, since=100) == 2100 + 300 + 100 + 600


def test_a_forced_run_of_the_level_is_not_the_scheduled_one_that_brings_the_change() -> None:
    forced = SyncWindow("f", "elevation", "manual", "P1", "completed", 500, 550, 500)
    bound = convergence_bound([forced, _run("elevation", 3000, 3100)], "elevation", 2100, since=100)
    assert bound == 2100 + 50 + 100  # the forced run counts only as another run before the scheduled one


def test_a_first_run_late_only_by_the_chain_ahead_of_it_is_within_two_beats_of_idle_wait() -> None:
    windows = [_run("directory", 0, 50), _run("project", 50, 400), _run("elevation", 400, 1200)]
    bound = convergence_bound(windows, "elevation", 600, since=0)
    assert bound == 600 + 50 + 350 + 800  # done at 1200: 0 s of idle wait, well within the two beats
    idle = [_run("directory", 0, 50), _run("elevation", 900, 1000)]
    assert convergence_bound(idle, "elevation", 600, since=0) < 1000  # 850 s idle: later than two beats
