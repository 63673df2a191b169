"""The Tape: every control-plane action done to a Stack, with its virtual time, to record and replay.

Format (JSON, or TOML with ``[[entries]]``), documented in docs/reproducing.md::

    {"tape": 1, "speed": 600.0, "origin": 1760000000.0, "entries": [
      {"at": 0.0,  "action": "set_enabled", "type": "parts_list", "enabled": false},
      {"at": 95.5, "action": "fake", "method": "POST", "path": "/_fake/faults", "json": {"faults": [...]}},
      {"at": 180,  "action": "kill", "target": "worker"}]}

``at`` is virtual seconds since the Stack was ready (``Stack.clock``): a tape replays at any speed and anchor.
Actions: ``fake`` (a non-GET control-plane call: ``method``, ``path``, optional ``json``/``params``),
``kill``, ``stop``, ``restart`` (``target``: a process or ``redis``/``postgres``; restart ``wait``),
``set_interval`` (``type``, ``minutes``), ``set_enabled`` (``type``, ``enabled``), ``force_sync``
(``project``, ``directory``, ``wait``). An entry may carry ``error``: the call raised when it was recorded.
"""

from __future__ import annotations

import functools
import json
import threading
import tomllib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from harness.errors import HarnessError

if TYPE_CHECKING:
    from harness.stack.stack import Stack

__all__ = [
    "ACTIONS",
    "Tape",
    "TapeEntry",
    "TapeError",
    "fake_fields",
    "record_action",
    "since_ready",
    "taped",
]

FORMAT_VERSION = 1
# action → (required fields, optional fields with their defaults)
ACTIONS: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "fake": (("method", "path"), {"json": None, "params": None}),
    "kill": (("target",), {}),
    "stop": (("target",), {}),
    "pause": (("target",), {}),
    "resume": (("target",), {}),
    "kill_child": (("target",), {}),
    "restart": (("target",), {"wait": True}),
    "set_interval": (("type", "minutes"), {}),
    "set_enabled": (("type", "enabled"), {}),
    "force_sync": (("project", "directory"), {"wait": False}),
}
_RESERVED = {"at", "action", "error"}
F = TypeVar("F", bound=Callable[..., Any])


class TapeError(HarnessError):
    """A tape file or entry that cannot be read or replayed."""


@dataclass
class TapeEntry:
    """One action at ``at`` virtual seconds since the Stack was ready."""

    at: float
    action: str
    fields: dict[str, Any] = field(default_factory=dict)
    error: str = ""

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"at": round(self.at, 3), "action": self.action}
        data.update({k: v for k, v in self.fields.items() if v is not None})
        if self.error:
            data["error"] = self.error
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any], position: int = 0) -> TapeEntry:
        where = f"tape entry {position}"
        if not isinstance(data, dict):
            raise TapeError(f"{where}: not a table/object: {data!r}")
        action = data.get("action")
        if action not in ACTIONS:
            raise TapeError(f"{where}: unknown action {action!r}; known: {', '.join(ACTIONS)}")
        at = data.get("at", 0.0)
        if not isinstance(at, int | float) or isinstance(at, bool) or at < 0:
            raise TapeError(f"{where}: 'at' must be a number of virtual seconds >= 0, not {at!r}")
        required, optional = ACTIONS[action]
        missing = [name for name in required if name not in data]
        unknown = sorted(set(data) - _RESERVED - set(required) - set(optional))
        if missing or unknown:
            raise TapeError(f"{where} ({action}): missing {missing or '-'}, unknown {unknown or '-'}")
        fields = {name: data[name] for name in required}
        fields.update({name: data.get(name, default) for name, default in optional.items()})
        return cls(float(at), action, fields, str(data.get("error", "")))

    def describe(self) -> str:
        shown = {k: v for k, v in self.fields.items() if v is not None}
        if self.action == "fake":
            body = json.dumps(shown.get("json"), default=str) if shown.get("json") is not None else ""
            return f"{shown['method']} {shown['path']} {body[:120]}".rstrip()
        return f"{self.action} " + " ".join(f"{k}={v}" for k, v in shown.items())


