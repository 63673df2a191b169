"""What the locust processes record for the report: every request (per worker) and every stage change."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any, TextIO

from locust import LoadTestShape, events

from load.run_config import RunConfig
from load.shapes import Stage, stage_at

__all__ = ["ProfileShape", "RequestRecorder", "StageLog"]


class RequestRecorder:
    """Appends ``end_time,name,response_ms,failed`` per request to ``samples_dir/requests-<pid>.csv``."""

    def __init__(self, samples_dir: Path) -> None:
        samples_dir.mkdir(parents=True, exist_ok=True)
        self._path = samples_dir / f"requests-{os.getpid()}.csv"
        self._file: TextIO | None = None
        self._lock = threading.Lock()

    def on_request(self, name: str, response_time: float, exception: Any = None, **_: Any) -> None:
        line = f"{time.time():.3f},{name},{response_time:.2f},{1 if exception else 0}\n"
        with self._lock:
            if self._file is None:
                self._file = self._path.open("a", encoding="utf-8", buffering=1 << 16)
            self._file.write(line)

    def close(self, **_: Any) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None

    def install(self) -> None:
        # locust's EventHook is untyped
        events.request.add_listener(self.on_request)  # type: ignore[no-untyped-call]
        events.test_stop.add_listener(self.close)  # type: ignore[no-untyped-call]
        events.quitting.add_listener(self.close)  # type: ignore[no-untyped-call]


class StageLog:
    """One JSON line per stage change, written by the process that runs the shape (master or local)."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def write(self, index: int | None, stage: Stage | None) -> None:
        record: dict[str, object] = {"t": time.time(), "index": index, "users": stage.users if stage else 0}
        record["label"] = stage.label if stage else "end"
        with self._path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(record) + "\n")


class ProfileShape(LoadTestShape):
    """Walks the run's stages (step ramp, spike or soak alike) and logs each change of stage."""

    abstract = True
    stages: list[Stage] = []
    stage_log: StageLog | None = None
    _current: int | None = -1

    @classmethod
    def for_run(cls, config: RunConfig) -> type[ProfileShape]:
        attributes = {
            "abstract": False,
            "stages": config.stages,
            "stage_log": StageLog(Path(config.stages_file)),
        }
        return type("RunShape", (cls,), attributes)

    def tick(self) -> tuple[int, float] | None:
        found = stage_at(self.stages, self.get_run_time())  # type: ignore[no-untyped-call]
        index = found[0] if found else None
        if index != self._current and self.stage_log is not None:
            self._current = index
            self.stage_log.write(index, found[1] if found else None)
        if found is None:
            return None
        return found[1].users, found[1].spawn_rate
