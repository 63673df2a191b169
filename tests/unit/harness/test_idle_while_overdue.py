"""The stall check of C31 (harness.observe.invariants.idle_while_overdue) on hand-made histories."""

from __future__ import annotations

from harness.observe.invariants import SyncWindow, idle_while_overdue

HOUR = 3600.0
BEAT = 300.0


def _run(sync_type: str, start: float, end: float | None, status: str = "completed") -> SyncWindow:
    return SyncWindow(f"{sync_type}-{start}", sync_type, "scheduled", sync_type, status, start, end, start)


def _stalls(windows: list[SyncWindow], until: float) -> list[str]:
    return idle_while_overdue(windows, {"phase": HOUR}, since=0.0, until=until, slack=2 * BEAT, step=BEAT / 2)


def test_runs_every_interval_are_no_stall() -> None:
    windows = [_run("phase", h * HOUR, h * HOUR + 600) for h in range(6)]
    assert _stalls(windows, 6 * HOUR) == []


def test_a_run_slower_than_its_interval_is_slow_not_stalled() -> None:
    windows = [_run("phase", 0, 3 * HOUR), _run("phase", 3 * HOUR + 60, 6 * HOUR)]
    assert _stalls(windows, 6 * HOUR) == []


def test_a_gap_between_the_runs_of_a_chain_is_not_idleness() -> None:
    elevation = _run("elevation", 600, 2 * HOUR)
    windows = [_run("phase", 0, 600), elevation, _run("phase", 2 * HOUR + 30, 3 * HOUR)]
    assert _stalls(windows, 3 * HOUR) == []


def test_idle_while_a_type_is_overdue_is_a_stall() -> None:
    windows = [_run("phase", 0, 600)]  # then nothing for hours
    stalls = _stalls(windows, 4 * HOUR)
    assert stalls
    assert all("phase" in s for s in stalls)
    first = float(stalls[0].split("+")[1].split(" ")[0]) * 60
    assert 600 + HOUR + 2 * BEAT < first <= 600 + HOUR + 2 * BEAT + BEAT / 2


def test_a_run_that_is_only_queued_is_no_progress() -> None:
    windows = [_run("phase", 0, 600), _run("phase", HOUR + 600, None, status="queued")]
    assert _stalls(windows, 4 * HOUR)
