"""`FakeConfig`: every knob of the fake, with switches for behaviours the real server leaves uncertain."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

__all__ = ["PARTS_SIZES", "SIZES", "FakeConfig", "elevation_count_for", "parts_list_kb_for"]

SIZES = {"small": 100, "medium": 1_000, "large": 10_000}
# parts-list size presets in KiB: "default" is cheap; "production" is upstream-facts §7.15 (1-2.3 MB per file)
PARTS_SIZES = {"default": (100, 400), "production": (1024, 2355)}


def parts_list_kb_for(value: str | list[int] | tuple[int, int]) -> tuple[int, int]:
    """A preset name (`default`, `production`) or a (low, high) KiB range."""
    if isinstance(value, str):
        if value not in PARTS_SIZES:
            raise ValueError(
                f"parts size must be one of {sorted(PARTS_SIZES)} or [low, high] KiB, not {value!r}"
            )
        return PARTS_SIZES[value]
    low, high = (int(v) for v in value)
    return low, high


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

    Dataset traps: P1/P10/P11… in one phase with several Elevations rows per parts list and zero-GUID default
    phases are always there (a correct middleware handles them). `missing_row_trap` (default False) also gives
    one elevation a parts list without its own row: a correct middleware records that parse as failed, so its
    runs turn partial — switch it on where a scenario expects that.
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
    missing_row_trap: bool = False

    def __post_init__(self) -> None:
        elevation_count_for(self.size)
        self.parts_list_kb = parts_list_kb_for(self.parts_list_kb)
        low, high = self.parts_list_kb
        if not 8 <= low <= high:
            raise ValueError("parts_list_kb must be (low, high) with 8 <= low <= high")
        if self.time_scale < 0:
            raise ValueError("time_scale must be >= 0")

    @property
    def parts_size(self) -> str | None:
        """The preset name of `parts_list_kb`, if it is one."""
        return next((name for name, kb in PARTS_SIZES.items() if kb == self.parts_list_kb), None)

    @property
    def elevation_count(self) -> int:
        return elevation_count_for(self.size)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["password"] = "***"  # noqa: S105 - never echo the secret
        data["parts_list_kb"] = list(self.parts_list_kb)
        data["parts_size"] = self.parts_size
        return data
