"""The tape format, recording through ``taped`` methods, and replay at virtual times on a stand-in Stack."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, cast

import pytest

from harness.stack.replay import replay
from harness.stack.stack import Stack
from harness.stack.tape import Tape, TapeEntry, TapeError, fake_fields, taped
from harness.stack.warp import WarpClock

TOML_TAPE = """
tape = 1
speed = 600.0

[[entries]]
at = 30
action = "fake"
method = "POST"
path = "/_fake/faults"
json = { faults = [{ id = "down", effect = "status", status = 500, path = "/projects", times = 3 }] }

[[entries]]
at = 0
action = "set_enabled"
type = "parts_list"
enabled = false

[[entries]]
at = 60
action = "restart"
target = "worker"
"""


class StandIn:
    """What replay and recording need of a Stack: a clock, readiness, a tape and the action methods."""

    def __init__(self, speed: float = 2000.0) -> None:
        self.clock = WarpClock(speed=speed, anchor=time.time())
        self.ready_at = time.time()
        self.tape = Tape(speed=speed)
        self.calls: list[tuple[Any, ...]] = []
        self.observer = self

    @taped("fake", fake_fields)
    def fake_request(self, method: str, path: str, **kwargs: Any) -> None:
        self.calls.append(("fake", method, path, kwargs))
        if path == "/_fake/restart-inside":
            self.restart("fake")

    @taped("kill", lambda name: {"target": name})
    def kill(self, name: str) -> None:
        self.calls.append(("kill", name))

    @taped("restart", lambda name, *, wait=True: {"target": name, "wait": wait})
    def restart(self, name: str, *, wait: bool = True) -> None:
        self.calls.append(("restart", name, wait))
        if name == "boom":
            raise RuntimeError("no such process")

    def set_enabled(self, sync_type: str, enabled: bool) -> None:
        self.calls.append(("set_enabled", sync_type, enabled))


def as_stack(stand_in: StandIn) -> Stack:
    return cast(Stack, stand_in)


def test_toml_tape_loads_sorted_by_time_with_defaults(tmp_path: Path) -> None:
    path = tmp_path / "bug.toml"
    path.write_text(TOML_TAPE, encoding="utf-8")
    tape = Tape.load(path)
    assert [e.action for e in tape] == ["set_enabled", "fake", "restart"]
    assert tape.entries[2].fields == {"target": "worker", "wait": True}
    assert tape.speed == 600.0


def test_json_round_trip_keeps_every_field(tmp_path: Path) -> None:
    tape = Tape(speed=10.0, origin=1000.0)
    tape.record(1.5, "fake", method="POST", path="/_fake/mutate", json={"action": "edit", "count": 1})
    tape.record(2.0, "force_sync", project="P", directory="D", error="HTTPError: boom")
    again = Tape.load(tape.save(tmp_path / "tape.json"))
    assert again.to_json() == tape.to_json()
    assert again.entries[1].fields["wait"] is False
    assert again.entries[1].error == "HTTPError: boom"


def test_an_evidence_stack_record_is_a_tape_file(tmp_path: Path) -> None:
    tape = Tape()
    tape.record(0, "kill", target="worker")
    record = tmp_path / "stack.json"
    record.write_text(json.dumps({"role": "make_stack", "inputs": {}, "tape": tape.to_json()}))
    assert [e.describe() for e in Tape.load(record)] == ["kill target=worker"]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"at": 1, "action": "explode"}, "unknown action 'explode'"),
        ({"at": -1, "action": "kill", "target": "w"}, "'at' must be a number"),
        ({"at": 1, "action": "kill"}, "missing ['target']"),
        ({"at": 1, "action": "kill", "target": "w", "signal": 9}, "unknown ['signal']"),
    ],
)
def test_bad_entries_are_refused_with_their_position(entry: dict[str, Any], message: str) -> None:
    with pytest.raises(TapeError, match="tape entry 1") as raised:
        Tape.from_json({"entries": [{"at": 0, "action": "kill", "target": "x"}, entry]})
    assert message in str(raised.value)


def test_a_tape_of_another_format_version_is_refused() -> None:
    with pytest.raises(TapeError, match="format 2"):
        Tape.from_json({"tape": 2, "entries": []})


def test_taped_methods_record_writes_with_virtual_time_but_not_reads_or_nested_calls() -> None:
    stack = StandIn(speed=100.0)
    stack.ready_at = time.time() - 1.0  # ready one real second ago = 100 virtual seconds
    stack.fake_request("GET", "/_fake/state")
    stack.fake_request("POST", "/_fake/restart-inside", json={"x": 1})
    stack.kill("worker")
    entries = stack.tape.entries
    assert [e.action for e in entries] == ["fake", "kill"]  # the restart inside the POST is the POST's own
    assert entries[0].fields == {"method": "POST", "path": "/_fake/restart-inside", "json": {"x": 1},
                                 "params": None}  # fmt: skip
    assert 99.0 <= entries[0].at <= 120.0


def test_nothing_is_recorded_before_the_stack_is_ready() -> None:
    stack = StandIn()
    stack.ready_at = 0.0
    stack.kill("worker")
    assert len(stack.tape) == 0


def test_a_failing_action_is_recorded_with_its_error() -> None:
    stack = StandIn()
    with pytest.raises(RuntimeError):
        stack.restart("boom")
    assert stack.tape.entries[0].error == "RuntimeError: no such process"


def test_replay_applies_each_entry_at_its_virtual_time_and_goes_on_after_an_error() -> None:
    stack = StandIn(speed=2000.0)  # 1 virtual second = 0.5 ms
    tape = Tape.from_json(
        {
            "entries": [
                {"at": 0, "action": "set_enabled", "type": "parts_list", "enabled": False},
                {"at": 200, "action": "restart", "target": "boom"},
                {"at": 400, "action": "fake", "method": "DELETE", "path": "/_fake/faults"},
            ]
        }
    )
    report = replay(as_stack(stack), tape)
    assert [c[0] for c in stack.calls] == ["set_enabled", "restart", "fake"]
    assert [a["at"] for a in report.applied] == [0, 200, 400]
    assert all(a["late"] >= 0 for a in report.applied)
    assert len(report.errors) == 1
    assert "no such process" in report.errors[0]
    assert [e.action for e in stack.tape] == ["restart", "fake"]  # replayed actions are recorded again
    elapsed_virtual = stack.clock.now() - stack.clock.now(stack.ready_at)
    assert elapsed_virtual >= 400


def test_replay_rebases_an_absolute_fake_clock_onto_the_new_timeline() -> None:
    stack = StandIn()
    origin = stack.clock.now(stack.ready_at)
    tape = Tape(
        [TapeEntry(0, "fake", {"method": "POST", "path": "/_fake/clock", "json": {"now": 5_000.0}})],
        origin=4_000.0,
    )
    replay(as_stack(stack), tape)
    sent = stack.calls[0][3]["json"]["now"]
    assert sent == pytest.approx(origin + 1_000.0)
