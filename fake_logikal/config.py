"""`FakeConfig`: every knob of the fake, with switches for behaviours the real server leaves uncertain."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

__all__ = ["SIZES", "FakeConfig", "elevation_count_for"]

SIZES = {"small": 100, "medium": 1_000, "large": 10_000}


def elevation_count_for(size: str | int) -> int:
    """`small|medium|large` or an explicit elevation count (at least the 17 of DOS22309)."""
    if isinstance(size, int):
        count = size
    elif size in SIZES:
        count = SIZES[size]
    elif size.isdigit():
        count = int(size)
    else:
        raise ValueError(f"size must be small, medium, large or a number, not {size!r}")
    return max(count, 17)


@dataclass
class FakeConfig:
    """Configuration of one fake server; `create_app(FakeConfig(...))` builds it.

    Switches for uncertain real behaviour (upstream-facts §1.4), with the default chosen:
    - `directories_at_deeper_level`: GET /directories at project level or deeper. "405" (swagger wording,
      default) or "reset" (the Odoo client's comment: the session moves back to its directory and lists its
      children).
    - `deep_directory_select`: POST /directories/select of a path that is not a root, child or ancestor of the
      current directory. True (default): allowed in one hop. False: 409 "isn't valid in the current mapping".
    - `strict_levels`: an operation expecting level L works only at L (default) or also deeper (False).
    - `root_projects`: GET /projects at root: "empty" list (default, the root is a directory without projects)
      or "405".
    - `list_recycled_elevations`: GET /elevations includes elevations with isInRecycleBin=true (default True).
    - `list_deleted_projects`: GET /projects includes projects with isDeleted=true (default True).
    """

    seed: int = 1
    size: str | int = "small"
    username: str = "admin"
    password: str = "admin"  # noqa: S105 - the documented default of the fake
    latency: Literal["none", "production"] = "none"
    time_scale: float = 1.0
    parts_list_kb: tuple[int, int] = (100, 400)
    parts_list_wal: bool = (
        False  # mark files WAL-mode like production (breaks sqlite3 deserialize(); files work)
    )
    max_sessions: int | None = None
    session_idle_timeout_s: float | None = None
    journal_size: int = 10_000
    restrict_control_to_loopback: bool = False
    max_hang_s: float = 300.0
    clock_offset: float = 0.0
    clock_speed: float = 1.0
    directories_at_deeper_level: Literal["405", "reset"] = "405"
    deep_directory_select: bool = True
    strict_levels: bool = True
    root_projects: Literal["empty", "405"] = "empty"
    list_recycled_elevations: bool = True
    list_deleted_projects: bool = True

    def __post_init__(self) -> None:
        elevation_count_for(self.size)
        low, high = self.parts_list_kb
        if not 8 <= low <= high:
            raise ValueError("parts_list_kb must be (low, high) with 8 <= low <= high")
        if self.time_scale < 0:
            raise ValueError("time_scale must be >= 0")

    @property
    def elevation_count(self) -> int:
        return elevation_count_for(self.size)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["password"] = "***"  # noqa: S105 - never echo the secret
        data["parts_list_kb"] = list(self.parts_list_kb)
        return data