class Tape:
    """Control-plane actions in order; thread-safe to record into."""

    def __init__(
        self, entries: Sequence[TapeEntry] = (), *, speed: float | None = None, origin: float | None = None
    ) -> None:
        self.entries: list[TapeEntry] = list(entries)
        self.speed = speed  # the recording Stack's clock speed (informative: replays follow their own)
        self.origin = origin  # the recording Stack's virtual time when it was ready (rebases /_fake/clock)
        self._lock = threading.Lock()
        self._local = threading.local()

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[TapeEntry]:
        return iter(list(self.entries))

    def record(self, at: float, action: str, error: str = "", **fields: Any) -> TapeEntry:
        """Append one action (its fields validated as a tape file's would be)."""
        entry = TapeEntry.from_json({"at": max(at, 0.0), "action": action, **fields}, len(self.entries))
        entry.error = error
        with self._lock:
            self.entries.append(entry)
        return entry

    def subset(self, indices: Sequence[int]) -> Tape:
        """The entries at ``indices`` (kept in tape order), same speed and origin."""
        return Tape([self.entries[i] for i in sorted(indices)], speed=self.speed, origin=self.origin)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"tape": FORMAT_VERSION, "entries": [e.to_json() for e in self.entries]}
        if self.speed is not None:
            data["speed"] = self.speed
        if self.origin is not None:
            data["origin"] = round(self.origin, 3)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Tape:
        if not isinstance(data, dict) or not isinstance(data.get("entries", []), list):
            raise TapeError("a tape is an object with an 'entries' list")
        version = data.get("tape", FORMAT_VERSION)
        if version != FORMAT_VERSION:
            raise TapeError(f"tape format {version!r} is not supported (this harness reads {FORMAT_VERSION})")
        entries = [TapeEntry.from_json(item, n) for n, item in enumerate(data.get("entries", []))]
        entries.sort(key=lambda e: e.at)  # stable: entries at the same time keep their order
        speed, origin = data.get("speed"), data.get("origin")
        return cls(
            entries,
            speed=float(speed) if speed is not None else None,
            origin=float(origin) if origin is not None else None,
        )

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, default=str) + "\n"

    def save(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.dumps(), encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: Path) -> Tape:
        """A tape file: TOML when it ends in .toml, else JSON (an evidence stack record's ``tape`` too)."""
        try:
            text = path.read_text(encoding="utf-8")
            data = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
        except FileNotFoundError:
            raise TapeError(f"tape file not found: {path}") from None
        except (ValueError, tomllib.TOMLDecodeError) as exc:
            kind = "TOML" if path.suffix == ".toml" else "JSON"
            raise TapeError(f"tape file {path} is not valid {kind}: {exc}") from None
        if isinstance(data, dict) and "tape" in data and isinstance(data["tape"], dict):
            data = data["tape"]
        return cls.from_json(data)

    # ------------------------------------------------------------------- nesting
    @property
    def is_suspended(self) -> bool:
        return bool(getattr(self._local, "depth", 0))

    def suspend(self) -> _Suspended:
        """While inside one recorded action, the Stack's own calls it makes are not recorded again."""
        return _Suspended(self._local)


class _Suspended:
    def __init__(self, local: threading.local) -> None:
        self._local = local

    def __enter__(self) -> None:
        self._local.depth = getattr(self._local, "depth", 0) + 1

    def __exit__(self, *exc: object) -> None:
        self._local.depth -= 1


def since_ready(stack: Stack, real: float | None = None) -> float:
    """Virtual seconds since ``stack`` was ready (0 before)."""
    if not stack.ready_at:
        return 0.0
    return stack.clock.now(real) - stack.clock.now(stack.ready_at)


def record_action(stack: Stack, action: str, fields: dict[str, Any]) -> TapeEntry | None:
    """Record ``action`` on ``stack.tape`` now, unless the Stack is not ready yet or this is a nested call
    (the Stack's own start-up and clock syncing are not control-plane actions)."""
    tape: Tape | None = getattr(stack, "tape", None)
    if tape is None or not stack.ready_at or tape.is_suspended:
        return None
    return tape.record(since_ready(stack), action, **fields)


def taped(action: str, fields: Callable[..., dict[str, Any] | None]) -> Callable[[F], F]:
    """Record a Stack method's calls as ``action`` with ``fields(*args, **kwargs)`` (None: not recorded)."""

    def decorate(method: F) -> F:
        @functools.wraps(method)
        def wrapper(self: object, *args: Any, **kwargs: Any) -> Any:
            values = fields(*args, **kwargs)
            entry = record_action(cast("Stack", self), action, values) if values is not None else None
            tape: Tape | None = getattr(self, "tape", None)
            if tape is None:
                return method(self, *args, **kwargs)
            try:
                with tape.suspend():
                    return method(self, *args, **kwargs)
            except BaseException as exc:
                if entry is not None:
                    entry.error = f"{type(exc).__name__}: {str(exc)[:200]}"
                raise

        return cast(F, wrapper)

    return decorate


def fake_fields(method: str, path: str, **kwargs: Any) -> dict[str, Any] | None:
    """Tape fields of ``Stack.fake_request``: only writes (every method but GET) are actions."""
    if method.upper() == "GET":
        return None
    return {"method": method.upper(), "path": path, "json": kwargs.get("json"),
            "params": kwargs.get("params")}  # fmt: skip
