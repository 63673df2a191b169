"""Instance emulation: the SUT's process trees inside cgroups with a plan's memory limit and CPU quota.

cgroup v1 (memory + cpu controllers) is used where mounted and writable; v2 where its unified hierarchy
offers both controllers. Each new cgroup is created below the caller's own, so outer limits still apply.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from load.plans import InstancePlan

__all__ = ["CgroupStats", "Emulation", "InstanceCgroup"]

_PERIOD_US = 100_000


@dataclass(frozen=True)
class CgroupStats:
    memory_bytes: int
    memory_peak_bytes: int
    oom_kills: int
    nr_periods: int
    nr_throttled: int
    throttled_seconds: float


def _mounts(mountinfo: str) -> list[tuple[str, str, set[str]]]:
    """(mount point, fstype, super options) of every cgroup mount."""
    found = []
    for line in mountinfo.splitlines():
        left, _, right = line.partition(" - ")
        fields, tail = left.split(), right.split()
        if len(fields) >= 5 and tail and tail[0] in ("cgroup", "cgroup2"):
            found.append((fields[4], tail[0], set(tail[2].split(",")) if len(tail) > 2 else set()))
    return found


def _own_paths(proc_cgroup: str) -> dict[str, str]:
    """controller → this process's cgroup path; "" is the v2 entry."""
    paths: dict[str, str] = {}
    for line in proc_cgroup.splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(",") if controllers else [""]:
            paths[controller] = path
    return paths


def _write(path: Path, value: str) -> None:
    with path.open("w", encoding="ascii") as handle:
        handle.write(value)


def _read_keyed(path: Path) -> dict[str, int]:
    values: dict[str, int] = {}
    with contextlib.suppress(OSError):
        for line in path.read_text(encoding="ascii").splitlines():
            key, _, number = line.partition(" ")
            with contextlib.suppress(ValueError):
                values[key] = int(number)
    return values


