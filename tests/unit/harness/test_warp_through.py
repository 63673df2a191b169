"""warp_through goes on past its minimum only while asked to, never past max_hours, asking at every mark."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

import pytest

from harness.runtime import polling
from harness.scenario.warp_run import warp_through
from harness.stack import Stack


@dataclass
class _Clock:
    hour_per_read: float = 0.5
    now_hours: float = 0.0

    def now(self) -> float:
        self.now_hours += self.hour_per_read
        return (self.now_hours - self.hour_per_read) * 3600

    def real_seconds(self, virtual: float) -> float:
        return virtual / 1440


@dataclass
class _Stack:
    clock: _Clock = field(default_factory=_Clock)
    plans: dict[str, Any] = field(default_factory=dict)
    processes: dict[str, Any] = field(default_factory=dict)


@pytest.fixture(autouse=True)
def _no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(polling.time, "sleep", lambda _s: None)  # the fake clock moves per read


def _run(minimum: float, answers: list[bool], max_hours: float) -> tuple[float, list[float], int]:
    stack, marks, asked = _Stack(), [], []

    def extend() -> bool:
        asked.append(stack.clock.now_hours)
        return answers[len(asked) - 1] if len(asked) <= len(answers) else False

    warp_through(cast(Stack, stack), minimum, on_hour=marks.append, extend_while=extend, max_hours=max_hours)
    return stack.clock.now_hours - stack.clock.hour_per_read, marks, len(asked)


def test_stops_at_the_minimum_when_resolved() -> None:
    reached, marks, asked = _run(6, [False], max_hours=24)
    assert 6 <= reached < 7
    assert asked == 1
    assert marks == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]


def test_goes_on_while_asked_and_asks_at_every_mark() -> None:
    reached, marks, asked = _run(6, [True, True, True, False], max_hours=24)
    assert 9 <= reached < 10
    assert asked == 4
    assert marks[-1] == 9.0


def test_never_past_max_hours() -> None:
    reached, _marks, _asked = _run(6, [True] * 100, max_hours=10)
    assert 10 <= reached < 11
