"""The JSON a load run hands to its locust processes (through LOAD_RUN_CONFIG), and the files they write."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from load.shapes import Stage

__all__ = ["CONFIG_ENV", "RunConfig"]

CONFIG_ENV = "LOAD_RUN_CONFIG"


@dataclass
class RunConfig:
    """What the locust users and the shape need; plain data so workers on other hosts can get a copy."""

    stages: list[Stage]
    user_weights: dict[str, int]
    task_weights: dict[str, dict[str, int]]
    think_time: dict[str, tuple[float, float]]
    odoo_client_id: str
    odoo_client_secret: str
    admin_username: str
    admin_password: str
    targets: dict[str, Any]
    intervals_minutes: dict[str, int]
    samples_dir: str
    stages_file: str
    extra: dict[str, Any] = field(default_factory=dict)

    def write(self, path: Path) -> Path:
        path.write_text(json.dumps(asdict(self), indent=1), encoding="utf-8")
        return path

    @classmethod
    def read(cls, path: Path) -> RunConfig:
        data = json.loads(path.read_text(encoding="utf-8"))
        data["stages"] = [Stage(**stage) for stage in data["stages"]]
        data["think_time"] = {k: (float(v[0]), float(v[1])) for k, v in data["think_time"].items()}
        return cls(**data)
