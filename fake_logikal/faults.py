"""Fault rules as data (after respx): match + effect + budget; the first matching rule with budget wins."""

from __future__ import annotations

import fnmatch
import random
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = ["Effect", "FaultRule", "FaultSet", "LatencySpec"]


class Effect(StrEnum):
    STATUS = "status"  # `status` with a Logikal error body (`message`, `errors`)
    LATENCY = "latency"  # only the delay, then the normal answer
    HANG = "hang"  # never answer; wait until the client disconnects (bounded by `hang_s` / max_hang_s)
    RESET = "reset"  # drop the TCP connection with RST before answering
    MALFORMED_JSON = "malformed_json"  # 200 with a body that is not JSON
    TRUNCATED = "truncated"  # the normal answer cut in half; connection closed mid-body
    LOCKED = "locked"  # 409 "locked, in use by another user"
    SESSION_EXPIRED = "session_expired"  # the session is closed and the call answered 401
    RATE_LIMIT = "rate_limit"  # 429 with Retry-After
    INVALID_SQLITE = "invalid_sqlite"  # parts list whose bytes are not a SQLite file
    TRUNCATED_SQLITE = "truncated_sqlite"  # parts list cut to 40 % of a real SQLite file


@dataclass
class LatencySpec:
    """`{"fixed": s}`, `{"uniform": [low, high]}` or `{"lognormal": {"mu": m, "sigma": s}}` (seconds)."""

    kind: str
    a: float
    b: float = 0.0

    @classmethod
    def from_json(cls, data: Any) -> LatencySpec:
        if isinstance(data, int | float):
            return cls("fixed", float(data))
        if isinstance(data, dict) and len(data) == 1:
            kind, value = next(iter(data.items()))
            if kind == "fixed":
                return cls("fixed", float(value))
            if kind == "uniform":
                return cls("uniform", float(value[0]), float(value[1]))
            if kind == "lognormal":
                return cls("lognormal", float(value["mu"]), float(value["sigma"]))
        raise ValueError(f"invalid latency spec: {data!r}")

    def draw(self, rng: random.Random) -> float:
        if self.kind == "uniform":
            return rng.uniform(self.a, self.b)
        if self.kind == "lognormal":
            return min(rng.lognormvariate(self.a, self.b), 3600.0)
        return self.a

    def to_json(self) -> dict[str, Any]:
        if self.kind == "uniform":
            return {"uniform": [self.a, self.b]}
        if self.kind == "lognormal":
            return {"lognormal": {"mu": self.a, "sigma": self.b}}
        return {"fixed": self.a}


_FIELDS = {
    "effect",
    "method",
    "path",
    "token",
    "level",
    "status",
    "message",
    "errors",
    "latency",
    "retry_after_s",
    "hang_s",
    "times",
    "probability",
    "seed",
    "start_at",
    "end_at",
    "after_s",
    "for_s",
}


@dataclass
class FaultRule:
    id: str
    effect: Effect
    method: str = "*"
    path: str = "*"  # glob on the API path below the base path, e.g. "/elevations/*/thumbnail"
    token: str | None = None
    level: str | None = None  # root|directory|project|phase|elevation
    status: int = 500
    message: str | None = None
    errors: list[str] = field(default_factory=list)
    latency: LatencySpec | None = None  # applied before any effect
    retry_after_s: float = 1.0
    hang_s: float | None = None
    times: int | None = None  # budget: applications left (None = unlimited)
    probability: float = 1.0
    seed: int = 0
    start_at: float | None = None  # active window, fake-clock epoch seconds
    end_at: float | None = None
    matched: int = 0
    applied: int = 0
    _rng: random.Random = field(default_factory=random.Random, repr=False)

    @classmethod
    def from_json(cls, data: dict[str, Any], rule_id: str, now: float) -> FaultRule:
        unknown = set(data) - _FIELDS - {"id"}
        if unknown:
            raise ValueError(f"unknown fault rule fields: {sorted(unknown)}")
        values = {k: v for k, v in data.items() if k in _FIELDS - {"after_s", "for_s", "latency", "effect"}}
        rule = cls(id=str(data.get("id") or rule_id), effect=Effect(data.get("effect", "status")), **values)
        rule.method = rule.method.upper()
        if data.get("latency") is not None:
            rule.latency = LatencySpec.from_json(data["latency"])
        if "after_s" in data:
            rule.start_at = now + float(data["after_s"])
        if "for_s" in data:
            rule.end_at = (rule.start_at if rule.start_at is not None else now) + float(data["for_s"])
        if not 0.0 <= rule.probability <= 1.0:
            raise ValueError("probability must be within [0, 1]")
        rule._rng = random.Random(rule.seed)
        return rule

    def matches(self, method: str, path: str, token: str | None, level: str | None) -> bool:
        return (
            (self.method in ("*", method))
            and fnmatch.fnmatchcase(path, self.path)
            and (self.token is None or self.token == token)
            and (self.level is None or self.level == level)
        )

    def consume(self, now: float) -> bool:
        """Budget check for a matching call; draws from the rule's own seeded RNG only inside its window."""
        if (self.start_at is not None and now < self.start_at) or (
            self.end_at is not None and now >= self.end_at
        ):
            return False
        if self.times is not None and self.applied >= self.times:
            return False
        self.matched += 1
        if self.probability < 1.0 and self._rng.random() >= self.probability:
            return False
        self.applied += 1
        return True

    def delay(self) -> float:
        return self.latency.draw(self._rng) if self.latency else 0.0

    def to_json(self) -> dict[str, Any]:
        remaining = None if self.times is None else max(self.times - self.applied, 0)
        return {
            "id": self.id,
            "effect": self.effect.value,
            "method": self.method,
            "path": self.path,
            "token": self.token,
            "level": self.level,
            "status": self.status,
            "message": self.message,
            "errors": self.errors,
            "latency": self.latency.to_json() if self.latency else None,
            "retry_after_s": self.retry_after_s,
            "hang_s": self.hang_s,
            "times": self.times,
            "remaining": remaining,
            "probability": self.probability,
            "seed": self.seed,
            "start_at": self.start_at,
            "end_at": self.end_at,
            "matched": self.matched,
            "applied": self.applied,
        }


class FaultSet:
    def __init__(self) -> None:
        self.rules: list[FaultRule] = []
        self._next = 0

    def add(self, data: dict[str, Any], now: float) -> FaultRule:
        self._next += 1
        rule = FaultRule.from_json(data, f"f{self._next}", now)
        self.rules = [r for r in self.rules if r.id != rule.id] + [rule]
        return rule

    def remove(self, rule_id: str) -> bool:
        before = len(self.rules)
        self.rules = [r for r in self.rules if r.id != rule_id]
        return len(self.rules) != before

    def clear(self) -> None:
        self.rules = []  # a new list: a request iterating the old one (another thread) is not disturbed

    def pick(
        self, method: str, path: str, token: str | None, level: str | None, now: float
    ) -> FaultRule | None:
        """The first rule that matches the call and has budget left (its budget is consumed)."""
        for rule in self.rules:
            if rule.matches(method, path, token, level) and rule.consume(now):
                return rule
        return None
