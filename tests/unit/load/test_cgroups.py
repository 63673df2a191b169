"""Instance emulation against a fake /proc and /sys tree: v1, v2, and the "not emulated" answers."""

from __future__ import annotations

from pathlib import Path

from load.cgroups import Emulation
from load.plans import plan_named

XXS = plan_named("basic-xxs")
MB = 1024 * 1024
V1_MOUNTS = """\
30 25 0:26 / /sys/fs/cgroup/memory rw,relatime shared:9 - cgroup cgroup rw,memory
31 25 0:27 / /sys/fs/cgroup/cpu rw,relatime shared:10 - cgroup cgroup rw,cpu
"""
V2_MOUNTS = "25 1 0:22 / /sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw\n"


def _proc(root: Path, mountinfo: str, cgroup: str) -> None:
    (root / "proc/self").mkdir(parents=True)
    (root / "proc/self/mountinfo").write_text(mountinfo)
    (root / "proc/self/cgroup").write_text(cgroup)


def _rooted(root: Path, mountinfo: str) -> str:
    return mountinfo.replace(" /sys/", f" {root}/sys/")


def test_v1_limits_are_written_below_the_callers_own_cgroup(tmp_path: Path) -> None:
    _proc(tmp_path, _rooted(tmp_path, V1_MOUNTS), "4:memory:/outer\n1:cpu:/\n")
    (tmp_path / "sys/fs/cgroup/memory/outer").mkdir(parents=True)
    (tmp_path / "sys/fs/cgroup/cpu").mkdir(parents=True)
    emulation = Emulation.create(XXS, ["app"], root=tmp_path, tag="t")
    assert emulation.status == "emulated (cgroup v1 memory + cpu)"
    memory, cpu = emulation.groups["app"].directories
    assert memory == tmp_path / "sys/fs/cgroup/memory/outer/t-app"
    assert (memory / "memory.limit_in_bytes").read_text() == str(512 * 1024 * 1024)
    assert (cpu / "cpu.cfs_quota_us").read_text() == "100000"
    assert emulation.attach("app", [123]) == []
    assert (memory / "cgroup.procs").read_text() == "123"
    (memory / "memory.oom_control").write_text("oom_kill_disable 0\nunder_oom 0\noom_kill 2\n")
    (cpu / "cpu.stat").write_text("nr_periods 50\nnr_throttled 5\nthrottled_time 2000000000\n")
    stats = emulation.stats()["app"]
    assert (stats.oom_kills, stats.nr_periods, stats.nr_throttled, stats.throttled_seconds) == (2, 50, 5, 2.0)


def test_v2_is_used_when_the_unified_hierarchy_has_memory_and_cpu(tmp_path: Path) -> None:
    _proc(tmp_path, _rooted(tmp_path, V2_MOUNTS), "0::/job\n")
    base = tmp_path / "sys/fs/cgroup/job"
    base.mkdir(parents=True)
    (base / "cgroup.controllers").write_text("cpuset cpu io memory pids")
    emulation = Emulation.create(plan_named("basic-m"), ["web", "worker"], root=tmp_path, tag="t")
    assert emulation.status == "emulated (cgroup v2)"
    assert (base / "t-worker/cpu.max").read_text() == "200000 100000"
    (base / "t-web/memory.events").write_text("low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n")
    assert emulation.stats()["web"].oom_kills == 1


def test_without_controllers_or_write_access_it_says_not_emulated(tmp_path: Path) -> None:
    _proc(tmp_path, _rooted(tmp_path, V2_MOUNTS), "0::/\n")
    (tmp_path / "sys/fs/cgroup").mkdir(parents=True)
    (tmp_path / "sys/fs/cgroup/cgroup.controllers").write_text("pids")
    assert Emulation.create(XXS, ["app"], root=tmp_path).status.startswith("not emulated: no cgroup")
    assert (
        Emulation.create(plan_named("none"), ["app"], root=tmp_path).status == "not emulated: --instance none"
    )
    missing = tmp_path / "elsewhere"
    assert Emulation.create(XXS, ["app"], root=missing).status.startswith("not emulated: cannot read")


def test_an_unwritable_hierarchy_says_not_emulated(tmp_path: Path) -> None:
    _proc(tmp_path, _rooted(tmp_path, V1_MOUNTS), "4:memory:/gone\n1:cpu:/\n")
    status = Emulation.create(XXS, ["app"], root=tmp_path).status
    assert status.startswith("not emulated: cgroups not writable"), status


def test_memory_still_charged_to_the_old_cgroup_lowers_the_limit(tmp_path: Path) -> None:
    _proc(tmp_path, _rooted(tmp_path, V1_MOUNTS), "4:memory:/\n1:cpu:/\n")
    (tmp_path / "sys/fs/cgroup/memory").mkdir(parents=True)
    (tmp_path / "sys/fs/cgroup/cpu").mkdir(parents=True)
    emulation = Emulation.create(XXS, ["app"], root=tmp_path, tag="t")
    memory = emulation.groups["app"].directories[0]
    (memory / "memory.move_charge_at_immigrate").write_text("0")  # what recent kernels answer
    (memory / "memory.usage_in_bytes").write_text(str(50 * MB))
    emulation.compensate("app", tree_pss=300 * MB)
    assert emulation.memory_limits == {"app": 262 * MB}
    assert (memory / "memory.limit_in_bytes").read_text() == str(262 * MB)
    assert "250 MB in use before the move" in emulation.notes[0]