def _read_int(path: Path) -> int:
    try:
        return int(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return 0


class InstanceCgroup:
    """One emulated instance: a v1 memory + cpu cgroup pair, or one v2 cgroup."""

    def __init__(self, version: int, directories: list[Path]) -> None:
        self.version = version
        self.directories = directories

    @classmethod
    def create_v1(cls, memory_dir: Path, cpu_dir: Path, plan: InstancePlan) -> InstanceCgroup:
        memory_dir.mkdir()
        cpu_dir.mkdir()
        group = cls(1, [memory_dir, cpu_dir])
        with contextlib.suppress(OSError):  # gone from newer kernels; without it usage starts at 0
            _write(memory_dir / "memory.move_charge_at_immigrate", "3")
        _write(memory_dir / "memory.limit_in_bytes", str(plan.memory_bytes))
        with contextlib.suppress(OSError):  # swap accounting may be off; then there is no swap to escape to
            _write(memory_dir / "memory.memsw.limit_in_bytes", str(plan.memory_bytes))
        _write(cpu_dir / "cpu.cfs_period_us", str(_PERIOD_US))
        _write(cpu_dir / "cpu.cfs_quota_us", str(int(plan.vcpu * _PERIOD_US)))
        return group

    @classmethod
    def create_v2(cls, directory: Path, plan: InstancePlan) -> InstanceCgroup:
        directory.mkdir()
        group = cls(2, [directory])
        _write(directory / "memory.max", str(plan.memory_bytes))
        with contextlib.suppress(OSError):
            _write(directory / "memory.swap.max", "0")
        _write(directory / "cpu.max", f"{int(plan.vcpu * _PERIOD_US)} {_PERIOD_US}")
        return group

    def memory_usage(self) -> int:
        name = "memory.usage_in_bytes" if self.version == 1 else "memory.current"
        return _read_int(self.directories[0] / name)

    def moves_charge(self) -> bool:
        """Whether memory already used by a moved process is charged to this group (v1 only, old kernels)."""
        if self.version != 1:
            return False
        return _read_int(self.directories[0] / "memory.move_charge_at_immigrate") == 3

    def set_memory_limit(self, limit: int) -> None:
        if self.version == 1:
            memory = self.directories[0]
            _write(memory / "memory.limit_in_bytes", str(limit))
            with contextlib.suppress(OSError):
                _write(memory / "memory.memsw.limit_in_bytes", str(limit))
        else:
            _write(self.directories[0] / "memory.max", str(limit))

    def add(self, pids: list[int]) -> list[int]:
        """Move each pid (its whole thread group) in; return the pids that could not be moved."""
        failed = []
        for pid in pids:
            try:
                for directory in self.directories:
                    _write(directory / "cgroup.procs", str(pid))
            except (ProcessLookupError, OSError):
                failed.append(pid)
        return failed

    def pids(self) -> list[int]:
        text = ""
        with contextlib.suppress(OSError):
            text = (self.directories[0] / "cgroup.procs").read_text(encoding="ascii")
        return [int(pid) for pid in text.split()]

    def stats(self) -> CgroupStats:
        if self.version == 1:
            memory, cpu = self.directories
            oom = _read_keyed(memory / "memory.oom_control").get("oom_kill", 0)
            cpu_stat = _read_keyed(cpu / "cpu.stat")
            return CgroupStats(
                memory_bytes=_read_int(memory / "memory.usage_in_bytes"),
                memory_peak_bytes=_read_int(memory / "memory.max_usage_in_bytes"),
                oom_kills=oom,
                nr_periods=cpu_stat.get("nr_periods", 0),
                nr_throttled=cpu_stat.get("nr_throttled", 0),
                throttled_seconds=cpu_stat.get("throttled_time", 0) / 1e9,
            )
        (directory,) = self.directories
        cpu_stat = _read_keyed(directory / "cpu.stat")
        return CgroupStats(
            memory_bytes=_read_int(directory / "memory.current"),
            memory_peak_bytes=_read_int(directory / "memory.peak"),
            oom_kills=_read_keyed(directory / "memory.events").get("oom_kill", 0),
            nr_periods=cpu_stat.get("nr_periods", 0),
            nr_throttled=cpu_stat.get("nr_throttled", 0),
            throttled_seconds=cpu_stat.get("throttled_usec", 0) / 1e6,
        )

    def remove(self) -> None:
        """Hand leftover processes to the parent cgroup, then remove the directories."""
        for directory in self.directories:
            for pid in self.pids() if directory is self.directories[0] else []:
                for target in self.directories:
                    with contextlib.suppress(OSError):
                        _write(target.parent / "cgroup.procs", str(pid))
            with contextlib.suppress(OSError):
                directory.rmdir()


class Emulation:
    """The cgroups of one run, one per middleware process (a container of checklist Option 1 or 2)."""

    def __init__(self, plan: InstancePlan, groups: dict[str, InstanceCgroup], status: str) -> None:
        self.plan = plan
        self.groups = groups
        self.status = status  # "emulated (cgroup v1)" or "not emulated: <why>"
        self.memory_limits: dict[str, int] = {}
        self.notes: list[str] = []

    @property
    def is_emulated(self) -> bool:
        return bool(self.groups)

    @classmethod
    def create(
        cls, plan: InstancePlan, names: list[str], *, root: Path = Path("/"), tag: str | None = None
    ) -> Emulation:
        if not plan.is_limited:
            return cls(plan, {}, "not emulated: --instance none")
        tag = tag or f"logikal-load-{os.getpid()}"
        try:
            mountinfo = (root / "proc/self/mountinfo").read_text(encoding="ascii")
            own = _own_paths((root / "proc/self/cgroup").read_text(encoding="ascii"))
        except OSError as exc:
            return cls(plan, {}, f"not emulated: cannot read cgroup mounts ({exc})")
        mounts = _mounts(mountinfo)
        v1 = {opt: Path(point) for point, kind, opts in mounts if kind == "cgroup" for opt in opts}
        groups: dict[str, InstanceCgroup] = {}
        try:
            if "memory" in v1 and "cpu" in v1:
                for name in names:
                    memory_dir = v1["memory"] / own.get("memory", "/").lstrip("/") / f"{tag}-{name}"
                    cpu_dir = v1["cpu"] / own.get("cpu", "/").lstrip("/") / f"{tag}-{name}"
                    groups[name] = InstanceCgroup.create_v1(memory_dir, cpu_dir, plan)
                return cls(plan, groups, "emulated (cgroup v1 memory + cpu)")
            unified = [Path(point) for point, kind, _ in mounts if kind == "cgroup2"]
            for point in unified:
                base = point / own.get("", "/").lstrip("/")
                controllers = set((base / "cgroup.controllers").read_text(encoding="ascii").split())
                if {"memory", "cpu"} <= controllers:
                    for name in names:
                        groups[name] = InstanceCgroup.create_v2(base / f"{tag}-{name}", plan)
                    return cls(plan, groups, "emulated (cgroup v2)")
        except OSError as exc:
            for group in groups.values():
                group.remove()
            return cls(plan, {}, f"not emulated: cgroups not writable ({exc.strerror or exc})")
        return cls(plan, {}, "not emulated: no cgroup with memory and cpu controllers is mounted")

    def attach(self, name: str, pids: list[int]) -> list[int]:
        group = self.groups.get(name)
        return group.add(pids) if group is not None else []

    def compensate(self, name: str, tree_pss: int) -> None:
        """Lower the limit by what the moved tree uses but is still charged to its old cgroup.

        Without move_charge_at_immigrate (cgroup v2, v1 on recent kernels) pages allocated before the move
        stay charged where they were; they stay resident too, so tree = uncharged + charged <= plan only if
        the new group's limit is the plan minus the uncharged part.
        """
        group = self.groups.get(name)
        if group is None or group.moves_charge():
            return
        uncharged = max(0, tree_pss - group.memory_usage())
        limit = max(self.plan.memory_bytes - uncharged, 64 * 1024 * 1024)
        group.set_memory_limit(limit)
        self.memory_limits[name] = limit
        self.notes.append(
            f"{name}: {uncharged // (1024 * 1024)} MB in use before the move stays charged to the parent "
            f"cgroup, so the limit is {limit // (1024 * 1024)} MB (plan minus that)"
        )

    def stats(self) -> dict[str, CgroupStats]:
        return {name: group.stats() for name, group in self.groups.items()}

    def close(self) -> None:
        for group in self.groups.values():
            group.remove()
