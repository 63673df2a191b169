"""Sync lag: edit an elevation in the fake, then time until the Odoo API shows the change."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

__all__ = ["LagSample", "SyncLagProbe"]


@dataclass(frozen=True)
class LagSample:
    mutated_at: float
    seconds: float | None  # None: not visible (yet)
    elevation: str
    timed_out: bool = False  # True: not visible before the probe's deadline (False: the run ended first)


class SyncLagProbe:
    """One mutation at a time: mutate, poll the Odoo API every second, record, pause ``period`` seconds."""

    def __init__(
        self,
        mutate: Callable[[dict[str, Any]], Any],
        odoo: Callable[[], httpx.Client],
        targets: dict[str, Any],
        *,
        period: float,
        deadline: float,
        seed: int = 1,
    ) -> None:
        self._mutate = mutate
        self._odoo = odoo
        self._targets = [
            (project["id"], phase["id"], elevation)
            for project in targets["projects"]
            for phase in project["phases"]
            for elevation in phase["elevations"]
        ]
        self._period, self._deadline = period, deadline
        self._random = random.Random(seed)
        self.samples: list[LagSample] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="load-sync-lag", daemon=True)

    def start(self) -> None:
        if self._targets:
            self._thread.start()

    def stop(self) -> list[LagSample]:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        return self.samples

    def _run(self) -> None:
        with self._odoo() as odoo:
            while not self._stop.is_set():
                self.samples.append(self._one(odoo))
                self._stop.wait(self._period)

    def _one(self, odoo: httpx.Client) -> LagSample:
        project, phase, elevation = self._random.choice(self._targets)
        amount = int(elevation.get("amount") or 1) % 97 + 1 + self._random.randrange(1, 50)
        elevation["amount"] = amount
        self._mutate(
            {"action": "edit", "kind": "elevation", "id": elevation["id"], "changes": {"amount": amount}}
        )
        start = time.time()
        path = f"/api/v1/odoo/projects/{project}/phases/{phase}/elevations"
        while not self._stop.is_set() and time.time() - start < self._deadline:
            try:
                items = odoo.get(path).json().get("elevations", [])
            except (httpx.HTTPError, ValueError):
                items = []
            if any(item["id"] == elevation["id"] and item.get("amount") == amount for item in items):
                return LagSample(start, time.time() - start, elevation["id"])
            self._stop.wait(1.0)
        return LagSample(start, None, elevation["id"], timed_out=not self._stop.is_set())
