"""Replaying a Tape into a running Stack: each entry at its virtual time since ready, late ones at once."""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from harness.stack.tape import Tape, TapeEntry, since_ready

if TYPE_CHECKING:
    from harness.stack.stack import Stack

__all__ = ["ReplayReport", "replay", "wait_until"]


@dataclass
class ReplayReport:
    """What a replay did: per entry the virtual time it was applied at and any error."""

    applied: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    max_late: float = 0.0  # virtual seconds the latest entry came after its time (a slow restart before it)

    def to_json(self) -> dict[str, Any]:
        return {"applied": self.applied, "errors": self.errors, "max_late": round(self.max_late, 3)}


def _apply(stack: Stack, entry: TapeEntry, origin_shift: float) -> None:
    f = entry.fields
    if entry.action == "fake":
        body = copy.deepcopy(f.get("json"))
        if f["path"].rstrip("/") == "/_fake/clock" and isinstance(body, dict) and "now" in body:
            body["now"] = float(body["now"]) + origin_shift  # absolute fake time: onto this Stack's timeline
        kwargs = {k: v for k, v in (("json", body), ("params", f.get("params"))) if v is not None}
        stack.fake_request(f["method"], f["path"], **kwargs)
    elif entry.action in ("kill", "stop", "pause", "resume", "kill_child"):
        getattr(stack, entry.action)(f["target"])
    elif entry.action == "restart":
        stack.restart(f["target"], wait=bool(f["wait"]))
    elif entry.action == "set_interval":
        stack.observer.set_interval(f["type"], float(f["minutes"]))
    elif entry.action == "set_enabled":
        stack.observer.set_enabled(f["type"], bool(f["enabled"]))
    elif entry.action == "force_sync":
        stack.observer.force_sync(f["project"], f["directory"], wait=bool(f["wait"]))


def wait_until(stack: Stack, at: float, stop: threading.Event | None = None) -> bool:
    """Wait until ``stack`` is ``at`` virtual seconds past ready; False when ``stop`` was set first."""
    stop = stop or threading.Event()
    while (remaining := at - since_ready(stack)) > 0:
        # Never longer than the time left (and short slices, so a stop request is seen).
        if stop.wait(min(stack.clock.real_seconds(remaining), 0.25)):
            return False
    return not stop.is_set()


def replay(
    stack: Stack,
    tape: Tape,
    *,
    stop: threading.Event | None = None,
    on_entry: Callable[[int, TapeEntry], None] | None = None,
) -> ReplayReport:
    """Apply every entry of ``tape`` to the running ``stack`` at its virtual time (late ones at once).

    An entry that raises is noted in the report and the replay goes on: the next entries may still matter."""
    report = ReplayReport()
    shift = 0.0
    if tape.origin is not None and stack.ready_at:
        shift = stack.clock.now(stack.ready_at) - tape.origin
    for index, entry in enumerate(tape):
        if not wait_until(stack, entry.at, stop):
            break
        late = since_ready(stack) - entry.at
        report.max_late = max(report.max_late, late)
        if on_entry is not None:
            on_entry(index, entry)
        started = time.monotonic()
        error = ""
        try:
            _apply(stack, entry, shift)
        except Exception as exc:  # one failing action must not end the replay
            error = f"{type(exc).__name__}: {str(exc)[:200]}"
            report.errors.append(f"entry {index} ({entry.describe()}): {error}")
        report.applied.append(
            {"index": index, "at": round(entry.at, 3), "late": round(late, 3),
             "seconds": round(time.monotonic() - started, 3), "error": error}
        )  # fmt: skip
    return report
